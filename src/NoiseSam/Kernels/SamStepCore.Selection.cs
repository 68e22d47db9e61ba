using NoiseSam.Diagnostics;
using NoiseSam.Dsl;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Kernels;

// Micro-batch size and sample selection (head, random, top-loss, ESAM's sharpness-sensitive set).
public sealed partial class SamStepCore
{
    /// <summary>The micro-batch fraction at the current step.</summary>
    public double FractionAt(double start, double end, FractionSchedule schedule)
    {
        if (schedule == FractionSchedule.Constant || TotalSteps <= 0) return start;
        double p = Math.Min(1.0, (double)StepCount / TotalSteps);
        return schedule == FractionSchedule.Linear
            ? start + (end - start) * p
            : end + (start - end) * 0.5 * (1 + Math.Cos(Math.PI * p));
    }

    /// <summary>m = ⌈f·b⌉, at least 1 and at most b (0 for a batch of no rows, whose step is then skipped like SAM's).</summary>
    public long MicroBatchSize(double fraction) => Math.Clamp((long)Math.Ceiling(fraction * BatchSize - 1e-9), Math.Min(1, BatchSize), BatchSize);

    /// <summary>
    /// The first m samples. The index tensor is made once and kept (until m or the device changes),
    /// and a pass given it takes the rows as a <c>narrow</c> view of the batch, not a gathered copy.
    /// </summary>
    public Tensor SelectHead(long m)
    {
        using var phase = StepProfiler.Measure("select", StepPhaseKind.Selection);
        if (headRows is null || headRowCount != m || headRowDevice!.type != rowDevice.type || headRowDevice.index != rowDevice.index)
        {
            headRows?.Dispose();
            headRows = torch.arange(m, dtype: ScalarType.Int64, device: rowDevice).DetachFromDisposeScope();
            (headRowCount, headRowDevice) = (m, rowDevice);
        }
        return headRows;
    }

    // The rows of SelectHead when `indices` is its kept tensor: a leading range, taken as a view.
    private bool IsHead(Tensor? indices) => indices is not null && ReferenceEquals(indices, headRows);

    /// <summary>m distinct samples drawn uniformly (host stream: no device read).</summary>
    public Tensor SelectRandom(long m)
    {
        long[] rows;
        using (StepProfiler.Measure("select", StepPhaseKind.Selection))
            rows = SelectionRandom.Sample(BatchSize, m);
        // A blocking host→device copy of the indices (libtorch's to(device) from pageable memory
        // ends with a stream synchronisation on CUDA): a host sync point; on CPU it is no copy.
        using (StepProfiler.Measure("index upload", StepPhaseKind.Host))
            return torch.tensor(rows, device: rowDevice);
    }

    /// <summary>K-SAM: the m samples with the largest loss.</summary>
    public Tensor SelectTopLoss(Tensor losses, long m)
    {
        using var phase = StepProfiler.Measure("select", StepPhaseKind.Selection);
        return losses.topk((int)m).indexes;
    }

    /// <summary>
    /// ESAM sharpness-sensitive data selection: the ⌊γ·b⌋ (at least 1) samples whose loss rose most
    /// from w to w + ε. (ESAM's code keeps samples strictly above the cut-off, one fewer; we keep exactly ⌊γ·b⌋.)
    /// </summary>
    public Tensor SelectSharpnessSensitive(Tensor lossesBefore, Tensor lossesAfter, double gamma)
    {
        long keep = Math.Clamp((long)Math.Floor(gamma * BatchSize + 1e-9), Math.Min(1, BatchSize), BatchSize);
        using var phase = StepProfiler.Measure("select", StepPhaseKind.Selection);
        return (lossesAfter - lossesBefore).topk((int)keep).indexes;
    }
}
