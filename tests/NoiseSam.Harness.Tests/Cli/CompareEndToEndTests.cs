using System.Globalization;
using NoiseSam.Cli;
using NoiseSam.Harness.Reports;

namespace NoiseSam.Harness.Tests.Cli;

/// <summary>`noisesam compare` end to end on a few hundred Fashion-MNIST samples, in-process.</summary>
[Collection(TorchCollection.Name)]
public sealed class CompareEndToEndTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void CompareWritesSaneReportsAndPlots()
    {
        using var dir = new ScratchDir();
        string outDir = dir["out"];
        // Clean labels and no validation split (the default regime holds out 20 % and flips 40 % of the labels).
        var r = CliHarness.Run(["compare", "--variants", "SGD,SAM,NI-MBS", "--epochs", "2", "--seeds", "1", "--out", outDir, "--val-fraction", "0", "--label-noise", "0",
            .. CliHarness.Tiny(train: 512, test: 500)]);
        Assert.True(r.ExitCode == ExitCodes.Success, r.ToString());

        // Console: the plan and the final summary table.
        Assert.Contains("Plan: 3 variant(s) × 1 seed(s) × 2 epoch(s) of 512", r.Out);
        foreach (string v in new[] { "SGD", "SAM", "NI-MBS" }) Assert.Contains(v, r.Out);
        Assert.Contains("Test accuracy after the last epoch", r.Out);

        foreach (string f in new[] { ReportWriter.SummaryMarkdown, ReportWriter.SummaryCsv, ReportWriter.RunsJson, Plots.AccuracyVsTime, Plots.LossCurves, Plots.AccuracyVsCost })
            Assert.True(File.Exists(Path.Combine(outDir, f)), $"{f} missing\n{r}");

        // summary.csv: one row per variant, accuracy above chance, positive ratios.
        var lines = File.ReadAllLines(Path.Combine(outDir, ReportWriter.SummaryCsv));
        Assert.Equal(4, lines.Length);
        var header = lines[0].Split(',');
        int acc = Array.IndexOf(header, "accuracy_mean"), ratio = Array.IndexOf(header, "time_ratio_sgd"),
            ideal = Array.IndexOf(header, "ideal_ratio"), share = Array.IndexOf(header, "sam_step_share"), ascent = Array.IndexOf(header, "mean_ascent_fraction");
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToDictionary(c => c[0]);
        Assert.Equal(new[] { "NI-MBS", "SAM", "SGD" }, rows.Keys.Order());
        foreach (var (name, c) in rows)
        {
            double accuracy = double.Parse(c[acc], CultureInfo.InvariantCulture);
            Assert.True(accuracy > 0.3, $"{name}: accuracy {accuracy} not above chance after training");
            Assert.True(accuracy <= 1);
            Assert.True(double.Parse(c[ratio], CultureInfo.InvariantCulture) > 0, $"{name}: ratio {c[ratio]}");
            Assert.True(double.Parse(c[ideal], CultureInfo.InvariantCulture) > 0);
        }
        Assert.Equal(1.0, double.Parse(rows["SGD"][ratio], CultureInfo.InvariantCulture), 9);
        Assert.Equal(0.0, double.Parse(rows["SGD"][share], CultureInfo.InvariantCulture));
        Assert.Equal(1.0, double.Parse(rows["SAM"][share], CultureInfo.InvariantCulture));
        Assert.Equal(1.0, double.Parse(rows["SAM"][ascent], CultureInfo.InvariantCulture), 9);
        Assert.Equal(0.25, double.Parse(rows["NI-MBS"][ascent], CultureInfo.InvariantCulture), 9);
        Assert.Equal(2.0, double.Parse(rows["SAM"][ideal], CultureInfo.InvariantCulture), 9);

        // runs.json: every epoch of every run.
        var doc = ReportWriter.ReadRuns(Path.Combine(outDir, ReportWriter.RunsJson));
        Assert.NotNull(doc);
        Assert.Equal(3, doc.Runs.Count);
        foreach (var run in doc.Runs)
        {
            Assert.Equal(2, run.Records.Count);
            Assert.Equal([1, 2], run.Records.Select(e => e.Epoch));
            Assert.All(run.Records, e => Assert.Equal(8, e.Steps));
            Assert.All(run.Records, e => Assert.True(e.TrainSeconds > 0 && double.IsFinite(e.TrainLoss)));
            Assert.True(run.Records[1].ElapsedSeconds > run.Records[0].ElapsedSeconds);
            Assert.Equal(512, run.TrainSamples);
            Assert.Equal(500, run.TestSamples);
        }

        // summary.md: the table with every variant.
        string md = File.ReadAllText(Path.Combine(outDir, ReportWriter.SummaryMarkdown));
        Assert.Contains("| Variant |", md);
        foreach (string v in new[] { "| SGD |", "| SAM |", "| NI-MBS |" }) Assert.Contains(v, md);
        Assert.Contains("![", md);

        // Plots: real PNGs with content.
        foreach (string png in new[] { Plots.AccuracyVsTime, Plots.LossCurves, Plots.AccuracyVsCost })
        {
            byte[] bytes = File.ReadAllBytes(Path.Combine(outDir, png));
            Assert.True(bytes.Length > 10_000, $"{png}: only {bytes.Length} bytes");
            Assert.Equal(PngSignature, bytes[..8]);
        }

        // --report-only rewrites the same report from runs.json without training.
        string csv = File.ReadAllText(Path.Combine(outDir, ReportWriter.SummaryCsv));
        File.Delete(Path.Combine(outDir, ReportWriter.SummaryMarkdown));
        File.Delete(Path.Combine(outDir, Plots.LossCurves));
        var again = CliHarness.Run(["compare", "--report-only", "--out", outDir]);
        Assert.True(again.ExitCode == ExitCodes.Success, again.ToString());
        Assert.DoesNotContain("seed 0 · started", again.Out, StringComparison.Ordinal);
        Assert.Equal(md, File.ReadAllText(Path.Combine(outDir, ReportWriter.SummaryMarkdown)));
        Assert.Equal(csv, File.ReadAllText(Path.Combine(outDir, ReportWriter.SummaryCsv)));
        Assert.True(File.Exists(Path.Combine(outDir, Plots.LossCurves)));
        var none = CliHarness.Run(["compare", "--report-only", "--out", dir["nothing-here"]]);
        Assert.Equal(ExitCodes.Usage, none.ExitCode);
        Assert.Contains("no runs.json in", none.Error, StringComparison.Ordinal);
    }
}
