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
    /// 3 × 3 and finite) and a colour bar. With <see cref="SurfaceScale.Log"/> the heat map and the
    /// contours are of log₁₀ of the loss (so its <c>ManualRange</c> and <c>ContourLineLevels</c> are
    /// the log₁₀ of the scale's), while the colour bar's ticks and the contour labels read in loss
    /// units. The caller disposes it.
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
                double z = scale.ToColourAxis(surface.Loss[ix, iy]);
                intensities[iy, ix] = z;
                points[iy, ix] = new Coordinates3d(surface.X[ix], ys[iy], z);
            }
        }
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(intensities);
        heatmap.FlipVertically = true;
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.Extent = new CoordinateRect(surface.X[0], surface.X[^1], ys[0], ys[^1]);
        heatmap.ManualRange = new ScottPlot.Range(scale.ToColourAxis(scale.Min), scale.ToColourAxis(scale.Max));
        if (nx >= 3 && ny >= 3 && scale.ContourLevels.Count > 0 && points.Cast<Coordinates3d>().All(p => double.IsFinite(p.Z)))
        {
            var contours = new ScottPlot.Plottables.ContourLines { ContourLineLevels = scale.ContourLevels.Select(scale.ToColourAxis).ToArray() };
            contours.Update(points);
            if (scale.Log)
            {
                // The lines follow log₁₀ of the loss; their labels show the loss itself.
                for (int i = 0; i < contours.Lines.Count; i++)
                    contours.Lines[i] = new ContourLine(contours.Lines[i].Path, Math.Round(Math.Pow(10, contours.Lines[i].Z), 6));
            }
            contours.LineColor = Colors.White.WithAlpha(0.8);
            plot.Add.Plottable(contours);
        }
        var bar = plot.Add.ColorBar(heatmap);
        if (scale.Log && scale.ContourLevels.Count > 0)
        {
            // The levels, and the bottom of the bar where it does not crowd the first level.
            double span = scale.ToColourAxis(scale.Max) - scale.ToColourAxis(scale.Min);
            bool roomAtBottom = scale.ToColourAxis(scale.ContourLevels[0]) - scale.ToColourAxis(scale.Min) > 0.08 * span;
            var ticks = (roomAtBottom ? [scale.Min] : Array.Empty<double>()).Concat(scale.ContourLevels).ToArray();
            bar.Axis.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                ticks.Select(scale.ToColourAxis).ToArray(), ticks.Select(t => t.ToString("G3", CultureInfo.InvariantCulture)).ToArray());
        }
        bar.Label = string.Create(CultureInfo.InvariantCulture,
            $"training loss (probe){(scale.Log ? ", log scale" : "")}{(scale.Clipped ? $", clipped at {scale.Max:G3}" : "")}");
        plot.Title(title);
        plot.XLabel("α (direction 1)");
        plot.YLabel("β (direction 2)");
        return plot;
    }

    private static void Save(Plot plot, string path) => PlotFile.Save(plot, path, Width, Height);

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
/// <param name="ContourLevels">
/// Losses at which contour lines are drawn, in (Min, Max]: linear scale, every multiple of a round
/// step (1, 2, 2.5 or 5 × 10ᵏ); log scale, the values of a 1–2–5 (or finer, or coarser) series;
/// about <see cref="TargetLevels"/> levels either way.
/// </param>
/// <param name="Clipped">True when some finite loss lies above <paramref name="Max"/>.</param>
/// <param name="ClipQuantile">The quantile <paramref name="Max"/> was taken at.</param>
/// <param name="Log">Colours and contours follow log₁₀ of the loss (all other members stay in loss units).</param>
public sealed record SurfaceScale(double Min, double Max, IReadOnlyList<double> ContourLevels, bool Clipped, double ClipQuantile, bool Log = false)
{
    /// <summary>The default of <see cref="Over"/>: the top colour starts at the 95th percentile of the pooled losses.</summary>
    public const double DefaultClipQuantile = 0.95;

    /// <summary>About this many contour levels between Min and Max.</summary>
    public const int TargetLevels = 8;

    /// <summary>The colour-axis value of a loss: the loss, or its log₁₀ on a log scale (losses ≤ 0 are clamped to Min there).</summary>
    public double ToColourAxis(double loss) => Log ? Math.Log10(loss > 0 || !double.IsFinite(loss) ? loss : Min) : loss;

    /// <summary>
    /// The scale of <paramref name="surfaces"/> together: Min the smallest finite loss of all, Max the
    /// <paramref name="clipQuantile"/> quantile of all finite losses pooled (1 = the largest), and
    /// round contour levels between them. With <paramref name="log"/> (the default) the colours and
    /// contours follow log₁₀ of the loss, which gives the basin around the minimum, where models
    /// differ, most of the colours (losses ≤ 0 are then left out: log₁₀ has no value there). Without
    /// any finite loss: [0, 1] (log: [1, 10]) and no levels.
    /// </summary>
    public static SurfaceScale Over(IEnumerable<Landscape> surfaces, double clipQuantile = DefaultClipQuantile, bool log = true)
    {
        ArgumentNullException.ThrowIfNull(surfaces);
        if (!(clipQuantile > 0 && clipQuantile <= 1)) throw new ArgumentOutOfRangeException(nameof(clipQuantile), clipQuantile, "a quantile in (0, 1]");
        var values = new List<double>();
        foreach (var s in surfaces)
        {
            ArgumentNullException.ThrowIfNull(s, nameof(surfaces));
            if (!s.IsSurface) throw new ArgumentException("a surface scale takes 2-D landscapes", nameof(surfaces));
            values.AddRange(s.Loss.Cast<double>().Where(v => double.IsFinite(v) && (!log || v > 0)));
        }
        if (values.Count == 0) return log ? new SurfaceScale(1, 10, [], false, clipQuantile, true) : new SurfaceScale(0, 1, [], false, clipQuantile);
        values.Sort();
        double min = values[0];
        double position = clipQuantile * (values.Count - 1);
        int below = (int)Math.Floor(position);
        double max = below + 1 < values.Count
            ? values[below] + (position - below) * (values[below + 1] - values[below])
            : values[below];
        if (!(max > min)) max = min + Math.Max(Math.Abs(min) * 1e-3, 1e-9); // a flat surface still needs a range
        bool clipped = values[^1] > max;
        return new SurfaceScale(min, max, log ? LogLevels(min, max) : Levels(min, max), clipped, clipQuantile, log);
    }

    /// <summary>Multiples of a round step strictly above <paramref name="min"/> and at most <paramref name="max"/>.</summary>
    internal static IReadOnlyList<double> Levels(double min, double max)
    {
        double raw = (max - min) / TargetLevels;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        // The round step nearest to raw (in ratio): 6 to 11 levels.
        double step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * magnitude).MinBy(c => Math.Abs(Math.Log(c / raw)));
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

    /// <summary>
    /// The values of a round logarithmic series (mantissas 1; 1, 2, 5; 1, 1.5, 2, 3, 5, 7; or
    /// 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9 per decade) strictly above <paramref name="min"/> and at most
    /// <paramref name="max"/>: the series whose count is nearest <see cref="TargetLevels"/>.
    /// </summary>
    internal static IReadOnlyList<double> LogLevels(double min, double max)
    {
        double[][] series = [[1], [1, 2, 5], [1, 1.5, 2, 3, 5, 7], [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9]];
        List<double> Within(double[] mantissas)
        {
            var levels = new List<double>();
            for (int e = (int)Math.Floor(Math.Log10(min)) - 1; e <= (int)Math.Ceiling(Math.Log10(max)); e++)
                foreach (double m in mantissas)
                {
                    double level = double.Parse(string.Create(CultureInfo.InvariantCulture, $"{m}e{e}"), CultureInfo.InvariantCulture); // exact decimal
                    if (level > min && level <= max + 1e-12 * max) levels.Add(level);
                }
            return levels;
        }
        return series.Select(Within).MinBy(l => Math.Abs(l.Count - TargetLevels))!;
    }
}
