using NoiseSam.Harness.Data;

namespace NoiseSam.Harness.Tests.Data;

public class IdxReaderTests
{
    [Theory]
    [InlineData(false, "train-images-idx3-ubyte")]
    [InlineData(true, "train-images-idx3-ubyte.gz")]
    [InlineData(true, "gzip-without-suffix")]
    [InlineData(false, "plain-with-suffix.gz")]
    public void ReadsImagesPlainOrGzipWhateverTheName(bool gzip, string name)
    {
        using var dir = new TempDir();
        var pixels = TestFiles.RandomBytes(7 * 5 * 6, 42);
        TestFiles.Write(dir.File(name), TestFiles.IdxImages(7, 5, 6, pixels), gzip);

        var raw = IdxReader.ReadImages(dir.File(name));

        Assert.Equal(7, raw.Count);
        Assert.Equal(1, raw.Channels);
        Assert.Equal(5, raw.Rows);
        Assert.Equal(6, raw.Cols);
        Assert.Equal(pixels, raw.Pixels);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsLabels(bool gzip)
    {
        using var dir = new TempDir();
        var labels = TestFiles.RandomBytes(50, 3, 10);
        TestFiles.Write(dir.File("labels"), TestFiles.IdxLabels(50, labels), gzip);

        Assert.Equal(labels, IdxReader.ReadLabels(dir.File("labels")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedImagesNameFileExpectedAndFoundSizes(bool gzip)
    {
        using var dir = new TempDir();
        string path = dir.File("train-images-idx3-ubyte.gz");
        // The header announces 5 images of 28×28, the file holds 3.
        TestFiles.Write(path, TestFiles.IdxImages(5, 28, 28, new byte[3 * 784]), gzip);

        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));

        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
        Assert.Contains($"expected {16 + 5 * 784} bytes for 5 images of 28×28, found {16 + 3 * 784}", e.Message);
    }

    [Fact]
    public void FullSizeHeaderOverATinyFileGivesTheDocumentedMessage()
    {
        using var dir = new TempDir();
        string path = dir.File("train-images-idx3-ubyte.gz");
        TestFiles.Write(path, TestFiles.IdxImages(60000, 28, 28, new byte[1000 - 16]), gzip: true);

        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));

        Assert.StartsWith($"{path}: expected 47040016 bytes for 60000 images of 28×28, found 1000", e.Message);
    }

    [Fact]
    public void TrailingBytesAfterTheAnnouncedImagesAreRefused()
    {
        using var dir = new TempDir();
        string path = dir.File("images");
        TestFiles.Write(path, TestFiles.IdxImages(2, 4, 4, new byte[3 * 16]), gzip: false);

        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));

        Assert.Contains($"expected {16 + 2 * 16} bytes for 2 images of 4×4, found {16 + 3 * 16}", e.Message);
    }

    [Fact]
    public void TruncatedHeaderIsRefused()
    {
        using var dir = new TempDir();
        string path = dir.File("images");
        File.WriteAllBytes(path, TestFiles.IdxImages(2, 4, 4, new byte[32])[..10]);

        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("found 10 bytes", e.Message);
    }

    [Fact]
    public void EmptyFileIsRefused()
    {
        using var dir = new TempDir();
        string path = dir.File("labels");
        File.WriteAllBytes(path, []);

        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path));

        Assert.Contains("found 0 bytes", e.Message);
    }

    [Fact]
    public void TruncatedLabelsAreRefused()
    {
        using var dir = new TempDir();
        string path = dir.File("labels");
        TestFiles.Write(path, TestFiles.IdxLabels(10, new byte[4]), gzip: true);

        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path));

        Assert.Contains("expected 18 bytes for 10 labels, found 12", e.Message);
    }

    [Fact]
    public void LabelFileReadAsImagesReportsBothMagics()
    {
        using var dir = new TempDir();
        string path = dir.File("train-labels-idx1-ubyte");
        TestFiles.Write(path, TestFiles.IdxLabels(3, [1, 2, 3]), gzip: false);

        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("expected IDX image magic 0x00000803, found 0x00000801", e.Message);
    }

    [Fact]
    public void ArbitraryMagicIsRefusedForLabels()
    {
        using var dir = new TempDir();
        string path = dir.File("labels");
        TestFiles.Write(path, TestFiles.IdxLabels(3, [1, 2, 3], magic: 0x12345678), gzip: false);

        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path));

        Assert.Contains("expected IDX label magic 0x00000801, found 0x12345678", e.Message);
    }

    [Fact]
    public void LabelOutOfRangeIsRefused()
    {
        using var dir = new TempDir();
        string path = dir.File("labels");
        TestFiles.Write(path, TestFiles.IdxLabels(4, [0, 9, 12, 1]), gzip: false);

        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(path));

        Assert.Contains("expected labels 0..9, found 12 at sample 2", e.Message);
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        using var dir = new TempDir();
        string path = dir.File("nothing-here");

        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));

        Assert.Equal(path, e.FilePath);
        Assert.Contains("no such file", e.Message);
    }

    [Fact]
    public void CorruptGzipIsADataFormatError()
    {
        using var dir = new TempDir();
        string path = dir.File("images.gz");
        var gz = TestFiles.Gzip(TestFiles.IdxImages(4, 8, 8, TestFiles.RandomBytes(256, 5)));
        for (int i = 12; i < gz.Length - 8; i++) gz[i] ^= 0x5a; // keep the gzip magic, garble the deflate data
        File.WriteAllBytes(path, gz);

        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, e.Message);
    }
}
