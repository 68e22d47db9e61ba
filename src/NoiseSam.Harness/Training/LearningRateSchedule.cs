using TorchSharp;
using static TorchSharp.torch.optim;

namespace NoiseSam.Harness.Training;

/// <summary>
/// The harness's learning-rate schedule, linear warm-up to the peak then cosine decay to zero per
/// step, as TorchSharp's <c>LambdaLR</c> driving a step's <see cref="ISamStep.AsOptimizer"/>.
/// </summary>
/// <remarks>
/// The rates are those the harness has always used, bit for bit (studies resumed across versions
/// depend on it): warm-up step t &lt; W gets (peak·(t+1))/W, then peak·0.5·(1 + cos(π (t−W)/(T−W))).
/// <c>LambdaLR</c> sets a group's rate to its initial rate times the lambda; from an initial rate of
/// peak, peak·((t+1)/W) differs from (peak·(t+1))/W in the last bit in about a third of the warm-up
/// steps (identical once rounded to float32, the dtype the update is done in), and
/// <c>SequentialLR(LinearLR, CosineAnnealingLR)</c>, which updates the rate multiplicatively step by
/// step, drifts further. So the group's initial rate is set to 1 and the lambda returns the rate itself.
/// </remarks>
public static class LearningRateSchedule
{
    /// <summary>
    /// Sets <paramref name="step"/>'s learning rate for <paramref name="startStep"/> (0, or the step a
    /// resumed run continues from) and returns the scheduler; call its <c>step()</c> after every
    /// training step.
    /// </summary>
    /// <param name="step">The step the scheduler drives (through <see cref="ISamStep.AsOptimizer"/>).</param>
    /// <param name="peak">Peak learning rate (&gt; 0).</param>
    /// <param name="totalSteps">Steps of the whole run (≥ 1).</param>
    /// <param name="warmupFraction">Share of the steps spent warming up, in [0, 1).</param>
    /// <param name="startStep">Zero-based index of the next step.</param>
    public static lr_scheduler.LRScheduler Create(ISamStep step, double peak, long totalSteps, double warmupFraction, long startStep = 0)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (!(peak > 0) || !double.IsFinite(peak)) throw new ArgumentOutOfRangeException(nameof(peak), peak, "the peak learning rate must be a finite number > 0");
        if (totalSteps < 1 || totalSteps > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "at least one step (and fewer than 2^31)");
        if (!(warmupFraction >= 0 && warmupFraction < 1)) throw new ArgumentOutOfRangeException(nameof(warmupFraction), warmupFraction, "in [0, 1)");
        long warmup = WarmupSteps(totalSteps, warmupFraction);
        var optimizer = step.AsOptimizer();
        foreach (var group in optimizer.ParamGroups) group.InitialLearningRate = 1.0;
        return lr_scheduler.LambdaLR(optimizer, t => Rate(peak, totalSteps, warmup, t), last_epoch: checked((int)startStep) - 1);
    }

    /// <summary>Warm-up steps W = round(fraction · T).</summary>
    public static long WarmupSteps(long totalSteps, double warmupFraction) => (long)Math.Round(warmupFraction * totalSteps);

    // The rate of zero-based step t.
    private static double Rate(double peak, long totalSteps, long warmup, long t)
    {
        if (t < warmup) return peak * (t + 1) / warmup;
        long decay = totalSteps - warmup;
        if (decay <= 1) return peak;
        double progress = Math.Clamp((double)(t - warmup) / decay, 0, 1);
        return peak * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
