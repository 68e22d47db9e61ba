using NoiseSam.Harness.Sharpness;
using TorchSharp;
using static NoiseSam.Harness.Tests.Sharpness.SharpnessTestModels;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Tests.Sharpness;

/// <summary>m-sharpness against the closed form of a quadratic, chunk weighting, and the module overload against the closure overload.</summary>
[Collection(TorchCollection.Name)]
public sealed class MSharpnessTests
{
    private static readonly double[,] A = { { 3, 1, 0 }, { 1, 2, 0.5 }, { 0, 0.5, 1 } };

    private static double Quadratic(double[,] a, double[] w)
    {
        double s = 0;
        for (int i = 0; i < w.Length; i++)
            for (int j = 0; j < w.Length; j++) s += 0.5 * w[i] * a[i, j] * w[j];
        return s;
    }

    /// <summary>L(w + ρ g/‖g‖) − L(w) with g = A w, in doubles.</summary>
    private static double ClosedForm(double[,] a, double[] w, double rho)
    {
        int n = w.Length;
        var g = new double[n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) g[i] += a[i, j] * w[j];
        double norm = Math.Sqrt(g.Sum(v => v * v));
        var moved = w.Select((v, i) => v + rho * g[i] / norm).ToArray();
        return Quadratic(a, moved) - Quadratic(a, w);
    }

    private static Tensor Matrix(double[,] a) => torch.tensor(a.Cast<double>().ToArray(), [a.GetLength(0), a.GetLength(1)], ScalarType.Float64);

    [Fact]
    public void OneChunkOfAQuadraticEqualsTheClosedForm()
    {
        using var scope = torch.NewDisposeScope();
        double[] w0 = [0.7, -1.2, 0.4];
        var w = torch.tensor(w0, ScalarType.Float64).requires_grad_(true);
        var a = Matrix(A);
        const double rho = 0.3;

        double value = MSharpness.Compute((_, _) => w.dot(a.matmul(w)).mul(0.5), [w], samples: 8, rho, m: 8);

        Assert.Equal(ClosedForm(A, w0, rho), value, 12);
        Assert.Equal(w0, Values(w)); // restored bit-exactly
    }

    [Fact]
    public void ChunksAreWeightedBySize()
    {
        using var scope = torch.NewDisposeScope();
        double[] w0 = [0.7, -1.2, 0.4];
        var w = torch.tensor(w0, ScalarType.Float64).requires_grad_(true);
        double[,] b = { { 1, 0, 0 }, { 0, 4, 0 }, { 0, 0, 2 } };
        var a = Matrix(A);
        var bt = Matrix(b);
        var starts = new List<(int, int)>();

        // 5 samples in chunks of 3: [0, 3) has loss ½wᵀAw, [3, 5) has ½wᵀBw.
        double value = MSharpness.Compute((start, len) =>
        {
            starts.Add((start, len));
            return w.dot((start == 0 ? a : bt).matmul(w)).mul(0.5);
        }, [w], samples: 5, rho: 0.1, m: 3);

        double expected = (3 * ClosedForm(A, w0, 0.1) + 2 * ClosedForm(b, w0, 0.1)) / 5;
        Assert.Equal(expected, value, 12);
        Assert.Equal(new[] { (0, 3), (0, 3), (3, 2), (3, 2) }, starts);
        Assert.Equal(w0, Values(w));
    }

    [Fact]
    public void ModuleOverloadEqualsCrossEntropyChunksByHandAndRestoresTheModel()
    {
        using var scope = torch.NewDisposeScope();
        using var model = TinyCnn();
        using var probe = RandomProbe([20, 1, 8, 8], classes: 3, batchSize: 8); // 8, 8, 4
        var before = Snapshot(model);
        model.train();

        double fromModule = MSharpness.Compute(model, probe, rho: 0.05, m: 6);

        Assert.True(model.training);
        AssertUnchanged(model, before);

        var x = torch.cat(probe.Batches.Select(t => t.X).ToArray(), 0);
        var y = torch.cat(probe.Batches.Select(t => t.Y).ToArray(), 0);
        model.eval();
        double byHand = MSharpness.Compute((start, len) => nn.functional.cross_entropy(model.forward(x.narrow(0, start, len)), y.narrow(0, start, len)),
            model.parameters().Cast<Tensor>().ToList(), samples: 20, rho: 0.05, m: 6);
        model.train();

        Assert.Equal(byHand, fromModule);
        Assert.True(fromModule > 0, $"a small ascent step should raise the loss, got {fromModule}");
        AssertUnchanged(model, before);
    }
}
