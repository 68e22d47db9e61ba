using NoiseSam.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Kernels;

// Forward/backward passes on the whole batch or selected rows, and the gradient norm.
public sealed partial class SamStepCore
{
    // ---- passes ------------------------------------------------------------------------------

    /// <summary>
    /// Forward and backward of the mean per-sample loss on the selected samples (all when
    /// <paramref name="indices"/> is null) into <see cref="FlatParameters.Grad"/>, which is zeroed
    /// first. Returns the detached per-sample losses. Tensors frozen by
    /// <see cref="FreezeUnperturbedTensors"/> get no gradient (their slots stay 0) and are trainable
    /// again when this returns.
    /// </summary>
    public Tensor ForwardBackward(Tensor? indices, bool updateBatchNorm)
    {
        using (StepProfiler.Measure("zero grad", StepPhaseKind.Parameters))
            Flat.ZeroGrad();
        SetBatchNormUpdates(updateBatchNorm);
        try
        {
            var (x, y) = Rows(indices);
            Tensor perSample;
            using (StepProfiler.Measure(PassName("forward", x), StepPhaseKind.Pass))
                perSample = loss(model.forward(x), y);
            // Every tensor frozen (ESAM-SWP kept none): nothing to differentiate, the gradient is 0.
            if (perSample.requires_grad)
            {
                using var phase = StepProfiler.Measure(PassName("backward", x), StepPhaseKind.Pass);
                perSample.mean().backward();
            }
            return perSample.detach();
        }
        finally
        {
            SetBatchNormUpdates(true);
            if (tensorsFrozen) Unfreeze();
        }
    }

    /// <summary>Per-sample losses on the selected samples without gradients.</summary>
    public Tensor Losses(Tensor? indices, bool updateBatchNorm)
    {
        SetBatchNormUpdates(updateBatchNorm);
        try
        {
            using var _ = torch.no_grad();
            var (x, y) = Rows(indices);
            using var phase = StepProfiler.Measure(PassName("no-grad forward", x), StepPhaseKind.Pass);
            return loss(model.forward(x), y);
        }
        finally
        {
            SetBatchNormUpdates(true);
        }
    }

    /// <summary>Global L2 norm of the flat gradient (a 0-d device tensor; no sync).</summary>
    public Tensor GradNorm()
    {
        using var phase = StepProfiler.Measure("gradient norm", StepPhaseKind.Parameters);
        return Flat.Grad.norm();
    }

    private (Tensor X, Tensor Y) Rows(Tensor? indices)
    {
        if (indices is null) return (input, target);
        using var phase = StepProfiler.Measure("gather rows", StepPhaseKind.Selection);
        return (input.index_select(0, indices), target.index_select(0, indices));
    }

    // "forward 32": the pass and its rows, so that passes on a micro-batch show apart from full-batch ones.
    private static string PassName(string pass, Tensor x) => StepProfiler.IsActive ? $"{pass} {x.shape[0]}" : pass;

    private void SetBatchNormUpdates(bool update)
    {
        foreach (var slot in batchNorms) slot.Freeze(!update);
    }

    private static Tensor DefaultLoss(Tensor logits, Tensor targets) =>
        nn.functional.cross_entropy(logits, targets, reduction: nn.Reduction.None);
}
