using System.ComponentModel;
using System.Diagnostics;

namespace NoiseSam.Diagnostics;

/// <summary>What a timed phase of a step spends its time on.</summary>
public enum StepPhaseKind
{
    /// <summary>A forward or backward pass of the model (the only work the cost model counts).</summary>
    Pass,
    /// <summary>An element-wise or reduction kernel over the flat parameter or gradient buffer (O(d)).</summary>
    Parameters,
    /// <summary>
    /// A point where an accelerator makes the host wait for the device: copying a scalar from the
    /// device to the host, or a blocking host-to-device copy. Each one is counted by
    /// <see cref="HostSyncCounter"/>.
    /// </summary>
    Host,
    /// <summary>Choosing samples: index draws, top-k, row gathers.</summary>
    Selection,
    /// <summary>Batch-norm snapshots and other per-step bookkeeping.</summary>
    Bookkeeping,
}

/// <summary>The time one phase took over all steps a <see cref="StepProfiler"/> saw.</summary>
/// <param name="Name">The phase, e.g. <c>forward 32</c> (a forward pass on 32 rows) or <c>perturb</c>.</param>
/// <param name="Kind">What the phase spends its time on.</param>
/// <param name="Calls">How many times it ran.</param>
/// <param name="Elapsed">Total wall time.</param>
public readonly record struct StepPhase(string Name, StepPhaseKind Kind, long Calls, TimeSpan Elapsed);

/// <summary>
/// Times the kernels of the SAM steps that run on this thread while it is active: forward and
/// backward passes (by the number of rows they see), the O(d) kernels over the flat buffers, host
/// reads and sample selection. Generated steps and <see cref="SamEngine"/> share those kernels, so
/// both are profiled without any change to them. When no profiler is active a kernel pays one
/// thread-static read; nothing is recorded and nothing is synchronised.
/// </summary>
/// <remarks>
/// On a CPU device every kernel has finished when its call returns, so wall time is the kernel's
/// time. Accelerators run kernels asynchronously: pass a <c>synchronize</c> callback (e.g.
/// <c>() =&gt; torch.cuda.synchronize()</c>) and every phase boundary waits for the device, which
/// makes the phases honest and the profiled steps slower than unprofiled ones. Time the step
/// without a profiler; profile it to see where the time goes.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public sealed class StepProfiler : IDisposable
{
    [ThreadStatic] private static StepProfiler? current;

    private readonly Dictionary<string, int> index = new(StringComparer.Ordinal);
    private readonly List<(string Name, StepPhaseKind Kind, long Calls, long Ticks)> phases = [];
    private readonly Action? synchronize;
    private readonly StepProfiler? outer;
    private bool disposed;

    private StepProfiler(Action? synchronize, StepProfiler? outer)
    {
        this.synchronize = synchronize;
        this.outer = outer;
    }

    /// <summary>
    /// Starts profiling the steps that run on this thread until the returned profiler is disposed.
    /// Profilers nest: the innermost one records, and disposing it re-activates the one before.
    /// </summary>
    /// <param name="synchronize">Waits for the device to finish queued work; null on a CPU device.</param>
    public static StepProfiler Start(Action? synchronize = null)
    {
        var profiler = new StepProfiler(synchronize, current);
        current = profiler;
        return profiler;
    }

    /// <summary>Whether a profiler records on this thread (kernels use it to skip building phase names).</summary>
    public static bool IsActive => current is not null;

    /// <summary>The phases seen so far, in the order each first ran.</summary>
    public IReadOnlyList<StepPhase> Phases =>
        phases.Select(p => new StepPhase(p.Name, p.Kind, p.Calls, TimeSpan.FromSeconds(p.Ticks / (double)Stopwatch.Frequency))).ToList();

    /// <summary>Forgets what was recorded (e.g. after warm-up steps).</summary>
    public void Reset()
    {
        phases.Clear();
        index.Clear();
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (ReferenceEquals(current, this)) current = outer;
    }

    /// <summary>
    /// Times the rest of the caller's <c>using</c> block as <paramref name="name"/>; free when no
    /// profiler is active. A <see cref="StepPhaseKind.Host"/> phase is also counted by an active
    /// <see cref="HostSyncCounter"/>.
    /// </summary>
    public static Scope Measure(string name, StepPhaseKind kind)
    {
        if (kind == StepPhaseKind.Host) HostSyncCounter.Record(name);
        return current is { } profiler ? new Scope(profiler, name, kind) : default;
    }

    private void Add(string name, StepPhaseKind kind, long ticks)
    {
        if (index.TryGetValue(name, out int i))
        {
            var p = phases[i];
            phases[i] = (p.Name, p.Kind, p.Calls + 1, p.Ticks + ticks);
            return;
        }
        index[name] = phases.Count;
        phases.Add((name, kind, 1, ticks));
    }

    /// <summary>One timed phase; records on dispose.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly StepProfiler? profiler;
        private readonly string name;
        private readonly StepPhaseKind kind;
        private readonly long start;

        internal Scope(StepProfiler profiler, string name, StepPhaseKind kind)
        {
            this.profiler = profiler;
            this.name = name;
            this.kind = kind;
            profiler.synchronize?.Invoke();
            start = Stopwatch.GetTimestamp();
        }

        public void Dispose()
        {
            if (profiler is null) return;
            profiler.synchronize?.Invoke();
            profiler.Add(name, kind, Stopwatch.GetTimestamp() - start);
        }
    }
}
