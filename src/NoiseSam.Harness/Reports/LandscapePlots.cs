using System.Globalization;
using NoiseSam.Harness.Sharpness;
using ScottPlot;

namespace NoiseSam.Harness.Reports;

/// <summary>PNG plots of loss landscapes (ScottPlot 5, headless).</summary>
public static class LandscapePlots
{
    public const int Width = 900;
    public const int Height = 560;

    /// <summary>Several 1-D landscapes on one chart: x = α, y = probe loss, one line per entry.</summary>
    public static void WriteLines(string path, IReadOnlyList<(string Label, Landscape Line)> lines, string title)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(lines);
        if (lines.Any(l => l.Line.IsSurface)) throw new ArgumentException("WriteLines takes 1-D landscapes; use WriteSurface for a surface", nameof(lines));
        Invariant(() =>
        {
            var plot = new Plot();
            foreach (var (label, line) in lines)
            {
                double[] xs = line.X.ToArray();
                double[] ys = Enumerable.Range(0, xs.Length).Select(i => line.Loss[i, 0]).ToArray();
                var scatter = plot.Add.Scatter(xs, ys);
                scatter.LegendText = label;
                scatter.MarkerSize = 5;
            }
            plot.Title(title);
            plot.XLabel("α (filter-normalised direction)");
            plot.YLabel("training loss (probe)");
            if (lines.Count > 0) plot.ShowLegend(Alignment.UpperCenter);
            Save(plot, path);
        });
    }

    /// <summary>A 2-D landscape as a heat map with contour lines and a colour bar; axes α and β.</summary>
    public static void WriteSurface(string path, Landscape surface, string title)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(surface);
        if (surface.Y is not { } ys) throw new ArgumentException("WriteSurface takes a 2-D landscape", nameof(surface));
        Invariant(() =>
        {
            int nx = surface.X.Count, ny = ys.Count;
            // Heatmap rows run along y (row 0 at the bottom once flipped), columns along x.
            var intensities = new double[ny, nx];
            var points = new Coordinates3d[ny, nx];
            for (int ix = 0; ix < nx; ix++)
            {
                for (int iy = 0; iy < ny; iy++)
                {
                    double z = surface.Loss[ix, iy];
                    intensities[iy, ix] = z;
                    points[iy, ix] = new Coordinates3d(surface.X[ix], ys[iy], z);
                }
            }
            var plot = new Plot();
            var heatmap = plot.Add.Heatmap(intensities);
            heatmap.FlipVertically = true;
            heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
            heatmap.Extent = new CoordinateRect(surface.X[0], surface.X[^1], ys[0], ys[^1]);
            if (nx >= 3 && ny >= 3 && points.Cast<Coordinates3d>().All(p => double.IsFinite(p.Z)))
            {
                var contours = plot.Add.ContourLines(points);
                contours.LineColor = Colors.White.WithAlpha(0.8);
            }
            plot.Add.ColorBar(heatmap).Label = "training loss (probe)";
            plot.Title(title);
            plot.XLabel("α (direction 1)");
            plot.YLabel("β (direction 2)");
            Save(plot, path);
        });
    }

    private static void Save(Plot plot, string path)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        plot.SavePng(full, Width, Height);
    }

    private static void Invariant(Action draw)
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture; // tick labels
        try
        {
            draw();
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }
}
