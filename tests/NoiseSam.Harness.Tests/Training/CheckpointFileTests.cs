using NoiseSam.Harness.Checkpoints;
using NoiseSam.Harness.Tests.Cli;

namespace NoiseSam.Harness.Tests.Training;

public sealed class CheckpointFileTests
{
    private static readonly CheckpointHeader Header = new("SAM", "rho=0.05, Always, SGD lr=0.05 m=0.9 wd=0.0005", "small-cnn", "fashion-mnist/train", 256, 7, 3, 64);

    private static CheckpointPayload Payload(int epoch) => new()
    {
        EpochsCompleted = epoch,
        Step = epoch * 4L,
        LoaderSeed = 7,
        MetricsJson = $"[{{\"epoch\":{epoch}}}]",
        ModelState = Enumerable.Range(0, 4096).Select(i => (byte)(i * 31 + epoch)).ToArray(),
        StepState = Enumerable.Range(0, 512).Select(i => (byte)(i ^ epoch)).ToArray(),
    };

    private static byte[] Bytes(CheckpointPayload payload)
    {
        using var ms = new MemoryStream();
        CheckpointFile.Write(ms, Header, payload);
        return ms.ToArray();
    }

    [Fact]
    public void RoundTrips()
    {
        var payload = Payload(2);
        var (header, read) = CheckpointFile.Parse("x.ckpt", Bytes(payload));
        Assert.Equal(Header, header);
        Assert.Equal(payload.EpochsCompleted, read.EpochsCompleted);
        Assert.Equal(payload.Step, read.Step);
        Assert.Equal(payload.LoaderSeed, read.LoaderSeed);
        Assert.Equal(payload.MetricsJson, read.MetricsJson);
        Assert.Equal(payload.ModelState, read.ModelState);
        Assert.Equal(payload.StepState, read.StepState);
    }

    [Fact]
    public void AnyFlippedByteIsRefused()
    {
        byte[] good = Bytes(Payload(1));
        // Every byte of the header region and a spread of payload bytes.
        var positions = Enumerable.Range(0, 200).Concat(Enumerable.Range(0, 50).Select(i => 200 + i * (good.Length - 201) / 50));
        foreach (int i in positions)
        {
            byte[] bad = (byte[])good.Clone();
            bad[i] ^= 0x01;
            var e = Assert.Throws<CheckpointException>(() => CheckpointFile.Parse("x.ckpt", bad));
            Assert.False(e.IsMismatch);
            Assert.StartsWith("x.ckpt: ", e.Message);
        }
    }

    [Fact]
    public void TruncatedBadMagicAndOtherVersionsAreRefusedWithTheirReason()
    {
        byte[] good = Bytes(Payload(1));
        Assert.Contains("truncated", Assert.Throws<CheckpointException>(() => CheckpointFile.Parse("x", good[..^1])).Message);
        Assert.Contains("bad magic", Assert.Throws<CheckpointException>(() => CheckpointFile.Parse("x", new byte[100])).Message);
        Assert.Contains("bad magic", Assert.Throws<CheckpointException>(() => CheckpointFile.Parse("x", [])).Message);
        byte[] future = (byte[])good.Clone();
        future[8] = 99;
        Assert.Contains("format version 99", Assert.Throws<CheckpointException>(() => CheckpointFile.Parse("x", future)).Message);
        byte[] longer = [.. good, 0];
        Assert.Contains("truncated or corrupt", Assert.Throws<CheckpointException>(() => CheckpointFile.Parse("x", longer)).Message);
    }

    [Fact]
    public void HeaderMismatchNamesTheDifference()
    {
        Assert.Null(Header.Mismatch(Header));
        Assert.Contains("variant 'SAM', not 'SGD'", Header.Mismatch(Header with { Variant = "SGD" }));
        Assert.Contains("declared as", Header.Mismatch(Header with { Declaration = "rho=0.1" }));
        Assert.Contains("model 'small-cnn', not 'resnet18'", Header.Mismatch(Header with { Model = "resnet18" }));
        Assert.Contains("256 training samples", Header.Mismatch(Header with { TrainSamples = 512 }));
        Assert.Contains("seed 7, not 8", Header.Mismatch(Header with { Seed = 8 }));
        Assert.Contains("pass --epochs 3", Header.Mismatch(Header with { Epochs = 5 }));
        Assert.Contains("batch size 64, not 128", Header.Mismatch(Header with { BatchSize = 128 }));
    }

    [Fact]
    public void StoreRotatesAtomicallyAndKeepsTheGoodPreviousCheckpoint()
    {
        using var dir = new ScratchDir();
        var store = new CheckpointStore(dir.Path);
        var warnings = new List<string>();
        Assert.Null(store.LoadLatest(Header, warnings));

        store.Save(Header, Payload(1));
        store.Save(Header, Payload(2));
        Assert.Equal(2, store.LoadLatest(Header, warnings)!.Value.Payload.EpochsCompleted);
        Assert.Equal(1, CheckpointFile.Read(store.PreviousPath).Payload.EpochsCompleted);
        Assert.Empty(warnings);

        // Corrupt last: loading falls back to previous with a warning.
        byte[] bytes = File.ReadAllBytes(store.LastPath);
        bytes[^10] ^= 0xFF;
        File.WriteAllBytes(store.LastPath, bytes);
        var found = store.LoadLatest(Header, warnings)!.Value;
        Assert.Equal(1, found.Payload.EpochsCompleted);
        Assert.Equal(store.PreviousPath, found.Path);
        Assert.Contains(warnings, w => w.Contains("is corrupt") && w.Contains("refused"));

        // The next save must not rotate the corrupt file over the good previous one.
        store.Save(Header, Payload(3));
        Assert.Equal(1, CheckpointFile.Read(store.PreviousPath).Payload.EpochsCompleted);
        Assert.Equal(3, CheckpointFile.Read(store.LastPath).Payload.EpochsCompleted);
        Assert.True(File.Exists(store.LastPath + CheckpointStore.CorruptSuffix));
        Assert.Equal([CheckpointStore.LastName, CheckpointStore.LastName + CheckpointStore.CorruptSuffix, CheckpointStore.PreviousName],
            Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // Another run's checkpoint is a mismatch, not corruption: no fallback.
        var e = Assert.Throws<CheckpointException>(() => store.LoadLatest(Header with { Seed = 1 }, new List<string>()));
        Assert.True(e.IsMismatch);
    }
}
