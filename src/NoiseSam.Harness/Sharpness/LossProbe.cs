using NoiseSam.Harness.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Sharpness;

/// <summary>
/// A fixed set of training batches (x, y) on the model's device, used as the "training loss" for
/// every sharpness figure (<see cref="HessianEigen"/>, <see cref="LossLandscape"/>,
/// <see cref="MSharpness"/>). The batches are detached from every dispose scope and live until
/// <see cref="Dispose"/>.
/// </summary>
public sealed class LossProbe : IDisposable
{
    private readonly (Tensor X, Tensor Y)[] batches;
    private bool disposed;

    /// <summary>
    /// Takes the first <paramref name="samples"/> samples of <paramref name="data"/> (all of them
    /// when it has fewer) in batches of <paramref name="batchSize"/>, copied to <paramref name="device"/>.
    /// </summary>
    public static LossProbe FromDataset(TensorDataset data, int samples, int batchSize, Device device)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(device);
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), samples, "a probe needs at least one sample");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batches of at least one sample");
        int n = Math.Min(samples, data.Count);
        var list = new List<(Tensor X, Tensor Y)>();
        try
        {
            for (int start = 0; start < n; start += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                int len = Math.Min(batchSize, n - start);
                // clone(): the probe owns its storage, whatever happens to the data set.
                var x = data.Images.narrow(0, start, len).to(device).clone();
                var y = data.Labels.narrow(0, start, len).to(device).clone();
                list.Add((x.DetachFromDisposeScope(), y.DetachFromDisposeScope()));
            }
        }
        catch
        {
            foreach (var (x, y) in list)
            {
                x.Dispose();
                y.Dispose();
            }
            throw;
        }
        return new LossProbe(list);
    }

    /// <summary>
    /// Takes ownership of <paramref name="batches"/>: inputs X (first dimension = samples) and int64
    /// class labels Y (one per sample), all on the model's device.
    /// </summary>
    public LossProbe(IReadOnlyList<(Tensor X, Tensor Y)> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        if (batches.Count == 0) throw new ArgumentException("a probe needs at least one batch", nameof(batches));
        long total = 0;
        foreach (var (x, y) in batches)
        {
            ArgumentNullException.ThrowIfNull(x, nameof(batches));
            ArgumentNullException.ThrowIfNull(y, nameof(batches));
            if (x.dim() < 1 || y.dim() != 1 || x.shape[0] != y.shape[0] || x.shape[0] == 0)
                throw new ArgumentException(
                    $"each batch needs X with N ≥ 1 rows and Y of shape [N]; got X [{string.Join(", ", x.shape)}], Y [{string.Join(", ", y.shape)}]",
                    nameof(batches));
            total += x.shape[0];
        }
        this.batches = batches.Select(b => (b.X.DetachFromDisposeScope(), b.Y.DetachFromDisposeScope())).ToArray();
        Samples = checked((int)total);
    }

    /// <summary>Samples in the probe (over all batches).</summary>
    public int Samples { get; }

    /// <summary>The batches, in order (owned by the probe: do not dispose them).</summary>
    public IReadOnlyList<(Tensor X, Tensor Y)> Batches
    {
        get
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return batches;
        }
    }

    /// <summary>
    /// Mean cross-entropy over all samples (sample-weighted over the batches), model in eval mode,
    /// no gradients. The model's previous train/eval mode is restored.
    /// </summary>
    public double Loss(nn.Module<Tensor, Tensor> model)
    {
        ArgumentNullException.ThrowIfNull(model);
        ObjectDisposedException.ThrowIf(disposed, this);
        using var mode = EvalMode.Enter(model);
        return LossInEvalMode(model);
    }

    /// <summary><see cref="Loss"/> without touching the model's mode (the caller has set eval mode).</summary>
    internal double LossInEvalMode(nn.Module<Tensor, Tensor> model)
    {
        using var noGrad = torch.no_grad();
        double sum = 0;
        foreach (var (x, y) in batches)
        {
            using var scope = torch.NewDisposeScope();
            var logits = model.forward(x);
            sum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).to(ScalarType.Float64).item<double>();
        }
        return sum / Samples;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var (x, y) in batches)
        {
            x.Dispose();
            y.Dispose();
        }
    }
}
