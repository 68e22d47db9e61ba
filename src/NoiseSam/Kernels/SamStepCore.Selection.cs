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
        if (headRows is null || !Serves(headRowDevice, headRowCount, m))
        {
            headRows?.Dispose();
            headRows = torch.arange(m, dtype: ScalarType.Int64, device: rowDevice).DetachFromDisposeScope();
            (headRowCount, headRowDevice) = (m, rowDevice);
        }
        return headRows;
    }

    // The rows of SelectHead when `indices` is its kept tensor: a leading range, taken as a view.
    private bool IsHead(Tensor? indices) => indices is not null && ReferenceEquals(indices, headRows);

    // Whether an index tensor kept for `count` rows on `device` serves m rows of this step's batch.
    private bool Serves(Device? device, long count, long m) =>
        device is not null && count == m && device.type == rowDevice.type && device.index == rowDevice.index;

    /// <summary>
    /// m distinct samples drawn uniformly (host stream: no device read). The rows are written into
    /// an index tensor kept across steps; on a GPU they go up from page-locked memory with a
    /// non-blocking copy, which waits for nothing (the previous step's end-of-step read has drained
    /// the stream, so the copy of the step before is done when the buffer is written again).
    /// </summary>
    public Tensor SelectRandom(long m)
    {
        ReadOnlySpan<long> rows;
        using (StepProfiler.Measure("select", StepPhaseKind.Selection))
        {
            if (samplePool is null || samplePool.Length != BatchSize) samplePool = new long[BatchSize];
            rows = SelectionRandom.SampleInto(samplePool, m);
        }
        using var phase = StepProfiler.Measure("index upload", StepPhaseKind.Selection);
        if (randomRowsHost is null || !Serves(randomRowDevice, randomRowCount, m))
        {
            randomRowsHost?.Dispose();
            randomRowsDevice?.Dispose();
            bool onHost = rowDevice.type == DeviceType.CPU;
            // The unpinned tensor of a GPU step stays in the step's dispose scope and goes with it.
            var fresh = torch.empty(m, ScalarType.Int64);
            randomRowsHost = (onHost ? fresh : fresh.pin_memory()).DetachFromDisposeScope();
            randomRowsDevice = onHost ? null : torch.empty(m, ScalarType.Int64, device: rowDevice).DetachFromDisposeScope();
            (randomRowCount, randomRowDevice) = (m, rowDevice);
        }
        // A batch of no rows (a skipped step) has nothing to write: TorchSharp's accessor refuses an empty copy.
        if (m > 0)
            using (var host = randomRowsHost.data<long>())
                host.CopyFrom(rows, 0, 0);
        randomRowsDevice?.copy_(randomRowsHost, nonBlocking: true);
        return randomRowsDevice ?? randomRowsHost;
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
