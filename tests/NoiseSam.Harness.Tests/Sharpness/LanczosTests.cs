using NoiseSam.Harness.Sharpness;
using TorchSharp;
using static NoiseSam.Harness.Tests.Sharpness.SharpnessTestModels;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Tests.Sharpness;

/// <summary>
/// The Lanczos top eigenvalue against spectra known independently: eigvalsh of (2/n)XᵀX in
/// float64, and quadratics ½wᵀAw with A = Q diag(λ) Qᵀ built by hand (random orthogonal Q).
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class LanczosTests
{
    /// <summary>½ wᵀAw with A = Q diag(<paramref name="eigenvalues"/>) Qᵀ: its Hessian is A.</summary>
    private static (Func<Tensor> Loss, Tensor W) Quadratic(double[] eigenvalues, ulong seed)
    {
        using var g = new Generator(seed);
        int n = eigenvalues.Length;
        var (q, _) = torch.linalg.qr(torch.randn([n, n], ScalarType.Float64, generator: g));
        var a = q.matmul(torch.diag(torch.tensor(eigenvalues, ScalarType.Float64))).matmul(q.t());
        var w = torch.randn([n], ScalarType.Float64, generator: g).requires_grad_(true);
        return (() => w.dot(a.matmul(w)).mul(0.5), w);
    }

    /// <summary>10 and 9.9 on top of 198 eigenvalues spread over [0, 5]: a 1 % gap at the top.</summary>
    private static double[] CloseTopSpectrum()
    {
        var random = new Random(4);
        return [10.0, 9.9, .. Enumerable.Range(0, 198).Select(_ => 5 * random.NextDouble())];
    }

    /// <summary>The distance from <paramref name="x"/> to the nearest of <paramref name="spectrum"/>.</summary>
    private static double Distance(double x, IEnumerable<double> spectrum) => spectrum.Min(l => Math.Abs(l - x));

    [Fact]
    public void LeastSquaresTopEigenvalueEqualsEigvalshOfTwoOverNXtX()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(11);
        const int n = 80, d = 30;
        var x = torch.randn([n, d], ScalarType.Float64, generator: g);
        var y = torch.randn([n], ScalarType.Float64, generator: g);
        var w = torch.randn([d], ScalarType.Float64, generator: g).requires_grad_(true);
        var options = new LanczosOptions { MaxIterations = 40, Tolerance = 1e-10, Seed = 3 };

        var estimate = HessianEigen.Lanczos(() => x.matmul(w).sub(y).square().mean(), [w], options);

        // The Hessian of mean((Xw − y)²) is (2/n) XᵀX, whatever w is.
        double[] spectrum = torch.linalg.eigvalsh(x.t().matmul(x).mul(2.0 / n)).data<double>().ToArray();
        double expected = spectrum.Max();
        Assert.Equal(EigenMethod.Lanczos, estimate.Method);
        Assert.True(estimate.Converged, $"not converged: residuals {string.Join(", ", estimate.ResidualHistory)}");
        Assert.True(estimate.Iterations <= d, $"{estimate.Iterations} steps for a {d}-dimensional space");
        Assert.Equal(estimate.Iterations, estimate.History.Count);
        Assert.Equal(estimate.Iterations, estimate.ResidualHistory.Count);
        Assert.True(estimate.RelativeResidual <= options.Tolerance);
        Assert.True(Math.Abs(estimate.Eigenvalue - expected) <= 1e-9 * expected, $"{estimate.Eigenvalue} vs eigvalsh {expected}");
        // The smallest Ritz value lies in the spectrum and within its own residual bound of an eigenvalue.
        double smallest = estimate.Smallest!.Value;
        Assert.InRange(smallest, spectrum.Min() - 1e-12, expected);
        Assert.True(Distance(smallest, spectrum) <= estimate.SmallestRelativeResidual!.Value * Math.Abs(smallest) + 1e-12,
            $"smallest {smallest}, bound {estimate.SmallestRelativeResidual}");
    }

    [Fact]
    public void CloseTopEigenvaluesDefeatTwelvePowerIterationsButNotLanczos()
    {
        using var scope = torch.NewDisposeScope();
        double[] spectrum = CloseTopSpectrum();
        var (loss, w) = Quadratic(spectrum, 21);
        const double tolerance = 1e-3;

        // The study's old cap: 12 power iterations. Their estimate is still 1e-3 or more away from 10
        // (the 9.9 direction decays only by 0.99² per iteration), and its true residual says so. Its
        // own stopping rule is fooled: the estimate creeps up by less than 1e-3 per iteration, so it
        // stops, "converged", with that error.
        var power = HessianEigen.TopEigenvalue(loss, [w], new PowerIterationOptions { MaxIterations = 12, Tolerance = tolerance, Seed = 1 });
        Assert.True(power.Converged && power.Iterations < 12, $"power: {power.Iterations} iterations, converged {power.Converged}");
        double powerError = Math.Abs(power.Eigenvalue - 10) / 10;
        Assert.True(powerError > tolerance, $"power iteration reached {power.Eigenvalue} (relative error {powerError})");
        Assert.True(power.RelativeResidual > tolerance, $"power residual {power.RelativeResidual}");
        Assert.True(Distance(power.Eigenvalue, spectrum) <= power.RelativeResidual * Math.Abs(power.Eigenvalue) + 1e-12, "the power residual is a bound");

        // Lanczos with the CLI's defaults converges, and to the right eigenvalue, not to 9.9.
        var lanczos = HessianEigen.Lanczos(loss, [w], new LanczosOptions { MaxIterations = 60, Tolerance = tolerance, Seed = 1 });
        Assert.True(lanczos.Converged, $"Lanczos not converged: residuals {string.Join(", ", lanczos.ResidualHistory)}");
        Assert.True(lanczos.RelativeResidual <= tolerance);
        double lanczosError = Math.Abs(lanczos.Eigenvalue - 10) / 10;
        Assert.True(lanczosError <= tolerance, $"Lanczos reached {lanczos.Eigenvalue} (relative error {lanczosError})");
        // The residual bound holds: an eigenvalue (here 10 itself) lies within it.
        Assert.True(Math.Abs(lanczos.Eigenvalue - 10) <= lanczos.RelativeResidual * Math.Abs(lanczos.Eigenvalue) + 1e-12);
        Assert.True(lanczos.Eigenvalue <= 10 + 1e-9, "a Ritz value never exceeds λ_max");
    }

    [Fact]
    public void DominantNegativeEigenvalueIsTheSmallestRitzValueAndTheTopStaysTheLargestAlgebraic()
    {
        using var scope = torch.NewDisposeScope();
        var random = new Random(9);
        // λ_min = −5 dominates in magnitude; λ_max = 3; the rest in [−1, 2].
        double[] spectrum = [-5.0, 3.0, .. Enumerable.Range(0, 38).Select(_ => 3 * random.NextDouble() - 1)];
        var (loss, w) = Quadratic(spectrum, 5);

        var estimate = HessianEigen.Lanczos(loss, [w], new LanczosOptions { MaxIterations = 40, Tolerance = 1e-8, Seed = 2 });

        Assert.True(estimate.Converged);
        Assert.True(Math.Abs(estimate.Eigenvalue - 3) <= 1e-7 * 3, $"top {estimate.Eigenvalue} vs 3");
        Assert.True(Math.Abs(estimate.Smallest!.Value - -5) <= 1e-6 * 5, $"smallest {estimate.Smallest} vs −5");
        Assert.True(estimate.SmallestRelativeResidual <= 1e-6, $"smallest bound {estimate.SmallestRelativeResidual}");
        Assert.Equal(estimate.Smallest.Value, estimate.Dominant); // the largest-magnitude (power-iteration) semantics

        // Power iteration finds the same dominant eigenvalue, sign kept.
        var power = HessianEigen.TopEigenvalue(loss, [w], new PowerIterationOptions { MaxIterations = 500, Tolerance = 1e-12, Seed = 2 });
        Assert.True(Math.Abs(power.Eigenvalue - estimate.Dominant) <= 1e-6 * 5, $"power {power.Eigenvalue} vs Lanczos dominant {estimate.Dominant}");
        Assert.Equal(power.Eigenvalue, power.Dominant);
    }

    [Fact]
    public void ACapTooSmallIsReportedAsNotConvergedWithAnHonestBound()
    {
        using var scope = torch.NewDisposeScope();
        double[] spectrum = CloseTopSpectrum();
        var (loss, w) = Quadratic(spectrum, 21);
        var options = new LanczosOptions { MaxIterations = 3, Tolerance = 1e-3, Seed = 1 };

        var estimate = HessianEigen.Lanczos(loss, [w], options);

        Assert.False(estimate.Converged);
        Assert.Equal(3, estimate.Iterations);
        Assert.Equal(3, estimate.History.Count);
        Assert.Equal(estimate.History[^1], estimate.Eigenvalue);
        Assert.Equal(estimate.ResidualHistory[^1], estimate.RelativeResidual);
        Assert.True(estimate.RelativeResidual > options.Tolerance);
        Assert.InRange(estimate.Eigenvalue, 0, 10 + 1e-9); // Ritz values lie within the spectrum
        Assert.True(Distance(estimate.Eigenvalue, spectrum) <= estimate.RelativeResidual * estimate.Eigenvalue + 1e-12);
        // Each step can only raise the largest Ritz value (interlacing).
        for (int i = 1; i < estimate.History.Count; i++) Assert.True(estimate.History[i] >= estimate.History[i - 1] - 1e-12);
    }

    [Fact]
    public void TheSameSeedGivesTheSameRunAndAnotherSeedTheSameEigenvalue()
    {
        using var scope = torch.NewDisposeScope();
        var (loss, w) = Quadratic(CloseTopSpectrum(), 21);
        var options = new LanczosOptions { MaxIterations = 60, Tolerance = 1e-6, Seed = 5 };

        var first = HessianEigen.Lanczos(loss, [w], options);
        var again = HessianEigen.Lanczos(loss, [w], options);
        var other = HessianEigen.Lanczos(loss, [w], options with { Seed = 6 });

        Assert.Equal(first.History, again.History);
        Assert.Equal(first.ResidualHistory, again.ResidualHistory);
        Assert.Equal(first.Smallest, again.Smallest);
        Assert.NotEqual(first.History[0], other.History[0]);
        Assert.True(first.Converged && other.Converged);
        Assert.True(Math.Abs(first.Eigenvalue - other.Eigenvalue) <= 1e-6 * 10, $"{first.Eigenvalue} vs {other.Eigenvalue}");
    }

    [Fact]
    public void AZeroHessianAndAMultipleOfTheIdentityAreExactAfterOneStep()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.ones(5, ScalarType.Float64).requires_grad_(true);
        var c = torch.tensor(new[] { 1.0, -2.0, 3.0, 0.5, 4.0 }, ScalarType.Float64);
        var options = new LanczosOptions { MaxIterations = 10, Tolerance = 0, Seed = 1 };

        var linear = HessianEigen.Lanczos(() => w.dot(c), [w], options); // H = 0
        Assert.True(linear.Converged);
        Assert.Equal(1, linear.Iterations);
        Assert.Equal(0, linear.Eigenvalue);
        Assert.Equal(0, linear.RelativeResidual);

        var sphere = HessianEigen.Lanczos(() => w.square().sum().mul(1.5), [w], options); // H = 3 I
        Assert.True(sphere.Converged);
        Assert.Equal(1, sphere.Iterations);
        Assert.Equal(3, sphere.Eigenvalue, 12);
        Assert.Equal(3, sphere.Smallest!.Value, 12);
    }

    [Fact]
    public void TheKrylovSpaceNeverOutgrowsTheParameterSpace()
    {
        using var scope = torch.NewDisposeScope();
        // Four dimensions, a cap of 50 and tolerance 0: four steps span the space and T's eigenvalues are exact.
        var (loss, w) = Quadratic([4.0, 3.9, 1.0, -0.5], 8);
        var estimate = HessianEigen.Lanczos(loss, [w], new LanczosOptions { MaxIterations = 50, Tolerance = 0, Seed = 1 });
        Assert.True(estimate.Converged);
        Assert.Equal(4, estimate.Iterations);
        Assert.Equal(4, estimate.Eigenvalue, 10);
        Assert.Equal(-0.5, estimate.Smallest!.Value, 10);
    }

    [Fact]
    public void ModuleOverloadEqualsTheClosureOverloadAndLeavesTheModelAsItWas()
    {
        using var scope = torch.NewDisposeScope();
        using var model = TinyCnn();
        using var probe = RandomProbe([12, 1, 8, 8], classes: 3, batchSize: 5); // batches of 5, 5 and 2
        var before = Snapshot(model);
        // Tolerance 0: both run all six steps from the same start vector.
        var options = new LanczosOptions { MaxIterations = 6, Tolerance = 0, Seed = 2 };

        model.train();
        var fromModule = HessianEigen.Lanczos(model, probe, options);
        Assert.True(model.training, "the model's training mode must be restored");
        AssertUnchanged(model, before);

        var x = torch.cat(probe.Batches.Select(b => b.X).ToArray(), 0);
        var y = torch.cat(probe.Batches.Select(b => b.Y).ToArray(), 0);
        var parameters = model.parameters().Cast<Tensor>().ToList();
        model.eval();
        var fromClosure = HessianEigen.Lanczos(() => nn.functional.cross_entropy(model.forward(x), y), parameters, options);
        model.train();

        Assert.Equal(6, fromModule.Iterations);
        Assert.Equal(6, fromClosure.Iterations);
        Assert.True(Math.Abs(fromModule.Eigenvalue - fromClosure.Eigenvalue) <= 1e-4 * Math.Abs(fromClosure.Eigenvalue),
            $"module {fromModule.Eigenvalue} vs closure {fromClosure.Eigenvalue}");
        Assert.True(double.IsFinite(fromModule.Eigenvalue) && fromModule.Eigenvalue > 0);
        // Lanczos after six steps is at least as far up the spectrum as six power iterations from the same kind of start.
        Assert.True(fromModule.Smallest <= fromModule.Eigenvalue);
        AssertUnchanged(model, before);

        // The dispatcher runs the same computation.
        var viaEstimate = HessianEigen.Estimate(model, probe, EigenMethod.Lanczos, 6, 0, 2);
        Assert.Equal(fromModule.History, viaEstimate.History);
        var powerViaEstimate = HessianEigen.Estimate(model, probe, EigenMethod.Power, 3, 0, 2);
        Assert.Equal(EigenMethod.Power, powerViaEstimate.Method);
        Assert.Equal(3, powerViaEstimate.Iterations);
    }

    [Fact]
    public void BadOptionsAreRefused()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.ones(2, ScalarType.Float64).requires_grad_(true);
        Assert.Throws<ArgumentOutOfRangeException>(() => HessianEigen.Lanczos(() => w.square().sum(), [w], new LanczosOptions { MaxIterations = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => HessianEigen.Lanczos(() => w.square().sum(), [w], new LanczosOptions { Tolerance = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => HessianEigen.Lanczos(() => w.square().sum(), [w], new LanczosOptions { Tolerance = double.NaN }));
        var frozen = torch.ones(2, ScalarType.Float64);
        Assert.Throws<ArgumentException>(() => HessianEigen.Lanczos(() => frozen.square().sum(), [frozen], new LanczosOptions()));
        Assert.Throws<ArgumentException>(() => HessianEigen.Lanczos(() => w.square().sum(), [], new LanczosOptions()));
    }
}
