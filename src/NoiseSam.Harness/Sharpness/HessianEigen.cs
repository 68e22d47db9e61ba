using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Sharpness;

/// <summary>
/// The top eigenvalue of the Hessian of a loss from Hessian-vector products (Pearlmutter's trick:
/// Hv = ∇(∇L · v), a double backward pass through <c>torch.autograd.grad</c> with
/// <c>create_graph</c>); the Hessian itself is never formed. Two methods:
/// <list type="bullet">
/// <item><see cref="Lanczos(nn.Module{Tensor, Tensor}, LossProbe, LanczosOptions, CancellationToken)"/> (the default of the
/// study and the CLI): the largest algebraic eigenvalue by Lanczos with full reorthogonalisation,
/// stopped when the residual bound of its Ritz pair is small; also the smallest Ritz value.</item>
/// <item><see cref="TopEigenvalue(nn.Module{Tensor, Tensor}, LossProbe, PowerIterationOptions, CancellationToken)"/>: the
/// eigenvalue of largest magnitude (signed) by power iteration, as PyHessian does, stopped when
/// the estimate changes little.</item>
/// </list>
/// </summary>
public static class HessianEigen
{
    // The alpha of a plain add_: TorchSharp's default is a Scalar left to its finaliser, which a
    // collection on another thread can free while libtorch reads it (NoiseSam.Kernels.BatchNormSlot).
    private static readonly Scalar KeptOne = 1.0;

    /// <summary>
    /// The top Hessian eigenvalue of the probe's mean cross-entropy by <paramref name="method"/>,
    /// where the cap, tolerance and seed mean what each method's options say
    /// (<see cref="LanczosOptions"/>, <see cref="PowerIterationOptions"/>).
    /// </summary>
    public static EigenEstimate Estimate(nn.Module<Tensor, Tensor> model, LossProbe probe, EigenMethod method, int maxIterations, double tolerance,
        long seed, Action<int, double>? progress = null, CancellationToken cancel = default) =>
        method switch
        {
            EigenMethod.Lanczos => Lanczos(model, probe, new LanczosOptions { MaxIterations = maxIterations, Tolerance = tolerance, Seed = seed }, progress, cancel),
            EigenMethod.Power => TopEigenvalue(model, probe, new PowerIterationOptions { MaxIterations = maxIterations, Tolerance = tolerance, Seed = seed }, progress, cancel),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, "unknown eigenvalue method"),
        };

    /// <summary>
    /// Largest algebraic eigenvalue λ_max of the Hessian of the probe's mean cross-entropy with
    /// respect to every parameter of <paramref name="model"/> that requires a gradient, by Lanczos
    /// (see <see cref="Lanczos(Func{Tensor}, IReadOnlyList{Tensor}, LanczosOptions, CancellationToken)"/>).
    /// The model is in eval mode meanwhile (batch norm uses its running statistics, as in PyHessian);
    /// its weights are not changed and its train/eval mode is restored.
    /// </summary>
    public static EigenEstimate Lanczos(nn.Module<Tensor, Tensor> model, LossProbe probe, LanczosOptions options,
        CancellationToken cancel = default) =>
        Lanczos(model, probe, options, progress: null, cancel);

    /// <summary>
    /// <see cref="Lanczos(nn.Module{Tensor, Tensor}, LossProbe, LanczosOptions, CancellationToken)"/>
    /// with a callback after each step: (steps taken, current largest Ritz value).
    /// </summary>
    public static EigenEstimate Lanczos(nn.Module<Tensor, Tensor> model, LossProbe probe, LanczosOptions options,
        Action<int, double>? progress, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var parameters = TrainableParameters(model);
        using var mode = EvalMode.Enter(model);
        return LanczosIterate(parameters, ProbeHessianVector(model, probe, parameters), options, progress, cancel);
    }

    /// <summary>
    /// Largest algebraic eigenvalue of the Hessian H of the scalar <paramref name="loss"/> (evaluated
    /// afresh for every Hessian-vector product) with respect to <paramref name="parameters"/>, which
    /// must require gradients, by the Lanczos iteration with full reorthogonalisation:
    /// <list type="number">
    /// <item>q₁ is a seeded Gaussian unit vector; the basis is kept as one flat tensor per vector
    /// (the parameters' dtype, float64 if any parameter is float64, on their device);</item>
    /// <item>step k: w = H q_k, α_k = q_kᵀw, then w is orthogonalised against every q_j, twice
    /// (classical Gram–Schmidt twice), β_k = ‖w‖ and q_{k+1} = w / β_k;</item>
    /// <item>the k × k tridiagonal T_k (α on the diagonal, β off it) is diagonalised on the host in
    /// double precision (<see cref="TridiagonalEigen"/>): its largest eigenvalue θ is the estimate,
    /// and |β_k · s_k| (s_k the last component of θ's unit eigenvector) bounds ‖Hy − θy‖ for the
    /// Ritz vector y;</item>
    /// <item>it stops when |β_k · s_k| ≤ <see cref="LanczosOptions.Tolerance"/> · |θ| (converged), when
    /// β_k vanishes or the basis spans the whole space (T's eigenvalues are then H's: converged), or
    /// after <see cref="LanczosOptions.MaxIterations"/> steps (not converged).</item>
    /// </list>
    /// The smallest Ritz value and its bound come with it (<see cref="EigenEstimate.Smallest"/>).
    /// Deterministic for a seed on a given device.
    /// </summary>
    public static EigenEstimate Lanczos(Func<Tensor> loss, IReadOnlyList<Tensor> parameters, LanczosOptions options,
        CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckParameters(parameters);
        return LanczosIterate(parameters, v => HessianVectorProduct(loss(), parameters, v), options, progress: null, cancel);
    }
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
        using var mode = EvalMode.Enter(model);
        return PowerIterate(parameters, ProbeHessianVector(model, probe, parameters), options, progress, cancel);
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
        CheckParameters(parameters);
        return PowerIterate(parameters, v => HessianVectorProduct(loss(), parameters, v), options, progress: null, cancel);
    }

    private static void CheckParameters(IReadOnlyList<Tensor> parameters)
    {
        if (parameters.Count == 0) throw new ArgumentException("no parameters", nameof(parameters));
        if (parameters.Any(p => !p.requires_grad)) throw new ArgumentException("every parameter must require a gradient", nameof(parameters));
    }

    /// <summary>
    /// v ↦ Hv for the Hessian of the probe's mean loss: Σ over batches of the Hessian of
    /// (batch loss sum / N). The caller has put the model in eval mode.
    /// </summary>
    private static Func<IReadOnlyList<Tensor>, Tensor[]> ProbeHessianVector(nn.Module<Tensor, Tensor> model, LossProbe probe, IReadOnlyList<Tensor> parameters)
    {
        var batches = probe.Batches;
        double samples = probe.Samples;
        return v =>
        {
            var hv = parameters.Select(p => torch.zeros_like(p)).ToArray();
            foreach (var (x, y) in batches)
            {
                using var scope = torch.NewDisposeScope();
                var loss = nn.functional.cross_entropy(model.forward(x), y, reduction: nn.Reduction.Sum).div(samples);
                var part = HessianVectorProduct(loss, parameters, v);
                using var noGrad = torch.no_grad();
                for (int i = 0; i < hv.Length; i++) hv[i].add_(part[i], KeptOne);
            }
            return hv;
        };
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
        var residuals = new List<double>();
        EigenEstimate Result(double lambda, int k, bool converged) =>
            new(lambda, k, converged, history) { Method = EigenMethod.Power, RelativeResidual = residuals[^1], ResidualHistory = residuals };
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
                // ‖Hv − λv‖: H has an eigenvalue within it of λ.
                Tensor[] r;
                using (torch.no_grad())
                using (Scalar minusLambda = -lambda)
                    r = hv.Select((t, i) => t.add(v[i], alpha: minusLambda)).ToArray();
                double residual = Math.Sqrt(Dot(r, r));
                history.Add(lambda);
                residuals.Add(residual == 0 ? 0 : residual / Math.Abs(lambda));
                progress?.Invoke(k, lambda);
                if (!double.IsFinite(lambda) || !double.IsFinite(norm)) return Result(lambda, k, false);
                if (norm == 0) return Result(0, k, true); // H v = 0: v is an eigenvector of 0
                var next = new Tensor[v.Length];
                using (torch.no_grad())
                {
                    for (int i = 0; i < v.Length; i++) next[i] = hv[i].div(norm).DetachFromDisposeScope();
                }
                foreach (var t in v) t.Dispose();
                v = next;
                if (previous is double p && Math.Abs(lambda - p) <= options.Tolerance * Math.Abs(p))
                    return Result(lambda, k, true);
                previous = lambda;
            }
            return Result(history[^1], options.MaxIterations, false);
        }
        finally
        {
            foreach (var t in v) t.Dispose();
        }
    }

    /// <summary>Below this β_k / max|θ| the Krylov space counts as invariant: T's eigenvalues are H's.</summary>
    private const double InvariantTolerance = 1e-12;

    private static EigenEstimate LanczosIterate(IReadOnlyList<Tensor> parameters, Func<IReadOnlyList<Tensor>, Tensor[]> hessianVector,
        LanczosOptions options, Action<int, double>? progress, CancellationToken cancel)
    {
        var layout = new FlatLayout(parameters);
        long cap = Math.Min(options.MaxIterations, layout.Size);
        var basis = new List<Tensor>();
        var alphas = new List<double>();
        var betas = new List<double>();
        var history = new List<double>();
        var residuals = new List<double>();
        try
        {
            basis.Add(layout.RandomUnit(options.Seed));
            for (int k = 0; ; k++)
            {
                cancel.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                Tensor w;
                using (torch.enable_grad()) w = layout.Flatten(hessianVector(layout.Unflatten(basis[k])));
                using var noGrad = torch.no_grad();
                double alpha = Dot64(basis[k], w);
                // Full reorthogonalisation against the whole basis, twice ("twice is enough"); the
                // first pass also removes α_k q_k and β_{k−1} q_{k−1} (the three-term recurrence).
                // Each coefficient sums the products in float64 (a float32 dot over a million entries
                // loses digits that showed in λ_max at the 1e-6 level).
                for (int pass = 0; pass < 2; pass++)
                    foreach (var q in basis)
                    {
                        using Scalar coefficient = -q.mul(w).sum(ScalarType.Float64).item<double>();
                        w.add_(q, alpha: coefficient);
                    }
                double beta = Math.Sqrt(Dot64(w, w));
                alphas.Add(alpha);
                if (!double.IsFinite(alpha) || !double.IsFinite(beta))
                {
                    history.Add(double.NaN);
                    residuals.Add(double.NaN);
                    progress?.Invoke(k + 1, double.NaN);
                    return new EigenEstimate(double.NaN, k + 1, false, history) { Method = EigenMethod.Lanczos, ResidualHistory = residuals };
                }

                var (theta, s) = TridiagonalEigen.Solve(alphas, betas);
                double top = theta[^1], bottom = theta[0];
                double scale = Math.Max(Math.Abs(top), Math.Abs(bottom));
                // β_k ≈ 0 (H maps the Krylov space into itself) or a basis of the whole space: exact.
                bool invariant = beta <= InvariantTolerance * scale || k + 1 == layout.Size;
                double topBound = invariant ? 0 : beta * Math.Abs(s[k, theta.Length - 1]);
                double bottomBound = invariant ? 0 : beta * Math.Abs(s[k, 0]);
                double relTop = Relative(topBound, top);
                history.Add(top);
                residuals.Add(relTop);
                progress?.Invoke(k + 1, top);
                bool converged = invariant || relTop <= options.Tolerance;
                if (converged || k + 1 >= cap)
                    return new EigenEstimate(top, k + 1, converged, history)
                    {
                        Method = EigenMethod.Lanczos,
                        RelativeResidual = relTop,
                        ResidualHistory = residuals,
                        Smallest = bottom,
                        SmallestRelativeResidual = Relative(bottomBound, bottom),
                    };
                betas.Add(beta);
                basis.Add(w.div(beta).DetachFromDisposeScope());
            }
        }
        finally
        {
            foreach (var t in basis) t.Dispose();
        }
    }

    /// <summary>bound / |θ|; 0 for a zero bound, +∞ for θ = 0 with a nonzero bound.</summary>
    private static double Relative(double bound, double theta) => bound == 0 ? 0 : bound / Math.Abs(theta);

    /// <summary>aᵀb of two flat vectors, in float64.</summary>
    private static double Dot64(Tensor a, Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        return a.to_type(ScalarType.Float64).dot(b.to_type(ScalarType.Float64)).item<double>();
    }

    /// <summary>
    /// The parameters as one flat vector: every Lanczos vector is one tensor of
    /// <see cref="Size"/> elements (float64 if any parameter is float64, else float32) on the
    /// parameters' device, viewed per parameter for a Hessian-vector product.
    /// </summary>
    private sealed class FlatLayout
    {
        private readonly IReadOnlyList<Tensor> parameters;
        private readonly long[] offsets;

        public FlatLayout(IReadOnlyList<Tensor> parameters)
        {
            this.parameters = parameters;
            offsets = new long[parameters.Count];
            long size = 0;
            for (int i = 0; i < parameters.Count; i++)
            {
                offsets[i] = size;
                size += parameters[i].numel();
            }
            Size = size;
            DType = parameters.Any(p => p.dtype == ScalarType.Float64) ? ScalarType.Float64 : ScalarType.Float32;
            Device = parameters[0].device;
        }

        public long Size { get; }
        public ScalarType DType { get; }
        public Device Device { get; }

        /// <summary>Views of <paramref name="flat"/> shaped (and typed) like each parameter.</summary>
        public Tensor[] Unflatten(Tensor flat) =>
            parameters.Select((p, i) =>
            {
                var view = flat.narrow(0, offsets[i], p.numel()).view(p.shape);
                return view.dtype == p.dtype ? view : view.to_type(p.dtype);
            }).ToArray();

        public Tensor Flatten(IReadOnlyList<Tensor> parts) =>
            torch.cat(parts.Select(t => t.reshape(-1).to_type(DType)).ToArray(), 0);

        /// <summary>A unit Gaussian vector from a private generator seeded by <paramref name="seed"/> (drawn on the CPU, then moved).</summary>
        public Tensor RandomUnit(long seed)
        {
            using var scope = torch.NewDisposeScope();
            using var generator = new Generator(unchecked((ulong)seed) ^ 0x3C6EF372FE94F82BUL);
            var v = torch.randn([Size], DType, generator: generator).to(Device);
            return v.div(Math.Sqrt(Dot64(v, v))).DetachFromDisposeScope();
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
