using NoiseSam.Cli;
using NoiseSam.Cli.Variants;
using NoiseSam.Harness.Reports;

namespace NoiseSam.Harness.Tests.Cli;

/// <summary>The default variant list (the paper's set without ASAM) through `compare` in its default regime, on a small subset.</summary>
[Collection(TorchCollection.Name)]
public sealed class ComparePaperSetTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void EveryPaperVariantTrainsAndIsReported()
    {
        using var dir = new ScratchDir();
        var r = CliHarness.Run(["compare", "--epochs", "2", "--seeds", "2", "--out", dir.Path, .. CliHarness.Tiny(train: 1024, test: 500)]);
        Assert.True(r.ExitCode == ExitCodes.Success, r.ToString());
        Assert.Contains("Plan: 9 variant(s) × 2 seed(s) × 2 epoch(s)", r.Out);

        var doc = ReportWriter.ReadRuns(Path.Combine(dir.Path, ReportWriter.RunsJson))!;
        Assert.Equal(18, doc.Runs.Count);
        Assert.Equal(PaperVariants.Names.Where(n => n != "ASAM"), doc.Summary.Select(s => s.Variant));
        foreach (var s in doc.Summary)
        {
            Assert.Equal(2, s.Runs);
            Assert.True(s.AccuracyMean > 0.1, $"{s.Variant}: {s.AccuracyMean}");
            Assert.True(s.TimeRatio > 0, s.Variant);
            Assert.True(s.IdealRatio > 0, s.Variant);
            Assert.Equal(0, s.SkippedSteps);
            Assert.True(double.IsFinite(s.FinalTrainLoss), s.Variant);
        }
        var byName = doc.Summary.ToDictionary(s => s.Variant);
        Assert.Equal(0, byName["SGD"].SamStepShare);
        Assert.Equal(6.0 / 26, byName["LookSAM-5"].SamStepShare, 9); // 819 training samples (20 % held out): 13 steps per epoch, SAM on steps 0, 5, …, 25
        Assert.InRange(byName["SS-SAM"].SamStepShare, 0.2, 0.8);
        Assert.InRange(byName["AE-SAM"].SamStepShare, 0.05, 0.95);
        Assert.Equal(TunedSettings.KSamFraction, byName["K-SAM"].MeanAscentFraction, 2); // ⌈f·b⌉ rows: a little above f on the short last batch
        Assert.Equal(1.0, byName["ESAM"].MeanAscentFraction, 9);
        // Two seeds: a spread is reported (seeds change the initialisation and the data order).
        Assert.Contains(doc.Summary, s => s.AccuracyStd > 0);
        string csv = File.ReadAllText(Path.Combine(dir.Path, ReportWriter.SummaryCsv));
        Assert.Equal(1 + 9, csv.Trim().Split('\n').Length);   // header and one row per variant
        Assert.DoesNotContain("NaN", File.ReadAllText(Path.Combine(dir.Path, ReportWriter.SummaryMarkdown)));
    }
}
