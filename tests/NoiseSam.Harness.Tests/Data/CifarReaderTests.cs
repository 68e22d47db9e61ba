using NoiseSam.Harness.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Tests.Data;

public class CifarReaderTests
{
    private static readonly double[] Mean = [0.4914, 0.4822, 0.4465];
    private static readonly double[] Std = [0.2470, 0.2435, 0.2616];

    /// <summary>Writes 5 training batches and a test batch of 2 records each (every CIFAR-10 batch holds as many records as the others).</summary>
    private static (byte[] Labels, byte[] Pixels, byte[] TestLabels, byte[] TestPixels) WriteSet(string dir, bool gzip = false)
    {
        int[] sizes = [2, 2, 2, 2, 2];
        var allLabels = new List<byte>();
        var allPixels = new List<byte>();
        for (int f = 0; f < 5; f++)
        {
            var labels = TestFiles.RandomBytes(sizes[f], 10 + f, 10);
            var pixels = TestFiles.RandomBytes(sizes[f] * 3072, 20 + f);
            TestFiles.Write(Path.Combine(dir, $"data_batch_{f + 1}.bin"), TestFiles.CifarRecords(labels, pixels), gzip);
            allLabels.AddRange(labels);
            allPixels.AddRange(pixels);
        }
        var testLabels = TestFiles.RandomBytes(2, 30, 10);
        var testPixels = TestFiles.RandomBytes(2 * 3072, 31);
        TestFiles.Write(Path.Combine(dir, "test_batch.bin"), TestFiles.CifarRecords(testLabels, testPixels), gzip);
        return (allLabels.ToArray(), allPixels.ToArray(), testLabels, testPixels);
    }

    private static float[] Normalised(byte[] pixels)
    {
        var result = new float[pixels.Length];
        for (int i = 0; i < pixels.Length; i++)
        {
            int channel = i % 3072 / 1024; // record layout: 1024 red, 1024 green, 1024 blue
            result[i] = (float)((pixels[i] / 255.0 - Mean[channel]) / Std[channel]);
        }
        return result;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LoadsAllBatchesInOrderWithPerChannelNormalisation(bool gzip)
    {
        using var dir = new TempDir();
        var (labels, pixels, testLabels, testPixels) = WriteSet(dir.Path, gzip);

        using var split = DataSets.Load("cifar10", dir.Path);

        Assert.Equal(new long[] { 10, 3, 32, 32 }, split.Train.Images.shape);
        Assert.Equal(new long[] { 2, 3, 32, 32 }, split.Test.Images.shape);
        Assert.Equal((3, 32, 10), (split.Train.Channels, split.Train.ImageSize, split.Train.Classes));
        Assert.Equal(labels.Select(b => (long)b), split.Train.Labels.data<long>().ToArray());
        Assert.Equal(testLabels.Select(b => (long)b), split.Test.Labels.data<long>().ToArray());
        Assert.Equal(Normalised(pixels), split.Train.Images.data<float>().ToArray(), new FloatTolerance(1e-5f));
        Assert.Equal(Normalised(testPixels), split.Test.Images.data<float>().ToArray(), new FloatTolerance(1e-5f));
        // Spot check of the layout: sample 4, green channel, row 7, column 19.
        float v = split.Train.Images[4, 1, 7, 19].item<float>();
        Assert.Equal((float)((pixels[4 * 3072 + 1024 + 7 * 32 + 19] / 255.0 - 0.4822) / 0.2435), v, 5);
    }

    [Fact]
    public void FindsTheArchivesSubdirectory()
    {
        using var dir = new TempDir();
        string nested = Path.Combine(dir.Path, "cifar-10-batches-bin");
        Directory.CreateDirectory(nested);
        WriteSet(nested);

        using var split = DataSets.Load("CIFAR-10", dir.Path, limitTrain: 4);

        Assert.Equal(4, split.Train.Count);
        Assert.Equal(2, split.Test.Count);
    }

    [Fact]
    public void TruncatedBatchNamesRecordSize()
    {
        using var dir = new TempDir();
        WriteSet(dir.Path);
        string path = Path.Combine(dir.Path, "data_batch_3.bin");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);

        var e = Assert.Throws<DataFormatException>(() => DataSets.Load("cifar10", dir.Path));

        Assert.Equal(path, e.FilePath);
        Assert.Contains("expected a positive multiple of 3073 bytes", e.Message);
        Assert.Contains($"found {bytes.Length - 100} bytes", e.Message);
    }

    [Theory]
    [InlineData("data_batch_3.bin")]
    [InlineData("test_batch.bin")]
    public void ABatchCutOnARecordBoundaryIsRefused(string file)
    {
        using var dir = new TempDir();
        WriteSet(dir.Path);
        string path = Path.Combine(dir.Path, file);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..CifarReader.RecordBytes]);   // one whole record of two

        var e = Assert.Throws<DataFormatException>(() => DataSets.Load("cifar10", dir.Path));

        Assert.Equal(path, e.FilePath);
        Assert.Contains("expected 2 records like the other batches", e.Message);
        Assert.Contains("found 1", e.Message);
        Assert.Contains("cut short on a record boundary", e.Message);
    }

    [Fact]
    public void LabelOutOfRangeIsRefused()
    {
        using var dir = new TempDir();
        WriteSet(dir.Path);
        string path = Path.Combine(dir.Path, "test_batch.bin");
        var bytes = File.ReadAllBytes(path);
        bytes[3073] = 200; // label of record 1
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<DataFormatException>(() => DataSets.Load("cifar10", dir.Path));

        Assert.Contains("expected labels 0..9, found 200 at sample 1", e.Message);
    }

    [Fact]
    public void MissingBatchListsTheExpectedFiles()
    {
        using var dir = new TempDir();
        WriteSet(dir.Path);
        File.Delete(Path.Combine(dir.Path, "data_batch_4.bin"));

        var e = Assert.Throws<DataFormatException>(() => DataSets.Load("cifar10", dir.Path));

        foreach (var f in CifarReader.TrainFiles) Assert.Contains(f, e.Message);
        Assert.Contains("test_batch.bin", e.Message);
        Assert.Contains("found data_batch_4.bin missing", e.Message);
    }

    [Fact]
    public void EmptyBatchIsRefused()
    {
        using var dir = new TempDir();
        WriteSet(dir.Path);
        File.WriteAllBytes(Path.Combine(dir.Path, "data_batch_1.bin"), []);

        var e = Assert.Throws<DataFormatException>(() => DataSets.Load("cifar10", dir.Path));

        Assert.Contains("found 0 bytes", e.Message);
    }
}
