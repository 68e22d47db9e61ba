using NoiseSam.Harness.Benchmarks;
using NoiseSam.Harness.Statistics;

namespace NoiseSam.Harness.Study;

/// <summary>One configuration's results over its seeds.</summary>
/// <param name="Config">The configuration.</param>
/// <param name="Accuracy">Final test accuracy (fraction).</param>
/// <param name="Eigenvalue">Top Hessian eigenvalue of the training loss at the final weights.</param>
/// <param name="MSharpness">Worst-case loss increase at radius ρ (m-sharpness).</param>
/// <param name="TrainSeconds">Training time of a run (steps only).</param>
/// <param name="TimeRatio">Interleaved step-benchmark time relative to SGD (null without timing).</param>
/// <param name="IdealRatio">The cost model's ratio.</param>
/// <param name="SkippedSteps">Non-finite steps skipped, summed over seeds.</param>
/// <param name="EigenNotConverged">Runs whose eigenvalue solver hit its cap before the tolerance (their λ_max is a lower bound).</param>
/// <param name="Validation">Final validation accuracy (N = 0 without a validation split): what choices among configurations are made on.</param>
/// <param name="Collapsed">Seeds left out of <paramref name="Accuracy"/> and <paramref name="Validation"/> because they collapsed (<see cref="Collapse"/>).</param>
public sealed record StudySummary(
    StudyConfig Config, Stat Accuracy, Stat Eigenvalue, Stat MSharpness, Stat TrainSeconds,
    double? TimeRatio, double IdealRatio, int SkippedSteps, int EigenNotConverged = 0,
    Stat Validation = default, IReadOnlyList<long>? Collapsed = null)
{
    /// <summary>Seeds that collapsed (empty when none).</summary>
    public IReadOnlyList<long> CollapsedSeeds => Collapsed ?? [];

    /// <summary>Aggregates the finished runs (and their sharpness where measured) per configuration, in plan order.</summary>
    public static IReadOnlyList<StudySummary> Compute(
        IReadOnlyList<StudyConfig> configs, IReadOnlyList<StudyRunRecord> runs,
        IReadOnlyList<StudySharpness> sharpness, IReadOnlyList<StepTiming>? timings)
    {
        var list = new List<StudySummary>();
        foreach (var c in configs)
        {
            var all = runs.Where(r => r.ConfigId == c.Id).ToList();
            if (all.Count == 0) continue;
            var collapsedIndex = Collapse.Find(all.Select(r => r.Run.FinalAccuracy).ToList(), Math.Max(2, all[0].Run.Classes));
            var mine = collapsedIndex.Count == all.Count ? all : all.Where((_, i) => !collapsedIndex.Contains(i)).ToList();
            var kept = mine.Select(r => r.Seed).ToHashSet();
            var sharp = sharpness.Where(s => s.ConfigId == c.Id && kept.Contains(s.Seed)).ToList();
            var timing = timings?.FirstOrDefault(t => t.Variant == c.Descriptor.Name);
            list.Add(new StudySummary(
                c,
                Stat.Of(mine.Select(r => r.Run.FinalAccuracy)),
                Stat.Of(sharp.Select(s => s.TopEigenvalue)),
                Stat.Of(sharp.Select(s => s.MSharpness)),
                Stat.Of(mine.Select(r => r.Run.TrainSeconds)),
                timing?.Ratio,
                mine[0].Run.IdealRatio,
                all.Sum(r => r.Run.SkippedSteps),
                sharp.Count(s => !s.EigenConverged),
                Stat.Of(mine.Select(r => r.Run.FinalValidationAccuracy)),
                collapsedIndex.Select(i => all[i].Seed).ToList()));
        }
        return list;
    }
}
