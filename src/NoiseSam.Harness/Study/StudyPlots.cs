using System.Globalization;
using NoiseSam.Dsl;
using ScottPlot;
using NoiseSam.Harness.Statistics;

namespace NoiseSam.Harness.Study;

/// <summary>The study's PNG plots (ScottPlot 5, headless).</summary>
public static class StudyPlots
{
    public const string AccuracyVsFraction = "accuracy_vs_fraction.png";
    public const string EigenvalueVsFraction = "eigenvalue_vs_fraction.png";
    public const string AccuracyVsTime = "accuracy_vs_time.png";
    private const int Width = 1050;
    private const int Height = 560;

    /// <summary>Writes the plots the summaries allow into <paramref name="directory"/>; returns the file names written.</summary>
    public static IReadOnlyList<string> WriteAll(string directory, IReadOnlyList<StudySummary> summary)
    {
        Directory.CreateDirectory(directory);
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture; // tick labels
        try
        {
            var written = new List<string>();
            var sweep = summary.Where(s => s.Config.Group == StudyGroup.Sweep).ToList();
            if (sweep.Count > 0)
            {
                var sgd = summary.FirstOrDefault(s => s.Config.Group == StudyGroup.Base)
                          ?? summary.FirstOrDefault(s => s.Config.Group == StudyGroup.Baseline && s.Config.Descriptor.Policy == SchedulePolicy.Never);
                written.Add(VersusFraction(Path.Combine(directory, AccuracyVsFraction), sweep, s => s.Accuracy, 100,
                    "Test accuracy vs ascent micro-batch fraction (mean ± SE over seeds)", "test accuracy (%)",
                    sgd is null ? null : (sgd.Config.Label, sgd.Accuracy.Mean * 100)));
                if (sweep.Any(s => s.Eigenvalue.N > 0))
                    written.Add(VersusFraction(Path.Combine(directory, EigenvalueVsFraction), sweep, s => s.Eigenvalue, 1,
                        "Top Hessian eigenvalue at the final weights (mean ± SE over seeds)", "λ_max of the training loss"));
            }
            if (summary.Any(s => s.TimeRatio is not null))
                written.Add(AccuracyOverTime(Path.Combine(directory, AccuracyVsTime), summary));
            return written.Select(Path.GetFileName).ToList()!;
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    /// <summary>Series key of a sweep point: "σ=0" or "σ=0.5 gnorm".</summary>
    public static string Series(StudyConfig c) =>
        c.Sigma == 0 ? "σ=0 (MBS / SAM)" : $"σ={c.Sigma.ToString("0.###", CultureInfo.InvariantCulture)} {StudyConfig.ScalingLabel(c.Scaling)}";

    private static string VersusFraction(string path, List<StudySummary> sweep, Func<StudySummary, Stat> figure, double scale, string title, string yLabel,
        (string Label, double Value)? reference = null)
    {
        var plot = new Plot();
        // Explicit colours: error bars would otherwise take palette slots and two series could share a colour.
        var palette = new ScottPlot.Palettes.Category10();
        int index = 0;
        var fractions = sweep.Select(s => s.Config.Fraction).Distinct().Order().ToArray();
        foreach (var series in sweep.GroupBy(s => Series(s.Config)))
        {
            var points = series.Where(s => figure(s).N > 0).OrderBy(s => s.Config.Fraction).ToList();
            if (points.Count == 0) continue;
            double[] xs = points.Select(s => Math.Log2(s.Config.Fraction)).ToArray();
            double[] ys = points.Select(s => figure(s).Mean * scale).ToArray();
            var line = plot.Add.Scatter(xs, ys);
            line.Color = series.First().Config.Sigma == 0 ? Colors.Black : palette.GetColor(index++);
            line.LegendText = series.Key;
            line.MarkerSize = 7;
            line.LineWidth = series.First().Config.Sigma == 0 ? 2.5f : 1.5f;
            if (series.First().Config.Scaling == NoiseScaling.MicroBatch) line.LinePattern = LinePattern.Dashed;
            var bars = plot.Add.ErrorBar(xs, ys, points.Select(s => figure(s).StandardError * scale).ToArray());
            bars.Color = line.Color;
        }
        if (reference is { } r)
        {
            var h = plot.Add.HorizontalLine(r.Value);
            h.Color = Colors.Gray;
            h.LinePattern = LinePattern.Dotted;
            h.LegendText = r.Label;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            fractions.Select(Math.Log2).ToArray(), fractions.Select(f => f.ToString("0.####", CultureInfo.InvariantCulture)).ToArray());
        plot.Title(title);
        plot.XLabel("ascent micro-batch fraction f (log scale; f = 1 is SAM)");
        plot.YLabel(yLabel);
        plot.ShowLegend(Edge.Right);
        Reports.PlotFile.Save(plot, path, Width, Height);
        return path;
    }

    private static string AccuracyOverTime(string path, IReadOnlyList<StudySummary> summary)
    {
        var plot = new Plot();
        foreach (var group in summary.Where(s => s.TimeRatio is not null).GroupBy(s => s.Config.Group is StudyGroup.Baseline or StudyGroup.Base ? s.Config.Label : Series(s.Config)))
        {
            var points = group.ToList();
            var scatter = plot.Add.ScatterPoints(points.Select(s => s.TimeRatio!.Value).ToArray(), points.Select(s => s.Accuracy.Mean * 100).ToArray());
            scatter.LegendText = group.Key;
            scatter.MarkerSize = 9;
            if (points[0].Config.Group is StudyGroup.Baseline or StudyGroup.Base)
            {
                var label = plot.Add.Text(points[0].Config.Label, points[0].TimeRatio!.Value, points[0].Accuracy.Mean * 100);
                label.LabelFontSize = 11;
                label.OffsetX = 6;
                label.OffsetY = -6;
            }
        }
        plot.Title("Test accuracy vs step time relative to SGD (interleaved benchmark)");
        plot.XLabel("time per step / SGD's");
        plot.YLabel("test accuracy (%), mean over seeds");
        plot.ShowLegend(Edge.Right);
        Reports.PlotFile.Save(plot, path, Width, Height);
        return path;
    }
}
