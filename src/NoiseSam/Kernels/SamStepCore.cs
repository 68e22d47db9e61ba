using System.ComponentModel;
using NoiseSam.Diagnostics;
using NoiseSam.Platform;
using NoiseSam.Dsl;
using NoiseSam.Planning;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NoiseSam.Kernels;

/// <summary>
/// The state and kernels of one SAM step object: flat parameter/gradient buffers, the weight
/// backup, the base optimizer, schedule statistics and the random streams. Generated steps and
/// <see cref="SamEngine"/> call these kernels in the same order, which is what makes them
/// bit-identical. Every method must run inside the caller's per-step <c>torch.NewDisposeScope()</c>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public sealed class SamStepCore : IDisposable
{
    private const int StateFormatVersion = 1;
    private static readonly byte[] StateMagic = "NSAMSTEP"u8.ToArray();

    // Long-lived scalars: an implicit double→Scalar is a native handle that lives until the finaliser.
    private static readonly Scalar One = 1.0, Two = 2.0, Half = 0.5, Sqrt3 = Math.Sqrt(3),
        SamEpsilon = 1e-12, AsamEpsilon = 1e-16, EsamEpsilon = 1e-7, Tiny = 1e-30, OneBatch = 1L;

    private readonly nn.Module<Tensor, Tensor> model;
    private readonly Func<Tensor, Tensor, Tensor> loss;
    private readonly BatchNormSlot[] batchNorms;
    private readonly Tensor? backup;
    private readonly Tensor? direction;
    // LookSAM: 1 / (‖g_v‖ + 1e-12), refreshed when g_v is (g_v is constant between SAM steps).
    private readonly Tensor? inverseDirectionNorm;
    // ESAM-SWP with frozen tensors: which tensors are perturbed this step, and whether some are frozen now.
    private readonly bool[] perturbedTensors;
    private bool maskDrawn, tensorsFrozen;
    private readonly Generator? noiseGenerator;
    private readonly string variantName;
    private Tensor input = null!, target = null!;
    private bool hasDirection;
    private bool statsInitialized;
    private double meanSquaredNorm, varianceSquaredNorm;

    public SamStepCore(nn.Module<Tensor, Tensor> model, SamStepOptions? options, SamVariantDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(descriptor);
        options ??= SamStepOptions.Default;
        this.model = model;
        variantName = descriptor.Name;
        Plan = new SamStepPlan(descriptor.ToDeclarationValues());
        loss = options.Loss ?? DefaultLoss;
        TotalSteps = options.TotalSteps;
        LearningRate = Plan.LearningRate;

        Flat = FlatParameters.Attach(model);
        Optimizer = Plan.Optimizer == OptimizerKind.Sgd
            ? new FlatSgd(Plan.Momentum, Plan.Nesterov, Plan.WeightDecay)
            : new FlatAdamW(Plan.Beta1, Plan.Beta2, Plan.Epsilon, Plan.WeightDecay);
        if (Plan.MayPerturb) backup = torch.empty_like(Flat.Values).DetachFromDisposeScope();
        if (Plan.CachesDirection)
        {
            direction = torch.zeros_like(Flat.Values).DetachFromDisposeScope();
            inverseDirectionNorm = torch.zeros(Array.Empty<long>(), dtype: Flat.Values.dtype, device: Flat.Values.device).DetachFromDisposeScope();
        }
        perturbedTensors = new bool[Flat.Slices.Count];
        var device = Flat.Values.device;
        if (Plan.HasNoise) noiseGenerator = new Generator((ulong)options.Seed ^ 0x5A17_0000UL, device);

        ScheduleRandom = new HostRandom(options.Seed, 1);
        SelectionRandom = new HostRandom(options.Seed, 2);
        MaskRandom = new HostRandom(options.Seed, 3);
        batchNorms = model.modules().OfType<BatchNorm>().Select(bn => new BatchNormSlot(bn)).ToArray();
    }

    /// <summary>What the declaration asks of each step.</summary>
    public SamStepPlan Plan { get; }

    /// <summary>The model's trainable parameters as flat buffers.</summary>
    public FlatParameters Flat { get; }

    /// <summary>The base optimizer.</summary>
    public FlatOptimizer Optimizer { get; }

    public HostRandom ScheduleRandom { get; }
    public HostRandom SelectionRandom { get; }
    public HostRandom MaskRandom { get; }

    public double LearningRate { get; set; }
    public long StepCount { get; private set; }
    public long TotalSteps { get; }
    public long SkippedSteps { get; private set; }
    public float PreviousLoss { get; private set; } = float.NaN;
    public float PreviousGradientNorm { get; private set; } = float.NaN;
    public long BatchSize { get; private set; }

    /// <summary>Parameter-sized buffers kept beyond the base optimizer's (weight backup, LookSAM direction).</summary>
    public int ExtraStateBuffers => (backup is null ? 0 : 1) + (direction is null ? 0 : 1);

    /// <summary>What a Custom schedule sees for the step about to run.</summary>
    public StepContext Context => new(StepCount, TotalSteps, PreviousLoss, PreviousGradientNorm);

    // ---- step boundaries -------------------------------------------------------------------

    /// <summary>Starts a step on a batch: remembers it and snapshots batch-norm buffers (restored if the step is skipped).</summary>
    public void BeginStep(Tensor input, Tensor target)
    {
        this.input = input;
        this.target = target;
        BatchSize = input.shape[0];
        using var _ = torch.no_grad();
        using var phase = StepProfiler.Measure("batch-norm snapshot", StepPhaseKind.Bookkeeping);
        foreach (var slot in batchNorms) slot.Snapshot();
    }

    /// <summary>
    /// Ends a step: one host read of (loss, ‖g‖, ‖final gradient‖); if any is not finite, nothing is
    /// applied (weights were already restored, optimizer and batch-norm state stay as they were) and
    /// the step is counted as skipped. Otherwise caches LookSAM's direction when asked, and applies
    /// the base optimizer to the final gradient. <paramref name="normIsFinal"/>: the gradient buffer
    /// still holds the gradient whose norm is <paramref name="gradientNorm"/> (a base step without
    /// LookSAM's reuse), so its norm is not computed a second time.
    /// </summary>
    public SamStepResult Finish(Tensor meanLoss, Tensor gradientNorm, bool perturbed, long ascentSamples, bool cacheDirection = false, bool normIsFinal = false)
    {
        var result = Apply(meanLoss, gradientNorm, perturbed, ascentSamples, cacheDirection, normIsFinal);
        using (StepProfiler.Measure("finalizer sweep", StepPhaseKind.Bookkeeping))
            FinalizerPacer.Process.AfterStep();
        return result;
    }

    private SamStepResult Apply(Tensor meanLoss, Tensor gradientNorm, bool perturbed, long ascentSamples, bool cacheDirection, bool normIsFinal)
    {
        float[] stats;
        // Belongs to the step's dispose scope, like every tensor made here.
        var finalNorm = normIsFinal ? gradientNorm : GradNorm();
        using (StepProfiler.Measure("host read", StepPhaseKind.Host))
        using (var stacked = torch.stack(new[] { meanLoss.detach().to(ScalarType.Float32), gradientNorm.to(ScalarType.Float32), finalNorm.to(ScalarType.Float32) }))
        using (var host = stacked.cpu())
            stats = host.data<float>().ToArray();
        float lossValue = stats[0], normValue = stats[1];
        bool finite = float.IsFinite(lossValue) && float.IsFinite(normValue) && float.IsFinite(stats[2]);

        using (torch.no_grad())
        {
            if (!finite)
            {
                foreach (var slot in batchNorms) slot.Restore();
                // The direction buffer held this step's ascent gradient: the old g_v is gone.
                if (cacheDirection) hasDirection = false;
                SkippedSteps++;
                StepCount++;
                return new SamStepResult(lossValue, perturbed, (int)ascentSamples, normValue, Skipped: true);
            }

            if (cacheDirection) CacheOrthogonalDirection();
            // Exactly one batch is "tracked" per step, however many passes ran with momentum 0.
            foreach (var slot in batchNorms) slot.CountOneBatch();
            using var phase = StepProfiler.Measure("optimizer", StepPhaseKind.Parameters);
            Optimizer.Step(Flat.Values, Flat.Grad, LearningRate);
        }
        StepCount++;
        PreviousLoss = lossValue;
        PreviousGradientNorm = normValue;
        return new SamStepResult(lossValue, perturbed, perturbed ? (int)ascentSamples : 0, normValue, Skipped: false);
    }

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

    // ---- schedule ----------------------------------------------------------------------------

    /// <summary>SS-SAM / RST: a SAM step with probability p (host stream, no device sync).</summary>
    public bool Bernoulli(double probability) => ScheduleRandom.NextDouble() < probability;

    /// <summary>
    /// AE-SAM (Jiang et al. 2023): updates μ and σ² of ‖g‖² with EMA factor δ, then decides SAM when
    /// ‖g‖² ≥ μ + c_t σ, with c_t moving linearly from +c (step 0) to −c (last step); c_t = 0 when the
    /// total is unknown. The first step initialises μ from ‖g‖². Reads one scalar from the device.
    /// A non-finite norm leaves the statistics untouched (the step will be skipped).
    /// </summary>
    public bool AdaptiveDecision(Tensor gradientNorm, double c, double delta)
    {
        double norm;
        using (StepProfiler.Measure("host read (AE-SAM decision)", StepPhaseKind.Host))
            norm = gradientNorm.to(ScalarType.Float64).cpu().item<double>();
        double squared = norm * norm;
        if (!double.IsFinite(squared)) return false;
        if (!statsInitialized)
        {
            meanSquaredNorm = squared;
            varianceSquaredNorm = 0;
            statsInitialized = true;
        }
        else
        {
            meanSquaredNorm = delta * meanSquaredNorm + (1 - delta) * squared;
            double deviation = squared - meanSquaredNorm;
            varianceSquaredNorm = delta * varianceSquaredNorm + (1 - delta) * deviation * deviation;
        }
        double progress = TotalSteps > 0 ? Math.Min(1.0, (double)StepCount / TotalSteps) : 0.5;
        double ct = c * (1 - 2 * progress);
        return squared >= meanSquaredNorm + ct * Math.Sqrt(varianceSquaredNorm);
    }

    /// <summary>AE-SAM running mean and variance of ‖g‖² (for tests and logs).</summary>
    public (double Mean, double Variance, bool Initialized) AdaptiveStatistics => (meanSquaredNorm, varianceSquaredNorm, statsInitialized);

    // ---- micro-batch selection ---------------------------------------------------------------

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

    /// <summary>The first m samples.</summary>
    public Tensor SelectHead(long m)
    {
        using var phase = StepProfiler.Measure("select", StepPhaseKind.Selection);
        return torch.arange(m, dtype: ScalarType.Int64, device: input.device);
    }

    /// <summary>m distinct samples drawn uniformly (host stream, so no device sync).</summary>
    public Tensor SelectRandom(long m)
    {
        using var phase = StepProfiler.Measure("select", StepPhaseKind.Selection);
        return torch.tensor(SelectionRandom.Sample(BatchSize, m), device: input.device);
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

    // ---- gradient kernels --------------------------------------------------------------------

    /// <summary>Global L2 norm of the flat gradient (a 0-d device tensor; no sync).</summary>
    public Tensor GradNorm()
    {
        using var phase = StepProfiler.Measure("gradient norm", StepPhaseKind.Parameters);
        return Flat.Grad.norm();
    }

    /// <summary>
    /// Adds noise to the ascent gradient (Wei, Zhang &amp; Tan 2025): n with per-coordinate standard
    /// deviation s, where s = σ (Absolute), σ‖g‖/√d (GradientNorm: ‖n‖ ≈ σ‖g‖) or
    /// σ‖g‖/√d·√(1/f − 1) (MicroBatch). Gaussian N(0,s²), Uniform U(−√3 s, √3 s), Rademacher ±s.
    /// </summary>
    public void AddNoise(NoiseDistribution distribution, double sigma, NoiseScaling scaling, double fraction, Tensor gradientNorm)
    {
        using var _ = torch.no_grad();
        using var phase = StepProfiler.Measure("noise", StepPhaseKind.Parameters);
        long d = Flat.Length;
        var grad = Flat.Grad;
        // The draw goes into the weight backup: every perturbation overwrites it with w right after,
        // so the noise needs neither a fresh d-sized allocation per step nor a buffer of its own.
        // Same generator calls as torch.randn/rand(d), so the same numbers.
        var unit = backup ?? throw new InvalidOperationException($"variant '{variantName}' never perturbs (Schedule Never): it has no noise to add");
        switch (distribution)
        {
            case NoiseDistribution.Gaussian: unit.normal_(generator: noiseGenerator); break;
            case NoiseDistribution.Uniform: unit.uniform_(0, 1, generator: noiseGenerator).mul_(Two).sub_(One).mul_(Sqrt3); break;
            default: unit.uniform_(0, 1, generator: noiseGenerator).lt_(Half).mul_(Two).sub_(One); break;
        }
        if (scaling == NoiseScaling.Absolute)
        {
            using Scalar s = sigma;
            grad.add_(unit, alpha: s);
            return;
        }
        double factor = sigma / Math.Sqrt(d);
        if (scaling == NoiseScaling.MicroBatch) factor *= Math.Sqrt(Math.Max(0, 1 / fraction - 1));
        using Scalar f = factor;
        grad.addcmul_(unit, gradientNorm.mul(f), One);
    }

    /// <summary>
    /// SAM (Foret et al. 2021): backs up w, then w += ρ g / (‖g‖ + 1e-12). <paramref name="gradientNorm"/>
    /// is ‖g‖ when the caller has it for the gradient buffer as it is now (<see cref="GradNorm"/>,
    /// taken after the ascent pass and nothing added since: the same reduction, so bit-identical and
    /// one pass over the parameters fewer); null computes it (after noise was added).
    /// </summary>
    public void PerturbSam(double rho, Tensor? gradientNorm)
    {
        using var _ = torch.no_grad();
        using var phase = StepProfiler.Measure("perturb", StepPhaseKind.Parameters);
        backup!.copy_(Flat.Values);
        using Scalar r = rho;
        // Out of place: the caller's norm is reported by Finish.
        var scale = (gradientNorm ?? Flat.Grad.norm()).add(SamEpsilon).reciprocal_().mul_(r);
        Flat.Values.addcmul_(Flat.Grad, scale, One);
    }

    /// <summary>
    /// ASAM (Kwon et al. 2021, official form): T = |w| + η on weight tensors and 1 on the others;
    /// backs up w, then w += ρ T² g / (‖T g‖ + 1e-16).
    /// </summary>
    public void PerturbAdaptive(double rho, double eta)
    {
        using var _ = torch.no_grad();
        using var phase = StepProfiler.Measure("perturb", StepPhaseKind.Parameters);
        var values = Flat.Values;
        backup!.copy_(values);
        using Scalar e = eta, r = rho;
        var t = values.abs().add_(e);
        foreach (var slice in Flat.Slices)
            if (!slice.IsWeight)
                t.narrow(0, slice.Offset, slice.Length).fill_(One);
        var tg = t.mul(Flat.Grad);
        var scale = tg.norm().add_(AsamEpsilon).reciprocal_().mul_(r);
        values.addcmul_(tg.mul_(t), scale, One);
    }

    /// <summary>
    /// ESAM stochastic weight perturbation (Du et al. 2022, official code): each parameter tensor is
    /// kept with probability β (host stream); ε = ρ g / (β (‖g_S‖ + 1e-7)) on kept tensors, 0 elsewhere.
    /// </summary>
    public void PerturbStochasticWeight(double rho, double beta)
    {
        using var _ = torch.no_grad();
        using var phase = StepProfiler.Measure("perturb", StepPhaseKind.Parameters);
        var values = Flat.Values;
        var grad = Flat.Grad;
        backup!.copy_(values);
        foreach (var slice in Flat.Slices)
            if (MaskRandom.NextDouble() >= beta)
                grad.narrow(0, slice.Offset, slice.Length).zero_();
        using Scalar b = beta, r = rho;
        var scale = grad.norm().add_(EsamEpsilon).mul_(b).reciprocal_().mul_(r);
        values.addcmul_(grad, scale, One);
    }

    /// <summary>
    /// ESAM stochastic weight perturbation with the tensor mask drawn before the ascent pass
    /// (<see cref="FreezeUnperturbedTensors"/>): the gradient buffer holds g on the kept tensors and
    /// 0 on the others, exactly what <see cref="PerturbStochasticWeight"/> makes of it by masking, and
    /// <paramref name="gradientNorm"/> (<see cref="GradNorm"/> after that pass) is ‖g_S‖.
    /// ε = ρ g / (β (‖g_S‖ + 1e-7)) on kept tensors, 0 elsewhere.
    /// </summary>
    public void PerturbSelectedWeights(double rho, double beta, Tensor gradientNorm)
    {
        if (!maskDrawn) throw new InvalidOperationException("PerturbSelectedWeights needs FreezeUnperturbedTensors before the ascent pass.");
        maskDrawn = false;
        using var _ = torch.no_grad();
        using var phase = StepProfiler.Measure("perturb", StepPhaseKind.Parameters);
        var values = Flat.Values;
        backup!.copy_(values);
        using Scalar b = beta, r = rho;
        var scale = gradientNorm.add(EsamEpsilon).mul_(b).reciprocal_().mul_(r);
        values.addcmul_(Flat.Grad, scale, One);
    }

    /// <summary>
    /// ESAM stochastic weight perturbation, first half, run before the ascent pass: keeps each
    /// parameter tensor with probability β (the same host stream, draws and order as
    /// <see cref="PerturbStochasticWeight"/>) and sets <c>requires_grad = false</c> on the others, so
    /// that the next <see cref="ForwardBackward"/> skips their weight-gradient kernels (the saving
    /// ESAM's SWP is for). Their gradient slots stay 0; that pass makes them trainable again.
    /// </summary>
    public void FreezeUnperturbedTensors(double beta)
    {
        var parameters = Flat.Parameters;
        for (int i = 0; i < perturbedTensors.Length; i++)
            perturbedTensors[i] = MaskRandom.NextDouble() < beta;
        maskDrawn = true;
        for (int i = 0; i < perturbedTensors.Length; i++)
        {
            if (perturbedTensors[i]) continue;
            parameters[i].requires_grad = false;
            tensorsFrozen = true;
        }
    }

    /// <summary>Which tensors the last <see cref="FreezeUnperturbedTensors"/> kept (for tests).</summary>
    public IReadOnlyList<bool> PerturbedTensors => perturbedTensors;

    private void Unfreeze()
    {
        var parameters = Flat.Parameters;
        for (int i = 0; i < perturbedTensors.Length; i++)
            if (!perturbedTensors[i]) parameters[i].requires_grad = true;
        tensorsFrozen = false;
    }

    /// <summary>Restores w from the backup (a copy, never w + ε − ε).</summary>
    public void Restore()
    {
        using var _ = torch.no_grad();
        using var phase = StepProfiler.Measure("restore", StepPhaseKind.Parameters);
        Flat.Values.copy_(backup!);
    }

    /// <summary>LookSAM, SAM step: keeps the clean ascent gradient g (before noise) for the projection in <see cref="Finish"/>.</summary>
    public void KeepAscentGradient()
    {
        using var _ = torch.no_grad();
        using var phase = StepProfiler.Measure("LookSAM keep g", StepPhaseKind.Parameters);
        direction!.copy_(Flat.Grad);
    }

    /// <summary>LookSAM reuse step: g += α (‖g‖ / ‖g_v‖) g_v. A no-op before the first SAM step.</summary>
    /// <remarks>1 / (‖g_v‖ + 1e-12) is kept from the SAM step that cached g_v, not recomputed: one pass over the parameters fewer per reuse step.</remarks>
    public void ReuseDirection(double alpha, Tensor gradientNorm)
    {
        if (!hasDirection) return;
        using var _ = torch.no_grad();
        using var phase = StepProfiler.Measure("LookSAM reuse", StepPhaseKind.Parameters);
        using Scalar a = alpha;
        var scale = inverseDirectionNorm!.mul(gradientNorm).mul_(a);
        Flat.Grad.addcmul_(direction!, scale, One);
    }

    // g_v = g_s − (g·g_s / ‖g‖²) g: the part of the SAM gradient orthogonal to the ascent gradient.
    private void CacheOrthogonalDirection()
    {
        using var phase = StepProfiler.Measure("LookSAM direction", StepPhaseKind.Parameters);
        var g = direction!;
        var coefficient = g.dot(Flat.Grad).div_(g.dot(g).clamp_min_(Tiny)).neg_();
        g.mul_(coefficient).add_(Flat.Grad);
        RefreshDirectionNorm();
        hasDirection = true;
    }

    private void RefreshDirectionNorm()
    {
        using var inverse = direction!.norm().add_(SamEpsilon).reciprocal_();
        inverseDirectionNorm!.copy_(inverse);
    }

    // ---- helpers ---------------------------------------------------------------------------

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

    // ---- state -------------------------------------------------------------------------------

    /// <summary>Writes optimizer, schedule, direction and RNG state (not the weights).</summary>
    public void SaveState(Stream stream)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(StateMagic);
        writer.Write(StateFormatVersion);
        writer.Write(variantName);
        writer.Write(Flat.Length);
        writer.Write(StepCount);
        writer.Write(SkippedSteps);
        writer.Write(LearningRate);
        writer.Write(PreviousLoss);
        writer.Write(PreviousGradientNorm);
        writer.Write(ScheduleRandom.State);
        writer.Write(SelectionRandom.State);
        writer.Write(MaskRandom.State);
        writer.Write(statsInitialized);
        writer.Write(meanSquaredNorm);
        writer.Write(varianceSquaredNorm);
        writer.Write(noiseGenerator is not null);
        if (noiseGenerator is not null)
        {
            using var state = noiseGenerator.get_state();
            byte[] bytes = state.bytes.ToArray();
            writer.Write(bytes.Length);
            writer.Write(bytes);
        }
        writer.Write(hasDirection);
        FlatOptimizer.WriteTensor(writer, hasDirection ? direction : null);
        Optimizer.Save(writer);
    }

    /// <summary>Restores what <see cref="SaveState"/> wrote.</summary>
    /// <exception cref="InvalidDataException">Not a step state, another variant, another model size, or truncated.</exception>
    public void LoadState(Stream stream)
    {
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        try
        {
            if (!reader.ReadBytes(StateMagic.Length).AsSpan().SequenceEqual(StateMagic))
                throw new InvalidDataException("not a NoiseSam step state (bad magic)");
            int version = reader.ReadInt32();
            if (version != StateFormatVersion)
                throw new InvalidDataException($"step state format {version} is not supported (expected {StateFormatVersion})");
            string name = reader.ReadString();
            if (name != variantName)
                throw new InvalidDataException($"step state belongs to variant '{name}', not '{variantName}'");
            long length = reader.ReadInt64();
            if (length != Flat.Length)
                throw new InvalidDataException($"step state is for a model with {length} parameters, this one has {Flat.Length}");
            StepCount = reader.ReadInt64();
            SkippedSteps = reader.ReadInt64();
            LearningRate = reader.ReadDouble();
            PreviousLoss = reader.ReadSingle();
            PreviousGradientNorm = reader.ReadSingle();
            ScheduleRandom.State = reader.ReadUInt64();
            SelectionRandom.State = reader.ReadUInt64();
            MaskRandom.State = reader.ReadUInt64();
            statsInitialized = reader.ReadBoolean();
            meanSquaredNorm = reader.ReadDouble();
            varianceSquaredNorm = reader.ReadDouble();
            if (reader.ReadBoolean())
            {
                byte[] bytes = reader.ReadBytes(reader.ReadInt32());
                if (noiseGenerator is null) throw new InvalidDataException("step state has a noise stream but this variant has no noise");
                using var state = torch.empty(bytes.Length, dtype: ScalarType.Byte);
                state.bytes = bytes;
                noiseGenerator.set_state(state);
            }
            hasDirection = reader.ReadBoolean();
            using (var saved = FlatOptimizer.ReadTensor(reader, Flat.Values))
                if (saved is not null) direction!.copy_(saved);
            if (hasDirection)
                using (torch.no_grad()) RefreshDirectionNorm();
            Optimizer.Load(reader, Flat.Values);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("step state is truncated");
        }
    }

    public void Dispose()
    {
        Optimizer.Dispose();
        backup?.Dispose();
        direction?.Dispose();
        inverseDirectionNorm?.Dispose();
        noiseGenerator?.Dispose();
        foreach (var slot in batchNorms) slot.Dispose();
        Flat.Dispose();
    }

    /// <summary>One batch-norm layer: its momentum and a snapshot of its running buffers.</summary>
    private sealed class BatchNormSlot : IDisposable
    {
        private readonly BatchNorm module;
        private readonly double? momentum;
        private readonly (Tensor Live, Tensor Saved)[] buffers;
        private readonly Tensor? tracked, trackedSaved;

        public BatchNormSlot(BatchNorm module)
        {
            this.module = module;
            momentum = module.momentum;
            var named = module.named_buffers(recurse: false).ToArray();
            buffers = named.Where(b => b.name != "num_batches_tracked")
                .Select(b => (b.buffer, torch.empty_like(b.buffer).DetachFromDisposeScope())).ToArray();
            tracked = named.Where(b => b.name == "num_batches_tracked").Select(b => b.buffer).FirstOrDefault();
            trackedSaved = tracked is null ? null : torch.empty_like(tracked).DetachFromDisposeScope();
        }

        public void Freeze(bool frozen) => module.momentum = frozen ? 0.0 : momentum;

        public void Snapshot()
        {
            foreach (var (live, saved) in buffers) saved.copy_(live);
            trackedSaved?.copy_(tracked!);
        }

        public void Restore()
        {
            foreach (var (live, saved) in buffers) live.copy_(saved);
            tracked?.copy_(trackedSaved!);
        }

        public void CountOneBatch()
        {
            if (tracked is null) return;
            tracked.copy_(trackedSaved!).add_(OneBatch);
        }

        public void Dispose()
        {
            foreach (var (_, saved) in buffers) saved.Dispose();
            trackedSaved?.Dispose();
        }
    }
}
