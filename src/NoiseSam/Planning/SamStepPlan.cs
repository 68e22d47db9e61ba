// Linked into the generator: the one place that decides, from a declaration, which passes a SAM
// step runs and which of them may update batch-norm running statistics. The engine reads a plan at
// run time; the generator writes the same decisions as literals. Keeping them in one file is what
// makes a generated step and the engine bit-identical. The plan holds decisions only: the values
// (ρ, σ, K, the learning rate, ...) are read from the declaration's Effective* members, the one
// place where defaults are resolved. netstandard2.0-friendly, no TorchSharp.
using NoiseSam.Dsl;

namespace NoiseSam.Planning;

#if NOISESAM_ROSLYN
internal
#else
public
#endif
sealed class SamStepPlan
{
    public SamStepPlan(SamVariantDescriptor declaration)
    {
        Declaration = declaration;
        Policy = declaration.Policy;
        Perturbation = declaration.Perturbation;
        MicroBatchSpec? mb = declaration.MicroBatch;
        HasMicroBatch = mb is not null;
        Fraction = mb?.EffectiveFraction ?? 1.0;
        FinalFraction = mb?.EffectiveFinalFraction ?? 1.0;
        FractionSchedule = mb?.EffectiveFractionSchedule ?? FractionSchedule.Constant;
        Selection = mb?.EffectiveSelection ?? MicroBatchSelection.Random;
        Descent = declaration.Descent;
        HasNoise = declaration.Noise is { } noise && noise.EffectiveSigma > 0;
        Chunks = declaration.EffectiveChunks;
        PerChunkAscent = declaration.Accumulation?.EffectiveAscent == AccumulationAscent.PerChunk && Policy != SchedulePolicy.Never;
    }

    /// <summary>The declaration the plan was made from (its values, with defaults resolved by its Effective* members).</summary>
    public SamVariantDescriptor Declaration { get; }

    public SchedulePolicy Policy { get; }
    public PerturbationKind Perturbation { get; }

    public bool HasMicroBatch { get; }
    /// <summary>The ascent fraction at the start (1 without a micro-batch).</summary>
    public double Fraction { get; }
    /// <summary>The ascent fraction at the end (1 without a micro-batch).</summary>
    public double FinalFraction { get; }
    public FractionSchedule FractionSchedule { get; }
    public MicroBatchSelection Selection { get; }
    /// <summary>The fraction changes over training (needs the step count and total steps).</summary>
    public bool FractionVaries => HasMicroBatch && FractionSchedule != FractionSchedule.Constant && FinalFraction != Fraction;

    public DescentSet Descent { get; }

    /// <summary>Noise is on and can be non-zero (Sigma = 0 is dropped).</summary>
    public bool HasNoise { get; }

    /// <summary>
    /// Chunks per batch (<c>[Accumulation]</c>; 1 without). A pass over the whole batch runs chunk by
    /// chunk and accumulates the gradient; when it is the pass that updates batch-norm running
    /// statistics (<see cref="BatchNormPass"/>), every chunk updates them, as plain gradient
    /// accumulation does.
    /// </summary>
    public int Chunks { get; }

    /// <summary>m-SAM: a SAM step perturbs and descends chunk by chunk, each chunk with its own ε.</summary>
    public bool PerChunkAscent { get; }

    /// <summary>Some step may be a SAM step (needs the weight backup).</summary>
    public bool MayPerturb => Policy != SchedulePolicy.Never;

    /// <summary>K-SAM: a no-grad forward of the whole batch at w picks the top-loss micro-batch.</summary>
    public bool SelectsByLoss => HasMicroBatch && Selection == MicroBatchSelection.TopLoss;

    /// <summary>The ascent gradient comes from the whole batch.</summary>
    public bool FullBatchAscent => !HasMicroBatch;

    /// <summary>
    /// The one pass of a SAM step that updates batch-norm running statistics; every other pass runs
    /// with BN momentum 0, so the statistics move exactly once per step, as in plain training. The
    /// rule: the full-batch pass at w when there is one (the ascent of a full-batch variant, K-SAM's
    /// selection forward, or the losses at w that ESAM-SDS needs after a micro-batch ascent); else
    /// the full-batch descent pass (micro-batch SAM); else, when every pass sees only the micro-batch
    /// (a Head/Random micro-batch with the descent on the same rows), the ascent pass, the one at w
    /// (davda54/sam's convention: the first pass updates, the second does not). AE-SAM's full-batch
    /// pass at w runs before every SAM step and has updated them already: <see cref="SamPass.None"/>.
    /// Base steps run one pass, which updates them.
    /// </summary>
    public SamPass BatchNormPass =>
        Policy == SchedulePolicy.Adaptive ? SamPass.None
        : FullBatchAscent ? SamPass.Ascent
        : SelectsByLoss ? SamPass.SelectionForward
        : SdsNeedsLossesAtW ? SamPass.LossesAtW
        : Descent == DescentSet.All ? SamPass.Descent
        : SamPass.Ascent;

    /// <summary>Whether <paramref name="pass"/> of a SAM step updates batch-norm running statistics (see <see cref="BatchNormPass"/>).</summary>
    public bool UpdatesBatchNorm(SamPass pass) => pass == BatchNormPass;

    /// <summary>ESAM-SDS with a micro-batch ascent needs the per-sample losses at w of the whole batch: one more no-grad forward.</summary>
    public bool SdsNeedsLossesAtW => Descent == DescentSet.SharpnessSensitive && HasMicroBatch;

    /// <summary>LookSAM keeps the component of the SAM gradient orthogonal to the ascent gradient.</summary>
    public bool CachesDirection => Policy == SchedulePolicy.LookSam;

    /// <summary>AE-SAM decides after a full-batch gradient at w, which a full-batch SAM step then reuses as its ascent gradient.</summary>
    public bool DecidesAfterGradient => Policy == SchedulePolicy.Adaptive;

    /// <summary>
    /// ESAM-SWP draws its tensor mask before the ascent pass and freezes the tensors it drops, so
    /// autograd skips their weight gradients (ε is 0 there anyway). Not when the whole ascent gradient
    /// is needed: noise (added to, and scaled by the norm of, the whole gradient), LookSAM's projection
    /// on it, or AE-SAM's full-batch gradient at w, computed before the decision and reused as the
    /// ascent gradient. The step's reported gradient norm is then ‖g_S‖, over the kept tensors.
    /// </summary>
    public bool FreezesUnperturbedTensors =>
        Perturbation == PerturbationKind.StochasticWeight && !HasNoise && !CachesDirection && !(DecidesAfterGradient && FullBatchAscent);

    /// <summary>The perturbation may reuse the ascent gradient's norm: nothing was added to the gradient since it was taken.</summary>
    public bool PerturbationReusesAscentNorm => !HasNoise;
}
