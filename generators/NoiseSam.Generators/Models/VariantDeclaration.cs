using NoiseSam.Dsl;
using NoiseSam.Rules;

namespace NoiseSam.Generators.Models;

/// <summary>
/// The DSL attributes of one class as written: a null member is an argument (or attribute) that was
/// not written. Mirrors <c>SamVariantDescriptor</c> so the emitted descriptor carries exactly the
/// user's arguments.
/// </summary>
internal sealed record VariantDeclaration
{
    public string Name { get; init; } = "";
    public double? Rho { get; init; }
    public PerturbationKind? Perturbation { get; init; }
    public double? Eta { get; init; }
    public double? Beta { get; init; }

    public bool HasMicroBatch { get; init; }
    public double? Fraction { get; init; }
    public MicroBatchSelection? Selection { get; init; }
    public double? FinalFraction { get; init; }
    public FractionSchedule? FractionSchedule { get; init; }

    public DescentSet? DescentSet { get; init; }
    public double? DescentFraction { get; init; }

    public NoiseDistribution? Distribution { get; init; }
    public double? Sigma { get; init; }
    public NoiseScaling? Scaling { get; init; }

    public SchedulePolicy? Policy { get; init; }
    public int? K { get; init; }
    public double? Probability { get; init; }
    public double? Alpha { get; init; }
    public double? C { get; init; }
    public double? Delta { get; init; }

    public OptimizerKind? Optimizer { get; init; }
    public double? LearningRate { get; init; }
    public double? Momentum { get; init; }
    public bool? Nesterov { get; init; }
    public double? WeightDecay { get; init; }
    public double? Beta1 { get; init; }
    public double? Beta2 { get; init; }
    public double? Epsilon { get; init; }

    /// <summary>The same values as the shared rules and the step plan read them.</summary>
    public SamDeclarationValues ToDeclarationValues() => new()
    {
        Name = Name,
        Rho = Rho,
        Perturbation = Perturbation ?? PerturbationKind.Sam,
        Eta = Eta,
        Beta = Beta,
        HasMicroBatch = HasMicroBatch,
        Fraction = Fraction,
        Selection = Selection,
        FinalFraction = FinalFraction,
        FractionSchedule = FractionSchedule,
        HasDescentSelection = DescentSet is not null,
        DescentSet = DescentSet ?? Dsl.DescentSet.All,
        DescentFraction = DescentFraction,
        HasNoise = Distribution is not null,
        Distribution = Distribution ?? NoiseDistribution.Gaussian,
        Sigma = Sigma,
        Scaling = Scaling,
        HasSchedule = Policy is not null,
        Policy = Policy ?? SchedulePolicy.Always,
        K = K,
        Probability = Probability,
        Alpha = Alpha,
        C = C,
        Delta = Delta,
        HasBaseOptimizer = Optimizer is not null,
        Optimizer = Optimizer ?? OptimizerKind.Sgd,
        LearningRate = LearningRate,
        Momentum = Momentum,
        Nesterov = Nesterov,
        WeightDecay = WeightDecay,
        Beta1 = Beta1,
        Beta2 = Beta2,
        Epsilon = Epsilon,
    };
}
