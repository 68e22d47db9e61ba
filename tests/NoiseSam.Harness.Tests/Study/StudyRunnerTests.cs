using NoiseSam.Cli.Variants;
using NoiseSam.Harness.Data;
using NoiseSam.Harness.Models;
using NoiseSam.Harness.Reports;
using NoiseSam.Harness.Sharpness;
using NoiseSam.Harness.Study;
using NoiseSam.Harness.Tests.Cli;
using NoiseSam.Harness.Training;

namespace NoiseSam.Harness.Tests.Study;

[Collection(TorchCollection.Name)]
public sealed class StudyRunnerTests
{
    static StudyRunnerTests() => PaperVariants.EnsureRegistered();

    internal static DataSplit Tiny() => DataSets.Load(DataSets.FashionMnist, limitTrain: 128, limitTest: 64);

    internal static StudyOptions Small() => new()
    {
        Fractions = [1, 0.5], Sigmas = [0], Baselines = ["SGD"], Seeds = [0], Epochs = 1, BatchSize = 64, Threads = 2, TimingRounds = 1,
    };

    internal static (StudyCallbacks Callbacks, List<string> Trained) Counting()
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
        Assert.Equal(["study-f1/0", "study-f0.5/0", "study-base/0", "SGD/0"], trainedFirst);
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
        Assert.Equal(4, runner.FinishedRuns().Count);
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
        Assert.Equal(["study-f0.5/0", "study-base/0", "SGD/0"], trained);
        var progress = StudyStore.Read<StudyProgress>(new StudyStore(dir.Path).ProgressPath)!;
        Assert.Equal(("train", 4, 4), (progress.Phase, progress.Done, progress.Total));
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

    [Fact]
    public void SharpnessIsMeasuredOnTheSavedModelOnceAndLandscapesAreDrawnForTheKeyConfigurations()
    {
        using var data = Tiny();
        using var dir = new ScratchDir();
        var options = Small() with { Sigmas = [0, 0.5], Scalings = [Dsl.NoiseScaling.GradientNorm], ProbeSamples = 64, EigenIterations = 4, LandscapePoints = 3 };
        var runner = new StudyRunner(options, data, dir.Path);
        Assert.True(runner.Run(phases: ["train", "sharpness", "landscapes"]));

        var store = runner.Store;
        var measured = runner.MeasuredSharpness();
        Assert.Equal(runner.Runs.Count, measured.Count);
        // The figure belongs to the saved weights: recompute it independently from model.bin.
        var sam = measured.Single(m => m.ConfigId == "study-f1");
        using (var model = ModelZoo.Create("small-cnn", 1, 10, 28, 0))
        using (var probe = LossProbe.FromDataset(data.Train, 64, 256, TorchSharp.torch.CPU))
        {
            model.load(store.ModelPath("study-f1", 0));
            var eigen = HessianEigen.Lanczos(model, probe, new LanczosOptions { MaxIterations = 4, Tolerance = options.EigenTolerance, Seed = 0 });
            Assert.Equal(eigen.Eigenvalue, sam.TopEigenvalue, 9);
            // eigen.json records how: Lanczos (the default), its settings and its convergence figures.
            var record = runner.LoadEigen("study-f1", 0)!;
            Assert.Equal(EigenMethod.Lanczos, record.Method);
            Assert.Equal((4, options.EigenTolerance), (record.MaxIterations, record.Tolerance));
            Assert.Equal(eigen.History, record.History);
            Assert.Equal(eigen.RelativeResidual, record.RelativeResidual);
            Assert.Equal(eigen.Converged, sam.EigenConverged);
            Assert.Equal(eigen.Smallest, record.Smallest);
            Assert.Equal(probe.Loss(model), sam.ProbeLoss, 12);
        }
        Assert.All(measured, m => Assert.True(double.IsFinite(m.TopEigenvalue) && double.IsFinite(m.MSharpness)));

        // The base optimizer alone, SAM, MBS at the smallest f, and the best noisy run at that f.
        Assert.Equal(["study-base", "study-f1", "study-f0.5", "study-f0.5-s0.5-gnorm"], runner.LandscapeConfigs().Select(c => c.Id));
        foreach (var c in runner.LandscapeConfigs())
        {
            Assert.Equal(6, File.ReadAllLines(Path.Combine(store.LandscapeDirectory, $"{c.Id}.line.csv")).Length);   // header + 5 points
            Assert.Equal(10, File.ReadAllLines(Path.Combine(store.LandscapeDirectory, $"{c.Id}.surface.csv")).Length); // header + 3 × 3
        }
        Assert.True(File.Exists(Path.Combine(store.LandscapeDirectory, "landscape_1d.png")));

        string samFile = Path.Combine(store.RunDirectory("study-f1", 0), StudyStore.SharpnessFile);
        var stamp = File.GetLastWriteTimeUtc(samFile);
        var surfaceStamp = File.GetLastWriteTimeUtc(Path.Combine(store.LandscapeDirectory, "study-base.surface.csv"));
        Assert.True(runner.Run(phases: ["sharpness", "landscapes"]));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(samFile));
        Assert.Equal(surfaceStamp, File.GetLastWriteTimeUtc(Path.Combine(store.LandscapeDirectory, "study-base.surface.csv")));

        // Every 2-D plot shares one colour scale, computed over all the surface CSVs and recomputed from
        // them when they change: here the base optimizer's surface rises tenfold and the shared scale follows.
        var surfaces = runner.LandscapeConfigs().Select(c => LossLandscape.ReadCsv(Path.Combine(store.LandscapeDirectory, $"{c.Id}.surface.csv"))).ToList();
        var scale = StudyStore.Read<SurfaceScale>(Path.Combine(store.LandscapeDirectory, StudyRunner.SurfaceScaleFile))!;
        var expected = SurfaceScale.Over(surfaces);
        Assert.Equal((expected.Min, expected.Max), (scale.Min, scale.Max));
        Assert.Equal(expected.ContourLevels, scale.ContourLevels);
        var baseSurface = surfaces[0];
        var steeper = baseSurface with { Loss = (double[,])baseSurface.Loss.Clone() };
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) steeper.Loss[i, j] *= 10;
        LossLandscape.WriteCsv(steeper, Path.Combine(store.LandscapeDirectory, "study-base.surface.csv"));
        File.WriteAllText(Path.Combine(store.LandscapeDirectory, "landscape_2d_gone.png"), "a plot of a configuration no longer drawn");
        Assert.True(runner.Run(phases: ["landscapes"]));
        var rescaled = StudyStore.Read<SurfaceScale>(Path.Combine(store.LandscapeDirectory, StudyRunner.SurfaceScaleFile))!;
        var expectedAfter = SurfaceScale.Over([steeper, .. surfaces.Skip(1)]);
        Assert.Equal((expectedAfter.Min, expectedAfter.Max), (rescaled.Min, rescaled.Max));
        Assert.True(rescaled.Max > scale.Max, $"{rescaled.Max} vs {scale.Max}");
        Assert.False(File.Exists(Path.Combine(store.LandscapeDirectory, "landscape_2d_gone.png")));
        Assert.Equal(runner.LandscapeConfigs().Select(c => $"landscape_2d_{c.Id}.png").Order(StringComparer.Ordinal),
            Directory.GetFiles(store.LandscapeDirectory, "landscape_2d_*.png").Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // A λ_max measured otherwise than the options say (here: no eigen.json, as before Lanczos) is measured again.
        File.Delete(runner.EigenPath("study-f1", 0));
        Assert.True(runner.Run(phases: ["sharpness"]));
        Assert.NotNull(runner.LoadEigen("study-f1", 0));
        var powerRunner = new StudyRunner(options with { EigenMethod = EigenMethod.Power }, data, dir.Path);
        Assert.True(powerRunner.Run(phases: ["sharpness"]));
        Assert.Equal(EigenMethod.Power, powerRunner.LoadEigen("SGD", 0)!.Method);
        Assert.Equal(powerRunner.LoadEigen("SGD", 0)!.Eigenvalue, store.LoadSharpness("SGD", 0)!.TopEigenvalue);
    }
}
