using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NoiseSam.Harness.Study;

/// <summary>Who works on a run: the content of a claim file.</summary>
/// <param name="Host">Machine name of the claiming process.</param>
/// <param name="Pid">Its process id.</param>
/// <param name="ProcessStart">When that process started (a reused pid has another start).</param>
/// <param name="Claimed">When the claim was made.</param>
/// <param name="Shard">The claiming process's shard ("i/n"), for people reading the folder.</param>
/// <param name="Job">The scheduler's job (Slurm "job_task", a Kubernetes pod), when there is one.</param>
public sealed record StudyClaimInfo(string Host, int Pid, DateTimeOffset ProcessStart, DateTimeOffset Claimed, string? Shard, string? Job)
{
    /// <summary>"pid 123 on node7 (Slurm job 45_1, shard 1/2) since 12:03 UTC".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"pid {Pid} on {Host}{(Job is null && Shard is null ? "" : $" ({string.Join(", ", new[] { Job, Shard is null ? null : "shard " + Shard }.OfType<string>())})")} since {Claimed:yyyy-MM-dd HH:mm} UTC");
}

/// <summary>
/// A claim on one run of a study, so that processes sharing the study folder (job-array shards,
/// overlapping <c>--seeds</c>, a search and a study) never train the same run twice.
/// <para>
/// A claim is a file <c>claim-&lt;g&gt;.json</c> in the run's folder, made with create-new (atomic on
/// local file systems and NFS): of two processes creating the same name, one wins. The claim in
/// force is the one of highest generation g. A claim is stale when its process is known dead (same
/// machine: no process with that pid and start time) or, from another machine, when its file has
/// not been touched for the timeout: the holder touches it every quarter timeout while it works
/// (<see cref="Heartbeat"/>). A stale claim is taken over by creating generation g + 1, again with
/// create-new, so only one taker wins; a holder that finds a higher generation has lost the run
/// and stops. A finished run's record is written before its claim is removed, so a process that
/// claims a run checks for the record once more and never recomputes it.
/// </para>
/// </summary>
public sealed class StudyClaim : IDisposable
{
    public const string FilePrefix = "claim-";
    public const string FileExtension = ".json";

    /// <summary>How long a claim from another machine lives without being touched (its holder touches it every quarter of this).</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromMinutes(10);

    private static readonly Lazy<StudyClaimInfo> Self = new(() =>
    {
        using var me = Process.GetCurrentProcess();
        return new StudyClaimInfo(Environment.MachineName, me.Id, me.StartTime.ToUniversalTime(), default, null, JobName());
    });

    private StudyClaim(string directory, int generation)
    {
        Directory = directory;
        Generation = generation;
    }

    /// <summary>The run's folder.</summary>
    public string Directory { get; }

    /// <summary>Generation of this claim (0 for the first).</summary>
    public int Generation { get; }

    /// <summary>The claim file.</summary>
    public string Path => FilePath(Directory, Generation);

    /// <summary>True while this claim's file exists and no process has taken the run over.</summary>
    public bool IsHeld => File.Exists(Path) && Generations(Directory).All(g => g <= Generation);

    /// <summary>
    /// Claims the run in <paramref name="directory"/>: null when a live claim exists (then
    /// <paramref name="holder"/> says whose, when its file could be read) or another process won the race.
    /// </summary>
    public static StudyClaim? TryAcquire(string directory, TimeSpan staleAfter, string? shard, out StudyClaimInfo? holder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        holder = null;
        System.IO.Directory.CreateDirectory(directory);
        var generations = Generations(directory);
        int next = 0;
        if (generations.Count > 0)
        {
            int top = generations.Max();
            string topPath = FilePath(directory, top);
            holder = ReadInfo(topPath);
            if (!IsStale(topPath, holder, staleAfter)) return null;
            next = top + 1;
        }
        var info = Self.Value with { Claimed = DateTimeOffset.UtcNow, Shard = shard };
        try
        {
            using var stream = new FileStream(FilePath(directory, next), FileMode.CreateNew, FileAccess.Write, FileShare.Read);
            JsonSerializer.Serialize(stream, info, StudyJsonContext.Default.StudyClaimInfo);
            stream.Flush(flushToDisk: true);
        }
        catch (IOException) when (File.Exists(FilePath(directory, next)))
        {
            holder = ReadInfo(FilePath(directory, next));
            return null; // another process created this generation first
        }
        holder = null;
        return new StudyClaim(directory, next);
    }

    /// <summary>The live claim on the run in <paramref name="directory"/>, or null when there is none (or only stale ones).</summary>
    public static StudyClaimInfo? LiveHolder(string directory, TimeSpan staleAfter)
    {
        var generations = Generations(directory);
        if (generations.Count == 0) return null;
        string top = FilePath(directory, generations.Max());
        var info = ReadInfo(top);
        return IsStale(top, info, staleAfter) ? null : info ?? Self.Value with { Host = "?", Pid = 0 };
    }

    /// <summary>Marks the claim alive (its file's modification time); false once it is no longer held.</summary>
    public bool Touch()
    {
        if (!IsHeld) return false;
        try
        {
            File.SetLastWriteTimeUtc(Path, DateTime.UtcNow);
            return true;
        }
        catch (IOException)
        {
            return IsHeld;
        }
    }

    /// <summary>
    /// A heartbeat that the working thread calls as it goes (after every training step): it touches
    /// the claim when <paramref name="interval"/> has passed since the last touch and calls
    /// <paramref name="lost"/> once if another process took the run over (the caller should stop).
    /// </summary>
    /// <remarks>
    /// Not a timer: a timer's callback allocates on a pool thread, and a collection it starts while
    /// the training thread is inside a libtorch call can free a TorchSharp Scalar that call is still
    /// reading (see <c>NoiseSam.Kernels.BatchNormSlot</c>). Beating on the training thread keeps every
    /// collection of a training process at a point where no native call is in flight.
    /// </remarks>
    public ClaimHeartbeat Heartbeat(TimeSpan interval, Action lost) => new(this, interval, lost);

    /// <summary>Gives the run up (cancelled, failed): removes this claim's file, so another process may take the run at once.</summary>
    public void Release() => TryDelete(Path);

    /// <summary>The run is finished and its record written: removes this claim and the stale ones it replaced.</summary>
    public void Complete()
    {
        foreach (int g in Generations(Directory))
            if (g <= Generation) TryDelete(FilePath(Directory, g));
    }

    /// <summary>Same as <see cref="Release"/> (a completed claim has no file left to remove).</summary>
    public void Dispose() => Release();

    private static string FilePath(string directory, int generation) =>
        System.IO.Path.Combine(directory, FilePrefix + generation.ToString(CultureInfo.InvariantCulture) + FileExtension);

    private static List<int> Generations(string directory)
    {
        var list = new List<int>();
        if (!System.IO.Directory.Exists(directory)) return list;
        foreach (string file in System.IO.Directory.EnumerateFiles(directory, FilePrefix + "*" + FileExtension))
        {
            string name = System.IO.Path.GetFileNameWithoutExtension(file)[FilePrefix.Length..];
            if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int g)) list.Add(g);
        }
        return list;
    }

    /// <summary>A claim file's content, or null while it is being written (or unreadable).</summary>
    private static StudyClaimInfo? ReadInfo(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), StudyJsonContext.Default.StudyClaimInfo);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsStale(string path, StudyClaimInfo? info, TimeSpan staleAfter)
    {
        // On this machine the process itself says whether the claim is alive.
        if (info is not null && string.Equals(info.Host, Environment.MachineName, StringComparison.Ordinal))
            return !IsRunning(info.Pid, info.ProcessStart);
        try
        {
            return DateTime.UtcNow - File.GetLastWriteTimeUtc(path) > staleAfter;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static bool IsRunning(int pid, DateTimeOffset started)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited) return false;
            return Math.Abs((process.StartTime.ToUniversalTime() - started.UtcDateTime).TotalSeconds) < 2;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static string? JobName()
    {
        string? Get(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
        if (Get("SLURM_ARRAY_JOB_ID") is { } array) return $"Slurm job {array}_{Get("SLURM_ARRAY_TASK_ID")}";
        if (Get("SLURM_JOB_ID") is { } job) return $"Slurm job {job}";
        if (Get("JOB_COMPLETION_INDEX") is { } index) return $"Kubernetes pod {Get("HOSTNAME")} (index {index})";
        return null;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Another process is removing it too; nothing is lost.
        }
    }
}
