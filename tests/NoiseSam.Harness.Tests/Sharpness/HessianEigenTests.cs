using NoiseSam.Harness.Sharpness;
using TorchSharp;
using static NoiseSam.Harness.Tests.Sharpness.SharpnessTestModels;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Tests.Sharpness;

/// <summary>Power iteration against eigenvalues known independently (eigvalsh in float64, a diagonal built by hand).</summary>
[Collection(TorchCollection.Name)]
public sealed class HessianEigenTests
{
    private static readonly PowerIterationOptions Tight = new() { MaxIterations = 500, Tolerance = 1e-12, Seed = 3 };

    [Fact]
    public void LeastSquaresTopEigenvalueEqualsEigvalshOfTwoOverNXtX()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(11);
        const int n = 40, d = 6;
        var x = torch.randn([n, d], ScalarType.Float64, generator: g);
        x.narrow(1, 0, 1).mul_(3.0); // a clear spectral gap
        var y = torch.randn([n], ScalarType.Float64, generator: g);
        var w = torch.randn([d], ScalarType.Float64, generator: g).requires_grad_(true);

        var estimate = HessianEigen.TopEigenvalue(() => x.matmul(w).sub(y).square().mean(), [w], Tight);

        // The Hessian of mean((Xw − y)²) is (2/n) XᵀX, whatever w is.
        double expected = torch.linalg.eigvalsh(x.t().matmul(x).mul(2.0 / n)).max().item<double>();
        Assert.True(estimate.Converged, $"not converged: {string.Join(", ", estimate.History)}");
        Assert.Equal(estimate.Iterations, estimate.History.Count);
        Assert.True(estimate.Iterations < Tight.MaxIterations);
        Assert.True(Math.Abs(estimate.Eigenvalue - expected) <= 1e-6 * expected, $"{estimate.Eigenvalue} vs eigvalsh {expected}");
    }

    [Fact]
    public void NegativeDominantEigenvalueKeepsItsSign()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(5);
        // A = Q diag(−5, 3, 1, 0.5) Qᵀ with a random orthogonal Q: the eigenvalue of largest magnitude is −5.
        var (q, _) = torch.linalg.qr(torch.randn([4, 4], ScalarType.Float64, generator: g));
        var a = q.matmul(torch.diag(torch.tensor(new[] { -5.0, 3.0, 1.0, 0.5 }))).matmul(q.t());
        var w = torch.randn([4], ScalarType.Float64, generator: g).requires_grad_(true);

        var estimate = HessianEigen.TopEigenvalue(() => w.dot(a.matmul(w)).mul(0.5), [w], Tight);

        Assert.True(estimate.Converged);
        Assert.True(Math.Abs(estimate.Eigenvalue - -5.0) <= 1e-6 * 5, $"{estimate.Eigenvalue} vs −5");
    }

    [Fact]
    public void IterationCapIsRespectedAndReportedAsNotConverged()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(5);
        var (q, _) = torch.linalg.qr(torch.randn([5, 5], ScalarType.Float64, generator: g));
        var a = q.matmul(torch.diag(torch.tensor(new[] { 4.0, 3.9, 1.0, 0.5, 0.1 }))).matmul(q.t());
        var w = torch.randn([5], ScalarType.Float64, generator: g).requires_grad_(true);
        var options = new PowerIterationOptions { MaxIterations = 3, Tolerance = 0, Seed = 1 };

        var estimate = HessianEigen.TopEigenvalue(() => w.dot(a.matmul(w)).mul(0.5), [w], options);

        Assert.False(estimate.Converged);
        Assert.Equal(3, estimate.Iterations);
        Assert.Equal(3, estimate.History.Count);
        Assert.Equal(estimate.History[^1], estimate.Eigenvalue);
        Assert.InRange(estimate.Eigenvalue, 0.1, 4.0 + 1e-9); // a Rayleigh quotient lies within the spectrum
    }

    [Fact]
    public void ModuleOverloadEqualsTheClosureOverloadAndLeavesTheModelAsItWas()
    {
        using var scope = torch.NewDisposeScope();
        using var model = TinyCnn();
        using var probe = RandomProbe([12, 1, 8, 8], classes: 3, batchSize: 5); // batches of 5, 5 and 2
        var before = Snapshot(model);
        // Tolerance 0: both run all four iterations from the same start vector.
        var options = new PowerIterationOptions { MaxIterations = 4, Tolerance = 0, Seed = 2 };

        model.train();
        var fromModule = HessianEigen.TopEigenvalue(model, probe, options);
        Assert.True(model.training, "the model's training mode must be restored");
        AssertUnchanged(model, before);

        // The same loss by hand: the mean cross-entropy over all 12 samples, eval mode.
        var x = torch.cat(probe.Batches.Select(b => b.X).ToArray(), 0);
        var y = torch.cat(probe.Batches.Select(b => b.Y).ToArray(), 0);
        var parameters = model.parameters().Cast<Tensor>().ToList();
        model.eval();
        var fromClosure = HessianEigen.TopEigenvalue(() => nn.functional.cross_entropy(model.forward(x), y), parameters, options);
        model.train();

        Assert.Equal(4, fromModule.Iterations);
        Assert.Equal(4, fromClosure.Iterations);
        Assert.True(Math.Abs(fromModule.Eigenvalue - fromClosure.Eigenvalue) <= 1e-4 * Math.Abs(fromClosure.Eigenvalue),
            $"module {fromModule.Eigenvalue} vs closure {fromClosure.Eigenvalue}");
        Assert.True(double.IsFinite(fromModule.Eigenvalue) && fromModule.Eigenvalue != 0);
        AssertUnchanged(model, before);
    }

    [Fact]
    public void BadOptionsAreRefused()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.ones(2, ScalarType.Float64).requires_grad_(true);
        Assert.Throws<ArgumentOutOfRangeException>(() => HessianEigen.TopEigenvalue(() => w.square().sum(), [w], new PowerIterationOptions { MaxIterations = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => HessianEigen.TopEigenvalue(() => w.square().sum(), [w], new PowerIterationOptions { Tolerance = double.NaN }));
        var frozen = torch.ones(2, ScalarType.Float64);
        Assert.Throws<ArgumentException>(() => HessianEigen.TopEigenvalue(() => frozen.square().sum(), [frozen], new PowerIterationOptions()));
    }
}
