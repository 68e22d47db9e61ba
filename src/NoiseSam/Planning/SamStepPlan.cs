// Linked into the generator: the one place that decides, from a declaration, which passes a SAM
// step runs and which of them may update batch-norm running statistics. The engine reads a plan at
// run time; the generator writes the same decisions as literals. Keeping them in one file is what
// makes a generated step and the engine bit-identical. netstandard2.0-friendly, no TorchSharp.
using NoiseSam.Dsl;
using NoiseSam.Rules;

namespace NoiseSam.Planning;

#if NOISESAM_ROSLYN
internal
#else
public
#endif
sealed class SamStepPlan
{
    public SamStepPlan(SamDeclarationValues d)
    {
        Rho = d.Rho ?? SamDefaults.Rho;
        Perturbation = d.Perturbation;
        Eta = d.Eta ?? SamDefaults.Eta;
        Beta = d.Beta ?? SamDefaults.Beta;

        HasMicroBatch = d.HasMicroBatch;
        Fraction = d.HasMicroBatch ? d.Fraction ?? SamDefaults.MicroBatchFraction : 1.0;
        FinalFraction = d.HasMicroBatch ? d.FinalFraction ?? Fraction : 1.0;
        FractionSchedule = d.HasMicroBatch ? d.FractionSchedule ?? FractionSchedule.Constant : FractionSchedule.Constant;
        Selection = d.Selection ?? MicroBatchSelection.Random;

        Descent = d.HasDescentSelection ? d.DescentSet : DescentSet.All;
        DescentFraction = d.DescentFraction ?? SamDefaults.DescentFraction;

        HasNoise = d.HasNoise && (d.Sigma ?? SamDefaults.Sigma) > 0;
        Distribution = d.Distribution;
        Sigma = d.Sigma ?? SamDefaults.Sigma;
        Scaling = d.Scaling ?? NoiseScaling.GradientNorm;

        Policy = d.HasSchedule ? d.Policy : SchedulePolicy.Always;
        K = d.K ?? SamDefaults.K;
        Probability = d.Probability ?? SamDefaults.Probability;
        Alpha = d.Alpha ?? SamDefaults.Alpha;
        C = d.C ?? SamDefaults.C;
        Delta = d.Delta ?? SamDefaults.Delta;

        Optimizer = d.HasBaseOptimizer ? d.Optimizer : OptimizerKind.Sgd;
        bool sgd = Optimizer == OptimizerKind.Sgd;
        LearningRate = d.LearningRate ?? (sgd ? SamDefaults.SgdLearningRate : SamDefaults.AdamWLearningRate);
        Momentum = sgd ? d.Momentum ?? SamDefaults.Momentum : 0;
        Nesterov = d.Nesterov ?? false;
        WeightDecay = d.WeightDecay ?? (sgd ? SamDefaults.SgdWeightDecay : SamDefaults.AdamWWeightDecay);
        Beta1 = d.Beta1 ?? SamDefaults.Beta1;
        Beta2 = d.Beta2 ?? SamDefaults.Beta2;
        Epsilon = d.Epsilon ?? SamDefaults.Epsilon;
    }

    public double Rho { get; }
    public PerturbationKind Perturbation { get; }
    public double Eta { get; }
    public double Beta { get; }

    public bool HasMicroBatch { get; }
    public double Fraction { get; }
    public double FinalFraction { get; }
    public FractionSchedule FractionSchedule { get; }
    public MicroBatchSelection Selection { get; }
    /// <summary>The fraction changes over training (needs the step count and total steps).</summary>
    public bool FractionVaries => HasMicroBatch && FractionSchedule != FractionSchedule.Constant && FinalFraction != Fraction;

    public DescentSet Descent { get; }
    public double DescentFraction { get; }

    /// <summary>Noise is on and can be non-zero (Sigma = 0 is dropped).</summary>
    public bool HasNoise { get; }
    public NoiseDistribution Distribution { get; }
    public double Sigma { get; }
    public NoiseScaling Scaling { get; }

    public SchedulePolicy Policy { get; }
    public int K { get; }
    public double Probability { get; }
    public double Alpha { get; }
    public double C { get; }
    public double Delta { get; }

    public OptimizerKind Optimizer { get; }
    public double LearningRate { get; }
    public double Momentum { get; }
    public bool Nesterov { get; }
    public double WeightDecay { get; }
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Epsilon { get; }

    /// <summary>Some step may be a SAM step (needs the weight backup).</summary>
    public bool MayPerturb => Policy != SchedulePolicy.Never;

    /// <summary>K-SAM: a no-grad forward of the whole batch at w picks the top-loss micro-batch.</summary>
    public bool SelectsByLoss => HasMicroBatch && Selection == MicroBatchSelection.TopLoss;

    /// <summary>The ascent gradient comes from the whole batch.</summary>
    public bool FullBatchAscent => !HasMicroBatch;

    /// <summary>
    /// Batch-norm running statistics are updated by exactly one pass per step, the cleanest one:
    /// the full-batch pass at w when there is one (the ascent of a full-batch variant, or K-SAM's
    /// selection forward), otherwise the full-batch descent pass (micro-batch SAM). Every other pass
    /// runs with BN momentum 0.
    /// </summary>
    public bool AscentUpdatesBatchNorm => FullBatchAscent;

    /// <summary>See <see cref="AscentUpdatesBatchNorm"/>. AE-SAM's full-batch pass at w already updated them.</summary>
    public bool DescentUpdatesBatchNorm => HasMicroBatch && !SelectsByLoss && Descent == DescentSet.All && Policy != SchedulePolicy.Adaptive;

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
