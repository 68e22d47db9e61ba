using System.Globalization;
using NoiseSam.Harness.Reports;
using NoiseSam.Harness.Sharpness;
using NoiseSam.Harness.Tests.Cli;

namespace NoiseSam.Harness.Tests.Sharpness;

/// <summary>Landscape CSV round trip and the PNG plots.</summary>
public sealed class LandscapeOutputTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static Landscape Bowl(bool surface)
    {
        double[] xs = [-1, -0.5, 0, 0.5, 1];
        var loss = new double[5, surface ? 5 : 1];
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < loss.GetLength(1); j++)
                loss[i, j] = 0.3 + xs[i] * xs[i] + (surface ? 2 * xs[j] * xs[j] + 0.1 * xs[i] * xs[j] : 0) + 1.0 / 3;
        return new Landscape(xs, surface ? xs : null, loss, loss[2, surface ? 2 : 0]);
    }

    private static string[][] ReadCsv(string path) =>
        File.ReadAllLines(path).Select(l => l.Split(',')).ToArray();

    [Fact]
    public void LineCsvRoundTrips()
    {
        using var dir = new ScratchDir();
        var line = Bowl(false);
        LossLandscape.WriteCsv(line, dir["line.csv"]);
        var rows = ReadCsv(dir["line.csv"]);
        Assert.Equal(new[] { "alpha", "loss" }, rows[0]);
        Assert.Equal(6, rows.Length);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(line.X[i], double.Parse(rows[i + 1][0], CultureInfo.InvariantCulture));
            Assert.Equal(line.Loss[i, 0], double.Parse(rows[i + 1][1], CultureInfo.InvariantCulture));
        }
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void SurfaceCsvRoundTripsAlphaOuterBetaInner()
    {
        using var dir = new ScratchDir();
        var surface = Bowl(true);
        LossLandscape.WriteCsv(surface, dir["surface.csv"]);
        LossLandscape.WriteCsv(surface, dir["surface.csv"]); // overwrites
        var rows = ReadCsv(dir["surface.csv"]);
        Assert.Equal(new[] { "alpha", "beta", "loss" }, rows[0]);
        Assert.Equal(26, rows.Length);
        int r = 1;
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 5; j++, r++)
            {
                Assert.Equal(surface.X[i], double.Parse(rows[r][0], CultureInfo.InvariantCulture));
                Assert.Equal(surface.Y![j], double.Parse(rows[r][1], CultureInfo.InvariantCulture));
                Assert.Equal(surface.Loss[i, j], double.Parse(rows[r][2], CultureInfo.InvariantCulture));
            }
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void PlotsAreWrittenAsPng()
    {
        using var dir = new ScratchDir();
        LandscapePlots.WriteLines(dir["lines.png"], [("SGD", Bowl(false)), ("SAM", Bowl(false))], "Loss along a direction");
        LandscapePlots.WriteSurface(dir["sub/surface.png"], Bowl(true), "Loss surface");
        foreach (string f in new[] { dir["lines.png"], dir["sub/surface.png"] })
        {
            byte[] bytes = File.ReadAllBytes(f);
            Assert.True(bytes.Length > 1000, $"{f}: {bytes.Length} bytes");
            Assert.Equal(PngSignature, bytes[..8]);
        }
        Assert.Throws<ArgumentException>(() => LandscapePlots.WriteSurface(dir["x.png"], Bowl(false), "not a surface"));
        Assert.Throws<ArgumentException>(() => LandscapePlots.WriteLines(dir["y.png"], [("s", Bowl(true))], "not a line"));
    }

    [Fact]
    public void CsvReadsBackWhatWasWritten()
    {
        using var dir = new ScratchDir();
        foreach (bool isSurface in new[] { false, true })
        {
            var landscape = Bowl(isSurface);
            LossLandscape.WriteCsv(landscape, dir["l.csv"]);
            var read = LossLandscape.ReadCsv(dir["l.csv"]);
            Assert.Equal(landscape.X, read.X);
            Assert.Equal(landscape.Y, read.Y);
            Assert.Equal(landscape.Loss, read.Loss);
            Assert.Equal(landscape.CenterLoss, read.CenterLoss);
        }
        File.WriteAllText(dir["bad.csv"], "alpha,beta,loss\n0,0,1\n0,1,2\n1,0,3\n");
        Assert.Throws<InvalidDataException>(() => LossLandscape.ReadCsv(dir["bad.csv"])); // 3 rows, not a grid
        File.WriteAllText(dir["bad.csv"], "x,y\n0,1\n");
        Assert.Throws<InvalidDataException>(() => LossLandscape.ReadCsv(dir["bad.csv"]));
        File.WriteAllText(dir["bad.csv"], "alpha,loss\n0,one\n");
        Assert.Throws<InvalidDataException>(() => LossLandscape.ReadCsv(dir["bad.csv"]));
    }

    /// <summary><see cref="Bowl"/> scaled by <paramref name="factor"/> and lifted by <paramref name="offset"/>.</summary>
    private static Landscape Scaled(double factor, double offset)
    {
        var bowl = Bowl(true);
        var loss = new double[5, 5];
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 5; j++) loss[i, j] = bowl.Loss[i, j] * factor + offset;
        return bowl with { Loss = loss, CenterLoss = loss[2, 2] };
    }

    private static (ScottPlot.Range? Range, double[]? Levels, IReadOnlyList<double> LineValues) Drawn(Landscape surface, SurfaceScale scale)
    {
        using var plot = LandscapePlots.SurfacePlot(surface, "t", scale);
        var heatmap = Assert.Single(plot.GetPlottables().OfType<ScottPlot.Plottables.Heatmap>());
        var contours = Assert.Single(plot.GetPlottables().OfType<ScottPlot.Plottables.ContourLines>());
        return (heatmap.ManualRange, contours.ContourLineLevels, contours.Lines.Select(l => l.Z).Distinct().Order().ToList());
    }

    [Fact]
    public void SurfacesDrawnWithASharedScaleShareTheirColourRangeAndContourLevels()
    {
        using var dir = new ScratchDir();
        var flat = Scaled(1, 0);     // losses 0.63 … 3.63
        var sharp = Scaled(5, 1);    // losses 4.17 … 19.2
        var shared = SurfaceScale.Over([flat, sharp], log: false);

        // Min is the smallest loss of both; Max the 95th percentile of the 50 losses pooled.
        var pooled = flat.Loss.Cast<double>().Concat(sharp.Loss.Cast<double>()).Order().ToArray();
        double position = 0.95 * 49;
        double quantile = pooled[46] + (position - 46) * (pooled[47] - pooled[46]);
        Assert.Equal(pooled[0], shared.Min);
        Assert.Equal(quantile, shared.Max, 12);
        Assert.True(shared.Clipped);
        Assert.False(shared.Log);
        Assert.NotEmpty(shared.ContourLevels);
        Assert.All(shared.ContourLevels, l => Assert.InRange(l, shared.Min, shared.Max));

        Assert.Same(shared, LandscapePlots.WriteSurface(dir["flat.png"], flat, "flat", shared));
        Assert.Same(shared, LandscapePlots.WriteSurface(dir["sharp.png"], sharp, "sharp", shared));
        foreach (var surface in new[] { flat, sharp })
        {
            var (range, levels, _) = Drawn(surface, shared);
            Assert.Equal(shared.Min, range!.Value.Min);
            Assert.Equal(shared.Max, range.Value.Max);
            Assert.Equal(shared.ContourLevels, levels);
        }

        // Alone, each surface would get its own range: the shared one spans both.
        var own = LandscapePlots.WriteSurface(dir["alone.png"], flat, "alone", SurfaceScale.Over([flat], log: false));
        Assert.True(own.Max < shared.Max && own.Min == shared.Min);
        Assert.Equal(own.Max, Drawn(flat, own).Range!.Value.Max);
    }

    [Fact]
    public void OnALogScaleTheHeatmapAndContoursFollowLog10OfTheLossAndTheLabelsTheLoss()
    {
        using var dir = new ScratchDir();
        var flat = Scaled(1, 0);
        var sharp = Scaled(5, 1);
        var shared = SurfaceScale.Over([flat, sharp]); // log is the default
        var linear = SurfaceScale.Over([flat, sharp], log: false);
        Assert.True(shared.Log);
        Assert.Equal((linear.Min, linear.Max, linear.Clipped), (shared.Min, shared.Max, shared.Clipped)); // the range is the same losses

        // WriteSurface without a scale draws the surface's own log scale.
        var own = LandscapePlots.WriteSurface(dir["own.png"], flat, "own");
        Assert.True(own.Log);
        Assert.Equal(flat.Loss.Cast<double>().Min(), own.Min);

        foreach (var surface in new[] { flat, sharp })
        {
            LandscapePlots.WriteSurface(dir["s.png"], surface, "s", shared);
            var (range, levels, lines) = Drawn(surface, shared);
            Assert.Equal(Math.Log10(shared.Min), range!.Value.Min, 12);
            Assert.Equal(Math.Log10(shared.Max), range.Value.Max, 12);
            Assert.Equal(shared.ContourLevels.Select(Math.Log10), levels!);
            // The lines drawn are labelled with losses, each one of the scale's levels.
            Assert.NotEmpty(lines);
            Assert.All(lines, z => Assert.Contains(shared.ContourLevels, l => Math.Abs(l - z) <= 1e-6 * l));
        }
    }

    [Fact]
    public void OneExplodingPointDoesNotStretchTheScaleAndTheLevelsAreRound()
    {
        double[] xs = [-1, -0.5, 0, 0.5, 1];
        var loss = new double[5, 5];
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 5; j++) loss[i, j] = 0.2 + 0.1 * (i * 5 + j) / 24.0; // 0.2 … 0.3
        loss[4, 4] = 1000;
        var surface = new Landscape(xs, xs, loss, loss[2, 2]);

        var clipped = SurfaceScale.Over([surface], log: false);
        Assert.Equal(0.2, clipped.Min, 12);
        Assert.InRange(clipped.Max, 0.29, 0.3); // the 95th percentile of 25 values: between the 23rd and 24th smallest
        Assert.True(clipped.Clipped);
        var full = SurfaceScale.Over([surface], clipQuantile: 1, log: false);
        Assert.Equal(1000, full.Max);
        Assert.False(full.Clipped);

        // Linear: multiples of one step of 1, 2, 2.5 or 5 × 10ᵏ, strictly above Min and at most Max.
        var levels = clipped.ContourLevels;
        Assert.InRange(levels.Count, 4, 12);
        double step = levels[1] - levels[0];
        double mantissa = step / Math.Pow(10, Math.Floor(Math.Log10(step)));
        Assert.Contains(Math.Round(mantissa, 9), new[] { 1, 2, 2.5, 5 });
        Assert.All(levels, l => Assert.Equal(0, Math.Abs(l / step - Math.Round(l / step)), 6));
        Assert.All(levels, l => Assert.True(l > clipped.Min && l <= clipped.Max));

        // Log: values of a round series per decade, within (Min, Max]; over 0.2 … 1000 the 1–2–5 series.
        var logFull = SurfaceScale.Over([surface], clipQuantile: 1);
        Assert.Equal([0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000], logFull.ContourLevels);
        var logClipped = SurfaceScale.Over([surface]);
        Assert.InRange(logClipped.ContourLevels.Count, 1, 12);
        Assert.All(logClipped.ContourLevels, l => Assert.True(l > logClipped.Min && l <= logClipped.Max));

        // No finite loss at all: a unit range and no contours; a flat surface: a small positive range.
        var nan = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) nan[i, j] = double.NaN;
        var none = SurfaceScale.Over([new Landscape([-1, 0, 1], [-1, 0, 1], nan, double.NaN)], log: false);
        Assert.Equal((0.0, 1.0), (none.Min, none.Max));
        Assert.Empty(none.ContourLevels);
        var constant = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) constant[i, j] = 2;
        var flatScale = SurfaceScale.Over([new Landscape([-1, 0, 1], [-1, 0, 1], constant, 2)]);
        Assert.True(flatScale.Max > flatScale.Min);
        Assert.Throws<ArgumentException>(() => SurfaceScale.Over([Bowl(false)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => SurfaceScale.Over([surface], clipQuantile: 0));
    }
}
