using NoiseSam.Dsl;

// The variants the paper compares, declared with the DSL: the generator runs on this project, so
// these classes are generated, compiled under TreatWarningsAsErrors with nullable enabled, and
// registered by their module initializers.
namespace NoiseSam.Generators.Tests.Variants;

[SamVariant("SGD")]
[Schedule(SchedulePolicy.Never)]
public sealed partial class Sgd { }

[SamVariant("SAM", Rho = 0.05)]
public sealed partial class Sam { }

[SamVariant("ASAM", Rho = 0.5, Perturbation = PerturbationKind.Adaptive, Eta = 0.01)]
public sealed partial class Asam { }

[SamVariant("ESAM", Perturbation = PerturbationKind.StochasticWeight, Beta = 0.6)]
[DescentSelection(DescentSet.SharpnessSensitive, Fraction = 0.5)]
public sealed partial class Esam { }

[SamVariant("LookSAM-5", Rho = 0.1)]
[Schedule(SchedulePolicy.LookSam, K = 5, Alpha = 0.7)]
public sealed partial class LookSam5 { }

[SamVariant("AE-SAM")]
[Schedule(SchedulePolicy.Adaptive)]
public sealed partial class AeSam { }

[SamVariant("K-SAM")]
[MicroBatch(Fraction = 0.25, Selection = MicroBatchSelection.TopLoss)]
[DescentSelection(DescentSet.SameAsAscent)]
public sealed partial class KSam { }

[SamVariant("SS-SAM")]
[Schedule(SchedulePolicy.Bernoulli, Probability = 0.5)]
public sealed partial class SsSam { }

[SamVariant("MBS")]
[MicroBatch(Fraction = 0.25, Selection = MicroBatchSelection.Random)]
public sealed partial class Mbs { }

[SamVariant("NI-MBS", Rho = 0.05)]
[MicroBatch(Fraction = 0.25, Selection = MicroBatchSelection.Random)]
[Noise(NoiseDistribution.Gaussian, Sigma = 0.5)]
public sealed partial class NiMbs { }

/// <summary>A Custom schedule: SAM on every third step, and whenever the loss went up a lot.</summary>
[SamVariant("Custom-SAM", Rho = 0.05)]
[Schedule(SchedulePolicy.Custom)]
public sealed partial class CustomSam
{
    /// <summary>The same rule, for the engine's <see cref="SamStepOptions.ShouldPerturb"/>.</summary>
    public static bool Decide(StepContext context) => context.Step % 3 == 0 || context.PreviousLoss > 1.7f;

    private partial bool ShouldPerturb(in StepContext context);

    private partial bool ShouldPerturb(in StepContext context) => Decide(context);
}

/// <summary>
/// The same rule as <see cref="CustomSam"/> in the hook form: only the body is written, the generator
/// writes the defining declaration. Not sealed: it gets the Dispose(bool) pattern.
/// </summary>
[SamVariant("Custom-Hook-SAM", Rho = 0.05)]
[Schedule(SchedulePolicy.Custom)]
public partial class CustomHookSam
{
    private partial bool ShouldPerturb(in StepContext context) => CustomSam.Decide(context);
}

[SamVariant("AdamW-NI-MBS", Rho = 0.05)]
[MicroBatch(Fraction = 0.5, Selection = MicroBatchSelection.Head, FinalFraction = 0.25, FractionSchedule = FractionSchedule.Cosine)]
[Noise(NoiseDistribution.Rademacher, Sigma = 0.1, Scaling = NoiseScaling.MicroBatch)]
[BaseOptimizer(OptimizerKind.AdamW, LearningRate = 0.001, WeightDecay = 0.01)]
public sealed partial class AdamWNiMbs { }

/// <summary>Every pass sees only the micro-batch: the ascent pass at w must update batch-norm statistics.</summary>
[SamVariant("MBS-SameRows")]
[MicroBatch(Fraction = 0.25, Selection = MicroBatchSelection.Random)]
[DescentSelection(DescentSet.SameAsAscent)]
public sealed partial class MbsSameRows { }

/// <summary>ESAM-SDS after a micro-batch ascent: its full-batch losses at w must update batch-norm statistics.</summary>
[SamVariant("MBS-SDS")]
[MicroBatch(Fraction = 0.5, Selection = MicroBatchSelection.Head)]
[DescentSelection(DescentSet.SharpnessSensitive, Fraction = 0.5)]
public sealed partial class MbsSds { }

/// <summary>Clipping, no decay on biases and BN parameters, and the classifier at half the learning rate.</summary>
[SamVariant("SAM-Clip-Groups", Rho = 0.05)]
[BaseOptimizer(OptimizerKind.Sgd, LearningRate = 0.05, MaxGradNorm = 0.5, NoDecayOnBiasAndNorm = true)]
[ParameterGroup("fc.", LearningRateScale = 0.5)]
public sealed partial class SamClipGroups { }

/// <summary>AdamW with two groups (the longest matching prefix wins) and a clip that rarely bites.</summary>
[SamVariant("AdamW-Groups", Perturbation = PerturbationKind.Adaptive)]
[BaseOptimizer(OptimizerKind.AdamW, LearningRate = 0.001, MaxGradNorm = 5, NoDecayOnBiasAndNorm = true)]
[ParameterGroup("c", LearningRateScale = 3)]
[ParameterGroup("conv.", LearningRateScale = 2)]
public sealed partial class AdamWGroups { }

/// <summary>Gradient accumulation over 4 chunks with one ε for the whole batch.</summary>
[SamVariant("SAM-Acc-4")]
[Accumulation(4)]
public sealed partial class SamAccumulated { }

/// <summary>LookSAM over accumulated gradients (a whole-batch ascent keeps one g and one g_s).</summary>
[SamVariant("LookSAM-Acc-2", Rho = 0.1)]
[Schedule(SchedulePolicy.LookSam, K = 2)]
[Accumulation(2)]
public sealed partial class LookSamAccumulated { }

/// <summary>m-SAM: each of 4 chunks its own noisy ε, every other step.</summary>
[SamVariant("mSAM-4")]
[Noise(NoiseDistribution.Gaussian, Sigma = 0.2)]
[Schedule(SchedulePolicy.EveryK, K = 2)]
[Accumulation(4, Ascent = AccumulationAscent.PerChunk)]
public sealed partial class MSam { }

/// <summary>m-SAM with ASAM's perturbation per chunk.</summary>
[SamVariant("mASAM-2", Rho = 0.5, Perturbation = PerturbationKind.Adaptive)]
[Accumulation(2, Ascent = AccumulationAscent.PerChunk)]
public sealed partial class MAsam { }

/// <summary>Generated code in the global namespace, nested, private: registered by its container.</summary>
public static partial class Containers
{
    [SamVariant("Nested-EveryK")]
    [Schedule(SchedulePolicy.EveryK, K = 2)]
    [MicroBatch(Fraction = 0.5, Selection = MicroBatchSelection.Head)]
    private sealed partial class NestedEveryK { }

    /// <summary>For the tests: a step of the private nested variant.</summary>
    public static ISamStep CreateNested(TorchSharp.torch.nn.Module model, SamStepOptions options) =>
        new NestedEveryK(model, options);

    /// <summary>The private nested variant's descriptor.</summary>
    public static SamVariantDescriptor NestedDescriptor => NestedEveryK.Descriptor;
}
