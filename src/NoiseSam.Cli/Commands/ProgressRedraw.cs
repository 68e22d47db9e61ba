using System.Diagnostics;
using Spectre.Console;

namespace NoiseSam.Cli.Commands;

/// <summary>
/// Redraws a live progress display from the thread that trains, at most every 100 ms. Spectre's own
/// refresh runs on a thread of its own that allocates while the training thread is inside libtorch,
/// and a collection started there can free a TorchSharp Scalar that a native call is still reading
/// (see docs/faq.md); with <see cref="CommonOptions.ProgressBars"/> not refreshing by itself, every
/// collection of a training process happens on the training thread.
/// </summary>
internal sealed class ProgressRedraw(ProgressContext context)
{
    private const long IntervalMs = 100;
    private readonly Stopwatch sinceRedraw = Stopwatch.StartNew();

    /// <summary>Redraws if the interval has passed (always with <paramref name="now"/>).</summary>
    public void Tick(bool now = false)
    {
        if (!now && sinceRedraw.ElapsedMilliseconds < IntervalMs) return;
        sinceRedraw.Restart();
        context.Refresh();
    }
}
