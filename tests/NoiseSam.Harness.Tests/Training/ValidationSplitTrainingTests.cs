using NoiseSam.Cli.Variants;
using NoiseSam.Harness.Data;
using NoiseSam.Harness.Training;

namespace NoiseSam.Harness.Tests.Training;

[Collection(TorchCollection.Name)]
public sealed class ValidationSplitTrainingTests
{
    static ValidationSplitTrainingTests() => PaperVariants.EnsureRegistered();

    [Fact]
    public void EveryEpochIsJudgedOnValidationAndTheTestSplitOnlyAtTheEnd()
    {
        using var data = DataPreparation.Apply(DataSets.Load(DataSets.FashionMnist, limitTrain: 320, limitTest: 100),
            new DataOptions { ValidationFraction = 0.2, LabelNoise = 0.3, DataSeed = 2 });
        var monitored = new List<double>();
        var run = Trainer.Run(new TrainingOptions { Variant = "SGD", Epochs = 3, BatchSize = 64, Threads = 2 }, data,
            new TrainingCallbacks { Progress = p => { if (p.Evaluating) monitored.Add(p.LastAccuracy); } });

        Assert.Equal(256, run.TrainSamples);
        Assert.Equal(64, run.ValidationSamples);
        Assert.Equal(0.3, run.LabelNoise);
        Assert.Equal(data.FlippedFraction, run.FlippedFraction);
        Assert.All(run.Records, r => Assert.True(double.IsFinite(r.ValidationAccuracy) && double.IsFinite(r.ValidationLoss)));
        Assert.All(run.Records.Take(2), r => Assert.True(double.IsNaN(r.TestAccuracy) && double.IsNaN(r.TestLoss)));
        Assert.True(double.IsFinite(run.Records[^1].TestAccuracy));
        Assert.Equal(run.Records[^1].TestAccuracy, run.FinalAccuracy);
        Assert.Equal(run.Records[^1].TestAccuracy, run.BestAccuracy);
        // Progress during evaluation shows the accuracy of the previous epoch's validation pass.
        Assert.Equal(run.Records.Take(2).Select(r => r.ValidationAccuracy), monitored.Skip(1));
        // Validation accuracy is a multiple of 1/64, computed on exactly those samples.
        Assert.All(run.Records, r => Assert.Equal(0, r.ValidationAccuracy * 64 % 1, 9));
    }

    [Fact]
    public void AResumeOnOtherDataIsRefused()
    {
        using var dir = new Cli.ScratchDir();
        using (var clean = DataSets.Load(DataSets.FashionMnist, limitTrain: 128, limitTest: 50))
            Trainer.Run(new TrainingOptions { Variant = "SGD", Epochs = 2, BatchSize = 64, Threads = 2, CheckpointDirectory = dir.Path }, clean);
        using var noisy = DataPreparation.Apply(DataSets.Load(DataSets.FashionMnist, limitTrain: 128, limitTest: 50), new DataOptions { LabelNoise = 0.2 });
        var e = Assert.Throws<Checkpoints.CheckpointException>(() =>
            Trainer.Run(new TrainingOptions { Variant = "SGD", Epochs = 2, BatchSize = 64, Threads = 2, CheckpointDirectory = dir.Path, Resume = true }, noisy));
        Assert.Contains("label noise 0.2", e.Message);
        using var otherTest = DataSets.Load(DataSets.FashionMnist, limitTrain: 128, limitTest: 60);
        Assert.Throws<Checkpoints.CheckpointException>(() =>
            Trainer.Run(new TrainingOptions { Variant = "SGD", Epochs = 2, BatchSize = 64, Threads = 2, CheckpointDirectory = dir.Path, Resume = true }, otherTest));
    }
}
