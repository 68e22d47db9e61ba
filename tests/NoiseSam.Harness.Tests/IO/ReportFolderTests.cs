using NoiseSam.Harness.IO;

namespace NoiseSam.Harness.Tests.IO;

public sealed class ReportFolderTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "noisesam-reportfolder-" + Guid.NewGuid().ToString("N"));

    public ReportFolderTests() => Directory.CreateDirectory(root);

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void ASecondReportReplacesTheFirstAsAWhole()
    {
        string dir = Path.Combine(root, "out");
        ReportFolder.Replace(dir, d =>
        {
            File.WriteAllText(Path.Combine(d, "summary.md"), "first");
            File.WriteAllText(Path.Combine(d, "old_plot.png"), "first");
        });
        var files = ReportFolder.Replace(dir, d => File.WriteAllText(Path.Combine(d, "summary.md"), "second"));

        Assert.Equal([Path.Combine(dir, "summary.md")], files);
        Assert.Equal("second", File.ReadAllText(Path.Combine(dir, "summary.md")));
        Assert.False(File.Exists(Path.Combine(dir, "old_plot.png")), "a file of the first report survived next to the second's");
        Assert.Equal(["out"], Directory.GetFileSystemEntries(root).Select(Path.GetFileName));
    }

    [Fact]
    public void AWriterThatFailsLeavesTheOldReportAndNoStagingFolder()
    {
        string dir = Path.Combine(root, "out");
        ReportFolder.Replace(dir, d => File.WriteAllText(Path.Combine(d, "summary.md"), "good"));
        Assert.Throws<IOException>(() => ReportFolder.Replace(dir, d =>
        {
            File.WriteAllText(Path.Combine(d, "summary.md"), "half");
            throw new IOException("disk full");
        }));
        Assert.Equal("good", File.ReadAllText(Path.Combine(dir, "summary.md")));
        Assert.Equal(["out"], Directory.GetFileSystemEntries(root).Select(Path.GetFileName));
    }

    [Fact]
    public void AFolderWithOtherFilesIsNeverReplaced()
    {
        string dir = Path.Combine(root, "mine");
        Directory.CreateDirectory(Path.Combine(dir, "src"));
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "keep me");
        var e = Assert.Throws<IOException>(() => ReportFolder.CheckWritable(dir));
        Assert.Contains("not a noisesam report", e.Message);
        Assert.Throws<IOException>(() => ReportFolder.Replace(dir, _ => { }));
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(dir, "notes.txt")));
    }

    [Fact]
    public void UnwritableLocationsFailTheCheckBeforeAnyWork()
    {
        string file = Path.Combine(root, "a-file");
        File.WriteAllText(file, "x");
        Assert.Contains("is a file", Assert.Throws<IOException>(() => ReportFolder.CheckWritable(file)).Message);
        // /proc refuses new entries even to root.
        Assert.Contains("cannot write into", Assert.Throws<IOException>(() => ReportFolder.CheckWritable("/proc/self/noisesam-out")).Message);
        Assert.Contains("cannot write into", Assert.Throws<IOException>(() => OutputProbe.CheckFile("/proc/noisesam/model.bin", "/proc/noisesam/model.bin")).Message);
        // A new folder passes; the check leaves no probe behind and does not create the folder itself.
        ReportFolder.CheckWritable(Path.Combine(root, "new", "deeper"));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(root, "new")));
    }
}
