using NoiseSam.Harness.IO;
using NoiseSam.Harness.Tests.Cli;

namespace NoiseSam.Harness.Tests.IO;

public sealed class AtomicFileTests
{
    [Fact]
    public void WritesTheTextIntoANewFolderAndLeavesNoTemporaryFile()
    {
        using var dir = new ScratchDir();
        string path = Path.Combine(dir["out"], "deep", "summary.csv");
        AtomicFile.WriteAllText(path, "a,b\n1,2\n");
        Assert.Equal("a,b\n1,2\n", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));
        Assert.Equal((byte)'a', File.ReadAllBytes(path)[0]);   // no byte-order mark
    }

    [Fact]
    public void AWriterThatFailsLeavesThePreviousFileWholeAndNoTemporaryFile()
    {
        using var dir = new ScratchDir();
        string path = dir["model.bin"];
        AtomicFile.WriteAllBytes(path, [1, 2, 3]);
        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write([9, 9, 9, 9, 9], 0, 5);
            throw new IOException("disk full");
        }));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void EveryCallGetsItsOwnHiddenTemporaryNameBesideTheTarget()
    {
        using var dir = new ScratchDir();
        string path = dir["runs.json"];
        string a = AtomicFile.TemporaryPathFor(path), b = AtomicFile.TemporaryPathFor(path);
        Assert.NotEqual(a, b);
        Assert.Equal(Path.GetDirectoryName(Path.GetFullPath(path)), Path.GetDirectoryName(a));
        Assert.StartsWith(".runs.json.", Path.GetFileName(a), StringComparison.Ordinal);
    }
}
