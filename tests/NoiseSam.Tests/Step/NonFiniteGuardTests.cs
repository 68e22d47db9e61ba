using NoiseSam.Dsl;
using NoiseSam.Tests.Reference;
using static TorchSharp.torch;

namespace NoiseSam.Tests.Step;

[Collection(TorchCollection.Name)]
public sealed class NonFiniteGuardTests
{
    public static TheoryData<string> Variants => new() { "SGD", "SAM", "MBS", "LookSAM", "AE-SAM", "AdamW-SAM" };

    private static SamVariantDescriptor Descriptor(string name) => name switch
    {
        "SGD" => new(name) { Schedule = new(SchedulePolicy.Never) },
        "MBS" => new(name) { MicroBatch = new() { Fraction = 0.5 } },
        "LookSAM" => new(name) { Schedule = new(SchedulePolicy.LookSam) { K = 2 } },
        "AE-SAM" => new(name) { Schedule = new(SchedulePolicy.Adaptive) },
        "AdamW-SAM" => new(name) { BaseOptimizer = new(OptimizerKind.AdamW) },
        _ => new(name),
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void NaNInTheBatchSkipsTheStepAndLeavesEveryStateUntouched(string name)
    {
        using var model = TinyNet.Create(11);
        using var step = SamEngine.Create(Descriptor(name), model, new SamStepOptions { Seed = 3 });
        for (int i = 0; i < 3; i++)
        {
            var (x0, y0) = TinyNet.Batch(i);
            Assert.False(step.Step(x0, y0).Skipped);
        }
        var weights = model.FlatWeights().clone();
        var buffers = model.FlatBuffers().clone();
        byte[] state = SaveState(step);

        var (x, y) = TinyNet.Batch(42);
        x[0, 0, 3, 3] = tensor(double.NaN, ScalarType.Float64);
        var result = step.Step(x, y);

        Assert.True(result.Skipped);
        Assert.True(Close.Same(weights, model.FlatWeights()), "weights changed on a skipped step");
        Assert.True(Close.Same(buffers, model.FlatBuffers()), "batch-norm buffers changed on a skipped step");
        Assert.Equal(4, step.StepCount);
        Assert.Equal(OptimizerPart(state), OptimizerPart(SaveState(step)));

        var (x2, y2) = TinyNet.Batch(43);
        var next = step.Step(x2, y2);
        Assert.False(next.Skipped);
        Assert.False(Close.Same(weights, model.FlatWeights()), "the next finite step must train again");
    }

    public static TheoryData<string> EveryKind => new() { "SGD", "SAM", "MBS", "NI-MBS", "K-SAM", "ESAM", "LookSAM", "AE-SAM", "SS-SAM", "AdamW-SAM" };

    private static SamVariantDescriptor AnyKind(string name) => name switch
    {
        "NI-MBS" => new(name) { MicroBatch = new() { Fraction = 0.25 }, Noise = new(NoiseDistribution.Gaussian) { Sigma = 0.5 } },
        "K-SAM" => new(name) { MicroBatch = new() { Fraction = 0.5, Selection = MicroBatchSelection.TopLoss }, DescentSelection = new(DescentSet.SameAsAscent) },
        "ESAM" => new(name) { Perturbation = PerturbationKind.StochasticWeight, Beta = 0.6, DescentSelection = new(DescentSet.SharpnessSensitive) { Fraction = 0.5 } },
        "SS-SAM" => new(name) { Schedule = new(SchedulePolicy.Bernoulli) { Probability = 0.5 } },
        _ => Descriptor(name),
    };

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void ABatchOfNoRowsIsSkippedByEveryKindOfStep(string name)
    {
        // The micro-batch kinds threw "'1' cannot be greater than 0" here while SAM skipped the step.
        using var model = TinyNet.Create(11);
        using var step = SamEngine.Create(AnyKind(name), model, new SamStepOptions { Seed = 3 });
        var (x0, y0) = TinyNet.Batch(0);
        Assert.False(step.Step(x0, y0).Skipped);
        var weights = model.FlatWeights().clone();

        var (x, y) = TinyNet.Batch(1);
        var result = step.Step(x.narrow(0, 0, 0), y.narrow(0, 0, 0));

        Assert.True(result.Skipped, $"{name}: an empty batch must be skipped");
        Assert.True(Close.Same(weights, model.FlatWeights()), "weights changed on an empty batch");
        Assert.False(step.Step(x, y).Skipped, "the next batch must train again");
    }

    [Fact]
    public void InfiniteLossFromACustomLossSkipsTheStep()
    {
        using var model = TinyNet.Create(11);
        bool poison = false;
        var options = new SamStepOptions
        {
            Loss = (logits, targets) =>
            {
                var l = nn.functional.cross_entropy(logits, targets, reduction: nn.Reduction.None);
                return poison ? l * double.PositiveInfinity : l;
            },
        };
        using var step = SamEngine.Create(new SamVariantDescriptor("SAM"), model, options);
        var (x, y) = TinyNet.Batch(1);
        step.Step(x, y);
        var weights = model.FlatWeights().clone();
        poison = true;
        Assert.True(step.Step(x, y).Skipped);
        Assert.True(Close.Same(weights, model.FlatWeights()));
    }

    private static byte[] SaveState(ISamStep step)
    {
        using var stream = new MemoryStream();
        step.SaveState(stream);
        return stream.ToArray();
    }

    // AE-SAM statistics, the LookSAM direction, the noise stream and the optimizer moments must be
    // unchanged. Skipped: the header (step and skip counts advance on a skipped step) and the three
    // host random streams, which advance as on any step so later draws stay tied to step indices.
    private static byte[] OptimizerPart(byte[] state)
    {
        // magic, version, name, parameter count, trainable-set fingerprint, step and skip counts,
        // learning rate, RhoScale, previous loss and norm, three stream states.
        int header = 8 + 4 + 1 + state[12] + 8 + 8 + 8 + 8 + 8 + 8 + 4 + 4 + 3 * 8;
        return state[header..];
    }
}
