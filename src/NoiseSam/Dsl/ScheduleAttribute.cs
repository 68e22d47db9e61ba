namespace NoiseSam.Dsl;

/// <summary>Which steps are SAM steps. Without this attribute every step is (<see cref="SchedulePolicy.Always"/>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ScheduleAttribute : Attribute
{
    /// <param name="policy">The schedule policy.</param>
    public ScheduleAttribute(SchedulePolicy policy) => Policy = policy;

    /// <summary>The schedule policy.</summary>
    public SchedulePolicy Policy { get; }

    /// <summary>Period for <see cref="SchedulePolicy.EveryK"/> and <see cref="SchedulePolicy.LookSam"/>, ≥ 1. Default 5 (LookSAM-5).</summary>
    public int K { get; set; } = SamDefaults.K;

    /// <summary>SAM-step probability for <see cref="SchedulePolicy.Bernoulli"/>, in [0, 1]. Default 0.5 (SS-SAM).</summary>
    public double Probability { get; set; } = SamDefaults.Probability;

    /// <summary>LookSAM reuse weight α ≥ 0. Default 0.7 (Liu et al. 2022).</summary>
    public double Alpha { get; set; } = SamDefaults.Alpha;

    /// <summary>AE-SAM threshold magnitude: c_t moves linearly from +C (start) to −C (end). Finite, default 1 (λ₂ = 1, λ₁ = −1).</summary>
    public double C { get; set; } = SamDefaults.C;

    /// <summary>AE-SAM EMA factor δ in [0, 1) for the running mean and variance of ‖g‖². Default 0.9 (Jiang et al. 2023).</summary>
    public double Delta { get; set; } = SamDefaults.Delta;
}
