using NoiseSam.Cli.Variants;
using NoiseSam.Dsl;
using NoiseSam.Harness.Data;
using NoiseSam.Harness.Study;
using NoiseSam.Harness.Tests.Cli;
using NoiseSam.Harness.Training;
using NoiseSam.Harness.Tuning;

namespace NoiseSam.Harness.Tests.Training;

/// <summary>A registered variant that diverges: plain SGD at learning rate 10⁶ (after its first step every loss is non-finite).</summary>
public static class DivergingVariant
{
    public const string Name = "Test-Diverging-SGD";

    public static string EnsureRegistered()
    {
        PaperVariants.EnsureRegistered();
        if (!SamVariantRegistry.TryGet(Name, out _))
            SamVariantRegistry.Register(new SamVariantDescriptor(Name)
            {
                Schedule = new ScheduleSpec(SchedulePolicy.Never),
                BaseOptimizer = new BaseOptimizerSpec(OptimizerKind.Sgd) { LearningRate = 1e6 },
            });
        return Name;
    }
}

/// <summary>
/// A run whose steps are skipped (non-finite loss or gradient) is stopped as diverged once an
/// epoch's skipped steps reach <see cref="TrainingOptions.DivergenceShare"/>; study and tune record
/// it and go on.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class DivergenceTests
{
    static DivergenceTests() => DivergingVariant.EnsureRegistered();

    // 256 samples in batches of 64: 4 steps per epoch.
    private static DataSplit Tiny() => DataSets.Load(DataSets.FashionMnist, limitTrain: 256, limitTest: 64);

    private static TrainingOptions Options(double? share) => new()
    {
        Variant = "SGD", LearningRate = 1e6, Epochs = 4, BatchSize = 64, Threads = 2, DivergenceShare = share,
    };

    [Fact]
    public void ARunStopsOnceEveryStepOfAnEpochWasSkippedAndSaysSo()
    {
        using var data = Tiny();
        var messages = new List<string>();
        var epochs = new List<EpochRecord>();
        var progress = new List<TrainingProgress>();
        var run = Trainer.Run(Options(TrainingOptions.DefaultDivergenceShare), data,
            new TrainingCallbacks { Message = messages.Add, EpochCompleted = epochs.Add, Progress = progress.Add });

        Assert.True(run.Diverged);
        Assert.False(run.Completed);
        Assert.True(run.Records.Count < 4, "the run went on after an epoch of skipped steps");
        var last = run.Records[^1];
        Assert.Equal(4, last.Steps);
        Assert.Equal(4, last.SkippedSteps);
        Assert.True(double.IsNaN(last.TestAccuracy) && double.IsNaN(last.TrainLoss));
        Assert.All(run.Records.SkipLast(1), r => Assert.True(r.SkippedSteps < r.Steps));
        Assert.Equal(run.Records.Count - 1, epochs.Count);   // the diverged epoch is recorded, not reported as finished
        Assert.Equal(run.Records.Sum(r => r.SkippedSteps), run.SkippedSteps);
        Assert.Equal(4, progress[^1].SkippedInEpoch);
        var note = Assert.Single(messages, m => m.Contains("diverged", StringComparison.Ordinal));
        Assert.Contains($"SGD seed 0 diverged in epoch {last.Epoch}: 4 of its 4 step(s) so far were skipped", note);
    }

    [Fact]
    public void ALowerShareStopsWithinTheEpochAndOffRunsEveryEpoch()
    {
        using var data = Tiny();
        // ⌈0.25 × 4⌉ = 1: the first skipped step ends the run.
        var early = Trainer.Run(Options(0.25), data);
        Assert.True(early.Diverged);
        Assert.Equal(1, early.Records[^1].SkippedSteps);
        Assert.Equal(early.Records.Take(early.Records.Count - 1).Sum(r => r.Steps) + early.Records[^1].Steps, early.Steps);

        // Off: every epoch runs; the run is still judged by its final test loss (here not finite).
        var off = Trainer.Run(Options(null), data);
        Assert.True(off.Completed);
        Assert.False(double.IsFinite(off.Records[^1].TestLoss));
        Assert.True(off.Diverged);
        Assert.Equal(4, off.Records.Count);
        Assert.True(off.Records[^1].SkippedSteps == 4, "every step of the last epoch is counted as skipped");

        Assert.Throws<ArgumentException>(() => Options(0).Validate());
        Assert.Throws<ArgumentException>(() => Options(1.5).Validate());
    }

    [Fact]
    public void AStudyRecordsADivergedRunAndGoesOn()
    {
        using var data = Tiny();
        using var dir = new ScratchDir();
        var options = new StudyOptions
        {
            Fractions = [1], Sigmas = [0], Baselines = [DivergingVariant.Name, "SGD"], Seeds = [0], Epochs = 2, BatchSize = 64, Threads = 2, TimingRounds = 1,
        };
        var runner = new StudyRunner(options, data, dir.Path);

        Assert.True(runner.Run(phases: ["train", "sharpness"]));

        var runs = runner.FinishedRuns();
        Assert.Equal(4, runs.Count);   // SAM, the base optimizer alone and the two baselines
        var diverged = Assert.Single(runs, r => r.Run.Diverged);
        Assert.Equal(DivergingVariant.Name, diverged.Run.Variant);
        Assert.False(File.Exists(runner.Store.ModelPath(diverged.ConfigId, 0)));
        Assert.Null(runner.Store.LoadSharpness(diverged.ConfigId, 0));   // nothing to measure
        Assert.Equal(3, runner.MeasuredSharpness().Count);
        var summary = runner.Summarise().Single(s => s.Config.Id == diverged.ConfigId);
        Assert.Equal(0, summary.Accuracy.N);   // no accuracy averaged in
    }

    [Fact]
    public void TuningNeverChoosesASettingThatDivergedWithSomeSeed()
    {
        var configs = TuningPlan.Candidates(new SamVariantDescriptor("SAM"), TuningAxis.Parse("lr=0.05,5"));
        string calm = configs[0].Id, wild = configs[1].Id;
        StudyRunRecord Run(string id, long seed, double validation, bool diverged = false) => new(id, seed, "fp", new RunResult
        {
            Variant = id, Declaration = "", Model = "m", Data = "d", Seed = seed, Epochs = 1, BatchSize = 1, Threads = 1, TrainSamples = 1,
            TestSamples = 1, TotalSteps = 1, IdealRatio = 1, Steps = 1, Completed = !diverged, Diverged = diverged, ValidationSamples = 10,
            Records = [new EpochRecord(1, 1, 1, diverged ? double.NaN : 0.5, 1, 1, 1, 1, 0, double.NaN, diverged ? 1 : 0, 0.1, 1, validation)],
        });
        var runs = new[] { Run(calm, 0, 0.70), Run(calm, 1, 0.72), Run(wild, 0, 0.90), Run(wild, 1, double.NaN, diverged: true) };

        var result = TuningResult.Compute(configs, runs, seedsPerCandidate: 2).Single();

        Assert.Equal(calm, result.Candidates.Single(c => c.Chosen).Id);
    }
}
