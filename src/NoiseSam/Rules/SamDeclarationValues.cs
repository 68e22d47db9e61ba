// Linked into the analyzers: the analyzer fills this from attribute syntax, the runtime from a
// SamVariantDescriptor, and both run SamDeclarationRules on it, so they can never disagree.
using NoiseSam.Dsl;

namespace NoiseSam.Rules;

/// <summary>
/// A SAM variant declaration as plain values. A null value means "not given" (the documented
/// default applies); rules that depend on whether an argument was written check for null.
/// A Has* flag is true when the attribute is present.
/// </summary>
#if NOISESAM_ROSLYN
internal
#else
public
#endif
sealed class SamDeclarationValues
{
    public string Name { get; set; } = "";
    public double? Rho { get; set; }
    public PerturbationKind Perturbation { get; set; }
    public double? Eta { get; set; }
    public double? Beta { get; set; }

    public bool HasMicroBatch { get; set; }
    public double? Fraction { get; set; }
    public MicroBatchSelection? Selection { get; set; }
    public double? FinalFraction { get; set; }
    public FractionSchedule? FractionSchedule { get; set; }

    public bool HasDescentSelection { get; set; }
    public DescentSet DescentSet { get; set; }
    public double? DescentFraction { get; set; }

    public bool HasNoise { get; set; }
    public NoiseDistribution Distribution { get; set; }
    public double? Sigma { get; set; }
    public NoiseScaling? Scaling { get; set; }

    public bool HasSchedule { get; set; }
    public SchedulePolicy Policy { get; set; }
    public int? K { get; set; }
    public double? Probability { get; set; }
    public double? Alpha { get; set; }
    public double? C { get; set; }
    public double? Delta { get; set; }

    public bool HasBaseOptimizer { get; set; }
    public OptimizerKind Optimizer { get; set; }
    public double? LearningRate { get; set; }
    public double? Momentum { get; set; }
    public bool? Nesterov { get; set; }
    public double? WeightDecay { get; set; }
    public double? Beta1 { get; set; }
    public double? Beta2 { get; set; }
    public double? Epsilon { get; set; }
}
