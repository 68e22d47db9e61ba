using NoiseSam.Dsl;
using NoiseSam.Planning;
using NoiseSam.Tests.Reference;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NoiseSam.Tests.Step;

[Collection(TorchCollection.Name)]
public sealed class BatchNormStatisticsTests
{
    [Theory]
    [InlineData("SAM")]
    [InlineData("ESAM")]
    [InlineData("AE-SAM")]
    public void SamStepLeavesRunningStatisticsOfOnePlainForwardPass(string kind)
    {
        var descriptor = kind switch
        {
            "ESAM" => new SamVariantDescriptor(kind) { Perturbation = PerturbationKind.StochasticWeight, Beta = 0.6, DescentSelection = new(DescentSet.SharpnessSensitive) },
            "AE-SAM" => new SamVariantDescriptor(kind) { Schedule = new(SchedulePolicy.Adaptive) },
            _ => new SamVariantDescriptor(kind),
        };
        using var model = TinyNet.Create(3);
        using var plain = TinyNet.Create(3);
        using var step = SamEngine.Create(descriptor, model);
        var (x, y) = TinyNet.Batch(5);

        var result = step.Step(x, y);
        using (no_grad()) plain.forward(x);

        Assert.True(result.Perturbed || kind == "AE-SAM");
        Assert.True(Close.Same(plain.FlatBuffers(), model.FlatBuffers()),
            "running mean/var and num_batches_tracked must equal those of one train-mode forward pass at w");
    }

    [Fact]
    public void MicroBatchSamUpdatesRunningStatisticsOncePerStep()
    {
        var descriptor = new SamVariantDescriptor("MBS") { MicroBatch = new() { Fraction = 0.25, Selection = MicroBatchSelection.Head } };
        using var model = TinyNet.Create(3);
        using var step = SamEngine.Create(descriptor, model);
        var tracked = model.named_buffers().Where(b => b.name.EndsWith("num_batches_tracked")).Select(b => b.buffer).Single();
        for (int i = 1; i <= 3; i++)
        {
            var (x, y) = TinyNet.Batch(i);
            step.Step(x, y);
            Assert.Equal(i, tracked.item<long>());
        }
    }

    /// <summary>Every combination of ascent set, descent set, schedule and perturbation the rules accept.</summary>
    public static TheoryData<string> Combinations()
    {
        var data = new TheoryData<string>();
        foreach (var d in Grid()) data.Add(d.Name);
        return data;
    }

    private static IEnumerable<SamVariantDescriptor> Grid()
    {
        MicroBatchSpec?[] ascents =
        [
            null,
            new() { Fraction = 0.5, Selection = MicroBatchSelection.Head },
            new() { Fraction = 0.5, Selection = MicroBatchSelection.Random },
            new() { Fraction = 0.5, Selection = MicroBatchSelection.TopLoss },
        ];
        DescentSelectionSpec?[] descents = [null, new(DescentSet.SharpnessSensitive) { Fraction = 0.5 }, new(DescentSet.SameAsAscent)];
        // Schedules whose first step is a SAM step (AE-SAM's first decision always is).
        ScheduleSpec?[] schedules = [null, new(SchedulePolicy.Adaptive), new(SchedulePolicy.LookSam) { K = 2 }, new(SchedulePolicy.Bernoulli) { Probability = 1 }];
        PerturbationKind[] perturbations = [PerturbationKind.Sam, PerturbationKind.Adaptive, PerturbationKind.StochasticWeight];
        foreach (var ascent in ascents)
            foreach (var descent in descents)
                foreach (var schedule in schedules)
                    foreach (var perturbation in perturbations)
                        foreach (bool noise in new[] { false, true })
                        {
                            string name = $"{ascent?.Selection.ToString() ?? "Full"}/{descent?.Set.ToString() ?? "All"}/{schedule?.Policy.ToString() ?? "Always"}/{perturbation}{(noise ? "/Noise" : "")}";
                            var d = new SamVariantDescriptor(name)
                            {
                                MicroBatch = ascent, DescentSelection = descent, Schedule = schedule, Perturbation = perturbation,
                                Noise = noise ? new NoiseSpec(NoiseDistribution.Gaussian) { Sigma = 0.5 } : null,
                            };
                            if (!d.Validate().Any(v => v.IsError)) yield return d;
                        }
    }

    // Inputs with mean 5 and a small spread: whichever rows a pass sees, one update moves the
    // running mean from 0 to ≈ 0.5 (momentum 0.1), two to ≈ 0.95; none leaves it at 0. BN is the
    // first layer, so its input does not depend on the weights and ε cannot change what it sees.
    [Theory]
    [MemberData(nameof(Combinations))]
    public void EveryDeclarationUpdatesRunningStatisticsExactlyOncePerStep(string name)
    {
        var descriptor = Grid().Single(d => d.Name == name);
        torch.manual_seed(11);
        using var model = nn.Sequential(("bn", nn.BatchNorm1d(4)), ("fc", nn.Linear(4, 3)));
        var bn = (BatchNorm)model.modules().OfType<BatchNorm>().Single();
        using var step = SamEngine.Create(descriptor, model, new SamStepOptions { Seed = 3, TotalSteps = 3 });
        var expectedMean = 0.0;
        var expectedVariance = 1.0;
        for (int i = 1; i <= 3; i++)
        {
            using var scope = torch.NewDisposeScope();
            var x = torch.randn(16, 4).mul_(0.1).add_(5.0);
            var y = torch.randint(0, 3, 16);
            var result = step.Step(x, y);
            Assert.False(result.Skipped);
            Assert.True(i > 1 || result.Perturbed, "the first step of every schedule in the grid is a SAM step");
            expectedMean = 0.9 * expectedMean + 0.1 * 5.0;
            expectedVariance = 0.9 * expectedVariance + 0.1 * 0.01;

            Assert.Equal(i, bn.num_batches_tracked!.item<long>());
            foreach (float m in bn.running_mean!.data<float>().ToArray())
                Assert.InRange(m, expectedMean - 0.02, expectedMean + 0.02);
            foreach (float v in bn.running_var!.data<float>().ToArray())
                Assert.InRange(v, expectedVariance - 0.01, expectedVariance + 0.01);
        }
    }

    /// <summary>Every declaration with <c>[Accumulation(4)]</c> the rules accept (no micro-batch or descent selection there).</summary>
    public static TheoryData<string> AccumulationCombinations()
    {
        var data = new TheoryData<string>();
        foreach (var d in AccumulationGrid()) data.Add(d.Name);
        return data;
    }

    private static IEnumerable<SamVariantDescriptor> AccumulationGrid()
    {
        ScheduleSpec?[] schedules = [null, new(SchedulePolicy.Adaptive), new(SchedulePolicy.LookSam) { K = 2 }, new(SchedulePolicy.Bernoulli) { Probability = 1 }, new(SchedulePolicy.Never)];
        foreach (var ascent in new[] { AccumulationAscent.WholeBatch, AccumulationAscent.PerChunk })
            foreach (var schedule in schedules)
                foreach (var perturbation in new[] { PerturbationKind.Sam, PerturbationKind.Adaptive, PerturbationKind.StochasticWeight })
                    foreach (bool noise in new[] { false, true })
                    {
                        string name = $"{ascent}/{schedule?.Policy.ToString() ?? "Always"}/{perturbation}{(noise ? "/Noise" : "")}";
                        var d = new SamVariantDescriptor(name)
                        {
                            Accumulation = new AccumulationSpec(4) { Ascent = ascent }, Schedule = schedule, Perturbation = perturbation,
                            Noise = noise ? new NoiseSpec(NoiseDistribution.Gaussian) { Sigma = 0.5 } : null,
                        };
                        if (!d.Validate().Any(v => v.IsError)) yield return d;
                    }
    }

    // With 4 chunks the pass that updates running statistics does so once per chunk (each chunk's own
    // statistics, as plain gradient accumulation does): 4 momentum updates per step, one batch counted.
    [Theory]
    [MemberData(nameof(AccumulationCombinations))]
    public void AccumulationUpdatesRunningStatisticsOncePerChunkOfOnePass(string name)
    {
        var descriptor = AccumulationGrid().Single(d => d.Name == name);
        torch.manual_seed(11);
        using var model = nn.Sequential(("bn", nn.BatchNorm1d(4)), ("fc", nn.Linear(4, 3)));
        var bn = (BatchNorm)model.modules().OfType<BatchNorm>().Single();
        using var step = SamEngine.Create(descriptor, model, new SamStepOptions { Seed = 3, TotalSteps = 3 });
        var expectedMean = 0.0;
        for (int i = 1; i <= 3; i++)
        {
            using var scope = torch.NewDisposeScope();
            var x = torch.randn(16, 4).mul_(0.1).add_(5.0);
            var y = torch.randint(0, 3, 16);
            Assert.False(step.Step(x, y).Skipped);
            for (int chunk = 0; chunk < 4; chunk++) expectedMean = 0.9 * expectedMean + 0.1 * 5.0;

            Assert.Equal(i, bn.num_batches_tracked!.item<long>());
            foreach (float m in bn.running_mean!.data<float>().ToArray())
                Assert.InRange(m, expectedMean - 0.03, expectedMean + 0.03);
        }
    }

    [Fact]
    public void PlanNamesAPassThatTheStepRuns()
    {
        foreach (var d in Grid())
        {
            var plan = new SamStepPlan(d);
            var pass = plan.BatchNormPass;
            if (plan.Policy == SchedulePolicy.Adaptive) Assert.Equal(SamPass.None, pass);
            else if (pass == SamPass.SelectionForward) Assert.True(plan.SelectsByLoss, d.Name);
            else if (pass == SamPass.LossesAtW) Assert.True(plan.SdsNeedsLossesAtW, d.Name);
            else Assert.True(pass is SamPass.Ascent or SamPass.Descent, d.Name);
        }
    }
}
