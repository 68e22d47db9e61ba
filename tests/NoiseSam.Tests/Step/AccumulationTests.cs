using NoiseSam.Dsl;
using NoiseSam.Tests.Reference;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.optim;

namespace NoiseSam.Tests.Step;

/// <summary>
/// <c>[Accumulation]</c>: N chunks with a whole-batch ascent are one large batch (up to float
/// round-off); N chunks with a per-chunk ascent are N independent textbook SAM steps' descent
/// gradients averaged (m-SAM); every chunk of the pass that updates batch-norm statistics updates them.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class AccumulationTests
{
    private const double Rho = 0.05, Lr = 0.1, Momentum = 0.9, WeightDecay = 5e-4;
    private const int Batch = 18;

    // Chunk j of 4 is rows [j·18/4, (j+1)·18/4): 4, 5, 4 and 5 rows.
    private static readonly (long Start, long Count)[] Chunks = [(0, 4), (4, 5), (9, 4), (13, 5)];

    // No batch norm: a chunk's forward is then the same function of its rows as the whole batch's.
    private static nn.Module<Tensor, Tensor> Mlp(long seed)
    {
        torch.manual_seed(seed);
        var net = nn.Sequential(("flat", nn.Flatten()), ("fc1", nn.Linear(64, 12)), ("act", nn.Tanh()), ("fc2", nn.Linear(12, 5)));
        net.to(ScalarType.Float64);
        return net;
    }

    private static Tensor Flat(nn.Module model) => torch.cat(model.parameters().Select(p => p.detach().flatten()).ToArray());

    private static SamVariantDescriptor Declaration(int chunks, AccumulationAscent ascent, SchedulePolicy policy = SchedulePolicy.Always) => new("ACC")
    {
        Rho = Rho,
        Accumulation = new AccumulationSpec(chunks) { Ascent = ascent },
        Schedule = policy == SchedulePolicy.Always ? null : new ScheduleSpec(policy),
        BaseOptimizer = new(OptimizerKind.Sgd) { LearningRate = Lr },
    };

    [Theory]
    [InlineData(SchedulePolicy.Always, true)]
    [InlineData(SchedulePolicy.Always, false)]
    [InlineData(SchedulePolicy.Never, true)]
    public void ChunksWithAWholeBatchAscentAreOneLargeBatch(SchedulePolicy policy, bool shorthand)
    {
        using var chunked = Mlp(3);
        using var whole = Mlp(3);
        var wholeDeclaration = new SamVariantDescriptor("ONE") { Rho = Rho, Schedule = policy == SchedulePolicy.Always ? null : new ScheduleSpec(policy), BaseOptimizer = new(OptimizerKind.Sgd) { LearningRate = Lr } };
        using var chunkedStep = SamEngine.Create(Declaration(4, AccumulationAscent.WholeBatch, policy), chunked);
        using var wholeStep = SamEngine.Create(wholeDeclaration, whole);
        for (int i = 0; i < 4; i++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = TinyNet.Batch(10 + i, Batch);
            var a = shorthand ? chunkedStep.Step(x, y) : chunkedStep.Step(new SamBatch(Batch, Textbook.CrossEntropy(chunked, x, y)));
            var b = wholeStep.Step(x, y);
            Assert.Equal(b.Loss, a.Loss, 5);
            Assert.Equal(b.GradientNorm, a.GradientNorm, 5);
            Assert.Equal(policy == SchedulePolicy.Always ? Batch : 0, a.AscentSamples);
            Close.Assert(Flat(whole), Flat(chunked), 1e-12);
        }
    }

    [Fact]
    public void ChunksWithAPerChunkAscentAreIndependentTextbookSamStepsAveraged()
    {
        using var model = Mlp(5);
        using var reference = Mlp(5);
        using var step = SamEngine.Create(Declaration(4, AccumulationAscent.PerChunk), model);
        using var sgd = SGD(reference.parameters(), Lr, momentum: Momentum, weight_decay: WeightDecay);
        var parameters = reference.parameters().ToList();
        for (int i = 0; i < 4; i++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = TinyNet.Batch(20 + i, Batch);
            var result = step.Step(new SamBatch(Batch, Textbook.CrossEntropy(model, x, y)));
            Assert.True(result.Perturbed);
            Assert.Equal(Batch, result.AscentSamples);

            // m-SAM by hand: for each chunk its own ε_j and ∇L_j(w + ε_j); the average weighted by chunk size.
            var sum = parameters.Select(p => torch.zeros_like(p)).ToArray();
            var norms = new List<double>();
            foreach (var (start, count) in Chunks)
            {
                var rows = arange(start, start + count);
                Textbook.SamGradient(reference, Textbook.CrossEntropy(reference, x, y), Rho, ascentRows: rows, descentRows: rows);
                for (int k = 0; k < parameters.Count; k++) sum[k].add_(parameters[k].grad!, alpha: (double)count / Batch);
            }
            using (no_grad())
                for (int k = 0; k < parameters.Count; k++) parameters[k].grad!.copy_(sum[k]);
            sgd.step();
            Close.Assert(Flat(reference), Flat(model), 1e-9);
        }
    }

    [Fact]
    public void OneChunkPerChunkIsPlainSamBitForBit()
    {
        using var chunked = TinyNet.Create(8);
        using var plain = TinyNet.Create(8);
        using var chunkedStep = SamEngine.Create(Declaration(1, AccumulationAscent.PerChunk) with { Name = "SAM" }, chunked);
        using var plainStep = SamEngine.Create(new SamVariantDescriptor("SAM") { Rho = Rho, BaseOptimizer = new(OptimizerKind.Sgd) { LearningRate = Lr } }, plain);
        for (int i = 0; i < 3; i++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = TinyNet.Batch(40 + i);
            Assert.Equal(plainStep.Step(x, y), chunkedStep.Step(x, y));
        }
        Assert.True(Close.Same(plain.FlatWeights(), chunked.FlatWeights()));
        Assert.True(Close.Same(plain.FlatBuffers(), chunked.FlatBuffers()));
    }

    // Which passes update running statistics with chunks: every chunk of the step's batch-norm pass
    // (the ascent at w, for both ascents; per chunk the weights are w again before each ascent), each
    // with its own chunk's statistics, as plain gradient accumulation does; num_batches_tracked counts
    // one batch per step.
    [Theory]
    [InlineData(AccumulationAscent.WholeBatch)]
    [InlineData(AccumulationAscent.PerChunk)]
    public void EveryChunkOfTheBatchNormPassUpdatesRunningStatistics(AccumulationAscent ascent)
    {
        using var model = TinyNet.Create(3);
        using var twin = TinyNet.Create(3);
        using var step = SamEngine.Create(Declaration(4, ascent), model);
        var (x, y) = TinyNet.Batch(5, Batch);
        step.Step(x, y);
        using (no_grad())
            foreach (var (start, count) in Chunks)
                twin.forward(x.narrow(0, start, count));
        var bn = twin.modules().OfType<BatchNorm>().Single();
        bn.num_batches_tracked!.sub_(3);
        Close.Assert(twin.FlatBuffers(), model.FlatBuffers(), 1e-12);
    }

    [Fact]
    public void ABatchWithFewerRowsThanChunksIsAnError()
    {
        using var model = Mlp(1);
        using var step = SamEngine.Create(Declaration(4, AccumulationAscent.WholeBatch), model);
        var (x, y) = TinyNet.Batch(1, 3);
        var error = Assert.Throws<ArgumentException>(() => step.Step(x, y));
        Assert.Contains("4 chunks", error.Message, StringComparison.Ordinal);
    }
}
