namespace NoiseSam.Harness.IO;

/// <summary>
/// Proves, before a run starts, that a folder can take its output: creates the folder (and its
/// parents) if needed, then creates, writes, flushes and deletes a probe file in it. A read-only
/// file system, a missing permission, a path under <c>/proc</c> or a file where a folder should be
/// fail here, in one line, instead of after hours of training.
/// </summary>
public static class OutputProbe
{
    /// <summary>Checks that files can be written into <paramref name="folder"/>.</summary>
    /// <param name="folder">the folder the output will be written into.</param>
    /// <param name="shown">the path as the user gave it, for the message.</param>
    /// <exception cref="IOException">The folder cannot be written; the message names it and the reason.</exception>
    public static void Check(string folder, string shown)
    {
        string full = Path.GetFullPath(folder);
        try
        {
            Directory.CreateDirectory(full);
            string probe = Path.Combine(full, $".noisesam-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
            using (var stream = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
                stream.WriteByte(0);
                stream.Flush(flushToDisk: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new IOException($"cannot write into '{shown}' ({full}): {e.Message}", e);
        }
    }

    /// <summary>Checks that a file can be written at <paramref name="file"/> (its folder takes a probe; the path is not a folder).</summary>
    public static void CheckFile(string file, string shown)
    {
        string full = Path.GetFullPath(file);
        if (Directory.Exists(full)) throw new IOException($"'{shown}' is a folder; give a file path");
        Check(Path.GetDirectoryName(full)!, shown);
    }
}
