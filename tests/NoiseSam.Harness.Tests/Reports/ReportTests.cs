using System.Globalization;
using NoiseSam.Harness.Reports;
using NoiseSam.Harness.Tests.Cli;
using NoiseSam.Harness.Training;

namespace NoiseSam.Harness.Tests.Reports;

public sealed class ReportTests
{
    private static RunResult Run(string variant, long seed, double[] accuracy, double secondsPerEpoch, int samSteps = 0, double ideal = 1) => new()
    {
        Variant = variant, Declaration = $"{variant}, lr=0.05", Model = "small-cnn", Data = "fashion-mnist/train", Seed = seed,
        Epochs = accuracy.Length, BatchSize = 64, Threads = 2, TrainSamples = 256, TestSamples = 200, TotalSteps = 4L * accuracy.Length,
        IdealRatio = ideal, Steps = 4L * accuracy.Length, Completed = true,
        Records = accuracy.Select((a, i) => new EpochRecord(i + 1, 1.0 / (i + 1), 0.9 / (i + 1), a, secondsPerEpoch, 0.5,
            secondsPerEpoch * (i + 1), 4, samSteps, samSteps == 0 ? double.NaN : 0.25, 0, 0.05)).ToList(),
    };

    private static IReadOnlyList<RunResult> Runs() =>
    [
        Run("SGD", 0, [0.70, 0.80], 2.0), Run("SGD", 1, [0.72, 0.84], 2.0),
        Run("MBS", 0, [0.75, 0.82], 2.5, samSteps: 4, ideal: 1.25), Run("MBS", 1, [0.70, 0.86], 2.5, samSteps: 4, ideal: 1.25),
    ];

    [Fact]
    public void SummaryAggregatesOverSeeds()
    {
        var s = VariantSummary.Compute(Runs());
        Assert.Equal(["SGD", "MBS"], s.Select(x => x.Variant));
        var sgd = s[0];
        Assert.Equal(2, sgd.Runs);
        Assert.Equal(0.82, sgd.AccuracyMean, 12);
        Assert.Equal(Math.Sqrt(2 * 0.02 * 0.02), sgd.AccuracyStd, 12);
        Assert.Equal(0.82, sgd.BestAccuracy, 12);
        Assert.Equal(1.0, sgd.TimeRatio);
        Assert.Equal(0, sgd.SamStepShare);
        Assert.True(double.IsNaN(sgd.MeanAscentFraction));
        var mbs = s[1];
        Assert.Equal(1.25, mbs.TimeRatio!.Value, 12);
        Assert.Equal(1.0, mbs.SamStepShare);
        Assert.Equal(0.25, mbs.MeanAscentFraction, 12);
        Assert.Equal(5.0, mbs.TrainSeconds, 12);
        Assert.Equal(6.0, mbs.WallSeconds, 12);
        Assert.Equal(2.5, mbs.SecondsPerEpoch, 12);
        Assert.Null(VariantSummary.Compute([Run("MBS", 0, [0.5], 1)])[0].TimeRatio);
    }

    [Fact]
    public void NumbersAreWrittenInTheInvariantCulture()
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE");
        try
        {
            var summary = VariantSummary.Compute(Runs());
            string csv = ReportWriter.Csv(summary);
            Assert.Contains("SGD,2,2,0.82,", csv);
            Assert.Contains(",1.25,", csv);
            Assert.DoesNotContain("0,82", csv);
            string md = ReportWriter.Markdown(new ComparisonInfo
            {
                Data = "fashion-mnist", Model = "small-cnn", Epochs = 2, Seeds = [0, 1], BatchSize = 64, Threads = 2, TrainSamples = 256, TestSamples = 200,
            }, summary, ["a.png"]);
            // Mean ± standard error (std 2.83 over two seeds → SE 2.00), n, Δ SGD, Δ SAM (no SAM here).
            Assert.Contains("| SGD | 82.00 ± 2.00 | 2 | – | – |", md);
            Assert.Contains("| MBS | 84.00 ± 2.00 | 2 | +2.00 | – |", md);
            Assert.Contains("| 1.25 |", md);
            Assert.Contains("![a](a.png)", md);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void WriteProducesEveryFileAndValidPngs()
    {
        using var dir = new ScratchDir();
        var files = ReportWriter.Write(dir.Path, new ComparisonInfo
        {
            Data = "fashion-mnist", Model = "small-cnn", Epochs = 2, Seeds = [0, 1], BatchSize = 64, Threads = 2, TrainSamples = 256, TestSamples = 200,
        }, Runs());
        Assert.Equal(6, files.Count);
        foreach (string f in files) Assert.True(new FileInfo(f).Length > 100, f);
        foreach (string png in files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)))
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, File.ReadAllBytes(png)[..8]);
        var doc = ReportWriter.ReadRuns(Path.Combine(dir.Path, ReportWriter.RunsJson))!;
        Assert.Equal(4, doc.Runs.Count);
        Assert.True(double.IsNaN(doc.Runs[0].Records[0].MeanAscentFraction));
        Assert.Equal(0.84, doc.Runs[1].Records[1].TestAccuracy);
        Assert.Equal(2, doc.Summary.Count);
    }
    [Fact]
    public void ACollapsedSeedIsListedNotAveraged()
    {
        var runs = new[]
        {
            Run("K-SAM", 0, [0.20, 0.306], 1.0), Run("K-SAM", 1, [0.80, 0.861], 1.0), Run("K-SAM", 2, [0.80, 0.857], 1.0),
            Run("SGD", 0, [0.80, 0.85], 1.0), Run("SGD", 1, [0.80, 0.86], 1.0),
        };
        var k = VariantSummary.Compute(runs)[0];
        Assert.Equal(3, k.Runs);
        Assert.Equal(2, k.Accuracy.N);
        Assert.Equal((0.861 + 0.857) / 2, k.AccuracyMean, 12);
        Assert.Equal([new CollapsedRun(0, 0.306)], k.Collapsed);
        var md = string.Join("\n", ReportWriter.Table(VariantSummary.Compute(runs)));
        Assert.Contains("| K-SAM | 85.90 ± 0.20 | 2 (+1 collapsed) |", md);
        Assert.Contains("seed 0 collapsed (30.60 %)", string.Join("\n", ReportWriter.Notes(VariantSummary.Compute(runs))));
    }

    [Fact]
    public void ADifferenceIsBoldOnlyWhenStudentsTTestFindsIt()
    {
        var runs = new[]
        {
            Run("SGD", 0, [0.72], 1.0), Run("SGD", 1, [0.73], 1.0), Run("SGD", 2, [0.71], 1.0),
            Run("SAM", 0, [0.80], 2.0), Run("SAM", 1, [0.81], 2.0), Run("SAM", 2, [0.79], 2.0),
            Run("MBS", 0, [0.74], 1.2), Run("MBS", 1, [0.80], 1.2), Run("MBS", 2, [0.86], 1.2),
        };
        var table = ReportWriter.Table(VariantSummary.Compute(runs));
        // SAM − SGD = 8 points, pooled SE 0.82, df 4 (t = 2.776): real. MBS − SAM = 0: within noise.
        // MBS − SGD = 8 points with standard deviations 1 and 6: pooled SE √(18.5·2/3) = 3.51, threshold
        // 2.776 · 3.51 = 9.75: within noise, although it exceeds the normal rule's 2·√(0.58² + 3.46²) = 7.0.
        Assert.Contains(table, l => l.StartsWith("| SAM | 80.00 ± 0.58 | 3 | **+8.00** | – |", StringComparison.Ordinal));
        var mbs = Assert.Single(table, l => l.StartsWith("| MBS | 80.00 ± 3.46 | 3 | +8.00 | ", StringComparison.Ordinal)).Split('|');
        Assert.DoesNotContain("**", mbs[5]);
    }

    [Fact]
    public void LossPlotShowsTrainingAndEvaluatedLossPerVariantWithNonFiniteEpochsCounted()
    {
        var runs = Runs().ToList();
        // A NaN training loss in SGD seed 0's second epoch: that epoch's mean is not finite.
        runs[0] = runs[0] with { Records = [runs[0].Records[0], runs[0].Records[1] with { TrainLoss = double.NaN }] };
        var plot = Plots.Losses(runs);
        var series = plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().ToList();
        Assert.Equal(["SGD train (1 epoch(s) non-finite, not shown)", "SGD test", "MBS train", "MBS test"], series.Select(s => s.LegendText));
        var mbsTest = series[3].Data.GetScatterPoints();
        Assert.Equal([1.0, 2.0], mbsTest.Select(p => p.X));
        Assert.Equal([0.9, 0.45], mbsTest.Select(p => p.Y));
        Assert.Equal(ScottPlot.LinePattern.Dashed, series[3].LinePattern);
        Assert.Single(series[0].Data.GetScatterPoints());
    }

    // A run that diverged in its second epoch: its last record holds the steps taken, skipped ones counted, no evaluation.
    private static RunResult Diverged(string variant, long seed) => Run(variant, seed, [0.5, double.NaN], 1.0) with
    {
        Completed = false,
        Diverged = true,
        Records = [Run(variant, seed, [0.5], 1.0).Records[0], new EpochRecord(2, double.NaN, double.NaN, double.NaN, 0.2, 0, 1.2, 4, 0, double.NaN, 4, 0.05)],
    };

    [Fact]
    public void ADivergedSeedIsListedAndNeverAveraged()
    {
        var runs = new[] { Run("SGD", 0, [0.80, 0.85], 1.0), Run("SGD", 1, [0.80, 0.86], 1.0), Run("MBS", 0, [0.80, 0.84], 1.0), Diverged("MBS", 1), Diverged("K-SAM", 0) };
        var summary = VariantSummary.Compute(runs);
        var mbs = summary[1];
        Assert.Equal(2, mbs.Runs);
        Assert.Equal(1, mbs.Accuracy.N);
        Assert.Equal(0.84, mbs.AccuracyMean, 12);
        Assert.Equal([1L], mbs.Diverged);
        Assert.Empty(mbs.Collapsed);
        Assert.Equal(4, mbs.SkippedSteps);
        Assert.Equal(1.0, mbs.TimeRatio!.Value, 12);   // from the seed that finished
        var ksam = summary[2];
        Assert.Equal(0, ksam.Accuracy.N);
        Assert.Null(ksam.TimeRatio);

        var table = ReportWriter.Table(summary);
        Assert.Contains(table, l => l.StartsWith("| MBS | 84.00 | 1 (+1 diverged) |", StringComparison.Ordinal));
        Assert.Contains(table, l => l.StartsWith("| K-SAM | **diverged** | 0 (+1 diverged) |", StringComparison.Ordinal));
        string notes = string.Join("\n", ReportWriter.Notes(summary));
        Assert.Contains("MBS: seed 1 diverged", notes);
        Assert.Contains("K-SAM: seed 0 diverged", notes);
        Assert.Contains("(every seed diverged)", notes);
        var csv = ReportWriter.Csv(summary).Split('\n');
        Assert.EndsWith(",diverged_seeds", csv[0].TrimEnd('\r'));
        Assert.EndsWith(",1", csv[2].TrimEnd('\r'));

        // The plots: MBS's curves average the seed that finished; K-SAM's stop where it diverged, and say so.
        var losses = Plots.Losses(runs).GetPlottables().OfType<ScottPlot.Plottables.Scatter>().ToList();
        Assert.Contains(losses, s => s.LegendText == "MBS train" && s.Data.GetScatterPoints().Count == 2);
        var ksamTrain = Assert.Single(losses, s => s.LegendText.StartsWith("K-SAM (diverged) train", StringComparison.Ordinal));
        Assert.Single(ksamTrain.Data.GetScatterPoints());
        var cost = Plots.AccuracyOverCost(summary);
        Assert.Equal(2, cost.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Count());
        Assert.Contains("not shown: K-SAM (diverged)", cost.Axes.Title.Label.Text);
    }

    [Fact]
    public void AnIncompleteReportSaysSoAtTheTop()
    {
        string md = ReportWriter.Markdown(new ComparisonInfo
        {
            Data = "fashion-mnist", Model = "small-cnn", Epochs = 2, Seeds = [0], BatchSize = 64, Threads = 2, TrainSamples = 256, TestSamples = 200,
            Incomplete = "the run was interrupted after 5 steps (1 of 2 epoch(s) finished)",
        }, VariantSummary.Compute(Runs()), []);
        Assert.Contains("**Incomplete:** the run was interrupted after 5 steps (1 of 2 epoch(s) finished).", md.Split('\n')[2]);
    }

    [Fact]
    public void CostPlotAlwaysUsesTheCostModel()
    {
        var summary = VariantSummary.Compute(Runs());
        var points = Plots.AccuracyOverCost(summary).GetPlottables().OfType<ScottPlot.Plottables.Scatter>()
            .Select(s => s.Data.GetScatterPoints().Single()).ToList();
        Assert.Equal([1.0, 1.25], points.Select(p => p.X));
        Assert.Equal([82.0, 84.0], points.Select(p => Math.Round(p.Y, 9)));
    }
}

