using System.Diagnostics;
using System.Globalization;

namespace NoiseSam.Harness.IO;

/// <summary>A folder is held by another run; the message names that run (pid, host, start, command) in one line.</summary>
public sealed class RunLockedException(string message) : IOException(message);

/// <summary>
/// An exclusive claim on a folder for the length of a run, so that two runs never write the same
/// checkpoints or report. The claim is a lock file holding the owner's pid, host, start time and
/// command line, under an operating-system file lock (<c>flock</c>, which .NET takes for
/// <see cref="FileShare.None"/> / <see cref="FileShare.Read"/>): the kernel drops it when the
/// process ends however it ends, so a lock file left by a killed run is taken over (with a note)
/// and never has to be deleted by hand. Where the file system has no such locks, a lock file
/// whose pid is alive on this host (with the same start time) still refuses the second run.
/// A run that holds a lock may acquire it again (counted): the CLI claims the folder before any
/// work and the trainer inside it claims its checkpoint folder as well. The file is deleted when
/// the last claim is released.
/// </summary>
public sealed class RunLock : IDisposable
{
    /// <summary>The lock file of a folder whose files are ours (checkpoints): it lives inside it.</summary>
    public const string FileName = ".noisesam.lock";

    private const int Attempts = 5;
    private static readonly object Gate = new();
    private static readonly Dictionary<string, Held> HeldHere = new(StringComparer.Ordinal);

    private readonly string path;
    private bool disposed;

    private RunLock(string path) => this.path = path;

    /// <summary>The lock file's path.</summary>
    public string Path => path;

    /// <summary>The lock file inside <paramref name="folder"/> (a checkpoint folder).</summary>
    public static string InFolder(string folder) => System.IO.Path.Combine(System.IO.Path.GetFullPath(folder), FileName);

    /// <summary>
    /// The lock file beside <paramref name="folder"/>, as <c>.&lt;name&gt;.noisesam.lock</c> in its
    /// parent: for a report folder, which is replaced as a whole (<see cref="ReportFolder"/>).
    /// </summary>
    public static string Beside(string folder)
    {
        string full = System.IO.Path.GetFullPath(folder).TrimEnd(System.IO.Path.DirectorySeparatorChar);
        string parent = System.IO.Path.GetDirectoryName(full) ?? full;
        return System.IO.Path.Combine(parent, $".{System.IO.Path.GetFileName(full)}{FileName}");
    }

    /// <summary>
    /// Claims the lock file <paramref name="lockPath"/> (creating its folder) for this process.
    /// <paramref name="note"/> hears about a lock taken over from a process that is gone.
    /// </summary>
    /// <param name="lockPath">the lock file (<see cref="InFolder"/> or <see cref="Beside"/>).</param>
    /// <param name="shown">the folder as the user named it, for messages.</param>
    /// <param name="note">receives one-line notes (a stale lock taken over).</param>
    /// <exception cref="RunLockedException">Another live run holds it.</exception>
    /// <exception cref="IOException">The lock file cannot be created.</exception>
    public static RunLock Acquire(string lockPath, string shown, Action<string>? note = null)
    {
        string full = System.IO.Path.GetFullPath(lockPath);
        lock (Gate)
        {
            if (HeldHere.TryGetValue(full, out var held))
            {
                held.Count++;
                return new RunLock(full);
            }
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            var owner = Owner.Current();
            for (int attempt = 1; ; attempt++)
            {
                var outcome = TryClaim(full, owner, out var stream, out var previous, out var holder);
                if (outcome == Claim.Taken)
                {
                    HeldHere[full] = new Held(stream!);
                    if (previous is not null && previous.Token != owner.Token)
                        note?.Invoke($"took over the lock of '{shown}' left by {previous.Describe(withCommand: false)}, which is no longer running");
                    return new RunLock(full);
                }
                if (outcome == Claim.Held || attempt >= Attempts)
                    throw new RunLockedException(
                        $"'{shown}' is in use by another noisesam run ({holder?.Describe() ?? $"it holds {full}"}); " +
                        "wait for it to finish, or choose another folder");
                // The holder was between its two steps, or just released the file: try again.
                Thread.Sleep(20 * attempt);
            }
        }
    }

    /// <summary>Releases this claim; the last one deletes the lock file and drops the file lock.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        lock (Gate)
        {
            if (!HeldHere.TryGetValue(path, out var held) || --held.Count > 0) return;
            HeldHere.Remove(path);
            try
            {
                // Deleted while still locked: nobody can claim the old file in between.
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A leftover lock file is harmless: its file lock is gone with the handle below.
            }
            finally
            {
                held.Stream.Dispose();
            }
        }
    }

    private enum Claim { Taken, Held, Retry }

    private sealed class Held(FileStream stream)
    {
        public FileStream Stream { get; } = stream;
        public int Count { get; set; } = 1;
    }

    // Two steps: an exclusive lock while the owner's lines are written, then a shared lock that
    // others can read the lines under (an exclusive one cannot be read by anybody). Between the
    // two another process may claim the file; the lines read back under the shared lock say who won.
    private static Claim TryClaim(string full, Owner owner, out FileStream? held, out Owner? previous, out Owner? holder)
    {
        held = null;
        previous = null;
        holder = null;
        FileStream exclusive;
        try
        {
            exclusive = new FileStream(full, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException && File.Exists(full))
        {
            holder = ReadOwner(full);
            return holder is null ? Claim.Retry : Claim.Held;
        }
        using (exclusive)
        {
            previous = Owner.Parse(new StreamReader(exclusive, leaveOpen: true).ReadToEnd());
            // Without file locks (some network file systems), the pid still tells a live owner.
            if (previous is not null && previous.Pid != owner.Pid && previous.IsAliveHere())
            {
                holder = previous;
                return Claim.Held;
            }
            exclusive.SetLength(0);
            exclusive.Position = 0;
            using (var writer = new StreamWriter(exclusive, leaveOpen: true)) writer.Write(owner.Format());
            exclusive.Flush(flushToDisk: true);
        }
        FileStream shared;
        try
        {
            shared = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (IOException)
        {
            holder = ReadOwner(full);
            return holder is null ? Claim.Retry : Claim.Held;
        }
        var written = Owner.Parse(new StreamReader(shared, leaveOpen: true).ReadToEnd());
        if (written?.Token != owner.Token)
        {
            shared.Dispose();
            holder = written;
            return holder is null ? Claim.Retry : Claim.Held;
        }
        held = shared;
        return Claim.Taken;
    }

    private static Owner? ReadOwner(string full)
    {
        try
        {
            using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return Owner.Parse(new StreamReader(stream).ReadToEnd());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;   // gone, or still exclusively locked by a process in its first step
        }
    }

    /// <summary>Who holds a lock: the lines of the lock file.</summary>
    private sealed record Owner(int Pid, string Host, DateTimeOffset Started, string Command, string Token)
    {
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        public static Owner Current()
        {
            using var self = Process.GetCurrentProcess();
            string command = string.Join(" ", Environment.GetCommandLineArgs().Skip(1)
                .SkipWhile(a => a.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)));
            return new Owner(Environment.ProcessId, Environment.MachineName, self.StartTime.ToUniversalTime(),
                ("noisesam " + command).Trim(), Guid.NewGuid().ToString("N"));
        }

        public string Format() => string.Create(Inv,
            $"pid {Pid}\nhost {Host}\nstarted {Started.UtcDateTime:O}\ncommand {Command.ReplaceLineEndings(" ")}\ntoken {Token}\n");

        public static Owner? Parse(string text)
        {
            var fields = text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split(' ', 2))
                .Where(p => p.Length == 2)
                .GroupBy(p => p[0], StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First()[1].Trim(), StringComparer.Ordinal);
            if (!fields.TryGetValue("pid", out string? pid) || !int.TryParse(pid, NumberStyles.Integer, Inv, out int id)
                || !fields.TryGetValue("token", out string? token))
                return null;
            DateTimeOffset.TryParse(fields.GetValueOrDefault("started"), Inv, DateTimeStyles.AssumeUniversal, out var started);
            return new Owner(id, fields.GetValueOrDefault("host") ?? "", started, fields.GetValueOrDefault("command") ?? "", token);
        }

        /// <summary>The process named by the lines runs on this host, and is the one that wrote them (same start time).</summary>
        public bool IsAliveHere()
        {
            if (!string.Equals(Host, Environment.MachineName, StringComparison.Ordinal)) return false;
            try
            {
                using var process = Process.GetProcessById(Pid);
                return Math.Abs((process.StartTime.ToUniversalTime() - Started.UtcDateTime).TotalSeconds) < 2;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                return false;
            }
        }

        public string Describe(bool withCommand = true) => string.Create(Inv,
            $"pid {Pid} on {Host}, started {Started.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC{(withCommand && Command.Length > 0 ? $": {Command}" : "")}");
    }
}
