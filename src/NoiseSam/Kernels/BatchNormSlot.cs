using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NoiseSam.Kernels;

/// <summary>One batch-norm layer: its momentum and a snapshot of its running buffers.</summary>
internal sealed class BatchNormSlot : IDisposable
{
    private static readonly Scalar OneBatch = 1L;

    private readonly BatchNorm module;
    private readonly double? momentum;
    private readonly (Tensor Live, Tensor Saved)[] buffers;
    private readonly Tensor? tracked, trackedSaved;

    public BatchNormSlot(BatchNorm module)
    {
        this.module = module;
        momentum = module.momentum;
        var named = module.named_buffers(recurse: false).ToArray();
        buffers = named.Where(b => b.name != "num_batches_tracked")
            .Select(b => (b.buffer, torch.empty_like(b.buffer).DetachFromDisposeScope())).ToArray();
        tracked = named.Where(b => b.name == "num_batches_tracked").Select(b => b.buffer).FirstOrDefault();
        trackedSaved = tracked is null ? null : torch.empty_like(tracked).DetachFromDisposeScope();
    }

    public void Freeze(bool frozen) => module.momentum = frozen ? 0.0 : momentum;

    public void Snapshot()
    {
        foreach (var (live, saved) in buffers) saved.copy_(live);
        trackedSaved?.copy_(tracked!);
    }

    public void Restore()
    {
        foreach (var (live, saved) in buffers) live.copy_(saved);
        tracked?.copy_(trackedSaved!);
    }

    public void CountOneBatch()
    {
        if (tracked is null) return;
        tracked.copy_(trackedSaved!).add_(OneBatch);
    }

    public void Dispose()
    {
        foreach (var (_, saved) in buffers) saved.Dispose();
        trackedSaved?.Dispose();
    }
}
