using NoiseSam.Diagnostics;
using TorchSharp;
using static NoiseSam.Kernels.KeptScalars;
using static TorchSharp.torch;

namespace NoiseSam.Kernels;

// Forward/backward passes on the whole batch, selected rows or chunks, and the gradient norm.
public sealed partial class SamStepCore
{
    // ---- passes ------------------------------------------------------------------------------

    /// <summary>
    /// Forward and backward of the mean per-sample loss on the selected samples (all when
    /// <paramref name="indices"/> is null) into <see cref="FlatParameters.Grad"/>, which is zeroed
    /// first. Returns the detached per-sample losses. Tensors frozen by
    /// <see cref="FreezeUnperturbedTensors"/> get no gradient (their slots stay 0) and are trainable
    /// again when this returns. With <c>[Accumulation]</c> a pass over all samples runs chunk by chunk,
    /// each chunk's backward adding its share (its loss sum over the batch size) to the gradient, so
    /// that only one chunk's activations are alive at a time.
    /// </summary>
    public Tensor ForwardBackward(Tensor? indices, bool updateBatchNorm)
    {
        using (StepProfiler.Measure("zero grad", StepPhaseKind.Parameters))
            Flat.ZeroGrad();
        BeginPasses(updateBatchNorm);
        try
        {
            if (indices is not null || Plan.Chunks == 1)
                return Pass(indices, 0, indices?.shape[0] ?? BatchSize, batchRows: null);
            var parts = new Tensor[Plan.Chunks];
            using Scalar rows = (double)BatchSize;
            for (int chunk = 0; chunk < parts.Length; chunk++)
            {
                var (start, count) = ChunkRange(chunk);
                parts[chunk] = Pass(null, start, count, rows);
            }
            return torch.cat(parts);
        }
        catch
        {
            AbortStep();
            throw;
        }
        finally
        {
            EndPasses();
            if (tensorsFrozen) Unfreeze();
        }
    }

    /// <summary>Per-sample losses on the selected samples without gradients.</summary>
    public Tensor Losses(Tensor? indices, bool updateBatchNorm)
    {
        BeginPasses(updateBatchNorm);
        try
        {
            using var _ = torch.no_grad();
            return PerSample(indices, 0, indices?.shape[0] ?? BatchSize, "no-grad forward");
        }
        catch
        {
            AbortStep();
            throw;
        }
        finally
        {
            EndPasses();
        }
    }

    /// <summary>Global L2 norm of the flat gradient (a 0-d device tensor; no sync).</summary>
    public Tensor GradNorm()
    {
        using var phase = StepProfiler.Measure("gradient norm", StepPhaseKind.Parameters);
        return Flat.Grad.norm();
    }

    // One forward and backward: of the mean loss of the rows (batchRows null), or of their loss sum
    // over the batch's row count (a chunk's share of the whole batch's mean).
    private Tensor Pass(Tensor? indices, long start, long count, Scalar? batchRows)
    {
        var perSample = PerSample(indices, start, count, "forward");
        // Every tensor frozen (ESAM-SWP kept none): nothing to differentiate, the gradient is 0.
        if (perSample.requires_grad)
        {
            using var phase = StepProfiler.Measure(PassName("backward", count), StepPhaseKind.Pass);
            (batchRows is null ? perSample.mean() : perSample.sum().div(batchRows)).backward();
        }
        return perSample.detach();
    }

    /// <summary>
    /// The per-sample losses of some rows: those of <paramref name="indices"/>, else the
    /// <paramref name="count"/> rows from <paramref name="start"/> (all rows when it is the batch size).
    /// The <c>Step(input, target)</c> shorthand takes them from its tensors (index_select, or a narrow
    /// view for a range) and runs the model and <see cref="SamStepOptions.Loss"/>; a
    /// <see cref="SamBatch"/> gets null (all rows) or an index tensor.
    /// </summary>
    private Tensor PerSample(Tensor? indices, long start, long count, string pass)
    {
        if (batch.Input is { } input)
        {
            var target = batch.Target!;
            Tensor x = input, y = target;
            if (IsHead(indices))
            {
                (x, y) = (input.narrow(0, 0, count), target.narrow(0, 0, count));
            }
            else if (indices is not null)
            {
                using var gather = StepProfiler.Measure("gather rows", StepPhaseKind.Selection);
                (x, y) = (input.index_select(0, indices), target.index_select(0, indices));
            }
            else if (count != BatchSize)
            {
                (x, y) = (input.narrow(0, start, count), target.narrow(0, start, count));
            }
            using var phase = StepProfiler.Measure(PassName(pass, count), StepPhaseKind.Pass);
            return loss(forwardModel!.forward(x), y);
        }

        var rows = indices ?? (count == BatchSize ? null : RowRange(start, count));
        Tensor losses;
        using (StepProfiler.Measure(PassName(pass, count), StepPhaseKind.Pass))
            losses = batch.Loss(rows);
        if (losses is null || losses.dim() != 1 || losses.shape[0] != count)
            throw new InvalidOperationException(
                $"The SamBatch loss of variant '{variantName}' was given {(rows is null ? "all" : count.ToString(System.Globalization.CultureInfo.InvariantCulture))} of {BatchSize} rows " +
                $"and returned {(losses is null ? "null" : $"a tensor of shape [{string.Join(", ", losses.shape)}]")}: it must return one loss per row it is given, " +
                $"a 1-D tensor of {count} (a per-sample loss: reduction none, not a mean).");
        return losses;
    }

    // Rows start … start + count − 1 as an index tensor for a SamBatch closure (Scalars disposed here:
    // an implicit long→Scalar would live until the finaliser).
    private Tensor RowRange(long start, long count)
    {
        using Scalar from = start, to = start + count;
        return torch.arange(from, to, dtype: ScalarType.Int64, device: rowDevice);
    }

    // Chunk j of Plan.Chunks: rows [j·b/N, (j+1)·b/N), so chunk sizes differ by at most one.
    private (long Start, long Count) ChunkRange(int chunk)
    {
        long start = chunk * BatchSize / Plan.Chunks, end = (chunk + 1) * BatchSize / Plan.Chunks;
        return (start, end - start);
    }

    // "forward 32": the pass and its rows, so that passes on a micro-batch show apart from full-batch ones.
    private static string PassName(string pass, long rows) => StepProfiler.IsActive ? $"{pass} {rows}" : pass;

    private void BeginPasses(bool updateBatchNorm)
    {
        foreach (var slot in batchNorms) slot.BeginPass(updateBatchNorm);
    }

    private void EndPasses()
    {
        foreach (var slot in batchNorms) slot.EndPass();
    }

    // A pass threw (a user's closure, out of memory): leave the model as the step found it, weights
    // restored if they were perturbed and batch-norm statistics as they were, then let it propagate.
    private void AbortStep()
    {
        using var _ = torch.no_grad();
        if (perturbed) Restore();
        foreach (var slot in batchNorms) slot.Restore();
    }

    private static Tensor DefaultLoss(Tensor logits, Tensor targets) =>
        nn.functional.cross_entropy(logits, targets, reduction: nn.Reduction.None);
}
