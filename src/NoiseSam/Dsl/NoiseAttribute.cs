namespace NoiseSam.Dsl;

/// <summary>Noise added to the ascent gradient before it is normalised (Wei, Zhang &amp; Tan 2025).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NoiseAttribute : Attribute
{
    /// <param name="distribution">Distribution of each noise coordinate.</param>
    public NoiseAttribute(NoiseDistribution distribution) => Distribution = distribution;

    /// <summary>Distribution of each noise coordinate.</summary>
    public NoiseDistribution Distribution { get; }

    /// <summary>Noise level σ ≥ 0 (meaning depends on <see cref="Scaling"/>). Default 0.5.</summary>
    public double Sigma { get; set; } = SamDefaults.Sigma;

    /// <summary>How σ becomes a standard deviation. Default <see cref="NoiseScaling.GradientNorm"/>.</summary>
    public NoiseScaling Scaling { get; set; } = NoiseScaling.GradientNorm;
}
