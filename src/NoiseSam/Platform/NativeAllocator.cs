using System.Runtime.InteropServices;

namespace NoiseSam.Platform;

/// <summary>
/// glibc allocator tuning for libtorch on CPU. A SAM step allocates and frees several
/// parameter-sized buffers; with glibc's defaults each large block is an mmap/munmap pair and the
/// heap is trimmed after every free, which cost 15–25 % of a step and most of its timing noise
/// (DESIGN.md §5). Raising both thresholds keeps those blocks in the heap.
/// </summary>
/// <remarks>
/// glibc caps the mmap threshold at 32 MiB, so activations of that size or more (ResNet-18's first
/// stage at batch 128 holds 32 MiB tensors) were still fresh mappings, zero-filled page by page on
/// every pass: 0.2–0.5 million minor page faults per ResNet-18 SAM step, which made SAM's two passes
/// 2.2–2.3× SGD's single one. Turning mmap off for the heap (<c>M_MMAP_MAX = 0</c>) serves them from
/// freed heap blocks instead: a few faults per step, SAM at 1.99× SGD, the same steps 10–15 % faster.
/// Threads outside the main arena still fall back to mmap for blocks their arena cannot hold.
/// </remarks>
public static class NativeAllocator
{
    private const int MTrimThreshold = -1;
    private const int MMmapThreshold = -3;
    private const int MMmapMax = -4;
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
            bool ok = mallopt(MMmapThreshold, MmapThresholdBytes) == 1 & mallopt(MTrimThreshold, int.MaxValue) == 1
                & mallopt(MMmapMax, 0) == 1;
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
