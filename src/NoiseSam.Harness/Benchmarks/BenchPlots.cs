using System.Globalization;
using ScottPlot;

namespace NoiseSam.Harness.Benchmarks;

/// <summary>
/// The PNG plots of <c>noisesam bench-step</c>: each variant's measured ratio next to the cost
/// model's ideal (and the PyTorch peer's, where it has the variant), and every timed step in run
/// order, which shows whether noise or drift hit some variants more than others.
/// </summary>
public static class BenchPlots
{
    public const int Width = 1000;
    public const int Height = 560;

    /// <summary>
    /// Grouped bars per variant (the generated step's row, else the engine's): ideal ×, measured ×,
    /// and PyTorch × from <paramref name="peerRatios"/> (keyed by our variant name) where present.
    /// </summary>
    public static string Ratios(string path, IReadOnlyList<StepTiming> timings, IReadOnlyDictionary<string, double> peerRatios, string title)
    {
        ArgumentNullException.ThrowIfNull(timings);
        ArgumentNullException.ThrowIfNull(peerRatios);
        var rows = timings.Where(t => t.IsOurStep).GroupBy(t => t.Variant).Select(g => g.First()).ToList();
        return WithInvariantCulture(() =>
        {
            var plot = new Plot();
            var palette = new ScottPlot.Palettes.Category10();
            var series = new (string Label, Func<StepTiming, double?> Value, Color Color)[]
            {
                ("ideal (cost model)", t => t.IdealRatio, Colors.Gray),
                ("measured (TorchSharp, generated)", t => t.Ratio, palette.GetColor(0)),
                ("PyTorch peer", t => peerRatios.TryGetValue(t.Variant, out double r) ? r : null, palette.GetColor(1)),
            };
            const double width = 0.26;
            for (int s = 0; s < series.Length; s++)
            {
                var bars = new List<Bar>();
                for (int i = 0; i < rows.Count; i++)
                    if (series[s].Value(rows[i]) is double v)
                        bars.Add(new Bar { Position = i + (s - 1) * width, Value = v, FillColor = series[s].Color, Size = width * 0.95 });
                if (bars.Count == 0) continue;
                var plotted = plot.Add.Bars(bars);
                plotted.LegendText = series[s].Label;
                plotted.Color = series[s].Color;
            }
            var one = plot.Add.HorizontalLine(1);
            one.Color = Colors.Black;
            one.LinePattern = LinePattern.Dotted;
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                Enumerable.Range(0, rows.Count).Select(i => (double)i).ToArray(), rows.Select(t => t.Variant).ToArray());
            plot.Axes.Margins(bottom: 0);
            plot.Title(title);
            plot.YLabel("time per step / base optimizer's");
            plot.ShowLegend(Alignment.UpperRight);
            Reports.PlotFile.Save(plot, path, Width, Height);
            return path;
        });
    }

    /// <summary>Every timed step's milliseconds against its position in the run, one colour per variant.</summary>
    public static string StepTimes(string path, IReadOnlyList<StepTiming> timings, string title)
    {
        ArgumentNullException.ThrowIfNull(timings);
        return WithInvariantCulture(() =>
        {
            var plot = new Plot();
            foreach (var t in timings.Where(t => t.Steps.Count > 0))
            {
                var points = plot.Add.ScatterPoints(t.Steps.Select(s => (double)s.Sequence).ToArray(), t.Steps.Select(s => s.Ms).ToArray());
                points.LegendText = t.Implementation == StepImplementations.Generated ? t.Variant : $"{t.Variant} ({t.Implementation})";
                points.MarkerSize = 5;
            }
            plot.Title(title);
            plot.XLabel("timed step, in the order the run took them (variants interleaved)");
            plot.YLabel("ms per step");
            plot.ShowLegend(Edge.Right);
            Reports.PlotFile.Save(plot, path, Width, Height);
            return path;
        });
    }

    private static string WithInvariantCulture(Func<string> draw)
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture; // tick labels
        try
        {
            return draw();
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }
}
