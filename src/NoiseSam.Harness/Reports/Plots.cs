using System.Globalization;
using NoiseSam.Harness.Training;
using ScottPlot;

namespace NoiseSam.Harness.Reports;

/// <summary>The PNG plots of a comparison (ScottPlot 5, headless).</summary>
public static class Plots
{
    public const string AccuracyVsTime = "accuracy_vs_time.png";
    public const string LossCurves = "loss_curves.png";
    public const string AccuracyVsCost = "accuracy_vs_cost.png";
    public const int Width = 900;
    public const int Height = 560;

    /// <summary>Writes the three plots; returns their paths.</summary>
    public static IReadOnlyList<string> WriteAll(string directory, IReadOnlyList<RunResult> runs, IReadOnlyList<VariantSummary> summary)
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture; // tick labels
        try
        {
            var byVariant = runs.Where(r => r.Records.Count > 0)
                .GroupBy(r => r.Variant, StringComparer.OrdinalIgnoreCase).ToList();
            return
            [
                AccuracyOverTime(Path.Combine(directory, AccuracyVsTime), byVariant),
                Losses(Path.Combine(directory, LossCurves), byVariant),
                AccuracyOverCost(Path.Combine(directory, AccuracyVsCost), summary),
            ];
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    // Per variant: mean over seeds, epoch by epoch (epochs all runs reached).
    private static (double[] X, double[] Y) MeanCurve(IEnumerable<RunResult> runs, Func<EpochRecord, double> x, Func<EpochRecord, double> y)
    {
        var list = runs.ToList();
        int epochs = list.Min(r => r.Records.Count);
        var xs = new double[epochs];
        var ys = new double[epochs];
        for (int e = 0; e < epochs; e++)
        {
            xs[e] = list.Average(r => x(r.Records[e]));
            ys[e] = list.Average(r => y(r.Records[e]));
        }
        return (xs, ys);
    }

    private static string AccuracyOverTime(string path, List<IGrouping<string, RunResult>> byVariant)
    {
        var plot = new Plot();
        foreach (var g in byVariant)
        {
            var (xs, ys) = MeanCurve(g, r => r.ElapsedSeconds, r => r.TestAccuracy * 100);
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = g.First().Variant;
            line.MarkerSize = 6;
        }
        plot.Title("Test accuracy vs training time");
        plot.XLabel("training time (s)");
        plot.YLabel("test accuracy (%)");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, Width, Height);
        return path;
    }

    private static string Losses(string path, List<IGrouping<string, RunResult>> byVariant)
    {
        var plot = new Plot();
        foreach (var g in byVariant)
        {
            var (xs, ys) = MeanCurve(g, r => r.Epoch, r => r.TrainLoss);
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = g.First().Variant;
            line.MarkerSize = 6;
        }
        plot.Title("Training loss");
        plot.XLabel("epoch");
        plot.YLabel("mean training loss");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, Width, Height);
        return path;
    }

    private static string AccuracyOverCost(string path, IReadOnlyList<VariantSummary> summary)
    {
        var plot = new Plot();
        bool measured = summary.Any(s => s.TimeRatio is not null);
        foreach (var s in summary)
        {
            double x = measured ? s.TimeRatio ?? s.IdealRatio : s.IdealRatio;
            double y = s.AccuracyMean * 100;
            var point = plot.Add.Scatter(new[] { x }, new[] { y });
            point.LegendText = s.Variant;
            point.MarkerSize = 10;
            if (s.Runs > 1 && s.AccuracyStd > 0)
            {
                var bar = plot.Add.ErrorBar(new[] { x }, new[] { y }, new[] { s.AccuracyStd * 100 });
                bar.Color = point.Color;
            }
            var label = plot.Add.Text(s.Variant, x, y);
            label.LabelFontSize = 11;
            label.OffsetX = 6;
            label.OffsetY = -6;
        }
        plot.Title(measured ? "Test accuracy vs relative cost (training time / SGD)" : "Test accuracy vs relative cost (cost model)");
        plot.XLabel(measured ? "training time relative to SGD" : "ideal cost relative to the base optimizer");
        plot.YLabel("test accuracy (%)");
        plot.SavePng(path, Width, Height);
        return path;
    }
}
