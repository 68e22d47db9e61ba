using NoiseSam.Harness.Training;

namespace NoiseSam.Harness.Reports;

/// <summary>One variant's results over its seeds.</summary>
/// <param name="Variant">Variant name.</param>
/// <param name="Declaration">Descriptor summary.</param>
/// <param name="Runs">Runs (seeds) aggregated.</param>
/// <param name="AccuracyMean">Mean over seeds of the final test accuracy, in [0, 1].</param>
/// <param name="AccuracyStd">Sample standard deviation over seeds of the final test accuracy (0 with one seed).</param>
/// <param name="BestAccuracy">Mean over seeds of each run's best epoch accuracy.</param>
/// <param name="LastAccuracy">Mean over seeds of the last epoch's accuracy (= <paramref name="AccuracyMean"/>).</param>
/// <param name="WallSeconds">Mean over seeds of the run's wall time (training + evaluation).</param>
/// <param name="TrainSeconds">Mean over seeds of the training time (steps only).</param>
/// <param name="SecondsPerEpoch">Mean training time per epoch.</param>
/// <param name="TimeRatio">Training time relative to SGD's (null when SGD is not in the comparison).</param>
/// <param name="IdealRatio">The cost model's expected ratio.</param>
/// <param name="SamStepShare">Share of SAM steps.</param>
/// <param name="MeanAscentFraction">Mean ascent samples / batch over SAM steps (NaN without SAM steps).</param>
/// <param name="SkippedSteps">Skipped (non-finite) steps, summed over seeds.</param>
/// <param name="FinalTrainLoss">Mean over seeds of the last epoch's training loss.</param>
public sealed record VariantSummary(
    string Variant, string Declaration, int Runs,
    double AccuracyMean, double AccuracyStd, double BestAccuracy, double LastAccuracy,
    double WallSeconds, double TrainSeconds, double SecondsPerEpoch, double? TimeRatio, double IdealRatio,
    double SamStepShare, double MeanAscentFraction, int SkippedSteps, double FinalTrainLoss)
{
    /// <summary>The variant every time ratio is relative to.</summary>
    public const string Baseline = "SGD";

    /// <summary>Aggregates runs by variant, in the order the variants first appear.</summary>
    public static IReadOnlyList<VariantSummary> Compute(IReadOnlyList<RunResult> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var groups = runs.Where(r => r.Records.Count > 0).GroupBy(r => r.Variant, StringComparer.OrdinalIgnoreCase).ToList();
        double? baseline = groups.FirstOrDefault(g => string.Equals(g.Key, Baseline, StringComparison.OrdinalIgnoreCase)) is { } sgd
            ? sgd.Average(r => r.SecondsPerEpoch) : null;
        return groups.Select(g =>
        {
            var list = g.ToList();
            var final = list.Select(r => r.FinalAccuracy).ToList();
            double mean = final.Average();
            double std = final.Count < 2 ? 0 : Math.Sqrt(final.Sum(a => (a - mean) * (a - mean)) / (final.Count - 1));
            double perEpoch = list.Average(r => r.SecondsPerEpoch);
            int samSteps = list.Sum(r => r.Records.Sum(e => e.SamSteps));
            int steps = list.Sum(r => r.Records.Sum(e => e.Steps));
            double ascent = samSteps == 0 ? double.NaN
                : list.Sum(r => r.Records.Where(e => e.SamSteps > 0).Sum(e => e.MeanAscentFraction * e.SamSteps)) / samSteps;
            return new VariantSummary(
                list[0].Variant, list[0].Declaration, list.Count,
                mean, std, list.Average(r => r.BestAccuracy), mean,
                list.Average(r => r.TrainSeconds + r.EvalSeconds), list.Average(r => r.TrainSeconds), perEpoch,
                baseline is double b && b > 0 ? perEpoch / b : null, list[0].IdealRatio,
                steps == 0 ? 0 : (double)samSteps / steps, ascent, list.Sum(r => r.SkippedSteps),
                list.Average(r => r.Records[^1].TrainLoss));
        }).ToList();
    }
}
