using NoiseSam.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Kernels;

// m-SAM on one device ([Accumulation(Ascent = AccumulationAscent.PerChunk)]): each chunk its own ε.
// (A whole-batch ascent needs no kernel of its own: ForwardBackward runs chunk by chunk.)
public sealed partial class SamStepCore
{
    // The SAM gradient accumulated over the chunks, Σ_j (n_j / b) ∇L_j(w + ε_j).
    private readonly Tensor? accumulator;
    private Tensor[]? chunkLosses;
    private Tensor? chunkNormSum;

    /// <summary>Chunks per batch (<c>[Accumulation]</c>; 1 without).</summary>
    public int Chunks => Plan.Chunks;

    /// <summary>Starts the chunks of a per-chunk SAM step: the accumulated gradient is 0.</summary>
    public void BeginChunks()
    {
        using var _ = torch.no_grad();
        accumulator!.zero_();
        chunkLosses = new Tensor[Chunks];
        chunkNormSum = null;
    }

    /// <summary>
    /// Forward and backward of chunk <paramref name="chunk"/>'s mean loss into
    /// <see cref="FlatParameters.Grad"/> (zeroed first); returns its detached per-sample losses.
    /// </summary>
    public Tensor ForwardBackwardChunk(int chunk, bool updateBatchNorm)
    {
        using (StepProfiler.Measure("zero grad", StepPhaseKind.Parameters))
            Flat.ZeroGrad();
        BeginPasses(updateBatchNorm);
        try
        {
            var (start, count) = ChunkRange(chunk);
            return Pass(null, start, count, batchRows: null);
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

    /// <summary>
    /// After chunk <paramref name="chunk"/>'s descent pass (and the restore of w): adds its share
    /// n_j / b of the gradient to the accumulated SAM gradient, and keeps its losses at w and its
    /// ascent gradient's norm for the step's result.
    /// </summary>
    public void AccumulateChunk(int chunk, Tensor ascentLosses, Tensor ascentNorm)
    {
        using var _ = torch.no_grad();
        using var phase = StepProfiler.Measure("accumulate", StepPhaseKind.Parameters);
        var (_, count) = ChunkRange(chunk);
        using Scalar share = (double)count / BatchSize;
        accumulator!.add_(Flat.Grad, alpha: share);
        chunkLosses![chunk] = ascentLosses;
        chunkNormSum = chunkNormSum is null ? ascentNorm : chunkNormSum.add(ascentNorm);
    }

    /// <summary>
    /// Ends a per-chunk SAM step: the accumulated SAM gradient goes into <see cref="FlatParameters.Grad"/>
    /// for <see cref="Finish"/>. Returns the mean loss at w over the whole batch and the mean of the
    /// chunks' ascent-gradient norms (the step's reported gradient norm).
    /// </summary>
    public (Tensor Loss, Tensor GradientNorm) EndChunks()
    {
        using var _ = torch.no_grad();
        Flat.Grad.copy_(accumulator!);
        using Scalar chunks = (double)Chunks;
        var result = (torch.cat(chunkLosses!).mean(), chunkNormSum!.div(chunks));
        chunkLosses = null;
        chunkNormSum = null;
        return result;
    }
}
