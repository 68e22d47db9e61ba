namespace NoiseSam.Harness.Training;

/// <summary>Linear warm-up to the peak learning rate, then cosine decay to zero, per step.</summary>
public sealed class LearningRateSchedule
{
    /// <param name="peak">peak learning rate (&gt; 0).</param>
    /// <param name="totalSteps">steps of the whole run (≥ 1).</param>
    /// <param name="warmupFraction">share of the steps spent warming up, in [0, 1).</param>
    public LearningRateSchedule(double peak, long totalSteps, double warmupFraction)
    {
        if (!(peak > 0) || !double.IsFinite(peak)) throw new ArgumentOutOfRangeException(nameof(peak), peak, "the peak learning rate must be a finite number > 0");
        if (totalSteps < 1) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "at least one step");
        if (!(warmupFraction >= 0 && warmupFraction < 1)) throw new ArgumentOutOfRangeException(nameof(warmupFraction), warmupFraction, "in [0, 1)");
        Peak = peak;
        TotalSteps = totalSteps;
        WarmupSteps = (long)Math.Round(warmupFraction * totalSteps);
    }

    public double Peak { get; }
    public long TotalSteps { get; }
    public long WarmupSteps { get; }

    /// <summary>The learning rate of zero-based step <paramref name="step"/>.</summary>
    public double At(long step)
    {
        if (step < WarmupSteps) return Peak * (step + 1) / WarmupSteps;
        long decay = TotalSteps - WarmupSteps;
        if (decay <= 1) return Peak;
        double progress = Math.Clamp((double)(step - WarmupSteps) / decay, 0, 1);
        return Peak * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
