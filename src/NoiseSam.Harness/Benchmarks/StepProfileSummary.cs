using NoiseSam.Diagnostics;

namespace NoiseSam.Harness.Benchmarks;

/// <summary>One phase of a profiled step, per step.</summary>
public sealed record PhaseShare(string Name, StepPhaseKind Kind, double CallsPerStep, double MsPerStep)
{
    /// <summary>Milliseconds per call (0 when it never ran).</summary>
    public double MsPerCall => CallsPerStep > 0 ? MsPerStep / CallsPerStep : 0;
}

/// <summary>
/// Where the time of one variant's step goes, from steps run under a <see cref="StepProfiler"/>:
/// each phase per step, and what no kernel accounts for (the generated code around the kernels,
/// dispose scopes, the managed runtime).
/// </summary>
public sealed record StepProfileSummary(long Steps, double StepMs, IReadOnlyList<PhaseShare> Phases)
{
    /// <summary>The cost model's ratio for the profiled steps (at their own share of SAM steps); 1 unless set.</summary>
    public double IdealRatio { get; init; } = 1;

    /// <summary>Step time no timed phase covers.</summary>
    public double UnattributedMs => StepMs - Phases.Sum(p => p.MsPerStep);

    /// <summary>Milliseconds per step spent on phases of one kind.</summary>
    public double Ms(StepPhaseKind kind) => Phases.Where(p => p.Kind == kind).Sum(p => p.MsPerStep);

    /// <summary>Per-step shares of what a profiler recorded over <paramref name="steps"/> steps that took <paramref name="totalMs"/> in all.</summary>
    public static StepProfileSummary From(IEnumerable<StepPhase> phases, long steps, double totalMs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        return new StepProfileSummary(steps, totalMs / steps,
            phases.Select(p => new PhaseShare(p.Name, p.Kind, p.Calls / (double)steps, p.Elapsed.TotalMilliseconds / steps)).ToList());
    }
}

/// <summary>
/// A variant's time per step beyond what the cost model allows (ideal ratio × the base step),
/// split by what the time went to. Each part is the variant's time on that kind of work minus the
/// ideal ratio times the base step's time on it, so the parts add up to the excess:
/// a positive <see cref="Passes"/> means the passes themselves cost more than their share of rows
/// predicts (small micro-batches use the cores worse per row; a forward is not exactly a third of
/// a pass pair), a positive <see cref="Parameters"/> is O(d) kernel work the base step does not do.
/// </summary>
public sealed record OverheadBreakdown(
    string Variant, double IdealRatio, double StepMs, double IdealMs,
    double Passes, double Parameters, double Host, double Selection, double Bookkeeping, double Unattributed)
{
    /// <summary>Measured minus ideal milliseconds per step (the sum of the parts).</summary>
    public double ExcessMs => StepMs - IdealMs;

    /// <summary>Splits <paramref name="variant"/>'s excess over its <see cref="StepProfileSummary.IdealRatio"/> × <paramref name="baseline"/>'s step.</summary>
    public static OverheadBreakdown Of(string name, StepProfileSummary variant, StepProfileSummary baseline)
    {
        ArgumentNullException.ThrowIfNull(variant);
        ArgumentNullException.ThrowIfNull(baseline);
        double idealRatio = variant.IdealRatio;
        double Part(StepPhaseKind kind) => variant.Ms(kind) - idealRatio * baseline.Ms(kind);
        return new OverheadBreakdown(name, idealRatio, variant.StepMs, idealRatio * baseline.StepMs,
            Part(StepPhaseKind.Pass), Part(StepPhaseKind.Parameters), Part(StepPhaseKind.Host),
            Part(StepPhaseKind.Selection), Part(StepPhaseKind.Bookkeeping),
            variant.UnattributedMs - idealRatio * baseline.UnattributedMs);
    }
}
