using System.Globalization;

namespace NoiseSam.Harness.Study;

/// <summary>
/// Which share of a study's runs one process works on: shard <see cref="Index"/> of
/// <see cref="Count"/> owns one run of every <see cref="Count"/> consecutive runs of the plan, dealt
/// round robin with every other round reversed (0, 1, …, n−1, n−1, …, 0, …), so that each shard gets
/// a mix of configurations even when their number is a multiple of the shard count. A shard
/// trains its own runs first, then takes over runs of other shards that nobody has claimed yet
/// (see <see cref="WorkOrder"/> and <see cref="StudyClaim"/>), so a fast shard helps a slow one.
/// </summary>
public sealed record StudyShard
{
    public StudyShard(int index, int count)
    {
        if (count < 1) throw new ArgumentException($"a study needs at least one shard (got {count.ToString(CultureInfo.InvariantCulture)})");
        if (index < 0 || index >= count)
            throw new ArgumentException($"shard index {index.ToString(CultureInfo.InvariantCulture)} is outside 0..{(count - 1).ToString(CultureInfo.InvariantCulture)}");
        Index = index;
        Count = count;
    }

    /// <summary>0-based shard index.</summary>
    public int Index { get; }

    /// <summary>Number of shards.</summary>
    public int Count { get; }

    /// <summary>The whole plan in one process.</summary>
    public static StudyShard Whole { get; } = new(0, 1);

    /// <summary>True for <see cref="Whole"/>.</summary>
    public bool IsWhole => Count == 1;

    /// <summary>Whether this shard owns the run at <paramref name="runIndex"/> of the plan.</summary>
    public bool Owns(int runIndex)
    {
        int round = runIndex / Count, position = runIndex % Count;
        return (round % 2 == 0 ? position : Count - 1 - position) == Index;
    }

    /// <summary>
    /// The plan indices this shard works through: its own runs in plan order, then every other
    /// run from the end of the plan backwards (the other shards start at the front, so a shard
    /// that helps out meets them as late as possible).
    /// </summary>
    public IReadOnlyList<int> WorkOrder(int runs)
    {
        var own = Enumerable.Range(0, runs).Where(Owns);
        var others = Enumerable.Range(0, runs).Where(i => !Owns(i)).Reverse();
        return [.. own, .. others];
    }

    /// <summary>"i/n".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");

    /// <summary>Reads "i/n" (0 ≤ i &lt; n).</summary>
    /// <exception cref="ArgumentException">Not of that form.</exception>
    public static StudyShard Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split('/', StringSplitOptions.TrimEntries);
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count))
            throw new ArgumentException($"'{text}' is not a shard i/n (e.g. 0/4: the first of four)");
        return new StudyShard(index, count);
    }

    /// <summary>The environment variable that gives a Kubernetes Indexed Job's shard count (Kubernetes sets only the index).</summary>
    public const string CountVariable = "NOISESAM_SHARD_COUNT";

    /// <summary>
    /// The shard of a job-array task, from the scheduler's environment: Slurm's
    /// <c>SLURM_ARRAY_TASK_ID</c> and <c>SLURM_ARRAY_TASK_COUNT</c> (relative to
    /// <c>SLURM_ARRAY_TASK_MIN</c> and <c>SLURM_ARRAY_TASK_STEP</c>, so <c>--array=1-8</c> or
    /// <c>0-14:2</c> work too), or a Kubernetes Indexed Job's <c>JOB_COMPLETION_INDEX</c> with
    /// <see cref="CountVariable"/>; null outside a job array.
    /// </summary>
    /// <exception cref="ArgumentException">The variables are set but inconsistent.</exception>
    public static StudyShard? FromEnvironment(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        if (variable("SLURM_ARRAY_TASK_ID") is { Length: > 0 } id)
        {
            long task = Number(id, "SLURM_ARRAY_TASK_ID");
            long count = Number(variable("SLURM_ARRAY_TASK_COUNT") ?? throw new ArgumentException(
                "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; pass --shard i/n"), "SLURM_ARRAY_TASK_COUNT");
            long min = variable("SLURM_ARRAY_TASK_MIN") is { Length: > 0 } m ? Number(m, "SLURM_ARRAY_TASK_MIN") : 0;
            long step = variable("SLURM_ARRAY_TASK_STEP") is { Length: > 0 } s ? Math.Max(1, Number(s, "SLURM_ARRAY_TASK_STEP")) : 1;
            if ((task - min) % step != 0) throw new ArgumentException($"SLURM_ARRAY_TASK_ID {id} is not on the array's grid (min {min}, step {step}); pass --shard i/n");
            return Checked((task - min) / step, count, "the Slurm array");
        }
        if (variable("JOB_COMPLETION_INDEX") is { Length: > 0 } completion)
        {
            long index = Number(completion, "JOB_COMPLETION_INDEX");
            string count = variable(CountVariable) is { Length: > 0 } c ? c : throw new ArgumentException(
                $"JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but {CountVariable} is not: set it to the Job's completions, or pass --shard i/n");
            return Checked(index, Number(count, CountVariable), "the Indexed Job");
        }
        return null;
    }

    private static StudyShard Checked(long index, long count, string what)
    {
        if (count < 1 || count > int.MaxValue || index < 0 || index >= count)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"task {index} of {count} in {what} is not a valid shard; pass --shard i/n"));
        return new StudyShard((int)index, (int)count);
    }

    private static long Number(string text, string name) =>
        long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new ArgumentException($"{name}='{text}' is not a number");
}
