using System.Globalization;
using NoiseSam.Harness.Training;
using ScottPlot;

namespace NoiseSam.Harness.Reports;

/// <summary>
/// The PNG plots of a comparison (ScottPlot 5, headless). Each plot is built by a public method
/// that returns the <see cref="Plot"/>, so tests can read its data series; <see cref="WriteAll"/>
/// saves them atomically.
/// </summary>
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
            return
            [
                PlotFile.Save(AccuracyOverTime(runs), Path.Combine(directory, AccuracyVsTime), Width, Height),
                PlotFile.Save(Losses(runs), Path.Combine(directory, LossCurves), Width, Height),
                PlotFile.Save(AccuracyOverCost(summary), Path.Combine(directory, AccuracyVsCost), Width, Height),
            ];
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    /// <summary>True when the runs were evaluated on a validation split every epoch (the test split only at the end).</summary>
    public static bool Validated(IReadOnlyList<RunResult> runs) => runs.Any(r => r.ValidationSamples > 0);

    /// <summary>
    /// Per variant, mean over its seeds of the accuracy evaluated every epoch (validation, or test
    /// without a validation split) against cumulative training time.
    /// </summary>
    public static Plot AccuracyOverTime(IReadOnlyList<RunResult> runs)
    {
        bool validated = Validated(runs);
        string what = validated ? "validation" : "test";
        var plot = new Plot();
        foreach (var g in ByVariant(runs))
        {
            var curve = MeanCurve(g.Runs, r => r.ElapsedSeconds, r => (validated ? r.ValidationAccuracy : r.TestAccuracy) * 100);
            AddCurve(plot, curve, g.Key, LinePattern.Solid, null);
        }
        plot.Title($"{Capital(what)} accuracy vs training time");
        plot.XLabel("training time (s)");
        plot.YLabel($"{what} accuracy (%)");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>
    /// Per variant: mean training loss (solid) and mean loss on the split evaluated every epoch
    /// (dashed; validation, or test without one), by epoch with integer ticks. Non-finite epochs
    /// are left out of a curve and counted in its legend entry.
    /// </summary>
    public static Plot Losses(IReadOnlyList<RunResult> runs)
    {
        bool validated = Validated(runs);
        string what = validated ? "validation" : "test";
        var plot = new Plot();
        foreach (var g in ByVariant(runs))
        {
            var train = AddCurve(plot, MeanCurve(g.Runs, r => r.Epoch, r => r.TrainLoss), $"{g.Key} train", LinePattern.Solid, null);
            AddCurve(plot, MeanCurve(g.Runs, r => r.Epoch, r => validated ? r.ValidationLoss : r.TestLoss), $"{g.Key} {what}", LinePattern.Dashed, train?.Color);
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Title($"Training loss (solid) and {what} loss (dashed)");
        plot.XLabel("epoch");
        plot.YLabel("mean cross-entropy loss");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>
    /// Final test accuracy (mean ± standard error over the runs that did not collapse) against the
    /// cost model's expected cost per step relative to the base optimizer: always the cost model,
    /// never wall time, so the x axis means the same whatever else the machine was doing (the
    /// measured time ratios are in the summary table).
    /// </summary>
    public static Plot AccuracyOverCost(IReadOnlyList<VariantSummary> summary)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int i = 0;
        foreach (var s in summary)
        {
            var color = palette.GetColor(i++);
            double x = s.IdealRatio, y = s.Accuracy.Mean * 100;
            if (!double.IsFinite(y)) continue;
            var point = plot.Add.Scatter(new[] { x }, new[] { y }, color);
            point.LegendText = s.Variant;
            point.MarkerSize = 10;
            if (s.Accuracy.N > 1)
            {
                var bar = plot.Add.ErrorBar(new[] { x }, new[] { y }, new[] { s.Accuracy.StandardError * 100 });
                bar.Color = color;
            }
            var label = plot.Add.Text(s.Variant, x, y);
            label.LabelFontSize = 11;
            label.OffsetX = 6;
            label.OffsetY = -6;
        }
        // A variant without an accuracy (every seed diverged) has no point: the title says so.
        var missing = summary.Where(s => !double.IsFinite(s.Accuracy.Mean)).Select(s => s.Diverged.Count > 0 ? $"{s.Variant} (diverged)" : s.Variant).ToList();
        plot.Title("Test accuracy (mean ± standard error over seeds) vs cost" + (missing.Count > 0 ? $"; not shown: {string.Join(", ", missing)}" : ""));
        plot.XLabel("expected cost per step relative to the base optimizer (cost model: forward + backward passes)");
        plot.YLabel("test accuracy (%)");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    // Per variant, the runs its curves average: those that did not diverge, or, when every seed
    // diverged, those (their curves stop where they diverged, and the legend says so).
    private static List<(string Key, List<RunResult> Runs)> ByVariant(IReadOnlyList<RunResult> runs) =>
        runs.Where(r => r.Records.Count > 0).GroupBy(r => r.Variant, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.Any(r => !r.Diverged) ? (g.Key, g.Where(r => !r.Diverged).ToList()) : ($"{g.Key} (diverged)", g.ToList()))
            .ToList();

    // Per variant: mean over seeds, epoch by epoch (the epochs all runs reached); an epoch whose
    // mean is not finite (a NaN loss, an epoch without evaluation) is dropped and counted.
    private static (double[] X, double[] Y, int Dropped) MeanCurve(IEnumerable<RunResult> runs, Func<EpochRecord, double> x, Func<EpochRecord, double> y)
    {
        var list = runs.ToList();
        int epochs = list.Min(r => r.Records.Count);
        var xs = new List<double>();
        var ys = new List<double>();
        int dropped = 0;
        for (int e = 0; e < epochs; e++)
        {
            double mx = list.Average(r => x(r.Records[e])), my = list.Average(r => y(r.Records[e]));
            if (double.IsFinite(mx) && double.IsFinite(my))
            {
                xs.Add(mx);
                ys.Add(my);
            }
            else dropped++;
        }
        return (xs.ToArray(), ys.ToArray(), dropped);
    }

    private static ScottPlot.Plottables.Scatter? AddCurve(Plot plot, (double[] X, double[] Y, int Dropped) curve, string label, LinePattern pattern, Color? color)
    {
        if (curve.X.Length == 0) return null;
        var line = color is Color c ? plot.Add.Scatter(curve.X, curve.Y, c) : plot.Add.Scatter(curve.X, curve.Y);
        line.LegendText = curve.Dropped == 0 ? label : string.Create(CultureInfo.InvariantCulture, $"{label} ({curve.Dropped} epoch(s) non-finite, not shown)");
        line.MarkerSize = 5;
        line.LinePattern = pattern;
        return line;
    }

    private static string Capital(string s) => char.ToUpperInvariant(s[0]) + s[1..];
}
