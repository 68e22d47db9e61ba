namespace NoiseSam.Harness.IO;

/// <summary>
/// A folder of report files replaced as a whole: the new files are written into a staging folder
/// beside it, which is then swapped in by two renames, so the folder never holds one run's table
/// next to another run's plots (a crash between the renames leaves two complete sets, one of them
/// hidden). Only a folder this class wrote (it holds <see cref="Marker"/>), or one holding nothing
/// but report files, is ever replaced.
/// </summary>
public static class ReportFolder
{
    /// <summary>The file that marks a folder as a report folder.</summary>
    public const string Marker = ".noisesam-report";

    private static readonly string[] ReportExtensions = [".md", ".csv", ".json", ".png"];

    /// <summary>
    /// Checks, before any work, that <paramref name="directory"/> can be written: its parent can be
    /// created and a probe file created and deleted there, and an existing folder is a report folder.
    /// </summary>
    /// <exception cref="IOException">The location cannot hold a report folder; the message says why.</exception>
    public static void CheckWritable(string directory)
    {
        string full = Path.GetFullPath(directory);
        if (File.Exists(full)) throw new IOException($"'{directory}' is a file, not a folder");
        if (Directory.Exists(full) && !IsReplaceable(full))
            throw new IOException($"'{directory}' exists and holds files that are not a noisesam report; choose an empty or new folder");
        string parent = Path.GetDirectoryName(full) ?? full;
        OutputProbe.Check(parent, directory);
    }

    /// <summary>
    /// Lets <paramref name="fill"/> write every file into a fresh staging folder, marks it, and puts
    /// it in place of <paramref name="directory"/>. Returns the final paths of the files written.
    /// If <paramref name="fill"/> throws, the old folder is untouched and the staging folder removed.
    /// </summary>
    public static IReadOnlyList<string> Replace(string directory, Action<string> fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        string full = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
        if (Directory.Exists(full) && !IsReplaceable(full))
            throw new IOException($"'{directory}' exists and holds files that are not a noisesam report; nothing was replaced");
        string parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        string name = Path.GetFileName(full);
        string staging = Path.Combine(parent, $".{name}.staging-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            fill(staging);
            File.WriteAllText(Path.Combine(staging, Marker), "Written by noisesam; replaced as a whole by the next report written here.\n");
            var files = Directory.GetFiles(staging).Select(Path.GetFileName).Where(f => f != Marker)
                .OrderBy(f => f, StringComparer.Ordinal).Select(f => Path.Combine(full, f!)).ToList();
            if (Directory.Exists(full))
            {
                string old = Path.Combine(parent, $".{name}.old-{Environment.ProcessId}-{Guid.NewGuid():N}");
                Directory.Move(full, old);
                Directory.Move(staging, full);
                TryDelete(old);
            }
            else Directory.Move(staging, full);
            return files;
        }
        finally
        {
            TryDelete(staging);
        }
    }

    private static bool IsReplaceable(string full)
    {
        var entries = Directory.GetFileSystemEntries(full);
        if (entries.Length == 0 || File.Exists(Path.Combine(full, Marker))) return true;
        return entries.All(e => File.Exists(e) && ReportExtensions.Contains(Path.GetExtension(e), StringComparer.OrdinalIgnoreCase));
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A hidden leftover costs disk space only; the report is in place.
        }
    }
}
