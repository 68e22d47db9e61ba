using System.Globalization;
using NoiseSam.Dsl;

namespace NoiseSam.Harness.Study;

/// <summary>Whether a configuration is a point of the (f, σ, scaling) sweep, a named baseline, or a candidate of a hyper-parameter search.</summary>
public enum StudyGroup
{
    Sweep,
    Baseline,
    Tuning,
    /// <summary>The sweep's base optimizer alone, at the sweep's settings: what SAM's premise is judged against.</summary>
    Base,
}

/// <summary>
/// One configuration of the study. <see cref="Id"/> names its directory and its registry entry,
/// so it only uses characters that are safe in both. A tuning candidate also names the variant it
/// tunes (<paramref name="Tuned"/>) and its setting (<paramref name="Setting"/>, e.g. "rho=0.1").
/// </summary>
public sealed record StudyConfig(string Id, StudyGroup Group, SamVariantDescriptor Descriptor, double Fraction, double Sigma, NoiseScaling? Scaling,
    string? Tuned = null, string? Setting = null)
{
    /// <summary>A human label for tables: "SAM", "MBS f=0.25", "NI-MBS f=0.25 σ=0.5 ‖g‖", or the baseline's name.</summary>
    public string Label
    {
        get
        {
            if (Group == StudyGroup.Baseline) return Descriptor.Name;
            if (Group == StudyGroup.Tuning) return $"{Tuned} {Setting}";
            if (Group == StudyGroup.Base)
                return string.Create(CultureInfo.InvariantCulture,
                    $"{(Descriptor.EffectiveBaseOptimizer.Kind == OptimizerKind.Sgd ? "SGD" : "AdamW")} alone, lr {Descriptor.EffectiveBaseOptimizer.EffectiveLearningRate:R} (the sweep's)");
            string f = Fraction.ToString("0.####", CultureInfo.InvariantCulture);
            if (Sigma == 0) return Fraction == 1 ? "SAM" : $"MBS f={f}";
            string s = Sigma.ToString("0.###", CultureInfo.InvariantCulture);
            return $"NI-MBS f={f} σ={s} {ScalingLabel(Scaling)}";
        }
    }

    /// <summary>Short name of a noise scaling for labels and ids.</summary>
    public static string ScalingLabel(NoiseScaling? scaling) => scaling switch
    {
        NoiseScaling.Absolute => "abs",
        NoiseScaling.GradientNorm => "gnorm",
        NoiseScaling.MicroBatch => "mb",
        null => "",
        _ => scaling.Value.ToString(),
    };
}
