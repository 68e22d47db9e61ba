using NoiseSam.Diagnostics;
using NoiseSam.Dsl;
using NoiseSam.Tests.Reference;

namespace NoiseSam.Tests.Diagnostics;

/// <summary>
/// The step profiler sees the passes ALGORITHMS.md §10 prescribes for each variant (rows and calls,
/// counted by hand from the update rules), records only while active and only on its own thread,
/// and its phase times fit inside the wall time of the steps.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class StepProfilerTests
{
    private const int Batch = 16;

    public static TheoryData<string, string[]> PassesPerStep => new()
    {
        // Base step: one pass pair on the batch.
        { "SGD", ["forward 16", "backward 16"] },
        // SAM: ascent at w and descent at w + ε, both on the whole batch.
        { "SAM", ["forward 16", "backward 16", "forward 16", "backward 16"] },
        // Micro-batch SAM, f = 0.25: ascent on ⌈0.25·16⌉ = 4 rows, descent on all 16.
        { "MBS", ["forward 4", "backward 4", "forward 16", "backward 16"] },
        // K-SAM: no-grad losses of the batch, then ascent and descent on the 4 largest.
        { "K-SAM", ["no-grad forward 16", "forward 4", "backward 4", "forward 4", "backward 4"] },
        // ESAM's SDS: ascent on the batch, no-grad losses at w + ε, descent on ⌊0.5·16⌋ = 8 rows.
        { "ESAM-SDS", ["forward 16", "backward 16", "no-grad forward 16", "forward 8", "backward 8"] },
    };

    [Theory]
    [MemberData(nameof(PassesPerStep))]
    public void SeesTheForwardAndBackwardPassesOfTheUpdateRule(string name, string[] passes)
    {
        var phases = Profile(Descriptor(name), steps: 3);
        var seen = phases.Where(p => p.Kind == StepPhaseKind.Pass).ToDictionary(p => p.Name, p => p.Calls);
        var expected = passes.GroupBy(p => p).ToDictionary(g => g.Key, g => 3L * g.Count());
        Assert.Equal(expected.OrderBy(kv => kv.Key), seen.OrderBy(kv => kv.Key));
    }

    [Fact]
    public void SeesTheParameterKernelsOfASamStepOnceEach()
    {
        var phases = Profile(new SamVariantDescriptor("NI") { Noise = new(NoiseDistribution.Gaussian) { Sigma = 0.5 } }, steps: 2)
            .ToDictionary(p => p.Name);
        foreach (string once in new[] { "noise", "perturb", "restore", "optimizer", "host read", "batch-norm snapshot" })
            Assert.Equal((once, 2L), (once, phases[once].Calls));
        Assert.Equal(4, phases["zero grad"].Calls);
        Assert.All(phases.Values.Where(p => p.Name is "noise" or "perturb" or "restore" or "optimizer"), p => Assert.Equal(StepPhaseKind.Parameters, p.Kind));
        Assert.Equal(StepPhaseKind.Host, phases["host read"].Kind);
    }

    [Fact]
    public void LookSamReusesTheDirectionOnBaseStepsOnly()
    {
        // K = 2: steps 0, 2 are SAM steps (two pass pairs each), 1, 3 base steps that reuse g_v.
        var phases = Profile(new SamVariantDescriptor("L") { Schedule = new(SchedulePolicy.LookSam) { K = 2 } }, steps: 4).ToDictionary(p => p.Name);
        Assert.Equal(6, phases["forward 16"].Calls);
        Assert.Equal(2, phases["LookSAM reuse"].Calls);
        Assert.Equal(2, phases["LookSAM direction"].Calls);
        Assert.Equal(2, phases["LookSAM keep g"].Calls);
    }

    [Fact]
    public void RecordsNothingWhileInactive()
    {
        Assert.False(StepProfiler.IsActive);
        using (StepProfiler.Measure("outside", StepPhaseKind.Pass)) { }
        using var profiler = StepProfiler.Start();
        Assert.True(StepProfiler.IsActive);
        Assert.Empty(profiler.Phases);
    }

    [Fact]
    public void NestedProfilersRecordInTheInnermostAndRestoreTheOuterOnDispose()
    {
        using var outer = StepProfiler.Start();
        using (StepProfiler.Measure("a", StepPhaseKind.Pass)) { }
        using (var inner = StepProfiler.Start())
        {
            using (StepProfiler.Measure("b", StepPhaseKind.Pass)) { }
            Assert.Equal(["b"], inner.Phases.Select(p => p.Name));
        }
        using (StepProfiler.Measure("a", StepPhaseKind.Pass)) { }
        Assert.Equal([("a", 2L)], outer.Phases.Select(p => (p.Name, p.Calls)));
        outer.Dispose();
        Assert.False(StepProfiler.IsActive);
    }

    [Fact]
    public void StepsOnAnotherThreadAreNotRecorded()
    {
        using var model = TinyNet.Create(3);
        using var step = SamEngine.Create(new SamVariantDescriptor("SAM"), model);
        var (x, y) = TinyNet.Batch(1, Batch);
        using var profiler = StepProfiler.Start();
        var other = new Thread(() => step.Step(x, y));
        other.Start();
        other.Join();
        Assert.Empty(profiler.Phases);
    }

    [Fact]
    public void PhaseTimesFitInsideTheWallTimeOfTheSteps()
    {
        using var model = TinyNet.Create(3);
        using var step = SamEngine.Create(Descriptor("MBS"), model);
        var (x, y) = TinyNet.Batch(1, Batch);
        using var profiler = StepProfiler.Start();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 5; i++) step.Step(x, y);
        var wall = watch.Elapsed;
        var total = profiler.Phases.Aggregate(TimeSpan.Zero, (t, p) => t + p.Elapsed);
        Assert.InRange(total, TimeSpan.FromTicks(1), wall);
        Assert.All(profiler.Phases, p => Assert.True(p.Elapsed > TimeSpan.Zero, $"{p.Name} took no time"));
    }

    [Fact]
    public void SynchronizesBeforeAndAfterEveryPhase()
    {
        int syncs = 0;
        using var model = TinyNet.Create(3);
        using var step = SamEngine.Create(new SamVariantDescriptor("SAM"), model);
        var (x, y) = TinyNet.Batch(1, Batch);
        using var profiler = StepProfiler.Start(() => syncs++);
        step.Step(x, y);
        Assert.Equal(2 * profiler.Phases.Sum(p => p.Calls), syncs);
    }

    [Fact]
    public void ResetForgetsWhatWasRecorded()
    {
        using var profiler = StepProfiler.Start();
        using (StepProfiler.Measure("warm-up", StepPhaseKind.Pass)) { }
        profiler.Reset();
        using (StepProfiler.Measure("timed", StepPhaseKind.Pass)) { }
        Assert.Equal(["timed"], profiler.Phases.Select(p => p.Name));
    }

    private static SamVariantDescriptor Descriptor(string name) => name switch
    {
        "SGD" => new(name) { Schedule = new(SchedulePolicy.Never) },
        "MBS" => new(name) { MicroBatch = new() { Fraction = 0.25 } },
        "K-SAM" => new(name) { MicroBatch = new() { Fraction = 0.25, Selection = MicroBatchSelection.TopLoss }, DescentSelection = new(DescentSet.SameAsAscent) },
        "ESAM-SDS" => new(name) { DescentSelection = new(DescentSet.SharpnessSensitive) { Fraction = 0.5 } },
        _ => new(name),
    };

    private static IReadOnlyList<StepPhase> Profile(SamVariantDescriptor descriptor, int steps)
    {
        using var model = TinyNet.Create(3);
        using var step = SamEngine.Create(descriptor, model, new SamStepOptions { Seed = 1 });
        using var profiler = StepProfiler.Start();
        for (int i = 0; i < steps; i++)
        {
            var (x, y) = TinyNet.Batch(10 + i, Batch);
            Assert.False(step.Step(x, y).Skipped);
        }
        return profiler.Phases;
    }
}
