using NoiseSam.Cli;
using NoiseSam.Harness.Study;

namespace NoiseSam.Harness.Tests.Cli;

/// <summary><c>study --plan</c>, <c>--shard</c> and <c>tune --shard</c> on the command line.</summary>
[Collection(TorchCollection.Name)]
public sealed class StudyScaleOutTests
{
    private const string TinyPlan = """
        {
          // 2 sweep points and the base optimizer alone × 2 seeds, 1 epoch of a few hundred samples
          "fractions": [1, 0.5], "sigmas": [0], "baselines": [], "seeds": [0, 1],
          "epochs": 1, "batchSize": 64, "threads": 2,
          "probeSamples": 32, "eigenIterations": 3, "landscapePoints": 3,
          "data": { "trainLimit": 160, "testLimit": 64, "valFraction": 0.2, "labelNoise": 0.4 }
        }
        """;

    [Fact]
    public void ShardsOfAPlanThenTheReportGiveTheTablesOfAOneProcessStudy()
    {
        using var dir = new ScratchDir();
        File.WriteAllText(dir["plan.json"], TinyPlan);
        var s1 = CliHarness.Run("study", "--plan", dir["plan.json"], "--out", dir["sharded"], "--shard", "1/2");
        Assert.True(s1.ExitCode == 0, s1.ToString());
        Assert.Contains("Shard 1/2 done: 6 of 6 runs finished", s1.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir["sharded"], "study.md")));        // the report is the last job's
        Assert.True(File.Exists(Path.Combine(dir["sharded"], "runs", "study-f1", "seed-1", StudyStore.SharpnessFile))); // measured right after training
        var s0 = CliHarness.Run("study", "--plan", dir["plan.json"], "--out", dir["sharded"], "--shard", "0/2");
        Assert.True(s0.ExitCode == 0, s0.ToString());
        Assert.DoesNotContain(": validation ", s0.Out, StringComparison.Ordinal); // everything was finished: nothing trained twice

        var report = CliHarness.Run("study", "--plan", dir["plan.json"], "--out", dir["sharded"], "--phases", "train,sharpness,landscapes");
        Assert.True(report.ExitCode == 0, report.ToString());
        var single = CliHarness.Run("study", "--plan", dir["plan.json"], "--out", dir["single"], "--phases", "train,sharpness,landscapes");
        Assert.True(single.ExitCode == 0, single.ToString());
        Assert.Equal(Tables(Path.Combine(dir["single"], "study.md")), Tables(Path.Combine(dir["sharded"], "study.md")));
        Assert.Contains("| 0.5 | 0 | – |", File.ReadAllText(Path.Combine(dir["single"], "study.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void AFlagOverridesThePlan()
    {
        using var dir = new ScratchDir();
        File.WriteAllText(dir["plan.json"], TinyPlan);
        var r = CliHarness.Run("study", "--plan", dir["plan.json"], "--out", dir["out"], "--seeds", "1", "--fractions", "1", "--phases", "train");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("2 configurations × 1 seed(s) = 2 runs of 1 epoch(s) on 128 fashion-mnist samples", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void ThePlansVariantsRunAsBaselines()
    {
        using var dir = new ScratchDir();
        File.WriteAllText(dir["plan.json"], TinyPlan.Replace("\"baselines\": []", "\"baselines\": [], \"variants\": [{ \"name\": \"plan-mbs-0.25\", \"microBatch\": { \"fraction\": 0.25 } }]", StringComparison.Ordinal));
        var r = CliHarness.Run("study", "--plan", dir["plan.json"], "--out", dir["out"], "--seeds", "1", "--fractions", "1", "--phases", "train");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("3 configurations × 1 seed(s)", r.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir["out"], "runs", "plan-mbs-0.25", "seed-0", StudyStore.TrainFile)));
    }

    [Theory]
    [InlineData("""{ "epoch": 3 }""", "$.epoch: The JSON property 'epoch' could not be mapped")]
    [InlineData("""{ "epochs": "many" }""", "$.epochs:")]
    [InlineData("""{ "epochs": 0 }""", "--epochs must be at least 1")]
    [InlineData("""{ "fractions": [2] }""", "micro-batch fractions must be in (0, 1]")]
    [InlineData("""{ "variants": [{ "name": "plan-bad", "rho": 0 }] }""", "$.variants[0].rho: NSAM003")]
    public void ABadPlanNamesWhatIsWrongAndExitsTwo(string plan, string fragment)
    {
        using var dir = new ScratchDir();
        File.WriteAllText(dir["plan.json"], plan);
        var r = CliHarness.Run("study", "--plan", dir["plan.json"], "--out", dir["out"]);
        Assert.True(r.ExitCode == ExitCodes.Usage, r.ToString());
        Assert.Contains(fragment, r.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir["out"], StudyStore.ProgressFile)));
    }

    [Theory]
    [InlineData("study", "--shard", "2/2", "outside 0..1")]
    [InlineData("study", "--shard", "x", "not a shard")]
    [InlineData("study", "--phases", "train,timing", "--phases timing needs every run")]
    [InlineData("study", "--report-only", null, "--report-only needs every run")]
    [InlineData("study", "--claim-timeout", "0", "--claim-timeout must be")]
    [InlineData("tune", "--shard", "3/2", "outside 0..1")]
    [InlineData("tune", "--report-only", null, "--report-only needs every run")]
    public void ShardOptionsAreChecked(string command, string option, string? value, string fragment)
    {
        using var dir = new ScratchDir();
        string[] args = value is null ? [command, "--out", dir["out"], option] : [command, "--out", dir["out"], option, value];
        if (option != "--shard") args = [.. args, "--shard", "0/2"];
        var r = CliHarness.Run(args);
        Assert.True(r.ExitCode == ExitCodes.Usage, r.ToString());
        Assert.Contains(fragment, r.Error, StringComparison.Ordinal);
    }

    private static List<string> Tables(string markdown) => File.ReadLines(markdown).Where(l => l.StartsWith('|')).ToList();
}
