using System.Runtime.CompilerServices;
using TorchSharp;
using TorchSharp.Modules;
using static NoiseSam.Kernels.KeptScalars;
using static TorchSharp.torch;

namespace NoiseSam.Kernels;

/// <summary>One batch-norm layer: its momentum, its batch counter and a snapshot of its running buffers.</summary>
/// <remarks>
/// TorchSharp 0.107's <c>BatchNorm.forward</c> counts a training batch with
/// <c>num_batches_tracked.add_(1)</c>, whose two implicit <see cref="Scalar"/>s (the 1 and the
/// default alpha) are left to their finalisers while the native call still reads them: a collection
/// started by another thread during that call frees them, and libtorch reads a dead Scalar
/// (<c>Scalar::toLong</c> "Expected false to be true"; reproduced in a loop with a second thread
/// collecting, and once in a study process). During a step's passes the counter is therefore taken
/// off the module, so the forward neither counts nor makes those Scalars, and the step counts its
/// one batch itself with a Scalar that lives as long as the process.
/// </remarks>
internal sealed class BatchNormSlot : IDisposable
{
    // False once the field was not found (a TorchSharp whose NormBase differs): the forward counts, as before.
    private static bool counterDetachable = true;

    private readonly BatchNorm module;
    private readonly double? momentum;
    private readonly (Tensor Live, Tensor Saved)[] buffers;
    private readonly Tensor? tracked, trackedSaved;
    private bool counterDetached;

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

    /// <summary>
    /// Before a pass: momentum 0 when the pass must leave the running statistics alone, and the
    /// counter off the module. A null momentum (a cumulative average, which reads the counter) keeps it.
    /// </summary>
    public void BeginPass(bool updateStatistics)
    {
        module.momentum = updateStatistics ? momentum : 0.0;
        if (tracked is null || momentum is null || !counterDetachable) return;
        try
        {
            ref Tensor? field = ref CounterField(module);
            if (!ReferenceEquals(field, tracked)) return; // replaced since the step was built (.to(device)): leave it
            field = null;
            counterDetached = true;
        }
        catch (MissingFieldException)
        {
            counterDetachable = false;
        }
    }

    /// <summary>After a pass, whatever happened in it: momentum and counter as the user set them.</summary>
    public void EndPass()
    {
        module.momentum = momentum;
        if (!counterDetached) return;
        CounterField(module) = tracked;
        counterDetached = false;
    }

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

    /// <summary>The step's one batch: the counter as the step found it, plus one (however many passes ran).</summary>
    public void CountOneBatch()
    {
        if (tracked is null) return;
        tracked.copy_(trackedSaved!).add_(OneBatch, OneBatch);
    }

    public void Dispose()
    {
        foreach (var (_, saved) in buffers) saved.Dispose();
        trackedSaved?.Dispose();
    }

    // The setter of NormBase.num_batches_tracked disposes the old tensor and re-registers the buffer;
    // the field itself is what forward reads, and the module's buffer list keeps the tensor meanwhile.
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_num_batches_tracked")]
    private static extern ref Tensor? CounterField(NormBase module);
}
