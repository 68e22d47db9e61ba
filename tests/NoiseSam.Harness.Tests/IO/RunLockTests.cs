using NoiseSam.Harness.IO;
using NoiseSam.Harness.Tests.Cli;

namespace NoiseSam.Harness.Tests.IO;

/// <summary>
/// <see cref="RunLock"/>: one run per folder. Another process is played here by a file handle that
/// holds the same operating-system lock a run holds (a real second process is in RuntimeFaultTests).
/// </summary>
public sealed class RunLockTests
{
    private static string Lines(int pid, string command = "noisesam train -v SAM") =>
        $"pid {pid}\nhost {Environment.MachineName}\nstarted 2026-01-02T03:04:05.0000000Z\ncommand {command}\ntoken 0123456789abcdef\n";

    [Fact]
    public void AFolderHeldByAnotherRunIsRefusedNamingThatRun()
    {
        using var dir = new ScratchDir();
        string lockPath = RunLock.InFolder(dir["ckpt"]);
        Directory.CreateDirectory(dir["ckpt"]);
        File.WriteAllText(lockPath, Lines(4242, "noisesam train -v NI-MBS --checkpoint-dir ckpt"));
        // What a running holder keeps open: a shared lock, under which others can read its lines.
        using (new FileStream(lockPath, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            var e = Assert.Throws<RunLockedException>(() => RunLock.Acquire(lockPath, "ckpt"));
            Assert.Contains("'ckpt' is in use by another noisesam run", e.Message);
            Assert.Contains("pid 4242", e.Message);
            Assert.Contains("started 2026-01-02 03:04:05 UTC", e.Message);
            Assert.Contains("noisesam train -v NI-MBS --checkpoint-dir ckpt", e.Message);
            Assert.DoesNotContain("\n", e.Message);
        }
        Assert.Contains("pid 4242", File.ReadAllText(lockPath));   // the holder's file is left alone
    }

    [Fact]
    public void ALockLeftByAProcessThatIsGoneIsTakenOverWithANoteAndRemovedAtTheEnd()
    {
        using var dir = new ScratchDir();
        string lockPath = RunLock.InFolder(dir.Path);
        File.WriteAllText(lockPath, Lines(int.MaxValue));   // no such process; nobody holds the file lock
        var notes = new List<string>();

        using (var claim = RunLock.Acquire(lockPath, "ckpt", notes.Add))
        {
            string mine = File.ReadAllText(lockPath);
            Assert.Contains($"pid {Environment.ProcessId}\n", mine);
            Assert.Contains($"host {Environment.MachineName}\n", mine);
        }

        var note = Assert.Single(notes);
        Assert.Contains($"took over the lock of 'ckpt' left by pid {int.MaxValue}", note);
        Assert.Contains("no longer running", note);
        Assert.False(File.Exists(lockPath));
    }

    [Fact]
    public void ARunClaimsItsFolderOnceHoweverManyTimesItAsks()
    {
        using var dir = new ScratchDir();
        string lockPath = RunLock.Beside(dir["out"]);
        Assert.Equal(Path.Combine(dir.Path, ".out.noisesam.lock"), lockPath);

        var outer = RunLock.Acquire(lockPath, "out");
        var inner = RunLock.Acquire(lockPath, "out");   // the trainer inside the command
        inner.Dispose();
        Assert.True(File.Exists(lockPath), "the outer claim still holds the folder");
        using (new FileStream(lockPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            // Readable by others while held.
        }
        outer.Dispose();
        Assert.False(File.Exists(lockPath));

        // Free again: a new claim needs no note.
        var notes = new List<string>();
        RunLock.Acquire(lockPath, "out", notes.Add).Dispose();
        Assert.Empty(notes);
    }

    [Fact]
    public void ALiveProcessNamedByTheLinesHoldsTheFolderEvenWithoutAFileLock()
    {
        // Some network file systems have no file locks: the pid (alive, same start time) still refuses.
        using var dir = new ScratchDir();
        using var other = System.Diagnostics.Process.Start("sleep", "600");
        try
        {
            string lockPath = RunLock.InFolder(dir.Path);
            File.WriteAllText(lockPath, Lines(other.Id).Replace("2026-01-02T03:04:05.0000000Z",
                other.StartTime.ToUniversalTime().ToString("O"), StringComparison.Ordinal));
            var e = Assert.Throws<RunLockedException>(() => RunLock.Acquire(lockPath, "ckpt"));
            Assert.Contains($"pid {other.Id}", e.Message);
        }
        finally
        {
            other.Kill();
            other.WaitForExit();
        }
    }
}
