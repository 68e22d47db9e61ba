using NoiseSam.Diagnostics;
using NoiseSam.Harness.Benchmarks;

namespace NoiseSam.Harness.Tests.Benchmarks;

/// <summary>The split of a variant's time over the cost model, on numbers worked out by hand.</summary>
public sealed class OverheadBreakdownTests
{
    // A base step of 51.5 ms: passes 50, O(d) kernels 1, a host read 0.1, 0.4 ms in no kernel.
    private static readonly StepProfileSummary Sgd = Summary(51.5, ("forward 128", StepPhaseKind.Pass, 20), ("backward 128", StepPhaseKind.Pass, 30),
        ("optimizer", StepPhaseKind.Parameters, 1), ("host read", StepPhaseKind.Host, 0.1));

    [Fact]
    public void EachKindOfWorkIsChargedAgainstIdealTimesTheBaseStepsShare()
    {
        // A SAM-like step (ideal 2): passes 104, O(d) 2.5, host 0.1, selection 0.3, unattributed 0.6.
        var sam = Summary(107.5, ("forward 128", StepPhaseKind.Pass, 44), ("backward 128", StepPhaseKind.Pass, 60),
            ("perturb", StepPhaseKind.Parameters, 1.5), ("optimizer", StepPhaseKind.Parameters, 1),
            ("host read", StepPhaseKind.Host, 0.1), ("select", StepPhaseKind.Selection, 0.3)) with { IdealRatio = 2 };
        var b = OverheadBreakdown.Of("SAM", sam, Sgd);
        Assert.Equal(103.0, b.IdealMs, 9);
        Assert.Equal(4.5, b.ExcessMs, 9);
        Assert.Equal(4.0, b.Passes, 9);          // 104 − 2·50
        Assert.Equal(0.5, b.Parameters, 9);      // 2.5 − 2·1
        Assert.Equal(-0.1, b.Host, 9);           // 0.1 − 2·0.1
        Assert.Equal(0.3, b.Selection, 9);
        Assert.Equal(0.0, b.Bookkeeping, 9);
        Assert.Equal(-0.2, b.Unattributed, 9);   // 0.6 − 2·0.4
        Assert.Equal(b.ExcessMs, b.Passes + b.Parameters + b.Host + b.Selection + b.Bookkeeping + b.Unattributed, 9);
    }

    [Fact]
    public void AStepAtTheCostModelsLimitHasNoExcess()
    {
        var scaled = Summary(51.5 * 1.25, ("forward 128", StepPhaseKind.Pass, 25), ("backward 128", StepPhaseKind.Pass, 37.5),
            ("optimizer", StepPhaseKind.Parameters, 1.25), ("host read", StepPhaseKind.Host, 0.125)) with { IdealRatio = 1.25 };
        var b = OverheadBreakdown.Of("MBS", scaled, Sgd);
        Assert.Equal(0.0, b.ExcessMs, 9);
        Assert.Equal(0.0, b.Passes, 9);
    }

    [Fact]
    public void PerStepSharesDivideTheTotalsByTheSteps()
    {
        var s = StepProfileSummary.From([new StepPhase("forward 32", StepPhaseKind.Pass, 10, TimeSpan.FromMilliseconds(90))], steps: 5, totalMs: 500);
        Assert.Equal(100.0, s.StepMs, 9);
        var forward = Assert.Single(s.Phases);
        Assert.Equal((2.0, 18.0, 9.0), (forward.CallsPerStep, forward.MsPerStep, forward.MsPerCall));
        Assert.Equal(82.0, s.UnattributedMs, 9);
        Assert.Throws<ArgumentOutOfRangeException>(() => StepProfileSummary.From([], steps: 0, totalMs: 1));
    }

    private static StepProfileSummary Summary(double stepMs, params (string Name, StepPhaseKind Kind, double Ms)[] phases) =>
        new(1, stepMs, phases.Select(p => new PhaseShare(p.Name, p.Kind, 1, p.Ms)).ToList());
}
