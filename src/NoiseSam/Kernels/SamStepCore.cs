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
/// This file holds the state and the step boundaries; the kernels are split by concern into
/// <c>SamStepCore.{Passes,Schedule,Selection,Perturbation,LookSam,State}.cs</c>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public sealed partial class SamStepCore : IDisposable
{
    // Long-lived scalars: an implicit double→Scalar is a native handle that lives until the finaliser.
    private static readonly Scalar One = 1.0, Two = 2.0, Half = 0.5, Sqrt3 = Math.Sqrt(3),
        SamEpsilon = 1e-12, AsamEpsilon = 1e-16, EsamEpsilon = 1e-7, Tiny = 1e-30;

    private readonly nn.Module<Tensor, Tensor> model;
    private readonly Func<Tensor, Tensor, Tensor> loss;
    private readonly BatchNormSlot[] batchNorms;
    private readonly Tensor? backup;
    private readonly Generator? noiseGenerator;
    private readonly string variantName;
    private Tensor input = null!, target = null!;

    public SamStepCore(nn.Module<Tensor, Tensor> model, SamStepOptions? options, SamVariantDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(descriptor);
        options ??= SamStepOptions.Default;
        this.model = model;
        variantName = descriptor.Name;
        Plan = new SamStepPlan(descriptor);
        loss = options.Loss ?? DefaultLoss;
        TotalSteps = options.TotalSteps;
        var o = descriptor.EffectiveBaseOptimizer;
        LearningRate = o.EffectiveLearningRate;

        Flat = FlatParameters.Attach(model);
        Optimizer = o.Kind == OptimizerKind.Sgd
            ? new FlatSgd(o.EffectiveMomentum, o.EffectiveNesterov, o.EffectiveWeightDecay)
            : new FlatAdamW(o.EffectiveBeta1, o.EffectiveBeta2, o.EffectiveEpsilon, o.EffectiveWeightDecay);
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
}
