using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Data;

/// <summary>
/// Mini-batches of a <see cref="TensorDataset"/>, deterministic and resumable: the order of epoch
/// e depends only on (seed, e) — a <c>torch.randperm</c> drawn from a generator seeded with both —
/// and so does the augmentation. Batches are built on tensors (index_select, vectorised
/// augmentation), with no per-sample managed work.
/// </summary>
/// <remarks>
/// The tensors yielded are not registered in any scope of the loader's own: they belong to the dispose
/// scope that is current when the enumerator's <c>MoveNext</c> runs (or to none). The intended use
/// wraps each step in a scope that the batch is then moved into, or that is opened before
/// <c>MoveNext</c>; either way, dispose the batch after the step.
/// </remarks>
public sealed class BatchLoader
{
    /// <summary>Padding of the CIFAR random crop.</summary>
    public const int CropPadding = 4;

    private readonly TensorDataset data;
    private readonly bool shuffle;
    private readonly long seed;
    private readonly bool augment;
    private readonly bool dropLast;
    private readonly Device? device;
    private readonly float[] fill;

    /// <summary>Creates a loader over <paramref name="data"/>.</summary>
    /// <param name="data">the data set (CPU tensors).</param>
    /// <param name="batchSize">samples per batch (the last batch may be smaller unless <paramref name="dropLast"/>).</param>
    /// <param name="shuffle">draw a fresh permutation each epoch; false keeps the data set's order.</param>
    /// <param name="seed">the run's seed.</param>
    /// <param name="augment">random crop (padding 4) and horizontal flip per sample.</param>
    /// <param name="dropLast">omit the final incomplete batch.</param>
    /// <param name="device">where the batches go; null keeps them on CPU.</param>
    public BatchLoader(TensorDataset data, int batchSize, bool shuffle, long seed, bool augment = false, bool dropLast = false, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "the batch size must be at least 1");
        if (dropLast && batchSize > data.Count)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"dropping the last batch of a data set of {data.Count} samples with batch size {batchSize} leaves no batch");
        this.data = data;
        BatchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.augment = augment;
        this.dropLast = dropLast;
        this.device = device is null || device.type == DeviceType.CPU ? null : device;
        fill = Enumerable.Range(0, data.Channels).Select(ch => -data.Mean[ch] / data.Std[ch]).ToArray();
        // In long: a batch size near int.MaxValue must give one batch, not overflow to none.
        BatchesPerEpoch = dropLast ? data.Count / batchSize : (int)(((long)data.Count + batchSize - 1) / batchSize);
    }

    /// <summary>Samples per (full) batch.</summary>
    public int BatchSize { get; }

    /// <summary>Batches one epoch yields.</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>Samples one epoch covers (all, or all full batches with dropLast).</summary>
    public int SamplesPerEpoch => dropLast ? BatchesPerEpoch * BatchSize : data.Count;

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/>: input float32 (B, C, H, W) and target int64
    /// (B). Calling it again with the same epoch gives the same batches, so a run can resume at any
    /// epoch.
    /// </summary>
    public IEnumerable<(Tensor Input, Tensor Target)> Epoch(int epoch)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "epochs count from 0");
        return Iterate(epoch);
    }

    /// <summary>The permutation epoch <paramref name="epoch"/> visits the samples in (int64, N); the caller disposes it.</summary>
    public Tensor Order(int epoch)
    {
        if (!shuffle) return torch.arange(0, data.Count, 1, ScalarType.Int64);
        using var g = new Generator(StreamSeed(seed, epoch, 0));
        return torch.randperm(data.Count, ScalarType.Int64, generator: g);
    }

    private IEnumerable<(Tensor Input, Tensor Target)> Iterate(int epoch)
    {
        var order = Order(epoch).DetachFromDisposeScope();
        var augGen = augment ? new Generator(StreamSeed(seed, epoch, 1)) : null;
        try
        {
            for (int i = 0; i < BatchesPerEpoch; i++)
            {
                long start = (long)i * BatchSize;
                long len = Math.Min(BatchSize, data.Count - start);
                yield return MakeBatch(order, start, len, augGen);
            }
        }
        finally
        {
            order.Dispose();
            augGen?.Dispose();
        }
    }

    // Not an iterator: the scope opens and closes here, so no scope of ours is open while the
    // caller runs its step between two batches.
    private (Tensor Input, Tensor Target) MakeBatch(Tensor order, long start, long len, Generator? augGen)
    {
        using var scope = torch.NewDisposeScope();
        var index = order.narrow(0, start, len);
        var x = data.Images.index_select(0, index);
        var y = data.Labels.index_select(0, index);
        if (device is not null)
        {
            x = x.to(device);
            y = y.to(device);
        }
        if (augGen is not null)
            x = Augmentation.RandomCropFlip(x, CropPadding, augGen, fill);
        return (x.MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope());
    }

    /// <summary>A well-mixed 64-bit generator seed for (seed, epoch, stream) (SplitMix64 finaliser).</summary>
    internal static ulong StreamSeed(long seed, int epoch, int stream)
    {
        ulong z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)epoch * 0xBF58476D1CE4E5B9UL + (ulong)stream * 0x94D049BB133111EBUL + 0x2545F4914F6CDD1DUL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
