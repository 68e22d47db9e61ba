using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam;

/// <summary>
/// One training batch as a SAM step sees it: how many rows it has, and a closure that returns the
/// per-sample losses of any subset of them. Every row selection a variant makes (a micro-batch, K-SAM's
/// top-loss rows, ESAM's sharpness-sensitive rows, accumulation chunks) goes through the closure, so
/// any model (several inputs, masks, a teacher) and any per-sample loss (regression, distillation)
/// trains with every variant.
/// </summary>
/// <remarks>
/// <para>
/// The closure is called with <c>null</c> for all rows, or with a 1-D <c>int64</c> tensor of row
/// indices (on the device of the model's parameters; <c>index_select(0, rows)</c> takes them from a
/// batch tensor). It returns a 1-D tensor with one loss per row it was given, in that order, whose
/// graph reaches the parameters (do not reduce, do not <c>detach</c>); the step takes the mean and
/// differentiates it. The step calls it several times per step (once per pass: at w, at w + ε, with
/// and without gradients), always inside the step's dispose scope.
/// </para>
/// <para>
/// A loss that couples the samples of a batch (contrastive losses, losses built on batch statistics)
/// changes meaning when the step passes a subset of the rows: a micro-batch or a chunk then computes
/// the loss among those rows only. Per-sample losses (cross entropy, squared error, a distillation
/// loss per sample) do not.
/// </para>
/// <code>
/// var batch = new SamBatch(x.shape[0], rows =>
/// {
///     var (xi, mi, yi) = rows is null ? (x, mask, y) : (x.index_select(0, rows), mask.index_select(0, rows), y.index_select(0, rows));
///     return nn.functional.mse_loss(model.forward(xi, mi), yi, reduction: nn.Reduction.None).mean(1);
/// });
/// step.Step(batch);
/// </code>
/// </remarks>
public sealed class SamBatch
{
    private readonly Func<Tensor?, Tensor>? perSampleLoss;

    /// <param name="rows">Rows (samples) in the batch, at least 1.</param>
    /// <param name="perSampleLoss">
    /// Per-sample losses of the given rows (<c>null</c> = all rows; else a 1-D int64 index tensor):
    /// a 1-D tensor, one loss per row, with a graph to the parameters.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> is less than 1.</exception>
    public SamBatch(long rows, Func<Tensor?, Tensor> perSampleLoss)
    {
        ArgumentNullException.ThrowIfNull(perSampleLoss);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1L);
        Rows = rows;
        this.perSampleLoss = perSampleLoss;
    }

    // Step(input, target): rows come from the tensors, the loss from the model's forward and
    // SamStepOptions.Loss, without a closure (the step's own fast path, see SamStepCore.PerSample).
    internal SamBatch(Tensor input, Tensor target)
    {
        Input = input;
        Target = target;
        Rows = input.shape[0];
    }

    /// <summary>Rows (samples) in the batch.</summary>
    public long Rows { get; }

    /// <summary>The shorthand's input, or null for a batch built from a closure.</summary>
    internal Tensor? Input { get; }

    /// <summary>The shorthand's target, or null for a batch built from a closure.</summary>
    internal Tensor? Target { get; }

    /// <summary>Calls the user's closure (not the shorthand: it has none).</summary>
    internal Tensor Loss(Tensor? rows) => perSampleLoss!(rows);
}
