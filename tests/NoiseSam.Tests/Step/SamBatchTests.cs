using NoiseSam.Dsl;
using NoiseSam.Kernels;
using NoiseSam.Tests.Reference;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Tests.Step;

/// <summary>
/// <c>Step(SamBatch)</c>: a two-input regression model trains through a per-sample loss closure, with
/// SAM and with micro-batch SAM, equal to SAM written by hand with TorchSharp's ops and torch.optim.SGD.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class SamBatchTests
{
    private const double Rho = 0.05, Lr = 0.05, Momentum = 0.9, WeightDecay = 5e-4;

    public static TheoryData<string> Ascents => new() { "Full", "Head", "Random" };

    [Theory]
    [MemberData(nameof(Ascents))]
    public void TwoInputModelTrainsLikeTextbookSam(string ascent)
    {
        const long seed = 17;
        const int batch = 16;
        const double fraction = 0.25;   // m = 4
        var descriptor = new SamVariantDescriptor("SAM-" + ascent)
        {
            Rho = Rho,
            MicroBatch = ascent == "Full" ? null : new() { Fraction = fraction, Selection = Enum.Parse<MicroBatchSelection>(ascent) },
            BaseOptimizer = new(OptimizerKind.Sgd) { LearningRate = Lr },
        };
        using var model = TwoInputNet.Create(5);
        using var reference = TwoInputNet.Create(5);
        using var step = SamEngine.Create(descriptor, model, new SamStepOptions { Seed = seed });
        using var sgd = optim.SGD(reference.parameters(), Lr, momentum: Momentum, weight_decay: WeightDecay);
        var rowsStream = new HostRandom(seed, 2);

        for (int i = 0; i < 4; i++)
        {
            using var scope = NewDisposeScope();
            var (picture, features, y) = TwoInputNet.Batch(40 + i, batch);
            var result = step.Step(new SamBatch(batch, model.Loss(picture, features, y)));
            Assert.True(result.Perturbed);
            Assert.False(result.Skipped);

            long m = (long)Math.Ceiling(fraction * batch);
            Tensor? rows = ascent switch
            {
                "Head" => arange(m),
                "Random" => tensor(rowsStream.Sample(batch, m)),
                _ => null,
            };
            Assert.Equal(rows?.shape[0] ?? batch, result.AscentSamples);
            Textbook.SamGradient(reference, reference.Loss(picture, features, y), Rho, ascentRows: rows);
            sgd.step();

            Close.Assert(reference.FlatWeights(), model.FlatWeights(), 1e-9);
            Close.Assert(reference.FlatBuffers(), model.FlatBuffers(), 1e-9);
        }
    }

    [Theory]
    [InlineData("SAM")]
    [InlineData("K-SAM")]
    [InlineData("ESAM")]
    [InlineData("NI-MBS")]
    public void ShorthandAndAClosureOverTheSameModelTrainBitForBit(string kind)
    {
        // Step(input, target) is Step(SamBatch) whose closure is forward + SamStepOptions.Loss.
        var descriptor = kind switch
        {
            "K-SAM" => new SamVariantDescriptor(kind) { MicroBatch = new() { Fraction = 0.25, Selection = MicroBatchSelection.TopLoss }, DescentSelection = new(DescentSet.SameAsAscent) },
            "ESAM" => new SamVariantDescriptor(kind) { Perturbation = PerturbationKind.StochasticWeight, DescentSelection = new(DescentSet.SharpnessSensitive) },
            "NI-MBS" => new SamVariantDescriptor(kind) { MicroBatch = new() { Fraction = 0.25 }, Noise = new(NoiseDistribution.Gaussian) { Sigma = 0.5 } },
            _ => new SamVariantDescriptor(kind),
        };
        using var shorthandModel = TinyNet.Create(9);
        using var closureModel = TinyNet.Create(9);
        using var shorthand = SamEngine.Create(descriptor, shorthandModel, new SamStepOptions { Seed = 4 });
        using var closure = SamEngine.Create(descriptor, closureModel, new SamStepOptions { Seed = 4 });
        for (int i = 0; i < 3; i++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = TinyNet.Batch(60 + i);
            var a = shorthand.Step(x, y);
            var b = closure.Step(new SamBatch(x.shape[0], rows => rows is null
                ? nn.functional.cross_entropy(closureModel.forward(x), y, reduction: nn.Reduction.None)
                : nn.functional.cross_entropy(closureModel.forward(x.index_select(0, rows)), y.index_select(0, rows), reduction: nn.Reduction.None)));
            Assert.Equal(a, b);
        }
        Assert.True(Close.Same(shorthandModel.FlatWeights(), closureModel.FlatWeights()));
        Assert.True(Close.Same(shorthandModel.FlatBuffers(), closureModel.FlatBuffers()));
    }

    [Fact]
    public void ClosureIsCalledWithNullOrInt64RowIndicesOnTheParametersDevice()
    {
        var descriptor = new SamVariantDescriptor("MBS") { MicroBatch = new() { Fraction = 0.25, Selection = MicroBatchSelection.Random } };
        using var model = TwoInputNet.Create(2);
        using var step = SamEngine.Create(descriptor, model);
        var (picture, features, y) = TwoInputNet.Batch(3);
        var loss = model.Loss(picture, features, y);
        var calls = new List<long[]?>();
        step.Step(new SamBatch(16, rows =>
        {
            if (rows is not null)
            {
                Assert.Equal(ScalarType.Int64, rows.dtype);
                Assert.Equal(1, rows.dim());
                Assert.Equal(model.parameters().First().device.type, rows.device.type);
            }
            calls.Add(rows?.data<long>().ToArray());
            return loss(rows);
        }));
        Assert.Equal(2, calls.Count);                   // ascent on the micro-batch, descent on all rows
        Assert.Equal(4, calls[0]!.Distinct().Count());  // ⌈0.25 · 16⌉ distinct rows
        Assert.Null(calls[1]);
    }

    [Fact]
    public void AClosureThatReturnsAMeanIsAClearErrorAndLeavesTheModelAsItWas()
    {
        using var model = TwoInputNet.Create(2);
        using var step = SamEngine.Create(new SamVariantDescriptor("SAM"), model);
        var (picture, features, y) = TwoInputNet.Batch(3);
        var weights = model.FlatWeights().clone();
        var buffers = model.FlatBuffers().clone();
        var error = Assert.Throws<InvalidOperationException>(() => step.Step(new SamBatch(16, rows => model.Loss(picture, features, y)(rows).mean())));
        Assert.Contains("one loss per row", error.Message, StringComparison.Ordinal);
        Assert.True(Close.Same(weights, model.FlatWeights()));
        Assert.True(Close.Same(buffers, model.FlatBuffers()));
        Assert.Equal(0, step.StepCount);
    }

    [Fact]
    public void AClosureThatThrowsAtThePerturbedWeightsLeavesTheModelAsItWas()
    {
        using var model = TwoInputNet.Create(2);
        using var step = SamEngine.Create(new SamVariantDescriptor("SAM"), model);
        var (picture, features, y) = TwoInputNet.Batch(3);
        var weights = model.FlatWeights().clone();
        var buffers = model.FlatBuffers().clone();
        int calls = 0;
        var loss = model.Loss(picture, features, y);
        Assert.Throws<TimeoutException>(() => step.Step(new SamBatch(16, rows => ++calls == 2 ? throw new TimeoutException("data source") : loss(rows))));
        Assert.Equal(2, calls);
        Assert.True(Close.Same(weights, model.FlatWeights()), "the weights must be w again, not w + ε");
        Assert.True(Close.Same(buffers, model.FlatBuffers()), "the running statistics of the failed step must be undone");

        // The step is still usable.
        Assert.False(step.Step(new SamBatch(16, loss)).Skipped);
    }

    [Fact]
    public void AnyModuleBuildsAStepAndTheShorthandNeedsATensorToTensorModule()
    {
        using var model = TwoInputNet.Create(2);
        using var step = SamEngine.Create(new SamVariantDescriptor("SAM"), model);
        var (picture, _, y) = TwoInputNet.Batch(3);
        var error = Assert.Throws<InvalidOperationException>(() => step.Step(picture, y));
        Assert.Contains("SamBatch", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamBatch(0, _ => y));
    }
}
