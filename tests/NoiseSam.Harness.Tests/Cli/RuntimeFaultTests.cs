using System.Text.RegularExpressions;
using NoiseSam.Cli;
using NoiseSam.Harness.Checkpoints;
using NoiseSam.Harness.Reports;

namespace NoiseSam.Harness.Tests.Cli;

/// <summary>
/// Issue 17's fault cases, rerun as a user would: outputs checked before any work, one run per
/// folder, SIGTERM, divergence, and the smaller defects. Each gives one clear line and loses nothing.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class RuntimeFaultTests
{
    private static readonly string Diverging = Training.DivergingVariant.EnsureRegistered();

    private static void AssertOneLine(CliHarness.Result r, int code, params string[] fragments) =>
        CliHarness.AssertOneLineError(r, code, fragments);

    // ---- 1. every output location is checked before the work --------------------------------------

    [Fact]
    public void EveryOutputOptionIsCheckedBeforeAnyWork()
    {
        using var dir = new ScratchDir();
        File.WriteAllText(dir["model.bin"], "never read: the output is checked first");
        File.WriteAllText(dir["a-file"], "x");

        var r = CliHarness.Run("sharpness", "--model-file", dir["model.bin"], "--out", "/proc/self/noisesam-sharpness");
        AssertOneLine(r, ExitCodes.Usage, "--out", "cannot write into");
        Assert.DoesNotContain("Sharpness of", r.Out);

        r = CliHarness.Run(["study", "--out", "/proc/noisesam-study", "--epochs", "1", .. CliHarness.Tiny()]);
        AssertOneLine(r, ExitCodes.Usage, "--out", "cannot write into");
        Assert.DoesNotContain("Study:", r.Out);
        r = CliHarness.Run(["study", "--out", dir["study"], "--report", "/proc/noisesam/study.md", "--epochs", "1", .. CliHarness.Tiny()]);
        AssertOneLine(r, ExitCodes.Usage, "--report", "cannot write into");

        AssertOneLine(CliHarness.Run("bench-step", "--variants", "SGD", "--out", "/proc/noisesam/bench.csv"), ExitCodes.Usage, "--out", "cannot write into");
        AssertOneLine(CliHarness.Run(["train", "--variant", "SGD", "--tensorboard", "/proc/noisesam-tb", .. CliHarness.Tiny()]), ExitCodes.Usage, "--tensorboard");
        AssertOneLine(CliHarness.Run(["tune", "--variants", "SGD", "--out", "/proc/noisesam-tune", .. CliHarness.Tiny()]), ExitCodes.Usage, "--out");

        // A file where the folder should be, and a folder under a file.
        r = CliHarness.Run(["compare", "--variants", "SGD", "--epochs", "1", "--out", dir["a-file"], .. CliHarness.Tiny()]);
        AssertOneLine(r, ExitCodes.Usage, "--out", "is a file");
        r = CliHarness.Run(["compare", "--variants", "SGD", "--epochs", "1", "--out", Path.Combine(dir["a-file"], "out"), .. CliHarness.Tiny()]);
        AssertOneLine(r, ExitCodes.Usage, "--out", "cannot write into");
        Assert.DoesNotContain("Plan:", r.Out);
        r = CliHarness.Run(["train", "--variant", "SGD", "--checkpoint-dir", dir["a-file"], .. CliHarness.Tiny()]);
        AssertOneLine(r, ExitCodes.Usage, "--checkpoint-dir", "is a file");
    }

    // ---- 3. a report folder is never left mixing two runs -------------------------------------------

    [Fact]
    public void AReportThatCannotBeWrittenLeavesTheFolderAsItWasInOneLine()
    {
        using var dir = new ScratchDir();
        Harness.IO.ReportFolder.Replace(dir["out"], d => File.WriteAllText(Path.Combine(d, "summary.md"), "the first run's"));

        // A full disk while the second run's plots are written.
        var e = Assert.Throws<IOException>(() => NoiseSam.Cli.Commands.CommonOptions.WriteReport(dir["out"], "--out",
            () => Harness.IO.ReportFolder.Replace(dir["out"], d =>
            {
                File.WriteAllText(Path.Combine(d, "summary.md"), "the second run's");
                throw new IOException("No space left on device : '" + Path.Combine(d, ".loss_curves.png.tmp") + "'");
            })));

        Assert.StartsWith($"--out: the report could not be written to '{dir["out"]}' (No space left on device", e.Message);
        Assert.EndsWith("the report already there is unchanged", e.Message);
        Assert.Equal("the first run's", File.ReadAllText(Path.Combine(dir["out"], "summary.md")));
        Assert.Equal([dir["out"]], Directory.GetDirectories(dir.Path));   // no staging folder left
    }

    // ---- 2. one run per folder ---------------------------------------------------------------------

    [Fact]
    public void ASecondRunOnAFolderInUseIsRefusedAndAKilledRunsFolderIsTakenOver()
    {
        using var dir = new ScratchDir();
        string ckpt = dir["ckpt"], report = dir["report"];
        using (var first = new CliProcess(dir.Path, ["train", "--variant", "SGD", "--epochs", "100000", "--checkpoint-dir", ckpt, "--out", report, .. CliHarness.Tiny()]))
        {
            first.WaitForLine("epoch 1/100000");   // a checkpoint is on disk and both folders are held

            var r = CliHarness.Run(["train", "--variant", "SGD", "--epochs", "2", "--checkpoint-dir", ckpt, .. CliHarness.Tiny()]);
            AssertOneLine(r, ExitCodes.InUse, "--checkpoint-dir", "is in use by another noisesam run", $"pid {first.Id}", "--checkpoint-dir " + ckpt);
            Assert.DoesNotContain("Training", r.Out);
            r = CliHarness.Run(["compare", "--variants", "SGD", "--epochs", "1", "--out", report, .. CliHarness.Tiny()]);
            AssertOneLine(r, ExitCodes.InUse, "--out", "is in use by another noisesam run", $"pid {first.Id}");
            Assert.DoesNotContain("Plan:", r.Out);
            Assert.True(CheckpointStore.IsValid(Path.Combine(ckpt, CheckpointStore.LastName)), "the refused run touched the checkpoints");

            first.Kill();   // kill -9: no chance to remove its lock file
        }
        Assert.True(File.Exists(Path.Combine(ckpt, Harness.IO.RunLock.FileName)));

        var resumed = CliHarness.Run(["train", "--variant", "SGD", "--epochs", "100000", "--max-steps", "8", "--checkpoint-dir", ckpt, "--resume", .. CliHarness.Tiny()]);
        Assert.True(resumed.ExitCode == ExitCodes.Success, resumed.ToString());
        Assert.Contains("took over the lock", resumed.Error);
        Assert.Contains("no longer running", resumed.Error);
        Assert.Contains("resuming SGD", resumed.Error);
        Assert.False(File.Exists(Path.Combine(ckpt, Harness.IO.RunLock.FileName)), "the lock file outlived its run");
    }

    // ---- 4. divergence -----------------------------------------------------------------------------

    [Fact]
    public void ADivergedTrainRunStopsLoudlyWithItsOwnExitCodeAndKeepsTheLastGoodCheckpoint()
    {
        using var dir = new ScratchDir();
        var r = CliHarness.Run(["train", "--variant", Diverging, "--epochs", "5", "--checkpoint-dir", dir["ckpt"], "--save-model", dir["model.bin"],
            "--out", dir["out"], .. CliHarness.Tiny()]);

        Assert.True(r.ExitCode == ExitCodes.Diverged, r.ToString());
        Assert.Contains($"{Diverging} seed 0 diverged in epoch 2: 4 of its 4 step(s) so far were skipped", r.Error);
        Assert.Contains("--save-model", r.Error);
        Assert.False(File.Exists(dir["model.bin"]));
        // Plain lines (stdout is not a terminal): the epoch before shows its skipped step, the end line the diverged epoch's.
        Assert.Matches($@"(?m)^{Diverging} · epoch 1/5 · 4 steps · .* · skipped 1 · ", r.Out);
        Assert.Contains($"{Diverging} · DIVERGED in epoch 2/5 · skipped 4 of its 4 steps (5 in all)", r.Out);
        var (header, payload) = CheckpointFile.Read(Path.Combine(dir["ckpt"], CheckpointStore.LastName));
        Assert.Equal(1, payload.EpochsCompleted);   // the diverged epoch was not checkpointed
        Assert.Equal(Diverging, header.Variant);
        Assert.Contains("**Incomplete:** the run diverged in epoch 2: 4 of its 4 steps were skipped", File.ReadAllText(Path.Combine(dir["out"], ReportWriter.SummaryMarkdown)));
        var run = Assert.Single(ReportWriter.ReadRuns(Path.Combine(dir["out"], ReportWriter.RunsJson))!.Runs);
        Assert.True(run.Diverged);
        Assert.Equal(2, run.Records.Count);

        // Off: the run goes on through every epoch, each skipped step counted, and is judged at the
        // end like any run: its final test loss is not finite, so it exits as diverged.
        r = CliHarness.Run(["train", "--variant", Diverging, "--epochs", "3", "--max-skipped", "off", .. CliHarness.Tiny()]);
        Assert.True(r.ExitCode == ExitCodes.Diverged, r.ToString());
        Assert.Contains("epoch 3/3", r.Out);
        AssertOneLine(CliHarness.Run("train", "--variant", "SGD", "--max-skipped", "1.5"), ExitCodes.Usage, "--max-skipped must be a share in (0, 1] or 'off'");
    }

    [Fact]
    public void CompareMarksADivergedVariantWritesTheOthersAndPrintsPlainLinesWhenRedirected()
    {
        using var dir = new ScratchDir();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        // SGD at the paper's learning rate on clean labels: a healthy run next to the diverging one.
        var r = CliHarness.Run(["compare", "--variants", $"SGD-paper,{Diverging}", "--epochs", "3", "--seeds", "1", "--out", dir["out"],
            "--label-noise", "0", "--val-fraction", "0", .. CliHarness.Tiny()]);
        double seconds = watch.Elapsed.TotalSeconds;

        Assert.True(r.ExitCode == ExitCodes.Diverged, r.ToString());
        Assert.Contains($"diverged: {Diverging} seed 0", r.Error);
        string md = File.ReadAllText(Path.Combine(dir["out"], ReportWriter.SummaryMarkdown));
        Assert.Contains($"| {Diverging} | **diverged** | 0 (+1 diverged) |", md);
        Assert.Matches(@"\| SGD-paper \| \d+\.\d\d \| 1 \|", md);
        Assert.Contains($"{Diverging}: seed 0 diverged", md);
        foreach (string f in new[] { ReportWriter.SummaryCsv, ReportWriter.RunsJson, Plots.AccuracyVsTime, Plots.LossCurves, Plots.AccuracyVsCost })
            Assert.True(File.Exists(Path.Combine(dir["out"], f)), f);
        Assert.Contains("diverged", r.Out);   // the console table marks the row too

        // stdout is not a terminal here: one line per run start, finished epoch and run end, and at
        // most one progress line per 30 s within an epoch, never a redraw per step.
        var lines = r.Out.Split('\n');
        Assert.Equal(3 + 1, lines.Count(l => Regex.IsMatch(l, @" · epoch \d/3 · \d+ steps · ")));   // SGD's 3 and the diverging run's 1st
        Assert.Single(lines, l => l.Contains($"{Diverging} seed 0 · DIVERGED in epoch 2/3", StringComparison.Ordinal));
        Assert.Single(lines, l => Regex.IsMatch(l, @"^SGD-paper seed 0 · 3 epoch\(s\) · acc "));
        Assert.Equal(2, lines.Count(l => l.Contains(" · started", StringComparison.Ordinal)));
        int progressLines = lines.Count(l => l.Contains(" · step ", StringComparison.Ordinal));
        Assert.True(progressLines <= seconds / 30 + 2, $"{progressLines} progress lines in {seconds:F0} s:\n{r.Out}");
        Assert.True(lines.Length < 60, r.Out);
    }

    // ---- 6. the smaller defects --------------------------------------------------------------------

    [Fact]
    public void SigtermStopsTrainLikeCtrlCWritesTheReportMarkedIncompleteAndExits143()
    {
        using var dir = new ScratchDir();
        using var child = new CliProcess(dir.Path, ["train", "--variant", "SGD", "--epochs", "100000", "--out", dir["out"], "--checkpoint-dir", dir["ckpt"], .. CliHarness.Tiny()]);
        child.WaitForLine("epoch 1/100000");
        child.Signal("TERM");

        Assert.Equal(ExitCodes.Terminated, child.WaitForExit());
        string md = File.ReadAllText(Path.Combine(dir["out"], ReportWriter.SummaryMarkdown));
        Assert.Contains("**Incomplete:** the run was interrupted after", md);
        Assert.True(CheckpointStore.IsValid(Path.Combine(dir["ckpt"], CheckpointStore.LastName)));
        Assert.False(File.Exists(Path.Combine(dir["ckpt"], Harness.IO.RunLock.FileName)));
    }

    [Fact]
    public void MaxStepsSaysWhatItDidNotWriteAndTheReportIsMarkedIncompleteWithItsRealStartTime()
    {
        using var dir = new ScratchDir();
        var before = DateTimeOffset.UtcNow;
        var r = CliHarness.Run(["train", "--variant", "SGD", "--epochs", "3", "--max-steps", "6", "--out", dir["out"], "--save-model", dir["m.bin"], .. CliHarness.Tiny()]);
        var after = DateTimeOffset.UtcNow;

        Assert.True(r.ExitCode == ExitCodes.Success, r.ToString());
        Assert.Contains($"--save-model: {dir["m.bin"]} not written: the run stopped at --max-steps after 6 steps (1 of 3 epoch(s) finished)", r.Error);
        Assert.False(File.Exists(dir["m.bin"]));
        Assert.Contains("(marked incomplete)", r.Out);
        Assert.Contains("**Incomplete:** the run stopped at --max-steps after 6 steps (1 of 3 epoch(s) finished).",
            File.ReadAllText(Path.Combine(dir["out"], ReportWriter.SummaryMarkdown)));
        var doc = ReportWriter.ReadRuns(Path.Combine(dir["out"], ReportWriter.RunsJson))!;
        // Started before the training, not when the report was written: start + training time ≤ end.
        Assert.InRange(doc.Comparison.Started, before, after);
        Assert.True(doc.Comparison.Started.AddSeconds(doc.Runs[0].TrainSeconds) <= after);

        r = CliHarness.Run(["train", "--variant", "SGD", "--epochs", "3", "--max-steps", "2", "--out", dir["none"], .. CliHarness.Tiny()]);
        Assert.True(r.ExitCode == ExitCodes.Success, r.ToString());
        Assert.Contains("--out: nothing written", r.Error);
        Assert.False(Directory.Exists(dir["none"]));
    }

    [Fact]
    public void AResumeOnAnotherTestSetIsRefused()
    {
        using var dir = new ScratchDir();
        var first = CliHarness.Run(["train", "--variant", "SGD", "--epochs", "2", "--max-steps", "4", "--checkpoint-dir", dir["c"], .. CliHarness.Tiny(test: 200)]);
        Assert.True(first.ExitCode == ExitCodes.Success, first.ToString());
        var r = CliHarness.Run(["train", "--variant", "SGD", "--epochs", "2", "--checkpoint-dir", dir["c"], "--resume", .. CliHarness.Tiny(test: 100)]);
        AssertOneLine(r, ExitCodes.Usage, "belongs to another run");
    }

    [Fact]
    public void AHugeBatchIsOneStepPerEpoch()
    {
        var r = CliHarness.Run(["train", "--variant", "SGD", "--epochs", "1", .. CliHarness.Tiny(batch: int.MaxValue)]);
        Assert.True(r.ExitCode == ExitCodes.Success, r.ToString());
        Assert.Contains("(1 steps of 256 per epoch", r.Out);
        Assert.Contains("--batch-size 2147483647 is larger than the 256 training samples", r.Error);
    }

    [Fact]
    public void TrainLimitZeroMeansEverySampleAsForCompare()
    {
        var r = CliHarness.Run("train", "--variant", "SGD", "--train-limit", "0", "--test-limit", "10", "--max-steps", "1", "--threads", "2");
        Assert.True(r.ExitCode == ExitCodes.Success, r.ToString());
        Assert.Contains("Training SGD on 60000 fashion-mnist samples", r.Out);
        AssertOneLine(CliHarness.Run("train", "--variant", "SGD", "--train-limit", "-1"), ExitCodes.Usage, "--train-limit must be at least 0");
    }

    [Fact]
    public void StudyStatusOfAProgressFileOfAnotherShapeIsOneLine()
    {
        using var dir = new ScratchDir();
        File.WriteAllText(dir["progress.json"], "{}");
        AssertOneLine(CliHarness.Run("study", "--status", "--out", dir.Path), ExitCodes.Failure, "is not a study progress file");
        File.WriteAllText(dir["progress.json"], "{ not json");
        AssertOneLine(CliHarness.Run("study", "--status", "--out", dir.Path), ExitCodes.Failure, "progress.json");
    }

    [Fact]
    public void UsageAndParseErrorsSpeakTheUsersLanguage()
    {
        var help = CliHarness.Run("--help");
        Assert.Contains("noisesam [command] [options]", help.Out);
        Assert.DoesNotContain("NoiseSam.Cli", help.Out);
        Assert.Contains("noisesam compare [options]", CliHarness.Run("compare", "--help").Out);

        AssertOneLine(CliHarness.Run("train", "--variant", "SGD", "--train-limit", "abc"), ExitCodes.Usage, "--train-limit: 'abc' is not a whole number");
        AssertOneLine(CliHarness.Run("compare", "--epochs", "x"), ExitCodes.Usage, "--epochs: 'x' is not a whole number");
        AssertOneLine(CliHarness.Run("sharpness", "--model-file", "m", "--span", "wide"), ExitCodes.Usage, "--span: 'wide' is not a number");
        Assert.DoesNotContain("System.", CliHarness.Run("train", "--variant", "SGD", "--max-steps", "many").Error);
    }
}
