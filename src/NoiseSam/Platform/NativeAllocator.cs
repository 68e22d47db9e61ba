using System.Runtime.InteropServices;

namespace NoiseSam.Platform;

/// <summary>
/// glibc allocator tuning for libtorch on CPU. A SAM step allocates and frees several
/// parameter-sized buffers; with glibc's defaults each large block is an mmap/munmap pair and the
/// heap is trimmed after every free, which cost 15–25 % of a step and most of its timing noise
/// (DESIGN.md §5). Raising both thresholds keeps those blocks in the heap.
/// </summary>
public static class NativeAllocator
{
    private const int MTrimThreshold = -1;
    private const int MMmapThreshold = -3;
    private const int MmapThresholdBytes = 32 * 1024 * 1024;
    private static int tuned;

    /// <summary>True after a successful <see cref="Tune"/> on glibc.</summary>
    public static bool IsTuned => Volatile.Read(ref tuned) == 1;

    /// <summary>
    /// Applies the tuning once per process (later calls do nothing). Returns false where glibc is
    /// absent (Windows, macOS, musl): there it is a no-op. Call it at start-up, before the first
    /// large tensor is allocated.
    /// </summary>
    public static bool Tune()
    {
        if (Volatile.Read(ref tuned) == 1) return true;
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            bool ok = mallopt(MMmapThreshold, MmapThresholdBytes) == 1 & mallopt(MTrimThreshold, int.MaxValue) == 1;
            if (ok) Volatile.Write(ref tuned, 1);
            return ok;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // not glibc (e.g. musl has no mallopt)
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int param, int value);
}
