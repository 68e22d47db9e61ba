using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Sharpness;

/// <summary>
/// m-sharpness (Foret, Kleiner, Mobahi &amp; Neyshabur 2021; Andriushchenko &amp; Flammarion 2022):
/// the loss increase after one normalised ascent step of radius ρ, taken separately on each chunk
/// of m samples, averaged over the chunks.
/// </summary>
public static class MSharpness
{
    /// <summary>
    /// The probe's samples, in order, are cut into chunks of <paramref name="m"/> (the last may be
    /// smaller). For each chunk C with mean loss L_C and gradient g = ∇L_C(w):
    /// ε = ρ·g/‖g‖ (‖·‖ over all parameters that require a gradient) and s_C = L_C(w + ε) − L_C(w)
    /// (0 when g = 0). Returns Σ_C |C|·s_C / N. The model is in eval mode meanwhile; its weights are
    /// restored bit-exactly after every chunk and its train/eval mode afterwards.
    /// </summary>
    public static double Compute(nn.Module<Tensor, Tensor> model, LossProbe probe, double rho, int m, CancellationToken cancel = default) =>
        Compute(model, probe, rho, m, progress: null, cancel);

    /// <summary><see cref="Compute(nn.Module{Tensor, Tensor}, LossProbe, double, int, CancellationToken)"/> with a callback (chunks done, chunks in all).</summary>
    public static double Compute(nn.Module<Tensor, Tensor> model, LossProbe probe, double rho, int m, Action<int, int>? progress,
        CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(probe);
        Check(rho, m);
        var parameters = HessianEigen.TrainableParameters(model);
        using var mode = EvalMode.Enter(model);
        using var all = torch.NewDisposeScope();
        var batches = probe.Batches;
        var x = batches.Count == 1 ? batches[0].X : torch.cat(batches.Select(b => b.X).ToArray(), 0);
        var y = batches.Count == 1 ? batches[0].Y : torch.cat(batches.Select(b => b.Y).ToArray(), 0);
        return Compute((start, length) => nn.functional.cross_entropy(model.forward(x.narrow(0, start, length)), y.narrow(0, start, length)),
            parameters, probe.Samples, rho, m, progress, cancel);
    }

    /// <summary>
    /// The same on an arbitrary loss: <paramref name="chunkLoss"/>(start, length) returns the mean
    /// loss of samples [start, start + length) of <paramref name="samples"/> at the current values of
    /// <paramref name="parameters"/> (which must require gradients); it is called with gradients
    /// enabled at w and disabled at w + ε. The parameters are restored bit-exactly after every chunk.
    /// </summary>
    public static double Compute(Func<int, int, Tensor> chunkLoss, IReadOnlyList<Tensor> parameters, int samples, double rho, int m,
        Action<int, int>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(chunkLoss);
        ArgumentNullException.ThrowIfNull(parameters);
        Check(rho, m);
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), samples, "at least one sample");
        if (parameters.Count == 0) throw new ArgumentException("no parameters", nameof(parameters));
        if (parameters.Any(p => !p.requires_grad)) throw new ArgumentException("every parameter must require a gradient", nameof(parameters));
        var inputs = parameters.ToArray();
        using var backup = new WeightBackup(parameters);
        int chunks = (samples + m - 1) / m;
        double sum = 0;
        try
        {
            for (int c = 0; c < chunks; c++)
            {
                cancel.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                int start = c * m, len = Math.Min(m, samples - start);
                double at;
                Tensor[] g;
                using (torch.enable_grad())
                {
                    var loss = chunkLoss(start, len);
                    at = loss.to(ScalarType.Float64).item<double>();
                    g = torch.autograd.grad([loss], inputs).ToArray();
                }
                double norm = Math.Sqrt(HessianEigen.Dot(g, g));
                if (norm > 0 && rho > 0)
                {
                    double perturbed;
                    using (torch.no_grad())
                    {
                        using Scalar step = rho / norm;
                        for (int i = 0; i < inputs.Length; i++) inputs[i].add_(g[i], alpha: step);
                        perturbed = chunkLoss(start, len).to(ScalarType.Float64).item<double>();
                    }
                    backup.Restore();
                    sum += len * (perturbed - at);
                }
                progress?.Invoke(c + 1, chunks);
            }
        }
        finally
        {
            backup.Restore();
        }
        return sum / samples;
    }

    private static void Check(double rho, int m)
    {
        if (!double.IsFinite(rho) || rho < 0) throw new ArgumentOutOfRangeException(nameof(rho), rho, "rho must be finite and ≥ 0");
        if (m < 1) throw new ArgumentOutOfRangeException(nameof(m), m, "chunks of at least one sample");
    }
}
