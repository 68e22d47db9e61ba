using NoiseSam.Dsl;

namespace NoiseSam.Harness.Training;

/// <summary>
/// The cost model of ALGORITHMS.md §10.2: the expected work of one step in "pass pairs" (one
/// forward + backward of the full batch = 1; a forward alone ≈ 1/3), relative to the base
/// optimizer's step (= 1). It counts passes only: noise, perturbation and selection kernels are free.
/// </summary>
public static class CostModel
{
    /// <summary>A forward pass alone, in pass pairs (backward ≈ 2 × forward).</summary>
    public const double Forward = 1.0 / 3.0;

    /// <summary>
    /// Share of SAM steps assumed for <see cref="SchedulePolicy.Adaptive"/> (AE-SAM): c_t moves
    /// symmetrically from +C to −C, so under the Gaussian model about half of the steps are SAM steps.
    /// </summary>
    public const double AdaptiveSamShare = 0.5;

    /// <summary>Expected per-step cost of <paramref name="d"/> relative to its base optimizer (SGD = 1, SAM = 2).</summary>
    public static double IdealRatio(SamVariantDescriptor d) => IdealRatio(d, SamShare(d));

    /// <summary>
    /// Per-step cost of <paramref name="d"/> relative to its base optimizer when a share
    /// <paramref name="samShare"/> of the steps are SAM steps: what a run that observed that share
    /// should have cost (a switching schedule on a short benchmark rarely hits its expected share).
    /// </summary>
    public static double IdealRatio(SamVariantDescriptor d, double samShare)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentOutOfRangeException.ThrowIfLessThan(samShare, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(samShare, 1.0);
        if (d.Policy == SchedulePolicy.Never) return 1.0;

        double f = MeanFraction(d.MicroBatch);
        bool topLoss = d.MicroBatch is { } mb && mb.EffectiveSelection == MicroBatchSelection.TopLoss && f < 1;
        double selection = topLoss ? Forward : 0;

        // Ascent pass on the micro-batch. ESAM-SWP computes weight gradients only for a share β of
        // the tensors: the weight-gradient half of the backward (≈ 1/3 of a pass pair) shrinks by β.
        double ascent = f;
        if (d.Perturbation == PerturbationKind.StochasticWeight)
            ascent -= f * (1 - d.EffectiveBeta) * Forward;

        double descent = d.Descent switch
        {
            DescentSet.SameAsAscent => f,
            DescentSet.SharpnessSensitive => Forward + d.DescentSelection!.EffectiveFraction, // no-grad forward at w+ε, then γ of the batch
            _ => 1.0,
        };
        double samStep = selection + ascent + descent;

        if (d.Policy == SchedulePolicy.Adaptive)
        {
            // AE-SAM always pays the full-batch gradient at w; a full-batch SAM step reuses it as its
            // ascent gradient (and the losses at w make a top-loss selection free).
            double extra = samStep - selection - (f >= 1 ? ascent : 0);
            return 1.0 + samShare * extra;
        }
        return (1 - samShare) * 1.0 + samShare * samStep;
    }

    /// <summary>Expected share of SAM steps (1 for Always and Custom, p for Bernoulli, 1/K for EveryK and LookSAM).</summary>
    public static double SamShare(SamVariantDescriptor d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var s = d.Schedule;
        return d.Policy switch
        {
            SchedulePolicy.Never => 0,
            SchedulePolicy.Bernoulli => s!.EffectiveProbability,
            SchedulePolicy.EveryK or SchedulePolicy.LookSam => 1.0 / s!.EffectiveK,
            SchedulePolicy.Adaptive => AdaptiveSamShare,
            _ => 1, // Always; Custom is unknown ahead of time: the upper bound
        };
    }

    /// <summary>Mean micro-batch fraction over training (1 without a micro-batch; linear and cosine schedules average to the midpoint).</summary>
    public static double MeanFraction(MicroBatchSpec? mb)
    {
        if (mb is null) return 1.0;
        return mb.EffectiveFractionSchedule == FractionSchedule.Constant
            ? mb.EffectiveFraction
            : (mb.EffectiveFraction + mb.EffectiveFinalFraction) / 2;
    }
}
