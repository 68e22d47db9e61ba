using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Sharpness;

/// <summary>
/// The eigenvalue of largest magnitude of the Hessian of a loss, by power iteration with
/// Hessian-vector products (Pearlmutter's trick: Hv = ∇(∇L · v), a double backward pass through
/// <c>torch.autograd.grad</c> with <c>create_graph</c>), as PyHessian does. The Hessian itself is
/// never formed.
/// </summary>
public static class HessianEigen
{
    /// <summary>
    /// Top (largest-magnitude) eigenvalue of the Hessian of the probe's mean cross-entropy with
    /// respect to every parameter of <paramref name="model"/> that requires a gradient. The model is
    /// in eval mode meanwhile (batch norm uses its running statistics, as in PyHessian); its weights
    /// are not changed and its train/eval mode is restored.
    /// </summary>
    public static EigenEstimate TopEigenvalue(nn.Module<Tensor, Tensor> model, LossProbe probe, PowerIterationOptions options,
        CancellationToken cancel = default) =>
        TopEigenvalue(model, probe, options, progress: null, cancel);

    /// <summary>
    /// <see cref="TopEigenvalue(nn.Module{Tensor, Tensor}, LossProbe, PowerIterationOptions, CancellationToken)"/>
    /// with a callback after each iteration: (iteration, current estimate).
    /// </summary>
    public static EigenEstimate TopEigenvalue(nn.Module<Tensor, Tensor> model, LossProbe probe, PowerIterationOptions options,
        Action<int, double>? progress, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var parameters = TrainableParameters(model);
        var batches = probe.Batches;
        double samples = probe.Samples;
        using var mode = EvalMode.Enter(model);
        return PowerIterate(parameters, v =>
        {
            // Σ over batches of the Hessian of (batch loss sum / N): the Hessian of the probe's mean loss.
            var hv = parameters.Select(p => torch.zeros_like(p)).ToArray();
            foreach (var (x, y) in batches)
            {
                using var scope = torch.NewDisposeScope();
                var loss = nn.functional.cross_entropy(model.forward(x), y, reduction: nn.Reduction.Sum).div(samples);
                var part = HessianVectorProduct(loss, parameters, v);
                using var noGrad = torch.no_grad();
                for (int i = 0; i < hv.Length; i++) hv[i].add_(part[i]);
            }
            return hv;
        }, options, progress, cancel);
    }

    /// <summary>
    /// Top (largest-magnitude) eigenvalue of the Hessian of the scalar <paramref name="loss"/>
    /// (evaluated afresh for every Hessian-vector product) with respect to <paramref name="parameters"/>,
    /// which must require gradients.
    /// </summary>
    public static EigenEstimate TopEigenvalue(Func<Tensor> loss, IReadOnlyList<Tensor> parameters, PowerIterationOptions options,
        CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (parameters.Count == 0) throw new ArgumentException("no parameters", nameof(parameters));
        if (parameters.Any(p => !p.requires_grad)) throw new ArgumentException("every parameter must require a gradient", nameof(parameters));
        return PowerIterate(parameters, v => HessianVectorProduct(loss(), parameters, v), options, progress: null, cancel);
    }

    internal static List<Tensor> TrainableParameters(nn.Module model)
    {
        var parameters = model.parameters().Where(p => p.requires_grad).Cast<Tensor>().ToList();
        if (parameters.Count == 0) throw new ArgumentException("the model has no parameter that requires a gradient", nameof(model));
        return parameters;
    }

    /// <summary>H v for the Hessian H of <paramref name="loss"/>; the results belong to the current dispose scope.</summary>
    private static Tensor[] HessianVectorProduct(Tensor loss, IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor> v)
    {
        // retain_graph: the double backward runs through the forward graph again.
        var g = torch.autograd.grad([loss], parameters.ToArray(), retain_graph: true, create_graph: true);
        Tensor? dot = null;
        for (int i = 0; i < parameters.Count; i++)
        {
            var term = g[i].mul(v[i]).sum();
            dot = dot is null ? term : dot.add(term);
        }
        // A loss linear in the parameters has a gradient that does not depend on them: H = 0.
        if (!dot!.requires_grad) return parameters.Select(p => torch.zeros_like(p)).ToArray();
        var hv = torch.autograd.grad([dot], parameters.ToArray());
        return hv.Select(t => t.detach()).ToArray();
    }

    private static EigenEstimate PowerIterate(IReadOnlyList<Tensor> parameters, Func<IReadOnlyList<Tensor>, Tensor[]> hessianVector,
        PowerIterationOptions options, Action<int, double>? progress, CancellationToken cancel)
    {
        var history = new List<double>();
        Tensor[] v = StartVector(parameters, options.Seed);
        try
        {
            double? previous = null;
            for (int k = 1; k <= options.MaxIterations; k++)
            {
                cancel.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                Tensor[] hv;
                using (torch.enable_grad()) hv = hessianVector(v);
                double lambda = Dot(v, hv); // the Rayleigh quotient (‖v‖ = 1) keeps the sign
                double norm = Math.Sqrt(Dot(hv, hv));
                history.Add(lambda);
                progress?.Invoke(k, lambda);
                if (!double.IsFinite(lambda) || !double.IsFinite(norm)) return new EigenEstimate(lambda, k, false, history);
                if (norm == 0) return new EigenEstimate(0, k, true, history); // H v = 0: v is an eigenvector of 0
                var next = new Tensor[v.Length];
                using (torch.no_grad())
                {
                    for (int i = 0; i < v.Length; i++) next[i] = hv[i].div(norm).DetachFromDisposeScope();
                }
                foreach (var t in v) t.Dispose();
                v = next;
                if (previous is double p && Math.Abs(lambda - p) <= options.Tolerance * Math.Abs(p))
                    return new EigenEstimate(lambda, k, true, history);
                previous = lambda;
            }
            return new EigenEstimate(history[^1], options.MaxIterations, false, history);
        }
        finally
        {
            foreach (var t in v) t.Dispose();
        }
    }

    /// <summary>A unit-norm Gaussian vector over all parameters, from a private generator (CPU, then moved).</summary>
    private static Tensor[] StartVector(IReadOnlyList<Tensor> parameters, long seed)
    {
        using var scope = torch.NewDisposeScope();
        using var generator = new Generator(unchecked((ulong)seed) ^ 0x3C6EF372FE94F82BUL);
        var v = parameters.Select(p => torch.randn(p.shape, p.dtype, generator: generator).to(p.device)).ToArray();
        double norm = Math.Sqrt(Dot(v, v));
        return v.Select(t => t.div(norm).DetachFromDisposeScope()).ToArray();
    }

    /// <summary>Σᵢ aᵢ · bᵢ over the parameter list, accumulated in float64.</summary>
    internal static double Dot(IReadOnlyList<Tensor> a, IReadOnlyList<Tensor> b)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        Tensor? sum = null;
        for (int i = 0; i < a.Count; i++)
        {
            var term = a[i].flatten().to(ScalarType.Float64).dot(b[i].flatten().to(ScalarType.Float64));
            sum = sum is null ? term : sum.add(term);
        }
        return sum is null ? 0 : sum.item<double>();
    }
}
