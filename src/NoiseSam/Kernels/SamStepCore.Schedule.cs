using NoiseSam.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Kernels;

// Schedule decisions: SS-SAM's Bernoulli draw and AE-SAM's adaptive rule with its statistics.
public sealed partial class SamStepCore
{
    // AE-SAM: running mean and variance of ‖g‖².
    private bool statsInitialized;
    private double meanSquaredNorm, varianceSquaredNorm;

    /// <summary>SS-SAM / RST: a SAM step with probability p (host stream, no device sync).</summary>
    public bool Bernoulli(double probability) => ScheduleRandom.NextDouble() < probability;

    /// <summary>
    /// AE-SAM (Jiang et al. 2023): updates μ and σ² of ‖g‖² with EMA factor δ, then decides SAM when
    /// ‖g‖² ≥ μ + c_t σ, with c_t moving linearly from +c (step 0) to −c (last step); c_t = 0 when the
    /// total is unknown. The first step initialises μ from ‖g‖². Reads one scalar from the device.
    /// A non-finite norm leaves the statistics untouched (the step will be skipped).
    /// </summary>
    public bool AdaptiveDecision(Tensor gradientNorm, double c, double delta)
    {
        double norm;
        using (StepProfiler.Measure("host read (AE-SAM decision)", StepPhaseKind.Host))
            norm = gradientNorm.to(ScalarType.Float64).cpu().item<double>();
        double squared = norm * norm;
        if (!double.IsFinite(squared)) return false;
        if (!statsInitialized)
        {
            meanSquaredNorm = squared;
            varianceSquaredNorm = 0;
            statsInitialized = true;
        }
        else
        {
            meanSquaredNorm = delta * meanSquaredNorm + (1 - delta) * squared;
            double deviation = squared - meanSquaredNorm;
            varianceSquaredNorm = delta * varianceSquaredNorm + (1 - delta) * deviation * deviation;
        }
        double progress = TotalSteps > 0 ? Math.Min(1.0, (double)StepCount / TotalSteps) : 0.5;
        double ct = c * (1 - 2 * progress);
        return squared >= meanSquaredNorm + ct * Math.Sqrt(varianceSquaredNorm);
    }

    /// <summary>AE-SAM running mean and variance of ‖g‖² (for tests and logs).</summary>
    internal (double Mean, double Variance, bool Initialized) AdaptiveStatistics => (meanSquaredNorm, varianceSquaredNorm, statsInitialized);
}
