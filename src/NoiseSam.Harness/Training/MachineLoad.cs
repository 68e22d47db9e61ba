using System.Diagnostics;
using System.Globalization;

namespace NoiseSam.Harness.Training;

/// <summary>
/// Whether other work shared the machine while a run trained, so that wall-time ratios can be
/// marked as unreliable: the 1-minute load average (Linux <c>/proc/loadavg</c>) and the share of
/// its threads' time this process actually got (CPU time / (wall time × threads)).
/// </summary>
public sealed class MachineLoad
{
    private readonly Stopwatch wall = Stopwatch.StartNew();
    private readonly TimeSpan cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
    private double maxLoad = ReadLoadAverage();

    /// <summary>The 1-minute load average, or NaN where the system does not report one.</summary>
    public static double ReadLoadAverage()
    {
        try
        {
            string text = File.ReadAllText("/proc/loadavg");
            int space = text.IndexOf(' ', StringComparison.Ordinal);
            return double.Parse(space < 0 ? text : text[..space], NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return double.NaN;
        }
    }

    /// <summary>Samples the load average (call now and then, e.g. after every epoch).</summary>
    public void Sample()
    {
        double load = ReadLoadAverage();
        if (double.IsFinite(load) && !(load <= maxLoad)) maxLoad = load;
    }

    /// <summary>The largest load average sampled.</summary>
    public double MaxLoadAverage => maxLoad;

    /// <summary>CPU time of this process since the meter started / (wall time × <paramref name="threads"/>).</summary>
    public double Utilization(int threads)
    {
        double seconds = wall.Elapsed.TotalSeconds;
        if (seconds <= 0 || threads < 1) return double.NaN;
        return (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds / (seconds * threads);
    }

    /// <summary>
    /// How many times slower a run with <paramref name="threads"/> threads goes than on a quiet
    /// machine when the 1-minute load average (work of other processes, before the run starts) is
    /// <paramref name="loadAverage"/> on <paramref name="cores"/> cores: the cores are shared by
    /// load + threads runnable threads, so the run gets cores / (load + threads) of them; 1 when the
    /// load leaves its threads their cores, or is unknown.
    /// </summary>
    public static double Slowdown(double loadAverage, int threads, int cores)
    {
        int used = Math.Clamp(threads, 1, Math.Max(1, cores));
        if (!double.IsFinite(loadAverage) || loadAverage + used <= Math.Max(1, cores)) return 1;
        return (loadAverage + used) / Math.Max(1, cores);
    }

    /// <summary>
    /// True when another process competed for the cores: the load average rose more than one
    /// above what a run with <paramref name="threads"/> threads makes on <paramref name="cores"/>
    /// cores by itself. (Utilisation is reported next to it; it is low on single-sample runs too.)
    /// </summary>
    public static bool Contended(double maxLoadAverage, int threads, int cores) =>
        double.IsFinite(maxLoadAverage) && maxLoadAverage > Math.Min(threads, cores) + 1.0;
}
