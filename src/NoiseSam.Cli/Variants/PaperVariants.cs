using NoiseSam.Dsl;

namespace NoiseSam.Cli.Variants;

// The variants the paper compares (Wei, Zhang & Tan 2025), declared with the DSL: the source
// generator turns each class into an ISamStep and registers it under its name. The settings are
// the ones that train on our models in the default regime (docs/data.md), chosen on the validation
// split by the search in scripts/run-tuning.sh (docs/tuning-lr.md, docs/tuning.md); where the
// search had no say the paper's value stays (TunedSettings says which is which). The paper's nominal
// declarations (ALGORITHMS.md §11) stay available as "<name>-paper" (PaperVariants.Nominal).

/// <summary>The base optimizer alone.</summary>
[SamVariant("SGD")]
[Schedule(SchedulePolicy.Never)]
[BaseOptimizer(OptimizerKind.Sgd, LearningRate = TunedSettings.SgdLearningRate, Momentum = 0.9, WeightDecay = 5e-4)]
public partial class Sgd { }

/// <summary>SAM (Foret et al. 2021).</summary>
[SamVariant("SAM", Rho = TunedSettings.SamRho)]
[BaseOptimizer(OptimizerKind.Sgd, LearningRate = TunedSettings.LearningRate, Momentum = 0.9, WeightDecay = 5e-4)]
public partial class Sam { }

/// <summary>ASAM (Kwon et al. 2021): adaptive perturbation, T = |w| + η.</summary>
[SamVariant("ASAM", Rho = TunedSettings.AsamRho, Perturbation = PerturbationKind.Adaptive, Eta = 0.01)]
[BaseOptimizer(OptimizerKind.Sgd, LearningRate = TunedSettings.LearningRate, Momentum = 0.9, WeightDecay = 5e-4)]
public partial class Asam { }

/// <summary>ESAM (Du et al. 2022): stochastic weight perturbation + sharpness-sensitive data selection.</summary>
[SamVariant("ESAM", Rho = TunedSettings.EsamRho, Perturbation = PerturbationKind.StochasticWeight, Beta = 0.6)]
[DescentSelection(DescentSet.SharpnessSensitive, Fraction = 0.5)]
[BaseOptimizer(OptimizerKind.Sgd, LearningRate = TunedSettings.LearningRate, Momentum = 0.9, WeightDecay = 5e-4)]
public partial class Esam { }

/// <summary>LookSAM (Liu et al. 2022), a SAM step every 5 steps, gradient reuse in between.</summary>
[SamVariant("LookSAM-5", Rho = 0.1)]
[Schedule(SchedulePolicy.LookSam, K = 5, Alpha = TunedSettings.LookSamAlpha)]
[BaseOptimizer(OptimizerKind.Sgd, LearningRate = TunedSettings.LearningRate, Momentum = 0.9, WeightDecay = 5e-4)]
public partial class LookSam5 { }

/// <summary>AE-SAM (Jiang et al. 2023): SAM steps where the squared gradient norm is unusually large.</summary>
[SamVariant("AE-SAM", Rho = TunedSettings.SamRho)]
[Schedule(SchedulePolicy.Adaptive, C = 1, Delta = 0.9)]
[BaseOptimizer(OptimizerKind.Sgd, LearningRate = TunedSettings.LearningRate, Momentum = 0.9, WeightDecay = 5e-4)]
public partial class AeSam { }

/// <summary>
/// K-SAM (Ni et al. 2022): both SAM passes on the part of the batch with the highest loss. The base
/// optimizer only ever sees hard samples; at lr 0.05 the small CNN diverged within 20 steps on
/// Fashion-MNIST (ALGORITHMS.md §8), so K-SAM keeps the search's learning rate of 0.01 and the
/// search picks its ρ and fraction (half the batch: a quarter of noisy-label data is mostly
/// mislabelled rows, and trained to chance).
/// </summary>
[SamVariant("K-SAM", Rho = TunedSettings.KSamRho)]
[MicroBatch(Fraction = TunedSettings.KSamFraction, Selection = MicroBatchSelection.TopLoss)]
[DescentSelection(DescentSet.SameAsAscent)]
[BaseOptimizer(OptimizerKind.Sgd, LearningRate = TunedSettings.LearningRate, Momentum = 0.9, WeightDecay = 5e-4)]
public partial class KSam { }

/// <summary>SS-SAM (Zhao et al. 2022): each step is a SAM step with probability 0.5.</summary>
[SamVariant("SS-SAM", Rho = TunedSettings.SamRho)]
[Schedule(SchedulePolicy.Bernoulli, Probability = 0.5)]
[BaseOptimizer(OptimizerKind.Sgd, LearningRate = TunedSettings.LearningRate, Momentum = 0.9, WeightDecay = 5e-4)]
public partial class SsSam { }

/// <summary>Micro-batch SAM: the ascent gradient on a random quarter of the batch.</summary>
[SamVariant("MBS", Rho = TunedSettings.MbsRho)]
[MicroBatch(Fraction = 0.25, Selection = MicroBatchSelection.Random)]
[BaseOptimizer(OptimizerKind.Sgd, LearningRate = TunedSettings.LearningRate, Momentum = 0.9, WeightDecay = 5e-4)]
public partial class Mbs { }

/// <summary>Noise-injected micro-batch SAM (Wei, Zhang &amp; Tan 2025): MBS + Gaussian noise on the ascent gradient.</summary>
[SamVariant("NI-MBS", Rho = TunedSettings.MbsRho)]
[MicroBatch(Fraction = 0.25, Selection = MicroBatchSelection.Random)]
[Noise(NoiseDistribution.Gaussian, Sigma = 0.5, Scaling = NoiseScaling.GradientNorm)]
[BaseOptimizer(OptimizerKind.Sgd, LearningRate = TunedSettings.LearningRate, Momentum = 0.9, WeightDecay = 5e-4)]
public partial class NiMbs { }

/// <summary>
/// The same declarations as data. At start-up the CLI registers any of them the generator has not
/// registered (they then run on the reference engine), so the CLI works with or without generated
/// steps; a test checks that each generated class's <c>Descriptor</c> equals its entry here.
/// </summary>
public static class PaperVariants
{
    private static readonly object Gate = new();

    private static BaseOptimizerSpec Base => new(OptimizerKind.Sgd) { LearningRate = TunedSettings.LearningRate, Momentum = 0.9, WeightDecay = 5e-4 };

    /// <summary>The paper's set with the settings that train on our models, in the order the comparison runs them.</summary>
    public static IReadOnlyList<SamVariantDescriptor> Descriptors { get; } =
    [
        new("SGD") { Schedule = new ScheduleSpec(SchedulePolicy.Never), BaseOptimizer = Base with { LearningRate = TunedSettings.SgdLearningRate } },
        new("SAM") { Rho = TunedSettings.SamRho, BaseOptimizer = Base },
        new("ASAM") { Rho = TunedSettings.AsamRho, Perturbation = PerturbationKind.Adaptive, Eta = 0.01, BaseOptimizer = Base },
        new("ESAM")
        {
            Rho = TunedSettings.EsamRho, Perturbation = PerturbationKind.StochasticWeight, Beta = 0.6,
            DescentSelection = new DescentSelectionSpec(DescentSet.SharpnessSensitive) { Fraction = 0.5 },
            BaseOptimizer = Base,
        },
        new("LookSAM-5") { Rho = 0.1, Schedule = new ScheduleSpec(SchedulePolicy.LookSam) { K = 5, Alpha = TunedSettings.LookSamAlpha }, BaseOptimizer = Base },
        new("AE-SAM") { Rho = TunedSettings.SamRho, Schedule = new ScheduleSpec(SchedulePolicy.Adaptive) { C = 1, Delta = 0.9 }, BaseOptimizer = Base },
        new("K-SAM")
        {
            Rho = TunedSettings.KSamRho,
            MicroBatch = new MicroBatchSpec { Fraction = TunedSettings.KSamFraction, Selection = MicroBatchSelection.TopLoss },
            DescentSelection = new DescentSelectionSpec(DescentSet.SameAsAscent),
            BaseOptimizer = Base,
        },
        new("SS-SAM") { Rho = TunedSettings.SamRho, Schedule = new ScheduleSpec(SchedulePolicy.Bernoulli) { Probability = 0.5 }, BaseOptimizer = Base },
        new("MBS") { Rho = TunedSettings.MbsRho, MicroBatch = new MicroBatchSpec { Fraction = 0.25, Selection = MicroBatchSelection.Random }, BaseOptimizer = Base },
        new("NI-MBS")
        {
            Rho = TunedSettings.MbsRho,
            MicroBatch = new MicroBatchSpec { Fraction = 0.25, Selection = MicroBatchSelection.Random },
            Noise = new NoiseSpec(NoiseDistribution.Gaussian) { Sigma = 0.5, Scaling = NoiseScaling.GradientNorm },
            BaseOptimizer = Base,
        },
    ];

    /// <summary>The suffix of a nominal declaration's name: "SAM-paper".</summary>
    public const string NominalSuffix = "-paper";

    private static BaseOptimizerSpec PaperBase => new(OptimizerKind.Sgd) { LearningRate = 0.05, Momentum = 0.9, WeightDecay = 5e-4 };

    /// <summary>
    /// The paper's nominal declarations (ALGORITHMS.md §11: lr 0.05, ρ 0.05, LookSAM α 0.7, K-SAM at
    /// lr 0.01 and f 0.25), named "&lt;name&gt;-paper", for reference runs; they run on the reference engine.
    /// </summary>
    public static IReadOnlyList<SamVariantDescriptor> Nominal { get; } =
    [
        new("SGD" + NominalSuffix) { Schedule = new ScheduleSpec(SchedulePolicy.Never), BaseOptimizer = PaperBase },
        new("SAM" + NominalSuffix) { Rho = 0.05, BaseOptimizer = PaperBase },
        new("ASAM" + NominalSuffix) { Rho = 0.5, Perturbation = PerturbationKind.Adaptive, Eta = 0.01, BaseOptimizer = PaperBase },
        new("ESAM" + NominalSuffix)
        {
            Rho = 0.05, Perturbation = PerturbationKind.StochasticWeight, Beta = 0.6,
            DescentSelection = new DescentSelectionSpec(DescentSet.SharpnessSensitive) { Fraction = 0.5 },
            BaseOptimizer = PaperBase,
        },
        new("LookSAM-5" + NominalSuffix) { Rho = 0.1, Schedule = new ScheduleSpec(SchedulePolicy.LookSam) { K = 5, Alpha = 0.7 }, BaseOptimizer = PaperBase },
        new("AE-SAM" + NominalSuffix) { Schedule = new ScheduleSpec(SchedulePolicy.Adaptive) { C = 1, Delta = 0.9 }, BaseOptimizer = PaperBase },
        new("K-SAM" + NominalSuffix)
        {
            MicroBatch = new MicroBatchSpec { Fraction = 0.25, Selection = MicroBatchSelection.TopLoss },
            DescentSelection = new DescentSelectionSpec(DescentSet.SameAsAscent),
            BaseOptimizer = PaperBase with { LearningRate = 0.01 },
        },
        new("SS-SAM" + NominalSuffix) { Schedule = new ScheduleSpec(SchedulePolicy.Bernoulli) { Probability = 0.5 }, BaseOptimizer = PaperBase },
        new("MBS" + NominalSuffix) { MicroBatch = new MicroBatchSpec { Fraction = 0.25, Selection = MicroBatchSelection.Random }, BaseOptimizer = PaperBase },
        new("NI-MBS" + NominalSuffix)
        {
            MicroBatch = new MicroBatchSpec { Fraction = 0.25, Selection = MicroBatchSelection.Random },
            Noise = new NoiseSpec(NoiseDistribution.Gaussian) { Sigma = 0.5, Scaling = NoiseScaling.GradientNorm },
            BaseOptimizer = PaperBase,
        },
    ];

    /// <summary>The names of <see cref="Descriptors"/>, in order.</summary>
    public static IReadOnlyList<string> Names { get; } = Descriptors.Select(d => d.Name).ToList();

    /// <summary>Registers (engine-backed) every paper variant and nominal declaration that is not registered yet. Safe to call repeatedly and concurrently.</summary>
    public static void EnsureRegistered()
    {
        lock (Gate)
        {
            foreach (var d in Descriptors.Concat(Nominal))
                if (!SamVariantRegistry.TryGet(d.Name, out _))
                    SamVariantRegistry.Register(d);
        }
    }
}
