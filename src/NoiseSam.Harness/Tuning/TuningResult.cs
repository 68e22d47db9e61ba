using NoiseSam.Harness.Statistics;
using NoiseSam.Harness.Study;

namespace NoiseSam.Harness.Tuning;

/// <summary>One candidate's results over its seeds.</summary>
/// <param name="Setting">What it changed, e.g. "rho=0.1".</param>
/// <param name="Id">Its configuration id.</param>
/// <param name="Validation">Final validation accuracy (the figure the choice is made on).</param>
/// <param name="Test">Final test accuracy (reported, never used for the choice).</param>
/// <param name="Chosen">The candidate with the best mean validation accuracy.</param>
/// <param name="WithinNoiseOfChosen">Not the choice, and not told apart from it on validation by Student's t-test at 5 %.</param>
public sealed record TuningCandidate(string Setting, string Id, Stat Validation, Stat Test, bool Chosen, bool WithinNoiseOfChosen);

/// <summary>A search's outcome for one variant.</summary>
/// <param name="Variant">The tuned variant.</param>
/// <param name="Candidates">Every candidate with at least one finished run, in plan order.</param>
/// <param name="Complete">Every planned run of every candidate finished.</param>
public sealed record TuningResult(string Variant, IReadOnlyList<TuningCandidate> Candidates, bool Complete)
{
    /// <summary>The chosen candidate (null when nothing has finished).</summary>
    public TuningCandidate? Choice => Candidates.FirstOrDefault(c => c.Chosen);

    /// <summary>
    /// Groups finished runs by the variant they tune and picks, for each, the candidate with the
    /// highest mean final validation accuracy (ties: the first in plan order). Runs without a
    /// validation split cannot be chosen from: the search needs <c>--val-fraction</c>.
    /// </summary>
    public static IReadOnlyList<TuningResult> Compute(IReadOnlyList<StudyConfig> configs, IReadOnlyList<StudyRunRecord> runs, int seedsPerCandidate)
    {
        ArgumentNullException.ThrowIfNull(configs);
        ArgumentNullException.ThrowIfNull(runs);
        var results = new List<TuningResult>();
        foreach (var group in configs.Where(c => c.Group == StudyGroup.Tuning).GroupBy(c => c.Tuned!))
        {
            var stats = group.Select(c =>
            {
                var mine = runs.Where(r => r.ConfigId == c.Id).ToList();
                return (Config: c, Runs: mine.Count, Val: Stat.Of(mine.Select(r => r.Run.FinalValidationAccuracy)), Test: Stat.Of(mine.Select(r => r.Run.FinalAccuracy)),
                    Diverged: mine.Any(r => r.Run.Diverged));
            }).Where(s => s.Runs > 0).ToList();
            // A setting that diverged with some seed is never chosen, whatever its other seeds reached.
            var best = stats.Where(s => s.Val.N > 0 && !s.Diverged).OrderByDescending(s => s.Val.Mean).FirstOrDefault();
            var candidates = stats.Select(s => new TuningCandidate(s.Config.Setting!, s.Config.Id, s.Val, s.Test,
                Chosen: best.Config is not null && ReferenceEquals(s.Config, best.Config),
                WithinNoiseOfChosen: best.Config is not null && !ReferenceEquals(s.Config, best.Config) && s.Val.N > 0 && !s.Val.DiffersFrom(best.Val))).ToList();
            bool complete = group.All(c => runs.Count(r => r.ConfigId == c.Id) >= seedsPerCandidate);
            results.Add(new TuningResult(group.Key, candidates, complete));
        }
        return results;
    }
}
