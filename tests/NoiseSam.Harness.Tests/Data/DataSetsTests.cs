using NoiseSam.Harness.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Tests.Data;

public class DataSetsTests
{
    private static float[] Floats(Tensor t) => t.contiguous().data<float>().ToArray();

    private static long[] Longs(Tensor t) => t.contiguous().data<long>().ToArray();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MnistLoadsNormalisedImagesAndLabels(bool gzip)
    {
        using var dir = new TempDir();
        var (trainPx, trainLb, testPx, testLb) = TestFiles.WriteIdxSet(dir.Path, 12, 5, 6, gzip);

        using var split = DataSets.Load("mnist", dir.Path);

        Assert.Equal(new long[] { 12, 1, 6, 6 }, split.Train.Images.shape);
        Assert.Equal(new long[] { 5, 1, 6, 6 }, split.Test.Images.shape);
        Assert.Equal(ScalarType.Float32, split.Train.Images.dtype);
        Assert.Equal(ScalarType.Int64, split.Train.Labels.dtype);
        Assert.Equal((12, 1, 6, 10), (split.Train.Count, split.Train.Channels, split.Train.ImageSize, split.Train.Classes));
        Assert.Equal("mnist/train", split.Train.Name);
        // Independent computation in double: (p/255 − 0.1307)/0.3081.
        var expectTrain = trainPx.Select(p => (float)((p / 255.0 - 0.1307) / 0.3081)).ToArray();
        var expectTest = testPx.Select(p => (float)((p / 255.0 - 0.1307) / 0.3081)).ToArray();
        Assert.Equal(expectTrain, Floats(split.Train.Images), new FloatTolerance(1e-5f));
        Assert.Equal(expectTest, Floats(split.Test.Images), new FloatTolerance(1e-5f));
        Assert.Equal(trainLb.Select(b => (long)b), Longs(split.Train.Labels));
        Assert.Equal(testLb.Select(b => (long)b), Longs(split.Test.Labels));
    }

    [Fact]
    public void FashionMnistUsesItsOwnStatistics()
    {
        using var dir = new TempDir();
        var (trainPx, _, _, _) = TestFiles.WriteIdxSet(dir.Path, 3, 2, 4, gzip: true);

        using var split = DataSets.Load("Fashion-MNIST", dir.Path);

        var expect = trainPx.Select(p => (float)((p / 255.0 - 0.2860) / 0.3530)).ToArray();
        Assert.Equal(expect, Floats(split.Train.Images), new FloatTolerance(1e-5f));
        Assert.Equal("fashion-mnist/train", split.Train.Name);
    }

    [Fact]
    public void LimitsTakeTheFirstSamples()
    {
        using var dir = new TempDir();
        var (trainPx, trainLb, _, testLb) = TestFiles.WriteIdxSet(dir.Path, 20, 9, 4, gzip: false);

        using var split = DataSets.Load("mnist", dir.Path, limitTrain: 7, limitTest: 100);

        Assert.Equal(7, split.Train.Count);
        Assert.Equal(9, split.Test.Count); // a limit above the size takes all
        Assert.Equal(trainLb.Take(7).Select(b => (long)b), Longs(split.Train.Labels));
        Assert.Equal(testLb.Select(b => (long)b), Longs(split.Test.Labels));
        var expect = trainPx.Take(7 * 16).Select(p => (float)((p / 255.0 - 0.1307) / 0.3081)).ToArray();
        Assert.Equal(expect, Floats(split.Train.Images), new FloatTolerance(1e-5f));
    }

    [Fact]
    public void SliceKeepsTheFirstSamplesAndSurvivesTheParent()
    {
        using var dir = new TempDir();
        var (_, trainLb, _, _) = TestFiles.WriteIdxSet(dir.Path, 10, 2, 4, gzip: false);
        var split = DataSets.Load("mnist", dir.Path);
        using var slice = split.Train.Slice(4);
        split.Dispose();

        Assert.Equal(4, slice.Count);
        Assert.Equal(new long[] { 4, 1, 4, 4 }, slice.Images.shape);
        Assert.Equal(trainLb.Take(4).Select(b => (long)b), Longs(slice.Labels));
    }

    [Fact]
    public void DataSetOutlivesTheScopeItWasLoadedIn()
    {
        using var dir = new TempDir();
        var (_, trainLb, _, _) = TestFiles.WriteIdxSet(dir.Path, 5, 2, 4, gzip: false);
        DataSplit split;
        TensorDataset slice;
        using (torch.NewDisposeScope())
        {
            split = DataSets.Load("mnist", dir.Path);
            slice = split.Train.Slice(2);
        }

        using (split)
        using (slice)
        {
            Assert.False(split.Train.Images.IsInvalid);
            Assert.False(slice.Labels.IsInvalid);
            Assert.Equal(trainLb.Select(b => (long)b), Longs(split.Train.Labels));
        }
        Assert.True(split.Train.Images.IsInvalid); // disposed with the split
    }

    [Fact]
    public void DotNamedFilesOfSomeMirrorsAreFound()
    {
        using var dir = new TempDir();
        TestFiles.WriteIdxSet(dir.Path, 3, 2, 4, gzip: false);
        File.Move(dir.File("train-images-idx3-ubyte"), dir.File("train-images.idx3-ubyte"));

        using var split = DataSets.Load("mnist", dir.Path);

        Assert.Equal(3, split.Train.Count);
    }

    [Fact]
    public void LabelCountDifferentFromImageCountIsRefused()
    {
        using var dir = new TempDir();
        TestFiles.WriteIdxSet(dir.Path, 6, 2, 4, gzip: true);
        string labels = dir.File("train-labels-idx1-ubyte.gz");
        TestFiles.Write(labels, TestFiles.IdxLabels(5, [1, 2, 3, 4, 5]), gzip: true);

        var e = Assert.Throws<DataFormatException>(() => DataSets.Load("mnist", dir.Path));

        Assert.Equal(labels, e.FilePath);
        Assert.Contains("expected 6 labels", e.Message);
        Assert.Contains("found 5", e.Message);
        Assert.Contains("train-images-idx3-ubyte.gz", e.Message);
    }

    [Fact]
    public void TestImagesOfAnotherSizeAreRefused()
    {
        using var dir = new TempDir();
        TestFiles.WriteIdxSet(dir.Path, 3, 2, 4, gzip: false);
        TestFiles.Write(dir.File("t10k-images-idx3-ubyte"), TestFiles.IdxImages(2, 5, 5, new byte[50]), gzip: false);

        var e = Assert.Throws<DataFormatException>(() => DataSets.Load("mnist", dir.Path));

        Assert.Contains("expected test images of 4×4", e.Message);
        Assert.Contains("found 5×5", e.Message);
    }

    [Fact]
    public void MissingFileInDataDirListsTheExpectedFiles()
    {
        using var dir = new TempDir();
        TestFiles.WriteIdxSet(dir.Path, 3, 2, 4, gzip: true);
        File.Delete(dir.File("t10k-labels-idx1-ubyte.gz"));

        var e = Assert.Throws<DataFormatException>(() => DataSets.Load("mnist", dir.Path));

        Assert.Equal(dir.Path, e.FilePath);
        foreach (var f in DataSets.IdxFiles) Assert.Contains(f, e.Message);
        Assert.Contains("found t10k-labels-idx1-ubyte[.gz] missing", e.Message);
    }

    [Fact]
    public void MissingDataDirIsNamed()
    {
        string path = Path.Combine(Path.GetTempPath(), "noisesam-absent-" + Guid.NewGuid().ToString("N"));

        var e = Assert.Throws<DataFormatException>(() => DataSets.Load("mnist", path));

        Assert.Contains(path, e.Message);
        Assert.Contains("no such directory", e.Message);
    }

    [Fact]
    public void MissingDefaultDataSetTellsTheInstallCommand()
    {
        string absent = Path.Combine(Path.GetTempPath(), "noisesam-absent-" + Guid.NewGuid().ToString("N"));

        var e = Assert.Throws<DataFormatException>(() => DataSets.Load("fashion-mnist", null, null, null, absent));

        Assert.Contains("sudo apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains(absent, e.Message);
    }

    [Fact]
    public void IncompleteDefaultDataSetTellsTheReinstallCommand()
    {
        using var dir = new TempDir();
        TestFiles.WriteIdxSet(dir.Path, 3, 2, 4, gzip: true);
        File.Delete(dir.File("train-images-idx3-ubyte.gz"));

        var e = Assert.Throws<DataFormatException>(() => DataSets.Load("fashion-mnist", null, null, null, dir.Path));

        Assert.Contains("apt-get install --reinstall dataset-fashion-mnist", e.Message);
        Assert.Contains("train-images-idx3-ubyte[.gz] missing", e.Message);
    }

    [Fact]
    public void DefaultDirectoryIsThePackagesPath()
    {
        Assert.Equal("/usr/share/datasets/fashion-mnist", DataSets.DefaultDirectory);
        Assert.Equal(new[] { "fashion-mnist", "mnist", "cifar10" }, DataSets.Names);
    }

    [Fact]
    public void BadArgumentsAreArgumentErrors()
    {
        var unknown = Assert.Throws<ArgumentException>(() => DataSets.Load("imagenet", "/tmp"));
        Assert.Contains("fashion-mnist, mnist, cifar10", unknown.Message);
        Assert.Throws<ArgumentException>(() => DataSets.Load("mnist"));
        Assert.Throws<ArgumentException>(() => DataSets.Load("cifar10"));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSets.Load("mnist", "/tmp", limitTrain: 0));
    }
}

/// <summary>Element-wise float comparison with an absolute tolerance.</summary>
public sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
{
    public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

    public int GetHashCode(float obj) => 0;
}
