using NoiseSam.Dsl;
using NoiseSam.Kernels;
using NoiseSam.Tests.Reference;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Tests.Kernels;

/// <summary>Empirical moments of the noise added to a zero gradient, against the documented laws.</summary>
[Collection(TorchCollection.Name)]
public sealed class NoiseTests
{
    [Theory]
    [InlineData(NoiseDistribution.Gaussian)]
    [InlineData(NoiseDistribution.Uniform)]
    [InlineData(NoiseDistribution.Rademacher)]
    public void AbsoluteNoiseHasMeanZeroAndVarianceSigmaSquared(NoiseDistribution distribution)
    {
        var n = Noise(distribution, sigma: 0.3, NoiseScaling.Absolute, fraction: 1, gradNorm: 0);
        double d = n.shape[0];
        double mean = n.mean().item<double>(), variance = n.var().item<double>();
        // d ≈ 360 per draw, 200 draws: standard error of the mean ≈ 0.3/√72000
        Assert.InRange(mean, -5 * 0.3 / Math.Sqrt(d), 5 * 0.3 / Math.Sqrt(d));
        Assert.InRange(variance, 0.09 * 0.95, 0.09 * 1.05);
        if (distribution == NoiseDistribution.Rademacher)
            Assert.True(n.abs().sub(0.3).abs().max().item<double>() < 1e-12, "Rademacher noise is ±σ");
        if (distribution == NoiseDistribution.Uniform)
            Assert.True(n.abs().max().item<double>() <= 0.3 * Math.Sqrt(3) + 1e-12, "Uniform noise lies in [−√3σ, √3σ]");
    }

    [Fact]
    public void GradientNormScalingGivesANoiseNormOfSigmaTimesTheGradientNorm()
    {
        var n = Noise(NoiseDistribution.Gaussian, sigma: 0.5, NoiseScaling.GradientNorm, fraction: 1, gradNorm: 2.0, draws: 1);
        double norm = n.norm().item<double>();
        Assert.InRange(norm, 0.5 * 2.0 * 0.85, 0.5 * 2.0 * 1.15);   // ‖n‖ ≈ σ‖g‖, d ≈ 360 coordinates
    }

    [Fact]
    public void MicroBatchScalingGrowsAsTheFractionShrinksAndVanishesOnAFullBatch()
    {
        double Std(double f) => Noise(NoiseDistribution.Gaussian, 1.0, NoiseScaling.MicroBatch, f, gradNorm: 1.0, draws: 50).std().item<double>();
        Assert.Equal(0.0, Std(1.0));
        double d = ParameterCount();
        Assert.InRange(Std(0.25), Math.Sqrt(3) / Math.Sqrt(d) * 0.95, Math.Sqrt(3) / Math.Sqrt(d) * 1.05);   // √(1/f − 1) = √3
    }

    public static TheoryData<NoiseDistribution, NoiseScaling> Laws()
    {
        var data = new TheoryData<NoiseDistribution, NoiseScaling>();
        foreach (var d in new[] { NoiseDistribution.Gaussian, NoiseDistribution.Uniform, NoiseDistribution.Rademacher })
            foreach (var s in new[] { NoiseScaling.Absolute, NoiseScaling.GradientNorm, NoiseScaling.MicroBatch })
                data.Add(d, s);
        return data;
    }

    [Theory]
    [MemberData(nameof(Laws))]
    public void EachDistributionAndScalingHasMeanZeroAndTheDocumentedStandardDeviation(NoiseDistribution distribution, NoiseScaling scaling)
    {
        const double sigma = 0.4, fraction = 0.2, gradNorm = 3.0;
        double d = ParameterCount();
        double s = scaling switch
        {
            NoiseScaling.Absolute => sigma,
            NoiseScaling.GradientNorm => sigma * gradNorm / Math.Sqrt(d),
            _ => sigma * gradNorm / Math.Sqrt(d) * Math.Sqrt(1 / fraction - 1),
        };
        var n = Noise(distribution, sigma, scaling, fraction, gradNorm, draws: 100);
        double count = n.shape[0];
        double mean = n.mean().item<double>(), variance = n.var().item<double>();
        Assert.InRange(mean, -5 * s / Math.Sqrt(count), 5 * s / Math.Sqrt(count));
        // Var of the sample variance ≤ 2s⁴/N (Gaussian, the widest of the three): 5 standard errors ≈ 3 %.
        Assert.InRange(variance, s * s * 0.96, s * s * 1.04);
        double bound = distribution switch { NoiseDistribution.Rademacher => s, NoiseDistribution.Uniform => Math.Sqrt(3) * s, _ => double.PositiveInfinity };
        Assert.True(n.abs().max().item<double>() <= bound * (1 + 1e-9), $"{distribution} noise exceeds its support ±{bound:G4}");
        if (distribution == NoiseDistribution.Rademacher)
            Assert.True(n.abs().sub(s).abs().max().item<double>() < 1e-12 * Math.Max(1, s), "Rademacher noise is exactly ±s");
    }

    [Theory]
    [InlineData(NoiseDistribution.Gaussian)]
    [InlineData(NoiseDistribution.Uniform)]
    [InlineData(NoiseDistribution.Rademacher)]
    public void NoiseIsTheStepsOwnStreamOfTorchDrawsScaledBySigma(NoiseDistribution distribution)
    {
        // The noise stream is a torch.Generator seeded with Seed ^ 0x5A170000 (resumable, and the
        // same numbers on every run): each step's noise is torch.randn(d) (Gaussian) or a map of
        // torch.rand(d) (Uniform, Rademacher) from it, drawn afresh in a reference written here.
        const double sigma = 0.3;
        long d = ParameterCount();
        var n = Noise(distribution, sigma, NoiseScaling.Absolute, fraction: 1, gradNorm: 0, draws: 3);
        var stream = new Generator(21UL ^ 0x5A17_0000UL);
        var expected = cat(Enumerable.Range(0, 3).Select(_ => distribution switch
        {
            NoiseDistribution.Gaussian => randn(d, dtype: ScalarType.Float64, generator: stream),
            NoiseDistribution.Uniform => rand(d, dtype: ScalarType.Float64, generator: stream) * 2 - 1,
            _ => where(rand(d, dtype: ScalarType.Float64, generator: stream) < 0.5, 1.0, -1.0),
        }).ToArray());
        if (distribution == NoiseDistribution.Uniform) expected *= Math.Sqrt(3);
        Close.Assert(expected * sigma, n, 1e-12);
    }

    [Fact]
    public void ZeroSigmaIsANoOpForTheWholeStep()
    {
        var withZero = new SamVariantDescriptor("Z") { MicroBatch = new() { Fraction = 0.5 }, Noise = new(NoiseDistribution.Gaussian) { Sigma = 0 } };
        var without = new SamVariantDescriptor("Z") { MicroBatch = new() { Fraction = 0.5 } };
        Assert.True(Close.Same(Train(withZero), Train(without)));
    }

    private static Tensor Train(SamVariantDescriptor d)
    {
        using var model = TinyNet.Create(8);
        using var step = SamEngine.Create(d, model, new SamStepOptions { Seed = 4 });
        for (int i = 0; i < 5; i++)
        {
            var (x, y) = TinyNet.Batch(i);
            step.Step(x, y);
        }
        return model.FlatWeights().clone();
    }

    private static long ParameterCount()
    {
        using var model = TinyNet.Create(1);
        return model.parameters().Sum(p => p.numel());
    }

    private static Tensor Noise(NoiseDistribution distribution, double sigma, NoiseScaling scaling, double fraction, double gradNorm, int draws = 200)
    {
        using var model = TinyNet.Create(1);
        var descriptor = new SamVariantDescriptor("N") { MicroBatch = new() { Fraction = 0.5 }, Noise = new(distribution) { Sigma = sigma, Scaling = scaling } };
        using var core = new SamStepCore(model, new SamStepOptions { Seed = 21 }, descriptor);
        var samples = new List<Tensor>();
        for (int i = 0; i < draws; i++)
        {
            core.Flat.ZeroGrad();
            core.AddNoise(distribution, sigma, scaling, fraction, tensor(gradNorm, ScalarType.Float64));
            samples.Add(core.Flat.Grad.clone());
        }
        return cat(samples.ToArray());
    }
}
