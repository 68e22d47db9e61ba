using NoiseSam.Dsl;
using NoiseSam.Kernels;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NoiseSam.Tests.Reference;

/// <summary>
/// A whole micro-batch SAM step of the engine against one written here: ascent gradient on the
/// selected rows only, ε = ρ g/(‖g‖+1e-12) from it, descent gradient on the full batch at w + ε,
/// restore by copy, plain SGD. The rows of a Random selection are drawn from a fresh host stream
/// with the step's seed (stream 2, as documented for the selection stream).
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class MicroBatchStepMatchesReferenceTests
{
    private const double Rho = 0.1, Lr = 0.1;

    [Theory]
    [InlineData(MicroBatchSelection.Head)]
    [InlineData(MicroBatchSelection.Random)]
    public void AscentUsesExactlyTheSelectedRows(MicroBatchSelection selection)
    {
        const long seed = 23, batch = 16;
        const double fraction = 0.3;   // m = ⌈0.3·16⌉ = 5
        var descriptor = new SamVariantDescriptor("MBS")
        {
            Rho = Rho,
            MicroBatch = new() { Fraction = fraction, Selection = selection },
            BaseOptimizer = new(OptimizerKind.Sgd) { LearningRate = Lr, Momentum = 0, WeightDecay = 0 },
        };
        using var model = TinyNet.Create(31);
        using var twin = TinyNet.Create(31);
        using var step = SamEngine.Create(descriptor, model, new SamStepOptions { Seed = seed });
        var stream = new HostRandom(seed, 2);

        for (int i = 0; i < 3; i++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = TinyNet.Batch(300 + i, n: (int)batch);
            long m = (long)Math.Ceiling(fraction * batch);
            long[] rows = selection == MicroBatchSelection.Head
                ? Enumerable.Range(0, (int)m).Select(r => (long)r).ToArray()
                : stream.Sample(batch, m);
            Assert.Equal(m, rows.Distinct().Count());

            var result = step.Step(x, y);
            Assert.True(result.Perturbed);
            Assert.Equal(m, result.AscentSamples);

            ReferenceStep(twin, x, y, tensor(rows));
            Close.Assert(twin.FlatWeights(), model.FlatWeights(), 1e-9);
        }
    }

    private static void ReferenceStep(TinyNet net, Tensor x, Tensor y, Tensor rows)
    {
        var parameters = net.parameters().ToList();
        var bns = net.modules().OfType<BatchNorm>().ToArray();
        foreach (var p in parameters) p.grad?.zero_();

        // Ascent on the selected rows, running statistics untouched.
        var momenta = bns.Select(b => b.momentum).ToArray();
        foreach (var bn in bns) bn.momentum = 0.0;
        var tracked = bns.Select(b => b.num_batches_tracked!.clone()).ToArray();
        nn.functional.cross_entropy(net.forward(x.index_select(0, rows)), y.index_select(0, rows)).backward();
        for (int i = 0; i < bns.Length; i++) { bns[i].momentum = momenta[i]; bns[i].num_batches_tracked!.copy_(tracked[i]); }

        double norm = Math.Sqrt(parameters.Sum(p => Math.Pow(p.grad!.norm().item<double>(), 2)));
        var old = parameters.Select(p => p.detach().clone()).ToArray();
        using (no_grad())
            foreach (var p in parameters) p.add_(p.grad! * (Rho / (norm + 1e-12)));
        foreach (var p in parameters) p.grad!.zero_();

        // Descent on the whole batch at w + ε, then restore and SGD.
        nn.functional.cross_entropy(net.forward(x), y).backward();
        using (no_grad())
            for (int i = 0; i < parameters.Count; i++)
                parameters[i].copy_(old[i] - parameters[i].grad! * Lr);
    }
}
