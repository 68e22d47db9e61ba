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
}
