using System.Globalization;
using NoiseSam.Dsl;
using NoiseSam.Harness.Study;
using NoiseSam.Harness.Tests.Cli;
using NoiseSam.Harness.Statistics;

namespace NoiseSam.Harness.Tests.Study;

public sealed class StudyReportTests
{
    private static StudySummary Point(double f, double sigma, double[] accuracy, double[]? eigen = null, double? ratio = null)
    {
        var scaling = sigma == 0 ? (NoiseScaling?)null : NoiseScaling.GradientNorm;
        var config = new StudyConfig($"study-f{f}-s{sigma}", StudyGroup.Sweep, new SamVariantDescriptor($"study-f{f}-s{sigma}"), f, sigma, scaling);
        return new StudySummary(config, Stat.Of(accuracy), Stat.Of(eigen ?? []), Stat.Of([]), Stat.Of([10, 11, 12]), ratio, 1 + f, 0);
    }

    [Fact]
    public void VerdictCallsALossALossAndARescueARescue()
    {
        var sweep = new[]
        {
            Point(1, 0, [0.900, 0.901, 0.902], [10, 11, 12], 2.0),
            Point(0.25, 0, [0.880, 0.881, 0.882], [20, 21, 22], 1.3),
            Point(0.25, 0.5, [0.899, 0.900, 0.901], [30, 31, 32], ratio: 1.35),
        };
        string line = Assert.Single(StudyReport.Verdict(sweep));
        Assert.Contains("**f = 0.25**", line, StringComparison.Ordinal);
        Assert.Contains("-2.00 pt", line, StringComparison.Ordinal);
        Assert.Contains("a real loss", line, StringComparison.Ordinal);
        Assert.Contains("MBS ends sharper", line, StringComparison.Ordinal);
        Assert.Contains("+1.90 pt over MBS (a real gain)", line, StringComparison.Ordinal);
        Assert.Contains("recovered SAM's accuracy", line, StringComparison.Ordinal);
        Assert.Contains("1.35× SGD's step time vs SAM's 2.00×", line, StringComparison.Ordinal);
        Assert.Contains("but at a sharper minimum (λ_max up)", line, StringComparison.Ordinal);
    }

    [Fact]
    public void VerdictDoesNotCallNoiseAnEffect()
    {
        var sweep = new[]
        {
            Point(1, 0, [0.90, 0.91, 0.89]),
            Point(0.125, 0, [0.905, 0.895, 0.90]),
            Point(0.125, 1, [0.90, 0.91, 0.895]),
        };
        string line = Assert.Single(StudyReport.Verdict(sweep));
        Assert.Contains("within noise", line, StringComparison.Ordinal);
        Assert.Contains("not a real gain", line, StringComparison.Ordinal);
        Assert.Contains("did not measurably help", line, StringComparison.Ordinal);
        Assert.Contains("cannot be judged", Assert.Single(StudyReport.Verdict([Point(0.5, 0, [0.9])])), StringComparison.Ordinal);
    }

    // Tables and verdicts give mean ± standard error: std 0.01 over three seeds → SE 0.0058.
    [Fact]
    public void VerdictSaysWhenSamDoesNotBeatTheBaseOptimizer()
    {
        var sgdConfig = new StudyConfig("SGD", StudyGroup.Baseline,
            new SamVariantDescriptor("SGD") { Schedule = new ScheduleSpec(SchedulePolicy.Never) }, 1, 0, null);
        var sgd = new StudySummary(sgdConfig, Stat.Of([0.870, 0.871, 0.872]), Stat.Of([24, 23, 25]), Stat.Of([]), Stat.Of([5]), 1, 1, 0);
        var lines = StudyReport.Verdict([Point(1, 0, [0.860, 0.861, 0.862], [11, 12, 13]), Point(0.5, 0, [0.86, 0.861, 0.862]), sgd]);
        Assert.Equal(2, lines.Count);
        Assert.StartsWith("**Premise**: SAM 86.10 ± 0.06 vs SGD 87.10 ± 0.06 (-1.00 pt, SAM is really worse", lines[0], StringComparison.Ordinal);
        Assert.Contains("λ_max SAM 12.0 vs SGD 24.0 (SAM does find flatter minima)", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void ReportWritesTablesCsvAndPlotsNextToTheMarkdown()
    {
        using var dir = new ScratchDir();
        var sweep = new[]
        {
            Point(1, 0, [0.900, 0.902], [10, 12], 2.0),
            Point(0.5, 0, [0.890, 0.894], [14, 16], 1.5),
            Point(0.5, 0.5, [0.896, 0.898], [12, 13], 1.55),
        };
        var info = new StudyReportInfo("fashion-mnist", 1000, 500, "small-cnn", 2, 128, "2", [0, 1], 256, 0.05, 128, "./noisesam study");
        var files = StudyReport.Write(dir["study.md"], info, sweep, landscapeDirectory: null);
        string md = File.ReadAllText(dir["study.md"]);
        Assert.Contains("| 0.5 | 0.5 | gnorm | 89.70 ± 0.10 (2) | 12.5 ± 0.5 |", md, StringComparison.Ordinal);
        Assert.Contains("![accuracy vs fraction](study/accuracy_vs_fraction.png)", md, StringComparison.Ordinal);
        foreach (string png in new[] { StudyPlots.AccuracyVsFraction, StudyPlots.EigenvalueVsFraction, StudyPlots.AccuracyVsTime })
        {
            byte[] bytes = File.ReadAllBytes(Path.Combine(dir["study"], png));
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        }
        var rows = File.ReadAllLines(Path.Combine(dir["study"], StudyReport.CsvFile));
        Assert.Equal(4, rows.Length);
        var cells = rows[2].Split(',');
        Assert.Equal("study-f0.5-s0", cells[0]);
        Assert.Equal(0.892, double.Parse(cells[7], CultureInfo.InvariantCulture), 12);
        Assert.Contains(dir["study.md"], files);
    }

    [Fact]
    public void AStudyInProgressSaysHowManyRunsHaveFinishedAndAFinishedOneDoesNot()
    {
        var info = new StudyReportInfo("fashion-mnist", 1000, 500, "small-cnn", 2, 128, "2", [0, 1], 256, 0.05, 128, "./noisesam study");
        var points = new[] { Point(1, 0, [0.900]), Point(0.5, 0, [0.890, 0.894]) };
        string partial = StudyReport.Markdown(info with { FinishedRuns = 3, PlannedRuns = 4 }, points, "study", [], []);
        Assert.Contains("**In progress: 3 of 4 runs finished.**", partial, StringComparison.Ordinal);
        Assert.True(partial.IndexOf("In progress", StringComparison.Ordinal) < partial.IndexOf("## Verdict", StringComparison.Ordinal));
        Assert.DoesNotContain("In progress", StudyReport.Markdown(info with { FinishedRuns = 4, PlannedRuns = 4 }, points, "study", [], []), StringComparison.Ordinal);
    }

    [Fact]
    public void ANonConvergedLambdaMaxIsMarkedAndWarnedAboutAndTheFootnoteNamesLanczos()
    {
        var info = new StudyReportInfo("fashion-mnist", 1000, 500, "small-cnn", 2, 128, "2", [0, 1], 256, 0.05, 128, "./noisesam study");
        var converged = new[] { Point(1, 0, [0.900, 0.902], [10, 12]), Point(0.5, 0, [0.890, 0.894], [14, 16]) };
        string clean = StudyReport.Markdown(info, converged, "study", [], []);
        Assert.DoesNotContain("did not converge", clean, StringComparison.Ordinal);
        Assert.Contains("Lanczos with full reorthogonalisation", clean, StringComparison.Ordinal);
        Assert.DoesNotContain("power iteration", clean, StringComparison.Ordinal);

        var oneOff = new[] { converged[0], converged[1] with { EigenNotConverged = 1 } };
        string md = StudyReport.Markdown(info, oneOff, "study", [], []);
        Assert.Contains("**Warning: λ_max did not converge for 1 run(s)** (MBS f=0.5: 1)", md, StringComparison.Ordinal);
        Assert.Contains("| 0.5 | 0 | – | 89.20 ± 0.20 (2) | 15.0 ± 1.0* |", md, StringComparison.Ordinal);
        Assert.Contains("| 1 | 0 | – | 90.10 ± 0.10 (2) | 11.0 ± 1.0 |", md, StringComparison.Ordinal);
    }

    [Fact]
    public void ThePremiseIsJudgedAtTheSweepsSettingsAndTheTunedBaseOptimizerIsReportedNextToIt()
    {
        var sweepBase = new BaseOptimizerSpec(OptimizerKind.Sgd) { LearningRate = 0.01 };
        var atSweep = new StudySummary(new StudyConfig("study-base", StudyGroup.Base,
            new SamVariantDescriptor("study-base") { Schedule = new ScheduleSpec(SchedulePolicy.Never), BaseOptimizer = sweepBase }, 1, 0, null),
            Stat.Of([0.670, 0.675, 0.680]), Stat.Of([]), Stat.Of([]), Stat.Of([5]), 1, 1, 0);
        var ownLr = new StudySummary(new StudyConfig("SGD", StudyGroup.Baseline,
            new SamVariantDescriptor("SGD") { Schedule = new ScheduleSpec(SchedulePolicy.Never), BaseOptimizer = sweepBase with { LearningRate = 0.002 } }, 1, 0, null),
            Stat.Of([0.796, 0.798, 0.799]), Stat.Of([]), Stat.Of([]), Stat.Of([5]), 1, 1, 0);
        var lines = StudyReport.Verdict([Point(1, 0, [0.790, 0.792, 0.794]), ownLr, atSweep]);
        Assert.StartsWith("**Premise**: SAM 79.20 ± 0.12 vs SGD alone, lr 0.01 (the sweep's) 67.50 ± 0.29 (+11.70 pt, SAM really beats", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("**SGD with its own learning rate** (lr 0.002, chosen on validation): 79.77 ± 0.09 vs SAM 79.20 ± 0.12 (+0.57 pt, the base optimizer alone is really better)",
            lines[1], StringComparison.Ordinal);
    }
    [Fact]
    public void MicroBatchBaselinesWithARadiusOfTheirOwnAreComparedWithSamAndNoiseWithItsNoiselessTwin()
    {
        static StudySummary Baseline(string name, double rho, MicroBatchSelection selection, bool noise, double[] accuracy) => new(
            new StudyConfig(name, StudyGroup.Baseline, new SamVariantDescriptor(name)
            {
                Rho = rho,
                MicroBatch = new MicroBatchSpec { Fraction = 0.25, Selection = selection },
                Noise = noise ? new NoiseSpec(NoiseDistribution.Gaussian) { Sigma = 0.5 } : null,
            }, 0.25, noise ? 0.5 : 0, null),
            Stat.Of(accuracy), Stat.Of([]), Stat.Of([]), Stat.Of([5]), 1.3, 1.25, 0);
        var lines = StudyReport.Verdict([
            Point(1, 0, [0.790, 0.792, 0.794]),
            Baseline("MBS", 0.1, MicroBatchSelection.Random, false, [0.802, 0.804, 0.806]),
            Baseline("NI-MBS", 0.1, MicroBatchSelection.Random, true, [0.801, 0.804, 0.807]),
            Baseline("K-SAM", 0.01, MicroBatchSelection.TopLoss, false, [0.69, 0.70, 0.71]),
        ]);
        Assert.DoesNotContain(lines, l => l.Contains("K-SAM", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("**MBS with its own radius** (ρ 0.1, chosen on validation; f = 0.25): 80.40 ± 0.12 vs SAM (ρ 0.05) 79.20 ± 0.12 (+1.20 pt, really better than SAM)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("**NI-MBS with its own radius**", StringComparison.Ordinal)
                                    && l.Contains("against MBS at the same radius +0.00 pt (noise makes no real difference)", StringComparison.Ordinal));
    }
}
