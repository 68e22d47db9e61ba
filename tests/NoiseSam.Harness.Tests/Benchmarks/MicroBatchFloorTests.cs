using NoiseSam.Cli.Variants;
using NoiseSam.Dsl;
using NoiseSam.Harness.Benchmarks;
using NoiseSam.Harness.Models;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Tests.Benchmarks;

/// <summary>
/// <c>bench-step --floor</c> prices a micro-batch variant at its base step plus one bare
/// micro-batch pass. That is only a floor if the extra pass does work and changes nothing the base
/// step computes, and if it is offered exactly for the variants whose step is "micro-batch ascent,
/// whole-batch descent".
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class MicroBatchFloorTests
{
    static MicroBatchFloorTests() => PaperVariants.EnsureRegistered();

    [Fact]
    public void TheExtraPassLeavesTheBaseStepsUpdateBitIdentical()
    {
        var mbs = PaperVariants.Descriptors.Single(d => d.Name == "MBS");
        var baseOnly = new SamVariantDescriptor("base") { Schedule = new ScheduleSpec(SchedulePolicy.Never), BaseOptimizer = mbs.BaseOptimizer };
        using var plainModel = ModelZoo.Create(ModelZoo.TinyCnnName, 1, 10, 8, seed: 4);
        using var floorModel = ModelZoo.Create(ModelZoo.TinyCnnName, 1, 10, 8, seed: 4);
        plainModel.train();
        floorModel.train();
        using var plain = SamEngine.Create(baseOnly, plainModel, new SamStepOptions { Seed = 1 });
        using var floor = new MicroBatchFloor(floorModel, mbs, new SamStepOptions { Seed = 1 });
        var g = new Generator(9);
        using var x = randn([16, 1, 8, 8], generator: g);
        using var y = randint(0, 10, [16], generator: g);

        for (int i = 0; i < 3; i++)
        {
            var expected = plain.Step(x, y);
            var result = floor.Step(x, y);
            Assert.Equal(expected.Loss, result.Loss);
            Assert.True(result.Perturbed);
            Assert.Equal(4, result.AscentSamples); // ⌈0.25 · 16⌉ rows in the extra pass
        }
        foreach (var ((n, a), (_, b)) in plainModel.named_parameters().Zip(floorModel.named_parameters()))
            Assert.True(a.eq(b).all().item<bool>(), $"the floor's extra pass leaked into the update of {n}: max difference {(a - b).abs().max().item<float>()}");
        // The pass did run: a train-mode forward moved the batch-norm statistics (a floor without it would be the base step).
        var plainMean = plainModel.named_buffers().Single(b => b.name.EndsWith("running_mean", StringComparison.Ordinal)).buffer;
        var floorMean = floorModel.named_buffers().Single(b => b.name.EndsWith("running_mean", StringComparison.Ordinal)).buffer;
        Assert.False(plainMean.eq(floorMean).all().item<bool>(), "the floor's micro-batch pass did not run");
    }

    [Fact]
    public void OnlyMicroBatchVariantsWithAWholeBatchDescentGetAFloor()
    {
        var timings = StepBenchmark.Run(new StepBenchmarkOptions
        {
            Variants = ["SGD", "SAM", "MBS", "NI-MBS", "K-SAM", "ESAM"],
            Model = ModelZoo.MlpName, BatchSize = 8, Warmup = 1, Rounds = 1, StepsPerSample = 1, Floor = true,
        });

        var floors = timings.Where(t => t.Implementation == StepImplementations.Floor).Select(t => t.Variant).ToList();
        Assert.Equal(["MBS floor", "NI-MBS floor"], floors);
        Assert.All(timings.Where(t => t.Implementation == StepImplementations.Floor), t =>
        {
            Assert.False(t.IsOurStep);
            Assert.Equal(1.25, t.IdealRatio, 6);
        });
        Assert.True(timings.Single(t => t.Variant == "SGD").IsBaseline);
    }
}
