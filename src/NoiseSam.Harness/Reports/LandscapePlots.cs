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

    /// <summary>
    /// A 2-D landscape as a heat map with contour lines and a colour bar; axes α and β. The colours
    /// and contour levels follow <paramref name="scale"/> (pass the same one to every surface that is
    /// to be compared: <see cref="SurfaceScale.Over"/>); without one, the surface's own
    /// <see cref="SurfaceScale.Over"/>. Returns the scale drawn with.
    /// </summary>
    public static SurfaceScale WriteSurface(string path, Landscape surface, string title, SurfaceScale? scale = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(surface);
        if (!surface.IsSurface) throw new ArgumentException("WriteSurface takes a 2-D landscape", nameof(surface));
        scale ??= SurfaceScale.Over([surface]);
        Invariant(() =>
        {
            using var plot = SurfacePlot(surface, title, scale);
            Save(plot, path);
        });
        return scale;
    }

    /// <summary>
    /// The plot <see cref="WriteSurface"/> saves: a heat map whose colour range is
    /// [<see cref="SurfaceScale.Min"/>, <see cref="SurfaceScale.Max"/>] (losses above Max take the top
    /// colour), contour lines at <see cref="SurfaceScale.ContourLevels"/> (when the grid is at least
    /// 3 × 3 and finite) and a colour bar. The caller disposes it.
    /// </summary>
    public static Plot SurfacePlot(Landscape surface, string title, SurfaceScale scale)
    {
        ArgumentNullException.ThrowIfNull(surface);
        ArgumentNullException.ThrowIfNull(scale);
        if (surface.Y is not { } ys) throw new ArgumentException("SurfacePlot takes a 2-D landscape", nameof(surface));
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
        heatmap.ManualRange = new ScottPlot.Range(scale.Min, scale.Max);
        if (nx >= 3 && ny >= 3 && scale.ContourLevels.Count > 0 && points.Cast<Coordinates3d>().All(p => double.IsFinite(p.Z)))
        {
            var contours = new ScottPlot.Plottables.ContourLines { ContourLineLevels = scale.ContourLevels.ToArray() };
            contours.Update(points);
            contours.LineColor = Colors.White.WithAlpha(0.8);
            plot.Add.Plottable(contours);
        }
        plot.Add.ColorBar(heatmap).Label = scale.Clipped
            ? string.Create(CultureInfo.InvariantCulture, $"training loss (probe), clipped at {scale.Max:G3}")
            : "training loss (probe)";
        plot.Title(title);
        plot.XLabel("α (direction 1)");
        plot.YLabel("β (direction 2)");
        return plot;
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

/// <summary>
/// The colour range and contour levels of 2-D landscape plots. Drawing several surfaces with one
/// scale (<see cref="Over"/> computed over all of them) makes equal colours and equal contour lines
/// mean equal losses across the plots.
/// </summary>
/// <param name="Min">The loss at the bottom of the colour bar: the smallest finite loss of all surfaces.</param>
/// <param name="Max">
/// The loss at the top of the colour bar: the <paramref name="ClipQuantile"/> quantile of all finite
/// losses of all surfaces pooled (linear interpolation between order statistics), so that the few
/// exploding points at the edge of one surface do not squeeze every other loss into the bottom colours.
/// Larger losses are drawn in the top colour.
/// </param>
/// <param name="ContourLevels">Contour lines at every multiple of a round step (1, 2, 2.5 or 5 × 10ᵏ, about 8 levels) in (Min, Max].</param>
/// <param name="Clipped">True when some finite loss lies above <paramref name="Max"/>.</param>
/// <param name="ClipQuantile">The quantile <paramref name="Max"/> was taken at.</param>
public sealed record SurfaceScale(double Min, double Max, IReadOnlyList<double> ContourLevels, bool Clipped, double ClipQuantile)
{
    /// <summary>The default of <see cref="Over"/>: the top colour starts at the 95th percentile of the pooled losses.</summary>
    public const double DefaultClipQuantile = 0.95;

    /// <summary>About this many contour levels between Min and Max.</summary>
    public const int TargetLevels = 8;

    /// <summary>
    /// The scale of <paramref name="surfaces"/> together: Min the smallest finite loss of all, Max the
    /// <paramref name="clipQuantile"/> quantile of all finite losses pooled (1 = the largest), and
    /// round contour levels between them. Without any finite loss: [0, 1] and no levels.
    /// </summary>
    public static SurfaceScale Over(IEnumerable<Landscape> surfaces, double clipQuantile = DefaultClipQuantile)
    {
        ArgumentNullException.ThrowIfNull(surfaces);
        if (!(clipQuantile > 0 && clipQuantile <= 1)) throw new ArgumentOutOfRangeException(nameof(clipQuantile), clipQuantile, "a quantile in (0, 1]");
        var values = new List<double>();
        foreach (var s in surfaces)
        {
            ArgumentNullException.ThrowIfNull(s, nameof(surfaces));
            if (!s.IsSurface) throw new ArgumentException("a surface scale takes 2-D landscapes", nameof(surfaces));
            values.AddRange(s.Loss.Cast<double>().Where(double.IsFinite));
        }
        if (values.Count == 0) return new SurfaceScale(0, 1, [], false, clipQuantile);
        values.Sort();
        double min = values[0];
        double position = clipQuantile * (values.Count - 1);
        int below = (int)Math.Floor(position);
        double max = below + 1 < values.Count
            ? values[below] + (position - below) * (values[below + 1] - values[below])
            : values[below];
        if (!(max > min)) max = min + Math.Max(Math.Abs(min) * 1e-3, 1e-9); // a flat surface still needs a range
        bool clipped = values[^1] > max;
        return new SurfaceScale(min, max, Levels(min, max), clipped, clipQuantile);
    }

    /// <summary>Multiples of a round step strictly above <paramref name="min"/> and at most <paramref name="max"/>.</summary>
    internal static IReadOnlyList<double> Levels(double min, double max)
    {
        double raw = (max - min) / TargetLevels;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(c => c >= raw * (1 - 1e-12));
        var levels = new List<double>();
        for (long k = (long)Math.Floor(min / step) + 1; ; k++)
        {
            double level = Math.Round(k * step / magnitude, 6) * magnitude; // k·step without drift
            if (level <= min) continue;
            if (level > max + 1e-12 * Math.Abs(max)) break;
            levels.Add(level);
        }
        return levels;
    }
}
