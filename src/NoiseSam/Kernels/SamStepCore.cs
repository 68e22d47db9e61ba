using System.ComponentModel;
using NoiseSam.Diagnostics;
using NoiseSam.Platform;
using NoiseSam.Dsl;
using NoiseSam.Planning;
using TorchSharp;
using TorchSharp.Modules;
using static NoiseSam.Kernels.KeptScalars;
using static TorchSharp.torch;

namespace NoiseSam.Kernels;

/// <summary>
/// The state and kernels of one SAM step object: flat parameter/gradient buffers, the weight
/// backup, the base optimizer, schedule statistics and the random streams. Generated steps and
/// <see cref="SamEngine"/> call these kernels in the same order, which is what makes them
/// bit-identical. Every method must run inside the caller's per-step <c>torch.NewDisposeScope()</c>.
/// This file holds the state and the step boundaries; the kernels are split by concern into
/// <c>SamStepCore.{Passes,Accumulation,Schedule,Selection,Perturbation,LookSam,State}.cs</c>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public sealed partial class SamStepCore : IDisposable
{
    private readonly nn.Module model;
    // The model's forward for the Step(input, target) shorthand; null when the model has another signature.
    private readonly nn.Module<Tensor, Tensor>? forwardModel;
    private readonly Func<Tensor, Tensor, Tensor> loss;
    private readonly BatchNormSlot[] batchNorms;
    private readonly Tensor? backup;
    private readonly Generator? noiseGenerator;
    private readonly string variantName;
    // Clip of the final gradient's global norm (0 = off).
    private readonly double maxGradNorm;
    // Every parameter of the model and whether it was trainable when the step was built.
    private readonly (string Name, Parameter Parameter, bool Trainable)[] trainableSet;
    private SamBatch batch = null!;
    private Device rowDevice = CPU;
    // SelectHead's index tensor, kept across steps (0 … m − 1 on rowDevice).
    private Tensor? headRows;
    private long headRowCount;
    private Device? headRowDevice;
    // SelectRandom's buffers, kept across steps: the Fisher–Yates pool, the host index tensor
    // (page-locked on a GPU) and, on a GPU only, the device tensor it is copied into.
    private long[]? samplePool;
    private Tensor? randomRowsHost, randomRowsDevice;
    private long randomRowCount;
    private Device? randomRowDevice;

    public SamStepCore(nn.Module model, SamStepOptions? options, SamVariantDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(descriptor);
        options ??= SamStepOptions.Default;
        this.model = model;
        forwardModel = model as nn.Module<Tensor, Tensor>;
        variantName = descriptor.Name;
        Plan = new SamStepPlan(descriptor);
        loss = options.Loss ?? DefaultLoss;
        TotalSteps = options.TotalSteps;
        var o = descriptor.EffectiveBaseOptimizer;
        LearningRate = o.EffectiveLearningRate;
        maxGradNorm = o.EffectiveMaxGradNorm;

        trainableSet = model.named_parameters().Select(p => (p.name, p.parameter, p.parameter.requires_grad)).ToArray();
        Flat = FlatParameters.Attach(model);
        var segments = OptimizerSegment.Build(Flat, descriptor);
        Optimizer = o.Kind == OptimizerKind.Sgd
            ? new FlatSgd(o.EffectiveMomentum, o.EffectiveNesterov, o.EffectiveWeightDecay, segments)
            : new FlatAdamW(o.EffectiveBeta1, o.EffectiveBeta2, o.EffectiveEpsilon, o.EffectiveWeightDecay, segments);
        if (Plan.MayPerturb) backup = torch.empty_like(Flat.Values).DetachFromDisposeScope();
        if (Plan.PerChunkAscent) accumulator = torch.empty_like(Flat.Values).DetachFromDisposeScope();
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

    /// <summary>
    /// Multiplier of the declared ρ (1 unless a schedule sets it): every perturbation uses ρ · RhoScale.
    /// Finite and ≥ 0 (0 makes a SAM step's descent gradient the gradient at w).
    /// </summary>
    public double RhoScale
    {
        get => rhoScale;
        set
        {
            if (!(double.IsFinite(value) && value >= 0))
                throw new ArgumentOutOfRangeException(nameof(value), value, "RhoScale must be a finite number >= 0");
            rhoScale = value;
        }
    }

    private double rhoScale = 1.0;

    /// <summary>
    /// The step as a <c>torch.optim.Optimizer</c> for TorchSharp's learning-rate schedulers (created on
    /// the first call, the same object after).
    /// </summary>
    public optim.Optimizer AsOptimizer() => optimizerFacade ??= SamStepOptimizer.Create(this);

    private optim.Optimizer? optimizerFacade;

    /// <summary>The model the step trains.</summary>
    public nn.Module Model => model;

    public long StepCount { get; private set; }
    public long TotalSteps { get; }
    public long SkippedSteps { get; private set; }
    public float PreviousLoss { get; private set; } = float.NaN;
    public float PreviousGradientNorm { get; private set; } = float.NaN;
    public long BatchSize { get; private set; }

    /// <summary>Parameter-sized buffers kept beyond the base optimizer's (weight backup, LookSAM direction, per-chunk SAM gradient).</summary>
    public int ExtraStateBuffers => (backup is null ? 0 : 1) + (direction is null ? 0 : 1) + (accumulator is null ? 0 : 1);

    /// <summary>What a Custom schedule sees for the step about to run.</summary>
    public StepContext Context => new(StepCount, TotalSteps, PreviousLoss, PreviousGradientNorm);

    // ---- step boundaries -------------------------------------------------------------------

    /// <summary>
    /// The batch of the <c>Step(input, target)</c> shorthand: rows of <paramref name="input"/> and
    /// <paramref name="target"/> through the model's forward and <see cref="SamStepOptions.Loss"/>. It
    /// takes rows with <c>index_select</c> (and chunks with <c>narrow</c>) itself, without a closure.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is not a <c>Module&lt;Tensor, Tensor&gt;</c>.</exception>
    public SamBatch Batch(Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (forwardModel is null)
            throw new InvalidOperationException(
                $"Step(input, target) runs the model's forward(Tensor), but the model of variant '{variantName}' is a {model.GetType().Name}, " +
                "not a Module<Tensor, Tensor>: call Step(new SamBatch(rows, perSampleLoss)) with a closure that runs it.");
        return new SamBatch(input, target);
    }

    /// <summary>Starts a step on the shorthand's batch (<see cref="Batch(Tensor, Tensor)"/>).</summary>
    public void BeginStep(Tensor input, Tensor target) => BeginStep(Batch(input, target));

    /// <summary>
    /// Starts a step on a batch: remembers it, checks that the trainable set is the one the step was
    /// built with, and snapshots batch-norm buffers (restored if the step is skipped or fails).
    /// </summary>
    /// <exception cref="InvalidOperationException">A parameter's <c>requires_grad</c> changed since the step was built, or the batch has fewer rows than chunks (but some).</exception>
    public void BeginStep(SamBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        CheckTrainableSet();
        // A batch of no rows is a skipped step (like a non-finite one), whatever the chunk count.
        if (batch.Rows > 0 && batch.Rows < Plan.Chunks)
            throw new ArgumentException($"Variant '{variantName}' splits each batch into {Plan.Chunks} chunks ([Accumulation]), but the batch has {batch.Rows} rows.", nameof(batch));
        this.batch = batch;
        BatchSize = batch.Rows;
        rowDevice = batch.Input?.device ?? Flat.Values.device;
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
            if (maxGradNorm > 0) ClipGradient(finalNorm);
            using var phase = StepProfiler.Measure("optimizer", StepPhaseKind.Parameters);
            Optimizer.Step(Flat.Values, Flat.Grad, LearningRate);
        }
        StepCount++;
        PreviousLoss = lossValue;
        PreviousGradientNorm = normValue;
        return new SamStepResult(lossValue, perturbed, perturbed ? (int)ascentSamples : 0, normValue, Skipped: false);
    }

    // torch.nn.utils.clip_grad_norm_: g ← g · min(1, c / (‖g‖ + 1e-6)), with the final gradient's
    // norm that Finish has already taken (no second pass over the parameters, no host read).
    private void ClipGradient(Tensor finalNorm)
    {
        using var phase = StepProfiler.Measure("clip", StepPhaseKind.Parameters);
        using Scalar c = maxGradNorm;
        var denominator = finalNorm.add(ClipEpsilon);
        var coefficient = torch.full_like(denominator, c).div_(denominator).clamp_max_(One);
        Flat.Grad.mul_(coefficient);
    }

    // The trainable set is fixed when the step is built: its flat buffers, optimizer state and saved
    // state are laid out for it. One requires_grad read per parameter, no enumeration of the module.
    private void CheckTrainableSet()
    {
        foreach (var (name, parameter, trainable) in trainableSet)
        {
            if (parameter.requires_grad == trainable) continue;
            throw new InvalidOperationException(trainable
                ? $"Parameter '{name}' was trainable when the step of variant '{variantName}' was built and is frozen now (requires_grad = false). " +
                  "The trainable set is fixed when the step is built: freeze parameters before building it, or build a new step (its optimizer state starts afresh)."
                : $"Parameter '{name}' was frozen (requires_grad = false) when the step of variant '{variantName}' was built and is trainable now. " +
                  "The trainable set is fixed when the step is built: unfreeze parameters before building it, or build a new step (its optimizer state starts afresh).");
        }
    }

    public void Dispose()
    {
        Optimizer.Dispose();
        backup?.Dispose();
        accumulator?.Dispose();
        direction?.Dispose();
        inverseDirectionNorm?.Dispose();
        noiseGenerator?.Dispose();
        headRows?.Dispose();
        randomRowsDevice?.Dispose();
        randomRowsHost?.Dispose();
        foreach (var slot in batchNorms) slot.Dispose();
        Flat.Dispose();
    }
}
