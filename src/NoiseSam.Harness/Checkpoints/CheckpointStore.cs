using System.Runtime.InteropServices;

namespace NoiseSam.Harness.Checkpoints;

/// <summary>
/// A checkpoint directory holding <c>last.ckpt</c> and <c>previous.ckpt</c>. A new checkpoint is
/// written to a temporary file in the same directory, flushed to disk (fsync) and renamed over
/// <c>last.ckpt</c> after the intact old <c>last.ckpt</c> became <c>previous.ckpt</c>, so a crash at
/// any point leaves at least one good checkpoint. A corrupt <c>last.ckpt</c> is never rotated into
/// <c>previous.ckpt</c>: it is set aside as <c>last.ckpt.corrupt</c> and the good previous one stays.
/// </summary>
public sealed class CheckpointStore
{
    public const string LastName = "last.ckpt";
    public const string PreviousName = "previous.ckpt";
    public const string CorruptSuffix = ".corrupt";

    public CheckpointStore(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
    }

    public string Directory { get; }
    public string LastPath => Path.Combine(Directory, LastName);
    public string PreviousPath => Path.Combine(Directory, PreviousName);

    /// <summary>Writes a checkpoint atomically and rotates the previous one.</summary>
    public void Save(CheckpointHeader header, CheckpointPayload payload)
    {
        System.IO.Directory.CreateDirectory(Directory);
        string temp = IO.AtomicFile.TemporaryPathFor(LastPath);
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                CheckpointFile.Write(stream, header, payload);
                stream.Flush(flushToDisk: true);
            }
            if (File.Exists(LastPath))
            {
                if (IsValid(LastPath)) File.Move(LastPath, PreviousPath, overwrite: true);
                else File.Move(LastPath, LastPath + CorruptSuffix, overwrite: true);
            }
            File.Move(temp, LastPath);
            SyncDirectory(Directory);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>
    /// The newest usable checkpoint for a run described by <paramref name="expected"/>: <c>last.ckpt</c>,
    /// or <c>previous.ckpt</c> when the last one is corrupt (each refusal is added to
    /// <paramref name="warnings"/>). Null when the directory holds no checkpoint.
    /// </summary>
    /// <exception cref="CheckpointException">Every checkpoint present is corrupt, or one belongs to another run (<see cref="CheckpointException.IsMismatch"/>).</exception>
    public (CheckpointHeader Header, CheckpointPayload Payload, string Path)? LoadLatest(CheckpointHeader expected, ICollection<string> warnings)
    {
        CheckpointException? firstError = null;
        foreach (string path in new[] { LastPath, PreviousPath })
        {
            if (!File.Exists(path)) continue;
            try
            {
                var (header, payload) = CheckpointFile.Read(path);
                if (header.Mismatch(expected) is string why)
                    throw new CheckpointException(path, $"belongs to another run and was not used: {why}", mismatch: true);
                return (header, payload, path);
            }
            catch (CheckpointException e) when (!e.IsMismatch)
            {
                firstError ??= e;
                warnings.Add($"{e.Message}; refused{(path == LastPath ? ", trying " + PreviousName : "")}");
            }
        }
        if (firstError is not null)
            throw new CheckpointException(Directory, $"holds no usable checkpoint: {firstError.Message}");
        return null;
    }

    /// <summary>True when <paramref name="path"/> is a complete checkpoint whose hash matches.</summary>
    public static bool IsValid(string path)
    {
        try
        {
            CheckpointFile.Read(path);
            return true;
        }
        catch (CheckpointException)
        {
            return false;
        }
    }

    // The rename is durable only once the directory entry is on disk: fsync the directory (POSIX).
    private static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        try
        {
            int fd = open(directory, 0 /* O_RDONLY */);
            if (fd < 0) return;
            fsync(fd);
            close(fd);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No libc: the rename is still atomic, only its durability is up to the OS.
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
