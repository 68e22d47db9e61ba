// This file is compiled into the runtime (public) and linked into the generator and analyzers
// (internal), so the IDE and the run time agree on every enum value. Keep it dependency-free.
namespace NoiseSam.Dsl;

/// <summary>How the ascent step turns the (noisy) ascent gradient into a weight perturbation ε.</summary>
#if NOISESAM_ROSLYN
internal
#else
public
#endif
enum PerturbationKind
{
    /// <summary>Foret et al. 2021: ε = ρ g / (‖g‖ + 1e-12), one global norm.</summary>
    Sam = 0,
    /// <summary>ASAM (Kwon et al. 2021): ε = ρ T² g / (‖T g‖ + 1e-16), T = |w| + η on weight tensors, 1 on biases.</summary>
    Adaptive = 1,
    /// <summary>ESAM stochastic weight perturbation (Du et al. 2022): each tensor is perturbed with probability β, rescaled by 1/β.</summary>
    StochasticWeight = 2,
}

/// <summary>Which samples of the batch form the ascent micro-batch.</summary>
#if NOISESAM_ROSLYN
internal
#else
public
#endif
enum MicroBatchSelection
{
    /// <summary>The first ⌈f·b⌉ samples (the batch is already shuffled).</summary>
    Head = 0,
    /// <summary>A fresh uniformly random subset every step (seeded).</summary>
    Random = 1,
    /// <summary>The samples with the largest loss at w (K-SAM); costs one extra no-grad forward.</summary>
    TopLoss = 2,
}

/// <summary>How the micro-batch fraction moves from <c>Fraction</c> to <c>FinalFraction</c> over training.</summary>
#if NOISESAM_ROSLYN
internal
#else
public
#endif
enum FractionSchedule
{
    Constant = 0,
    Linear = 1,
    Cosine = 2,
}

/// <summary>Which samples the descent (second) pass uses.</summary>
#if NOISESAM_ROSLYN
internal
#else
public
#endif
enum DescentSet
{
    /// <summary>The whole batch (plain SAM).</summary>
    All = 0,
    /// <summary>ESAM sharpness-sensitive data selection: the fraction γ whose loss rises most at w + ε.</summary>
    SharpnessSensitive = 1,
    /// <summary>K-SAM: the ascent micro-batch.</summary>
    SameAsAscent = 2,
}

/// <summary>Distribution of the noise added to the ascent gradient.</summary>
#if NOISESAM_ROSLYN
internal
#else
public
#endif
enum NoiseDistribution
{
    /// <summary>N(0, s²).</summary>
    Gaussian = 0,
    /// <summary>U(−s√3, s√3): variance s².</summary>
    Uniform = 1,
    /// <summary>±s with equal probability: variance s².</summary>
    Rademacher = 2,
}

/// <summary>How the noise standard deviation s is derived from <c>Sigma</c>.</summary>
#if NOISESAM_ROSLYN
internal
#else
public
#endif
enum NoiseScaling
{
    /// <summary>s = σ.</summary>
    Absolute = 0,
    /// <summary>s = σ‖g‖/√d, so that ‖n‖ ≈ σ‖g‖.</summary>
    GradientNorm = 1,
    /// <summary>s = σ‖g‖/√d · √(1/f − 1): zero on a full batch, growing as the micro-batch shrinks.</summary>
    MicroBatch = 2,
}

/// <summary>Which steps are SAM steps.</summary>
#if NOISESAM_ROSLYN
internal
#else
public
#endif
enum SchedulePolicy
{
    /// <summary>Every step is a SAM step.</summary>
    Always = 0,
    /// <summary>No step is a SAM step: the base optimizer.</summary>
    Never = 1,
    /// <summary>Every K-th step (step % K == 0).</summary>
    EveryK = 2,
    /// <summary>Each step with probability <c>Probability</c> (SS-SAM / RST).</summary>
    Bernoulli = 3,
    /// <summary>AE-SAM: when ‖g‖² ≥ μ + c_t σ (running statistics with EMA <c>Delta</c>, c_t from +C to −C).</summary>
    Adaptive = 4,
    /// <summary>LookSAM: SAM every K-th step, other steps reuse the cached orthogonal direction with weight <c>Alpha</c>.</summary>
    LookSam = 5,
    /// <summary>The user's <c>private partial bool ShouldPerturb(in StepContext context)</c> decides.</summary>
    Custom = 6,
}

/// <summary>The optimizer fed the final gradient.</summary>
#if NOISESAM_ROSLYN
internal
#else
public
#endif
enum OptimizerKind
{
    /// <summary>SGD with momentum, optional Nesterov, coupled weight decay (torch.optim.SGD).</summary>
    Sgd = 0,
    /// <summary>AdamW with decoupled weight decay (torch.optim.AdamW).</summary>
    AdamW = 1,
}

/// <summary>Where the ascent gradient of a SAM step comes from when <c>[Accumulation]</c> splits the batch into chunks.</summary>
#if NOISESAM_ROSLYN
internal
#else
public
#endif
enum AccumulationAscent
{
    /// <summary>
    /// One ε from the gradient of the whole batch, accumulated over the chunks; the descent gradient is
    /// accumulated the same way. The same step as on one large batch (up to float round-off), with the
    /// activation memory of one chunk.
    /// </summary>
    WholeBatch = 0,
    /// <summary>
    /// m-SAM (Foret et al. 2021 §4; Andriushchenko &amp; Flammarion 2022): each chunk its own
    /// ε_j = ρ ∇L_j(w)/‖∇L_j(w)‖ and its own descent gradient ∇L_j(w + ε_j); the base optimizer gets their
    /// average. What data-parallel SAM does per replica, on one device.
    /// </summary>
    PerChunk = 1,
}
