using NoiseSam.Dsl;
using NoiseSam.Kernels;
using NoiseSam.Tests.Reference;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NoiseSam.Tests.Kernels;

/// <summary>
/// ESAM-SWP with the tensor mask drawn before the ascent pass (dropped tensors frozen, so autograd
/// skips their weight gradients) against the masking path (every gradient computed, then the dropped
/// ones zeroed), and a whole ESAM step (SWP + SDS) against one written here by hand.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class StochasticWeightTests
{
    private static SamVariantDescriptor Esam(double beta, double gamma = 0.5, double lr = 0.1) => new("ESAM")
    {
        Rho = 0.5,
        Perturbation = PerturbationKind.StochasticWeight,
        Beta = beta,
        DescentSelection = new(DescentSet.SharpnessSensitive) { Fraction = gamma },
        BaseOptimizer = new(OptimizerKind.Sgd) { LearningRate = lr, Momentum = 0, WeightDecay = 0 },
    };

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.01)]   // almost always every tensor dropped: nothing to differentiate
    public void FrozenPathGivesBitIdenticalGradientAndPerturbationToMaskingPath(double beta)
    {
        using var maskedModel = TinyNet.Create(5);
        using var frozenModel = TinyNet.Create(5);
        using var masked = new SamStepCore(maskedModel, new SamStepOptions { Seed = 3 }, Esam(beta));
        using var frozen = new SamStepCore(frozenModel, new SamStepOptions { Seed = 3 }, Esam(beta));
        Assert.True(frozen.Plan.FreezesUnperturbedTensors);
        int dropped = 0, kept = 0;

        for (int i = 0; i < 8; i++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = TinyNet.Batch(50 + i);

            masked.BeginStep(x, y);
            var lossesA = masked.ForwardBackward(null, updateBatchNorm: true);
            var normA = masked.GradNorm();
            masked.PerturbStochasticWeight(0.5, beta);

            frozen.BeginStep(x, y);
            frozen.FreezeUnperturbedTensors(beta);
            Assert.Equal(frozen.PerturbedTensors, frozenModel.parameters().Select(p => p.requires_grad).ToArray());
            var lossesB = frozen.ForwardBackward(null, updateBatchNorm: true);
            Assert.All(frozenModel.parameters(), p => Assert.True(p.requires_grad, "a tensor stayed frozen after the ascent pass"));
            frozen.PerturbSelectedWeights(0.5, beta, frozen.GradNorm());

            dropped += frozen.PerturbedTensors.Count(k => !k);
            kept += frozen.PerturbedTensors.Count(k => k);
            Assert.True(Close.Same(lossesA, lossesB), $"step {i}: per-sample losses differ");
            Assert.True(Close.Same(masked.Flat.Grad, frozen.Flat.Grad), $"step {i}: masked gradient differs");
            Assert.True(Close.Same(masked.Flat.Values, frozen.Flat.Values), $"step {i}: w + ε differs");
            // On the masking path ‖g‖ covers every tensor; the frozen path only has ‖g_S‖.
            if (frozen.PerturbedTensors.All(k => k)) Assert.True(Close.Same(normA, frozen.GradNorm()));

            // Descent at w + ε with every tensor trainable again, then restore.
            masked.ForwardBackward(null, updateBatchNorm: false);
            frozen.ForwardBackward(null, updateBatchNorm: false);
            Assert.True(Close.Same(masked.Flat.Grad, frozen.Flat.Grad), $"step {i}: descent gradient differs");
            masked.Restore();
            frozen.Restore();
        }
        Assert.True(dropped > 0, "no tensor was ever dropped");
        if (beta > 0.1) Assert.True(kept > 0, "no tensor was ever kept");
    }

    [Fact]
    public void EsamStepLeavesEveryTensorTrainableAndMatchesHandWrittenEsam()
    {
        const long seed = 11;
        const double beta = 0.5, gamma = 0.5, rho = 0.5, lr = 0.1;
        using var model = TinyNet.Create(13);
        using var twin = TinyNet.Create(13);
        using var step = SamEngine.Create(Esam(beta, gamma, lr), model, new SamStepOptions { Seed = seed });
        var mask = new HostRandom(seed, 3);
        int dropped = 0;

        for (int i = 0; i < 6; i++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = TinyNet.Batch(400 + i, n: 20);
            var result = step.Step(x, y);
            Assert.False(result.Skipped);
            Assert.All(model.parameters(), p => Assert.True(p.requires_grad, "a tensor stayed frozen after the step"));
            Assert.All(model.parameters(), p => Assert.NotNull(p.grad));

            dropped += ReferenceStep(twin, x, y, mask, beta, gamma, rho, lr);
            Close.Assert(twin.FlatWeights(), model.FlatWeights(), 1e-9);
        }
        Assert.True(dropped > 0, "the mask never dropped a tensor: the test would not exercise freezing");
    }

    // ESAM by hand (Du et al. 2022, official code's order): full gradient at w, tensor mask from the
    // mask stream, ε on kept tensors from ‖g_S‖, SDS at w + ε, descent on the kept rows, restore, SGD.
    private static int ReferenceStep(TinyNet net, Tensor x, Tensor y, HostRandom mask, double beta, double gamma, double rho, double lr)
    {
        var parameters = net.parameters().ToList();
        var bns = net.modules().OfType<BatchNorm>().ToArray();
        foreach (var p in parameters) p.grad?.zero_();
        var before = nn.functional.cross_entropy(net.forward(x), y, reduction: nn.Reduction.None);
        before.mean().backward();
        before = before.detach();

        bool[] keep = parameters.Select(_ => mask.NextDouble() < beta).ToArray();
        double normS = Math.Sqrt(parameters.Where((_, i) => keep[i]).Sum(p => Math.Pow(p.grad!.norm().item<double>(), 2)));
        var old = parameters.Select(p => p.detach().clone()).ToArray();
        using (no_grad())
            for (int i = 0; i < parameters.Count; i++)
                if (keep[i]) parameters[i].add_(parameters[i].grad! * (rho / (beta * (normS + 1e-7))));

        var momenta = bns.Select(b => b.momentum).ToArray();
        foreach (var bn in bns) bn.momentum = 0.0;
        Tensor after;
        using (no_grad()) after = nn.functional.cross_entropy(net.forward(x), y, reduction: nn.Reduction.None);
        long count = (long)Math.Floor(gamma * x.shape[0] + 1e-9);
        var rows = (after - before).topk((int)count).indexes;
        foreach (var p in parameters) p.grad!.zero_();
        nn.functional.cross_entropy(net.forward(x.index_select(0, rows)), y.index_select(0, rows)).backward();
        for (int i = 0; i < bns.Length; i++) bns[i].momentum = momenta[i];
        using (no_grad())
            for (int i = 0; i < parameters.Count; i++)
                parameters[i].copy_(old[i] - parameters[i].grad! * lr);
        return keep.Count(k => !k);
    }
}
