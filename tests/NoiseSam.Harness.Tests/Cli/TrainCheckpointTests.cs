using System.Security.Cryptography;
using NoiseSam.Cli;
using NoiseSam.Harness.Checkpoints;

namespace NoiseSam.Harness.Tests.Cli;

/// <summary>`noisesam train`: kill-style interruption and resume, corrupt and mismatched checkpoints, TensorBoard.</summary>
[Collection(TorchCollection.Name)]
public sealed class TrainCheckpointTests
{
    private static CliHarness.Result Train(string variant, int epochs, params string[] extra) =>
        CliHarness.Run(["train", "--variant", variant, "--epochs", epochs.ToString(), .. CliHarness.Tiny(), .. extra]);

    // 256 samples, batch 64: 4 steps per epoch.
    [Theory]
    [InlineData("SAM", 6)]
    [InlineData("NI-MBS", 6)]
    [InlineData("AE-SAM", 7)]
    [InlineData("LookSAM-5", 6)]
    [InlineData("SS-SAM", 5)]
    [InlineData("ESAM", 6)]
    [InlineData("K-SAM", 4)]
    public void InterruptedAndResumedRunEndsWithIdenticalWeights(string variant, int killAfter)
    {
        using var dir = new ScratchDir();
        var straight = Train(variant, 3, "--checkpoint-dir", dir["a"], "--save-model", dir["a.bin"]);
        Assert.True(straight.ExitCode == ExitCodes.Success, straight.ToString());

        // Killed after 4–7 steps: epoch 1 is checkpointed (also when the limit falls on its last
        // step), the unfinished part of epoch 2 is lost.
        var stopped = Train(variant, 3, "--checkpoint-dir", dir["b"], "--max-steps", killAfter.ToString(), "--save-model", dir["b.bin"]);
        Assert.True(stopped.ExitCode == ExitCodes.Success, stopped.ToString());
        Assert.Contains($"stopped after {killAfter} steps", stopped.Error);
        Assert.False(File.Exists(dir["b.bin"]), "an interrupted run must not write the final model");
        Assert.True(File.Exists(Path.Combine(dir["b"], CheckpointStore.LastName)));
        Assert.False(File.Exists(Path.Combine(dir["b"], CheckpointStore.PreviousName)));

        var resumed = Train(variant, 3, "--checkpoint-dir", dir["b"], "--resume", "--save-model", dir["b.bin"]);
        Assert.True(resumed.ExitCode == ExitCodes.Success, resumed.ToString());
        Assert.Contains("resuming", resumed.Error);
        Assert.Contains("epoch 1 of 3", resumed.Error);

        byte[] a = File.ReadAllBytes(dir["a.bin"]), b = File.ReadAllBytes(dir["b.bin"]);
        Assert.True(a.Length > 1000);
        Assert.True(a.AsSpan().SequenceEqual(b), $"{variant}: the resumed run's weights differ from the uninterrupted run's");
    }

    [Fact]
    public void CorruptLastCheckpointIsRefusedAndThePreviousOneIsUsedAndKept()
    {
        using var dir = new ScratchDir();
        var straight = Train("NI-MBS", 2, "--save-model", dir["a.bin"]);
        Assert.True(straight.ExitCode == ExitCodes.Success, straight.ToString());

        var first = Train("NI-MBS", 2, "--checkpoint-dir", dir["c"]);
        Assert.True(first.ExitCode == ExitCodes.Success, first.ToString());
        string last = Path.Combine(dir["c"], CheckpointStore.LastName), previous = Path.Combine(dir["c"], CheckpointStore.PreviousName);
        Assert.True(File.Exists(last) && File.Exists(previous));

        // Flip one byte in the middle of last.ckpt (epoch 2); previous.ckpt holds epoch 1.
        byte[] bytes = File.ReadAllBytes(last);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(last, bytes);
        byte[] previousBefore = File.ReadAllBytes(previous);

        var resumed = Train("NI-MBS", 2, "--checkpoint-dir", dir["c"], "--resume", "--save-model", dir["c.bin"]);
        Assert.True(resumed.ExitCode == ExitCodes.Success, resumed.ToString());
        Assert.Contains("last.ckpt: is corrupt", resumed.Error);
        Assert.Contains("refused", resumed.Error);
        Assert.Contains("epoch 1 of 2", resumed.Error);
        Assert.True(File.ReadAllBytes(dir["a.bin"]).AsSpan().SequenceEqual(File.ReadAllBytes(dir["c.bin"])),
            "resuming from previous.ckpt must reproduce the uninterrupted run");

        // The good previous checkpoint was kept; the corrupt one was set aside, not rotated in.
        Assert.Equal(previousBefore, File.ReadAllBytes(previous));
        Assert.True(File.Exists(last + CheckpointStore.CorruptSuffix));
        Assert.True(CheckpointStore.IsValid(last));
        Assert.Empty(Directory.GetFiles(dir["c"], "*.tmp"));
    }

    [Fact]
    public void NoUsableCheckpointIsAFailureWithAMessage()
    {
        using var dir = new ScratchDir();
        Assert.Equal(ExitCodes.Success, Train("SGD", 2, "--checkpoint-dir", dir.Path).ExitCode);
        foreach (string name in new[] { CheckpointStore.LastName, CheckpointStore.PreviousName })
        {
            string path = Path.Combine(dir.Path, name);
            byte[] bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]); // truncated
        }
        var r = Train("SGD", 2, "--checkpoint-dir", dir.Path, "--resume");
        Assert.True(r.ExitCode == ExitCodes.Failure, r.ToString());
        Assert.Contains("no usable checkpoint", r.Error);
        Assert.Contains("truncated", r.Error);
        Assert.DoesNotContain("   at ", r.Error);
    }

    [Fact]
    public void CheckpointOfAnotherRunIsRefusedAndLeftAlone()
    {
        using var dir = new ScratchDir();
        Assert.Equal(ExitCodes.Success, Train("SAM", 1, "--checkpoint-dir", dir.Path).ExitCode);
        string last = Path.Combine(dir.Path, CheckpointStore.LastName);
        byte[] hash = SHA256.HashData(File.ReadAllBytes(last));

        var otherVariant = Train("SGD", 1, "--checkpoint-dir", dir.Path, "--resume");
        Assert.True(otherVariant.ExitCode == ExitCodes.Usage, otherVariant.ToString());
        Assert.Contains("written by variant 'SAM', not 'SGD'", otherVariant.Error);
        Assert.Single(otherVariant.Error.Trim().Split('\n'));

        var otherEpochs = Train("SAM", 4, "--checkpoint-dir", dir.Path, "--resume");
        Assert.True(otherEpochs.ExitCode == ExitCodes.Usage, otherEpochs.ToString());
        Assert.Contains("pass --epochs 1", otherEpochs.Error);

        var otherSeed = Train("SAM", 1, "--checkpoint-dir", dir.Path, "--resume", "--seed", "5");
        Assert.True(otherSeed.ExitCode == ExitCodes.Usage, otherSeed.ToString());
        Assert.Contains("seed 0, not 5", otherSeed.Error);

        Assert.Equal(hash, SHA256.HashData(File.ReadAllBytes(last)));
    }

    [Fact]
    public void ResumeInAnEmptyDirectoryStartsFresh()
    {
        using var dir = new ScratchDir();
        var r = Train("SGD", 1, "--checkpoint-dir", dir["empty"], "--resume");
        Assert.True(r.ExitCode == ExitCodes.Success, r.ToString());
        Assert.Contains("starting SGD from scratch", r.Error);
        Assert.True(File.Exists(Path.Combine(dir["empty"], CheckpointStore.LastName)));
    }

    [Fact]
    public void TensorBoardEventFilesAreWritten()
    {
        using var dir = new ScratchDir();
        var r = Train("SS-SAM", 1, "--tensorboard", dir["tb"], "--out", dir["report"]);
        Assert.True(r.ExitCode == ExitCodes.Success, r.ToString());
        var events = Directory.GetFiles(dir["tb"], "events.out.tfevents*", SearchOption.AllDirectories);
        Assert.NotEmpty(events);
        Assert.True(events.Sum(f => new FileInfo(f).Length) > 200);
        Assert.True(File.Exists(Path.Combine(dir["report"], "runs.json")));
    }
}
