using NoiseSam.Cli.Variants;
using NoiseSam.Harness.Data;
using NoiseSam.Harness.Study;
using NoiseSam.Harness.Tests.Cli;
using NoiseSam.Harness.Training;

namespace NoiseSam.Harness.Tests.Study;

[Collection(TorchCollection.Name)]
public sealed class StudyRunnerTests
{
    static StudyRunnerTests() => PaperVariants.EnsureRegistered();

    private static DataSplit Tiny() => DataSets.Load(DataSets.FashionMnist, limitTrain: 128, limitTest: 64);

    private static StudyOptions Small() => new()
    {
        Fractions = [1, 0.5], Sigmas = [0], Baselines = ["SGD"], Seeds = [0], Epochs = 1, BatchSize = 64, Threads = 2, TimingRounds = 1,
    };

    private static (StudyCallbacks Callbacks, List<string> Trained) Counting()
    {
        var trained = new List<string>();
        return (new StudyCallbacks
        {
            Training = (config, seed) =>
            {
                trained.Add($"{config.Id}/{seed}");
                return new TrainingCallbacks();
            },
        }, trained);
    }

    [Fact]
    public void AFinishedRunIsNeverRecomputedAndAMissingOneIsTrainedAgain()
    {
        using var data = Tiny();
        using var dir = new ScratchDir();
        var (first, trainedFirst) = Counting();
        Assert.True(new StudyRunner(Small(), data, dir.Path, first).TrainAll());
        Assert.Equal(["study-f1/0", "study-f0.5/0", "SGD/0"], trainedFirst);
        var store = new StudyStore(dir.Path);
        string samRecord = Path.Combine(store.RunDirectory("study-f1", 0), StudyStore.TrainFile);
        var written = File.GetLastWriteTimeUtc(samRecord);
        string before = File.ReadAllText(samRecord);
        Assert.True(File.Exists(store.ModelPath("study-f1", 0)));
        Assert.False(Directory.Exists(store.CheckpointDirectory("study-f1", 0)));

        File.Delete(Path.Combine(store.RunDirectory("study-f0.5", 0), StudyStore.TrainFile));
        var (second, trainedSecond) = Counting();
        var runner = new StudyRunner(Small(), data, dir.Path, second);
        Assert.True(runner.TrainAll());
        Assert.Equal(["study-f0.5/0"], trainedSecond);
        Assert.Equal(before, File.ReadAllText(samRecord));
        Assert.Equal(written, File.GetLastWriteTimeUtc(samRecord));
        Assert.Equal(3, runner.FinishedRuns().Count);
    }

    [Fact]
    public void ARunMadeWithOtherSettingsIsRefusedNotMixedIn()
    {
        using var data = Tiny();
        using var dir = new ScratchDir();
        Assert.True(new StudyRunner(Small() with { Fractions = [1], Baselines = [] }, data, dir.Path).TrainAll());
        var e = Assert.Throws<InvalidDataException>(() => new StudyRunner(Small() with { Fractions = [1], Baselines = [], Epochs = 2 }, data, dir.Path).TrainAll());
        Assert.Contains("study-f1", e.Message, StringComparison.Ordinal);
        Assert.Contains("other settings", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CancellingKeepsTheFinishedRunsAndTheSameCallContinues()
    {
        using var data = Tiny();
        using var dir = new ScratchDir();
        using var cancel = new CancellationTokenSource();
        var callbacks = new StudyCallbacks
        {
            Training = (config, _) => new TrainingCallbacks
            {
                EpochCompleted = _ => { if (config.Id == "study-f1") cancel.Cancel(); },
            },
        };
        Assert.False(new StudyRunner(Small(), data, dir.Path, callbacks).TrainAll(cancel.Token));
        var (again, trained) = Counting();
        Assert.True(new StudyRunner(Small(), data, dir.Path, again).TrainAll());
        Assert.Equal(["study-f0.5/0", "SGD/0"], trained);
        var progress = StudyStore.Read<StudyProgress>(new StudyStore(dir.Path).ProgressPath)!;
        Assert.Equal(("train", 3, 3), (progress.Phase, progress.Done, progress.Total));
    }

    [Fact]
    public void ACorruptResultFileIsNamedInTheError()
    {
        using var dir = new ScratchDir();
        string path = dir["train.json"];
        File.WriteAllText(path, "{ not json");
        var e = Assert.Throws<InvalidDataException>(() => StudyStore.Read<StudyRunRecord>(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Null(StudyStore.Read<StudyRunRecord>(dir["missing.json"]));
    }
}
