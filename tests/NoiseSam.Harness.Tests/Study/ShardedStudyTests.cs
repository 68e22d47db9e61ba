using System.Text.Json;
using System.Text.Json.Nodes;
using NoiseSam.Cli.Variants;
using NoiseSam.Harness.Data;
using NoiseSam.Harness.Study;
using NoiseSam.Harness.Tests.Cli;

namespace NoiseSam.Harness.Tests.Study;

/// <summary>Shards and claims in the runner: who trains what, and that a sharded study is the one-process study.</summary>
[Collection(TorchCollection.Name)]
public sealed class ShardedStudyTests
{
    static ShardedStudyTests() => PaperVariants.EnsureRegistered();

    // The study of StudyRunnerTests. Runs in plan order: study-f1/0, study-f0.5/0, study-base/0, SGD/0; shard 0 of 2 owns the first and the last, shard 1 the two between (snake order).
    private static DataSplit Tiny() => StudyRunnerTests.Tiny();

    private static StudyOptions Small() => StudyRunnerTests.Small();

    private static (StudyCallbacks Callbacks, List<string> Trained) Counting() => StudyRunnerTests.Counting();

    [Fact]
    public void AShardTrainsItsRunsThenStealsUnclaimedOnesAndLeavesRunsHeldByLiveProcesses()
    {
        using var data = Tiny();
        using var dir = new ScratchDir();
        var store = new StudyStore(dir.Path);
        // Shard 1 (on another machine) is training SGD/0 right now.
        string held = Path.Combine(store.RunDirectory("SGD", 0), "claim-0.json");
        Directory.CreateDirectory(Path.GetDirectoryName(held)!);
        File.WriteAllText(held, """{ "host": "node-2", "pid": 77, "processStart": "2026-01-01T00:00:00Z", "claimed": "2026-01-01T00:00:00Z", "shard": "1/2" }""");

        var (callbacks, trained) = Counting();
        var messages = new List<string>();
        var runner = new StudyRunner(Small(), data, dir.Path, new StudyCallbacks { Training = callbacks.Training, Message = messages.Add })
        {
            Shard = new StudyShard(0, 2),
        };
        Assert.True(runner.TrainAll());
        Assert.Equal(["study-f1/0", "study-base/0", "study-f0.5/0"], trained);
        Assert.Contains(messages, m => m.Contains("left to them", StringComparison.Ordinal) && m.Contains("SGD seed 0 (pid 77 on node-2 (shard 1/2)", StringComparison.Ordinal));
        Assert.True(File.Exists(held));
        Assert.Empty(Directory.GetFiles(store.RunDirectory("study-f1", 0), "claim-*"));
        Assert.Null(store.LoadRun("SGD", 0, runner.Fingerprint(runner.Configs[3])));

        // node-2 died: once its claim is older than the timeout, the next process takes SGD/0 over.
        File.SetLastWriteTimeUtc(held, DateTime.UtcNow - TimeSpan.FromMinutes(5));
        var (again, trainedAgain) = Counting();
        Assert.True(new StudyRunner(Small(), data, dir.Path, again) { ClaimTimeout = TimeSpan.FromMinutes(1) }.TrainAll());
        Assert.Equal(["SGD/0"], trainedAgain);
        Assert.Empty(Directory.GetFiles(store.RunDirectory("SGD", 0), "claim-*"));
    }

    [Fact]
    public void TwoShardsLeaveTheSameRunsAsOneProcess()
    {
        using var data = Tiny();
        using var single = new ScratchDir();
        using var sharded = new ScratchDir();
        var options = Small() with { MeasureEachRun = true, ProbeSamples = 32, EigenIterations = 3 };
        Assert.True(new StudyRunner(options, data, single.Path).TrainAll());

        var (first, trainedFirst) = Counting();
        Assert.True(new StudyRunner(options, data, sharded.Path, first) { Shard = new StudyShard(1, 2) }.TrainAll());
        var (second, trainedSecond) = Counting();
        Assert.True(new StudyRunner(options, data, sharded.Path, second) { Shard = new StudyShard(0, 2) }.TrainAll());
        // Shard 1 ran first and took every run (its own, then the unclaimed rest): shard 0 found all finished.
        Assert.Equal(["study-f0.5/0", "study-base/0", "SGD/0", "study-f1/0"], trainedFirst);
        Assert.Empty(trainedSecond);

        var files = Files(single.Path);
        Assert.Equal(files, Files(sharded.Path));
        foreach (string f in files)
        {
            string a = Path.Combine(single.Path, f), b = Path.Combine(sharded.Path, f);
            if (f.EndsWith(".json", StringComparison.Ordinal)) Assert.Equal(Untimed(a), Untimed(b));
            else Assert.True(File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b)), $"{f} differs");
        }
        Assert.Contains(Path.Combine("runs", "SGD", "seed-0", "sharpness.json"), files);
    }

    private static List<string> Files(string root) =>
        Directory.EnumerateFiles(Path.Combine(root, "runs"), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal).ToList();

    /// <summary>A run file without what differs between any two runs: wall times, load and CPU share.</summary>
    private static string Untimed(string path)
    {
        var node = JsonNode.Parse(File.ReadAllText(path))!;
        Strip(node);
        return node.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

        static void Strip(JsonNode? n)
        {
            if (n is JsonObject o)
            {
                foreach (string key in new[] { "TrainSeconds", "EvalSeconds", "ElapsedSeconds", "SecondsPerEpoch", "MaxLoadAverage", "CpuUtilization", "Contended", "Seconds" })
                    o.Remove(key);
                foreach (var (_, child) in o) Strip(child);
            }
            else if (n is JsonArray a)
                foreach (var child in a) Strip(child);
        }
    }
}
