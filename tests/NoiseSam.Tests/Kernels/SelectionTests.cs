using NoiseSam.Dsl;
using NoiseSam.Kernels;
using NoiseSam.Tests.Reference;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Tests.Kernels;

[Collection(TorchCollection.Name)]
public sealed class SelectionTests
{
    private static SamStepCore Core(TinyNet model, SamVariantDescriptor? d = null, long seed = 0) =>
        new(model, new SamStepOptions { Seed = seed }, d ?? new SamVariantDescriptor("MBS") { MicroBatch = new() { Fraction = 0.25 } });

    [Fact]
    public void MicroBatchSizeIsTheCeilingOfFractionTimesBatch()
    {
        using var model = TinyNet.Create(1);
        using var core = Core(model);
        var (x, y) = TinyNet.Batch(1, n: 10);
        core.BeginStep(x, y);
        Assert.Equal(3, core.MicroBatchSize(0.25));   // ⌈2.5⌉
        Assert.Equal(1, core.MicroBatchSize(0.01));
        Assert.Equal(10, core.MicroBatchSize(1.0));
    }

    [Fact]
    public void HeadAscentGradientIsTheGradientOfTheFirstRows()
    {
        using var model = TinyNet.Create(2);
        using var twin = TinyNet.Create(2);
        using var core = Core(model);
        var (x, y) = TinyNet.Batch(2);
        core.BeginStep(x, y);
        core.ForwardBackward(core.SelectHead(4), updateBatchNorm: false);

        nn.functional.cross_entropy(twin.forward(x.narrow(0, 0, 4)), y.narrow(0, 0, 4)).backward();
        var expected = cat(twin.parameters().Select(p => p.grad!.flatten()).ToArray());
        Close.Assert(expected, core.Flat.Grad, 1e-12);
    }

    [Fact]
    public void RandomSelectionDrawsDistinctRowsAndTheGradientIsTheirs()
    {
        using var model = TinyNet.Create(3);
        using var twin = TinyNet.Create(3);
        using var core = Core(model, seed: 17);
        var (x, y) = TinyNet.Batch(3);
        core.BeginStep(x, y);
        var rows = core.SelectRandom(6);
        long[] picked = rows.data<long>().ToArray();
        Assert.Equal(6, picked.Distinct().Count());
        Assert.All(picked, r => Assert.InRange(r, 0, 15));
        core.ForwardBackward(rows, updateBatchNorm: false);

        nn.functional.cross_entropy(twin.forward(x.index_select(0, rows)), y.index_select(0, rows)).backward();
        Close.Assert(cat(twin.parameters().Select(p => p.grad!.flatten()).ToArray()), core.Flat.Grad, 1e-12);

        var again = core.SelectRandom(6).data<long>().ToArray();
        Assert.NotEqual(picked, again);   // a fresh subset each call
    }

    [Fact]
    public void TopLossPicksTheRowsWithTheLargestLossAtW()
    {
        using var model = TinyNet.Create(4);
        using var core = Core(model);
        var (x, y) = TinyNet.Batch(4);
        core.BeginStep(x, y);
        var losses = core.Losses(null, updateBatchNorm: false);
        var chosen = core.SelectTopLoss(losses, 5).data<long>().ToHashSet();

        double[] l = losses.data<double>().ToArray();
        var expected = Enumerable.Range(0, l.Length).OrderByDescending(i => l[i]).Take(5).Select(i => (long)i).ToHashSet();
        Assert.Equal(expected, chosen);
    }

    [Fact]
    public void SharpnessSensitiveSelectionKeepsTheLargestLossIncreases()
    {
        using var model = TinyNet.Create(5);
        using var core = Core(model);
        var (x, y) = TinyNet.Batch(5, n: 10);
        core.BeginStep(x, y);
        var before = torch.tensor(new double[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 });
        var after = torch.tensor(new double[] { 1.5, 0.9, 3.0, 1.0, 2.0, 1.1, 0.5, 4.0, 1.2, 1.3 });
        var kept = core.SelectSharpnessSensitive(before, after, 0.5).data<long>().ToHashSet();
        // increases: 0.5, -0.1, 2, 0, 1, 0.1, -0.5, 3, 0.2, 0.3 → the ⌊0.5·10⌋ = 5 largest are rows 7, 2, 4, 0, 9
        Assert.Equal(new HashSet<long> { 7, 2, 4, 0, 9 }, kept);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.3)]
    public void SharpnessSensitiveSelectionMatchesLossesComputedByHandAtWAndWPlusEpsilon(double gamma)
    {
        const double rho = 0.5;
        using var model = TinyNet.Create(9);
        using var twin = TinyNet.Create(9);
        using var core = Core(model, new SamVariantDescriptor("SDS") { Rho = rho, DescentSelection = new(DescentSet.SharpnessSensitive) { Fraction = gamma } });
        var (x, y) = TinyNet.Batch(9, n: 20);

        core.BeginStep(x, y);
        core.ForwardBackward(null, updateBatchNorm: false);
        var before = core.Losses(null, updateBatchNorm: false);
        core.PerturbSam(rho, null);
        var after = core.Losses(null, updateBatchNorm: false);
        var kept = core.SelectSharpnessSensitive(before, after, gamma).data<long>().ToHashSet();
        core.Restore();

        // By hand on the twin: per-sample losses at w, the SAM perturbation per parameter, losses at w + ε.
        var parameters = twin.parameters().ToList();
        nn.functional.cross_entropy(twin.forward(x), y).backward();
        double[] l0 = nn.functional.cross_entropy(twin.forward(x), y, reduction: nn.Reduction.None).detach().data<double>().ToArray();
        double norm = Math.Sqrt(parameters.Sum(p => Math.Pow(p.grad!.norm().item<double>(), 2)));
        using (no_grad())
            foreach (var p in parameters) p.add_(p.grad! * (rho / (norm + 1e-12)));
        double[] l1 = nn.functional.cross_entropy(twin.forward(x), y, reduction: nn.Reduction.None).detach().data<double>().ToArray();

        int keep = (int)Math.Floor(gamma * 20 + 1e-9);
        var rise = Enumerable.Range(0, 20).Select(i => l1[i] - l0[i]).ToArray();
        var expected = Enumerable.Range(0, 20).OrderByDescending(i => rise[i]).Take(keep).Select(i => (long)i).ToHashSet();
        Assert.Equal(keep, kept.Count);
        Assert.Equal(expected, kept);
    }
}
