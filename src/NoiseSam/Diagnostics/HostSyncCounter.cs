using System.ComponentModel;

namespace NoiseSam.Diagnostics;

/// <summary>
/// Counts the host synchronisations of the SAM steps that run on this thread while it is active:
/// every point where a step makes the host wait for the device — a device-to-host read (the step's
/// statistics, AE-SAM's decision) or a blocking host-to-device copy (which libtorch ends with a
/// stream synchronisation on CUDA). The kernels mark each such point as a
/// <see cref="StepPhaseKind.Host"/> phase (<see cref="StepProfiler.Measure"/>), and this counter
/// counts those marks, so it runs on a CPU machine and says how often a GPU step would stall.
/// When no counter is active a mark costs one thread-static read.
/// </summary>
/// <remarks>
/// On a CPU device none of these points waits for anything: the count is what the same code does
/// on an accelerator, where each one drains the device's queue before the host can launch more
/// kernels (docs/gpu.md lists them per variant, measured with this counter).
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public sealed class HostSyncCounter : IDisposable
{
    [ThreadStatic] private static HostSyncCounter? current;

    private readonly Dictionary<string, long> byPoint = new(StringComparer.Ordinal);
    private readonly HostSyncCounter? outer;
    private bool disposed;

    private HostSyncCounter(HostSyncCounter? outer) => this.outer = outer;

    /// <summary>
    /// Starts counting on this thread until the returned counter is disposed. Counters nest: the
    /// innermost one counts, and disposing it re-activates the one before.
    /// </summary>
    public static HostSyncCounter Start()
    {
        var counter = new HostSyncCounter(current);
        current = counter;
        return counter;
    }

    /// <summary>Synchronisations counted so far.</summary>
    public long Count { get; private set; }

    /// <summary>Synchronisations counted so far by where they happened (the phase name, e.g. <c>host read</c>).</summary>
    public IReadOnlyDictionary<string, long> ByPoint => byPoint;

    /// <summary>Forgets what was counted (e.g. after warm-up steps).</summary>
    public void Reset()
    {
        Count = 0;
        byPoint.Clear();
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (ReferenceEquals(current, this)) current = outer;
    }

    /// <summary>Counts one synchronisation at <paramref name="point"/> on the active counter, if any.</summary>
    internal static void Record(string point)
    {
        if (current is not { } counter) return;
        counter.Count++;
        counter.byPoint[point] = counter.byPoint.GetValueOrDefault(point) + 1;
    }
}
