using System.Diagnostics;
using System.IO.Compression;
using NoiseSam.Harness.Data;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Tests.Data;

/// <summary>The real default data set. Never skipped: CI installs the package.</summary>
public class FashionMnistTests(ITestOutputHelper output)
{
    private static void RequireInstalled()
    {
        Assert.True(Directory.Exists(DataSets.DefaultDirectory),
            $"Fashion-MNIST is not installed at {DataSets.DefaultDirectory}; these tests need it: run `{DataSets.InstallCommand}`");
    }

    [Fact]
    public void DefaultLoadIsNormalisedToMeanZeroStdOne()
    {
        RequireInstalled();
        var watch = Stopwatch.StartNew();
        using var split = DataSets.Load("fashion-mnist");
        output.WriteLine($"Fashion-MNIST loaded in {watch.Elapsed.TotalSeconds:F2} s");

        Assert.Equal(new long[] { 60000, 1, 28, 28 }, split.Train.Images.shape);
        Assert.Equal(new long[] { 10000, 1, 28, 28 }, split.Test.Images.shape);
        using var scope = torch.NewDisposeScope();
        double mean = split.Train.Images.mean().item<float>();
        double std = split.Train.Images.std().item<float>();
        output.WriteLine($"train mean {mean:F5}, std {std:F5}");
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(std, 0.99, 1.01);
        // Ten classes, 6000 training images each (the data set is balanced).
        var counts = split.Train.Labels.bincount(null, 10).data<long>().ToArray();
        Assert.Equal(Enumerable.Repeat(6000L, 10), counts);
    }

    [Fact]
    public void PixelsAndLabelsMatchAnIndependentDecompression()
    {
        RequireInstalled();
        using var split = DataSets.Load("fashion-mnist", limitTrain: 100, limitTest: 10);
        byte[] raw = Gunzip(Path.Combine(DataSets.DefaultDirectory, "train-images-idx3-ubyte.gz"));
        byte[] labels = Gunzip(Path.Combine(DataSets.DefaultDirectory, "train-labels-idx1-ubyte.gz"));

        Assert.Equal(100, split.Train.Count);
        Assert.Equal(9L, split.Train.Labels[0].item<long>()); // the first training image is an ankle boot
        for (int i = 0; i < 100; i++) Assert.Equal(labels[8 + i], (byte)split.Train.Labels[i].item<long>());
        var images = split.Train.Images.data<float>().ToArray();
        for (int k = 0; k < 100 * 784; k += 37)
            Assert.Equal((raw[16 + k] / 255.0 - 0.2860) / 0.3530, images[k], 1e-5);
    }

    private static byte[] Gunzip(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }
}
