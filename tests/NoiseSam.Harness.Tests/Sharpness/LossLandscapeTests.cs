using NoiseSam.Harness.Sharpness;
using TorchSharp;
using static NoiseSam.Harness.Tests.Sharpness.SharpnessTestModels;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Tests.Sharpness;

/// <summary>Loss landscapes against a closed form computed in plain doubles, and the filter normalisation of the directions.</summary>
[Collection(TorchCollection.Name)]
public sealed class LossLandscapeTests
{
    [Fact]
    public void LineOfALinearSoftmaxModelMatchesTheClosedFormAlongItsDirection()
    {
        using var scope = torch.NewDisposeScope();
        const int inputs = 4, classes = 3, n = 12;
        torch.random.manual_seed(4);
        using var model = nn.Sequential(("fc", nn.Linear(inputs, classes, hasBias: false)));
        using var probe = RandomProbe([n, inputs], classes, batchSize: 5);
        var options = new LandscapeOptions { Span = 0.8, Points = 9, Seed = 17 };
        var before = Snapshot(model);

        var line = LossLandscape.Line(model, probe, options);

        // CE(α) = mean_i [log Σ_k exp(z_ik) − z_iy] with z_i = (W + αD) x_i, in doubles.
        double[] w = Values(model.parameters().Single());
        var directions = LossLandscape.Directions(model, options.Seed, 1);
        double[] d = Values(directions[0][0]);
        double[] x = probe.Batches.SelectMany(b => Values(b.X)).ToArray();
        long[] y = probe.Batches.SelectMany(b => b.Y.data<long>().ToArray()).ToArray();
        double Closed(double alpha)
        {
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                var z = new double[classes];
                for (int k = 0; k < classes; k++)
                    for (int j = 0; j < inputs; j++)
                        z[k] += (w[k * inputs + j] + alpha * d[k * inputs + j]) * x[i * inputs + j];
                double max = z.Max();
                sum += max + Math.Log(z.Sum(v => Math.Exp(v - max))) - z[y[i]];
            }
            return sum / n;
        }

        Assert.False(line.IsSurface);
        Assert.Equal(options.Points, line.X.Count);
        Assert.Equal(-0.8, line.X[0], 15);
        Assert.Equal(0.0, line.X[4]);
        Assert.Equal(0.8, line.X[^1], 15);
        for (int i = 0; i < line.X.Count; i++)
        {
            double expected = Closed(line.X[i]);
            Assert.True(Math.Abs(line.Loss[i, 0] - expected) <= 1e-5 * Math.Max(1, expected), $"α = {line.X[i]}: {line.Loss[i, 0]} vs closed form {expected}");
        }
        Assert.Equal(probe.Loss(model), line.CenterLoss);
        Assert.Equal(line.CenterLoss, line.Loss[4, 0]);
        AssertUnchanged(model, before);
    }

    [Fact]
    public void DirectionsAreFilterNormalisedAndZeroOnOneDimensionalTensors()
    {
        using var scope = torch.NewDisposeScope();
        using var model = TinyCnn();
        var parameters = model.parameters().Cast<Tensor>().ToList();
        var directions = LossLandscape.Directions(model, seed: 9, count: 2);
        Assert.Equal(2, directions.Count);
        int filtered = 0, zeroed = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            foreach (var dir in directions)
            {
                var d = dir[i];
                Assert.Equal(p.shape, d.shape);
                if (p.dim() <= 1)
                {
                    Assert.Equal(0.0, d.abs().max().item<float>());
                    zeroed++;
                    continue;
                }
                filtered++;
                for (long f = 0; f < p.shape[0]; f++)
                {
                    double pn = Math.Sqrt(Values(p[f]).Sum(v => v * v)), dn = Math.Sqrt(Values(d[f]).Sum(v => v * v));
                    Assert.True(Math.Abs(pn - dn) <= 1e-5 * pn, $"parameter {i} filter {f}: ‖d‖ = {dn}, ‖w‖ = {pn}");
                }
            }
        }
        Assert.Equal(2 * 4, filtered); // conv1, conv2, fc1, fc2 weights
        Assert.True(zeroed >= 2 * 6);   // BN weights and biases, linear biases
        Assert.False(SameBits(directions[0][0], directions[1][0]), "the two directions must differ");
        // Same seed, same directions.
        var again = LossLandscape.Directions(model, seed: 9, count: 1);
        Assert.True(again[0].Zip(directions[0]).All(t => SameBits(t.First, t.Second)));
    }

    [Fact]
    public void SurfaceContainsTheLineAtBetaZeroAndRestoresTheModel()
    {
        using var scope = torch.NewDisposeScope();
        using var model = TinyCnn();
        using var probe = RandomProbe([16, 1, 8, 8], classes: 3, batchSize: 16);
        var options = new LandscapeOptions { Span = 0.5, Points = 5, Seed = 3 };
        var before = Snapshot(model);
        model.train();

        var line = LossLandscape.Line(model, probe, options);
        var surface = LossLandscape.Surface(model, probe, options);

        Assert.True(model.training);
        AssertUnchanged(model, before);
        Assert.True(surface.IsSurface);
        Assert.Equal(5, surface.Loss.GetLength(0));
        Assert.Equal(5, surface.Loss.GetLength(1));
        for (int ix = 0; ix < 5; ix++) Assert.Equal(line.Loss[ix, 0], surface.Loss[ix, 2]);
        Assert.Equal(line.CenterLoss, surface.CenterLoss);
        Assert.Equal(probe.Loss(model), surface.Loss[2, 2]);
        Assert.All(surface.Loss.Cast<double>(), v => Assert.True(double.IsFinite(v)));
        Assert.NotEqual(surface.Loss[0, 0], surface.Loss[4, 4]);
    }

    [Fact]
    public void ProbeLossIsTheSampleWeightedMeanAndRestoresTheMode()
    {
        using var scope = torch.NewDisposeScope();
        using var model = TinyCnn();
        using var probe = RandomProbe([13, 1, 8, 8], classes: 3, batchSize: 5); // 5, 5, 3
        Assert.Equal(13, probe.Samples);
        model.train();
        double loss = probe.Loss(model);
        Assert.True(model.training);
        model.eval();
        var x = torch.cat(probe.Batches.Select(b => b.X).ToArray(), 0);
        var y = torch.cat(probe.Batches.Select(b => b.Y).ToArray(), 0);
        double expected;
        using (torch.no_grad()) expected = nn.functional.cross_entropy(model.forward(x), y).item<float>();
        Assert.False(model.training);
        Assert.True(Math.Abs(loss - expected) <= 1e-6 * expected, $"{loss} vs {expected}");
        Assert.Equal(loss, probe.Loss(model)); // eval mode stays eval
        Assert.False(model.training);
    }

    [Theory]
    [InlineData(0.0, 21)]
    [InlineData(-1.0, 21)]
    [InlineData(double.PositiveInfinity, 21)]
    [InlineData(1.0, 4)]
    [InlineData(1.0, 1)]
    public void BadGridsAreRefused(double span, int points) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new LandscapeOptions { Span = span, Points = points }.Coordinates());
}
