using NoiseSam.Cli.Variants;
using NoiseSam.Harness.Data;
using NoiseSam.Harness.Models;
using NoiseSam.Harness.Training;

namespace NoiseSam.Harness.Tests.Training;

[Collection(TorchCollection.Name)]
public sealed class TrainerTests
{
    static TrainerTests() => PaperVariants.EnsureRegistered();

    private static DataSplit Tiny() => DataSets.Load(DataSets.FashionMnist, limitTrain: 256, limitTest: 200);

    [Fact]
    public void RecordsEveryEpochAndReportsProgress()
    {
        using var data = Tiny();
        var progress = new List<TrainingProgress>();
        var steps = new List<(long Step, SamStepResult Result, double Lr)>();
        var epochs = new List<EpochRecord>();
        var run = Trainer.Run(new TrainingOptions { Variant = "MBS", Epochs = 2, BatchSize = 64, Threads = 2, Seed = 3 }, data,
            new TrainingCallbacks
            {
                Progress = progress.Add,
                StepCompleted = (s, r, lr) => steps.Add((s, r, lr)),
                EpochCompleted = epochs.Add,
            });

        Assert.True(run.Completed);
        Assert.Equal(8, run.Steps);
        Assert.Equal(8, run.TotalSteps);
        Assert.Equal(2, run.Records.Count);
        Assert.Equal(run.Records, epochs);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i), steps.Select(s => s.Step));
        Assert.All(steps, s => Assert.True(s.Result.Perturbed && s.Result.AscentSamples == 16));
        // Warm-up then cosine decay from the declared peak learning rate.
        double peak = PaperVariants.Descriptors.Single(d => d.Name == "MBS").EffectiveBaseOptimizer.EffectiveLearningRate;
        Assert.True(steps[0].Lr <= peak && steps[^1].Lr < steps[1].Lr);
        Assert.Equal(peak, steps.Max(s => s.Lr), 12);
        foreach (var r in run.Records)
        {
            Assert.Equal(4, r.Steps);
            Assert.Equal(4, r.SamSteps);
            Assert.Equal(1.0, r.SamStepShare);
            Assert.Equal(0.25, r.MeanAscentFraction, 12);
            Assert.Equal(0, r.SkippedSteps);
            Assert.InRange(r.TestAccuracy, 0, 1);
            Assert.True(double.IsFinite(r.TestLoss) && double.IsFinite(r.TrainLoss));
        }
        Assert.Equal(run.Records[0].TrainSeconds + run.Records[1].TrainSeconds, run.Records[1].ElapsedSeconds, 9);
        Assert.Contains(progress, p => p.Evaluating);
        Assert.Equal(8, progress.Where(p => !p.Evaluating).Select(p => p.Step).Max());
        Assert.Equal(1.25, run.IdealRatio, 12);
        Assert.Equal(256, run.TrainSamples);
    }

    [Fact]
    public void SwitchingVariantRecordsItsSamShare()
    {
        using var data = Tiny();
        var run = Trainer.Run(new TrainingOptions { Variant = "LookSAM-5", Epochs = 3, BatchSize = 32, Threads = 2 }, data);
        // 8 steps per epoch, SAM on steps 0, 5, 10, 15, 20 of 24.
        Assert.Equal(5, run.Records.Sum(r => r.SamSteps));
        Assert.Equal(5.0 / 24, run.SamStepShare, 12);
        Assert.Equal(1.0, run.MeanAscentFraction, 12);
    }

    [Fact]
    public void NonFiniteStepsAreCountedAndTrainingContinues()
    {
        using var data = Tiny();
        // With the divergence stop off (DivergenceTests cover it): every epoch runs, every skipped step counted.
        var run = Trainer.Run(new TrainingOptions { Variant = "SGD", Epochs = 2, BatchSize = 64, Threads = 2, LearningRate = 1e36, WarmupFraction = 0, DivergenceShare = null }, data);
        Assert.True(run.Completed);
        Assert.Equal(2, run.Records.Count);
        Assert.Equal(8, run.Steps);
        Assert.True(run.SkippedSteps > 0, "a learning rate of 1e36 must produce non-finite steps");
        Assert.Equal(run.SkippedSteps, run.Records.Sum(r => r.SkippedSteps));
    }

    [Fact]
    public void SameSeedGivesTheSameRun()
    {
        using var data = Tiny();
        var options = new TrainingOptions { Variant = "SS-SAM", Epochs = 1, BatchSize = 64, Threads = 2, Seed = 11 };
        var a = Trainer.Run(options, data);
        var b = Trainer.Run(options, data);
        Assert.Equal(a.Records[0].TrainLoss, b.Records[0].TrainLoss);
        Assert.Equal(a.Records[0].TestLoss, b.Records[0].TestLoss);
        Assert.Equal(a.Records[0].SamSteps, b.Records[0].SamSteps);
    }

    [Fact]
    public void EvaluateLeavesTheModelInTrainingMode()
    {
        using var data = Tiny();
        using var model = ModelZoo.Create(ModelZoo.SmallCnnName, 1, 10, 28, 0);
        var (loss, accuracy) = Trainer.Evaluate(model, data.Test, batchSize: 64);
        Assert.True(model.training);
        Assert.InRange(accuracy, 0, 0.35); // untrained
        Assert.InRange(loss, 1.5, 4);
    }

    [Fact]
    public void BadOptionsAreRejected()
    {
        using var data = Tiny();
        Assert.Contains("unknown variant 'nope'", Assert.Throws<ArgumentException>(() => Trainer.Run(new TrainingOptions { Variant = "nope" }, data)).Message);
        Assert.Contains("unknown model", Assert.Throws<ArgumentException>(() => Trainer.Run(new TrainingOptions { Variant = "SGD", Model = "x" }, data)).Message);
        Assert.Contains("epochs", Assert.Throws<ArgumentException>(() => Trainer.Run(new TrainingOptions { Variant = "SGD", Epochs = 0 }, data)).Message);
        Assert.Contains("checkpoint directory", Assert.Throws<ArgumentException>(() => Trainer.Run(new TrainingOptions { Variant = "SGD", Resume = true }, data)).Message);
    }
}
