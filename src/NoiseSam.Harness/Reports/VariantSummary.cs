using NoiseSam.Harness.Statistics;
using NoiseSam.Harness.Training;

namespace NoiseSam.Harness.Reports;

/// <summary>A run left out of its variant's mean because it collapsed (<see cref="Collapse"/>).</summary>
/// <param name="Seed">The run's seed.</param>
/// <param name="Accuracy">Its final test accuracy, in [0, 1].</param>
public sealed record CollapsedRun(long Seed, double Accuracy);

/// <summary>
/// One variant's results over its seeds. Accuracy figures are over the runs that did not
/// collapse; collapsed runs are listed in <see cref="Collapsed"/> instead of being averaged in.
/// </summary>
public sealed record VariantSummary
{
    /// <summary>The variant every time ratio and the first accuracy difference are relative to.</summary>
    public const string Baseline = "SGD";

    /// <summary>The second reference of the accuracy differences: the efficient variants' target.</summary>
    public const string SamReference = "SAM";

    public required string Variant { get; init; }
    public required string Declaration { get; init; }
    /// <summary>Runs (seeds) aggregated, collapsed ones included.</summary>
    public required int Runs { get; init; }
    /// <summary>Final test accuracy over the runs that did not collapse (fraction).</summary>
    public required Stat Accuracy { get; init; }
    /// <summary>Runs left out of <see cref="Accuracy"/>.</summary>
    public required IReadOnlyList<CollapsedRun> Collapsed { get; init; }
    /// <summary>Seeds whose run diverged (<see cref="RunResult.Diverged"/>): no accuracy, left out of every figure but the skipped steps.</summary>
    public IReadOnlyList<long> Diverged { get; init; } = [];
    /// <summary>Final validation accuracy over the same runs (N = 0 without a validation split).</summary>
    public required Stat ValidationAccuracy { get; init; }
    /// <summary>Mean over those runs of the best test accuracy of the epochs that were tested.</summary>
    public required double BestAccuracy { get; init; }
    /// <summary>Mean over seeds of the run's wall time (training + evaluation).</summary>
    public required double WallSeconds { get; init; }
    /// <summary>Mean over seeds of the training time (steps only).</summary>
    public required double TrainSeconds { get; init; }
    /// <summary>Mean training time per epoch.</summary>
    public required double SecondsPerEpoch { get; init; }
    /// <summary>Training time per epoch relative to SGD's (null when SGD is not in the comparison).</summary>
    public required double? TimeRatio { get; init; }
    /// <summary>Some run of this variant or of SGD shared the machine with other work: <see cref="TimeRatio"/> is unreliable.</summary>
    public required bool TimeRatioContended { get; init; }
    /// <summary>The cost model's expected ratio.</summary>
    public required double IdealRatio { get; init; }
    /// <summary>Share of SAM steps.</summary>
    public required double SamStepShare { get; init; }
    /// <summary>Mean ascent samples / batch over SAM steps (NaN without SAM steps).</summary>
    public required double MeanAscentFraction { get; init; }
    /// <summary>Skipped (non-finite) steps, summed over seeds.</summary>
    public required int SkippedSteps { get; init; }
    /// <summary>Mean over seeds of the last epoch's training loss.</summary>
    public required double FinalTrainLoss { get; init; }

    /// <summary>Mean final test accuracy of the runs that did not collapse.</summary>
    public double AccuracyMean => Accuracy.Mean;

    /// <summary>Sample standard deviation of those runs' final test accuracy (0 with one run).</summary>
    public double AccuracyStd => Accuracy.Std;

    /// <summary>
    /// This variant's mean accuracy minus <paramref name="other"/>'s, and whether the difference
    /// passes Student's t-test at 5 % (<see cref="Stat.DiffersFrom"/>: needs two runs a side).
    /// </summary>
    public (double Difference, bool Real) Versus(VariantSummary other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return (Accuracy.Mean - other.Accuracy.Mean, Accuracy.DiffersFrom(other.Accuracy));
    }

    /// <summary>Aggregates runs by variant, in the order the variants first appear.</summary>
    public static IReadOnlyList<VariantSummary> Compute(IReadOnlyList<RunResult> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var groups = runs.Where(r => r.Records.Count > 0).GroupBy(r => r.Variant, StringComparer.OrdinalIgnoreCase).ToList();
        var sgd = groups.FirstOrDefault(g => string.Equals(g.Key, Baseline, StringComparison.OrdinalIgnoreCase))?.ToList();
        var sgdTimed = sgd?.Where(r => !r.Diverged).ToList();
        double? baseline = sgdTimed is { Count: > 0 } ? sgdTimed.Average(r => r.SecondsPerEpoch) : null;
        bool baselineContended = sgd?.Any(r => r.Contended) ?? false;
        return groups.Select(g =>
        {
            var all = g.ToList();
            // A diverged run has no accuracy and a cut-short last epoch: it is listed, never averaged.
            var diverged = all.Where(r => r.Diverged).Select(r => r.Seed).ToList();
            var list = all.Where(r => !r.Diverged).ToList();
            var collapsedIndex = Collapse.Find(list.Select(r => r.FinalAccuracy).ToList(), Math.Max(2, all[0].Classes));
            var collapsed = collapsedIndex.Select(i => new CollapsedRun(list[i].Seed, list[i].FinalAccuracy)).ToList();
            // Every run collapsed (e.g. all near chance): report them all rather than nothing.
            var healthy = collapsedIndex.Count == list.Count ? list : list.Where((_, i) => !collapsedIndex.Contains(i)).ToList();
            if (list.Count == 0) list = all;   // every run diverged: its times and steps are all there is
            double perEpoch = list.Average(r => r.SecondsPerEpoch);
            int samSteps = list.Sum(r => r.Records.Sum(e => e.SamSteps));
            int steps = list.Sum(r => r.Records.Sum(e => e.Steps));
            double ascent = samSteps == 0 ? double.NaN
                : list.Sum(r => r.Records.Where(e => e.SamSteps > 0).Sum(e => e.MeanAscentFraction * e.SamSteps)) / samSteps;
            return new VariantSummary
            {
                Variant = all[0].Variant,
                Declaration = all[0].Declaration,
                Runs = all.Count,
                Accuracy = Stat.Of(healthy.Select(r => r.FinalAccuracy)),
                Collapsed = collapsed,
                Diverged = diverged,
                ValidationAccuracy = Stat.Of(healthy.Select(r => r.FinalValidationAccuracy)),
                BestAccuracy = healthy.Select(r => r.BestAccuracy).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average(),
                WallSeconds = list.Average(r => r.TrainSeconds + r.EvalSeconds),
                TrainSeconds = list.Average(r => r.TrainSeconds),
                SecondsPerEpoch = perEpoch,
                TimeRatio = baseline is double b && b > 0 && diverged.Count < all.Count ? perEpoch / b : null,
                TimeRatioContended = baselineContended || list.Any(r => r.Contended),
                IdealRatio = list[0].IdealRatio,
                SamStepShare = steps == 0 ? 0 : (double)samSteps / steps,
                MeanAscentFraction = ascent,
                SkippedSteps = all.Sum(r => r.SkippedSteps),
                FinalTrainLoss = list.Average(r => r.Records[^1].TrainLoss),
            };
        }).ToList();
    }
}
