using NoiseSam.Dsl;
using NoiseSam.Rules;

namespace NoiseSam;

/// <summary>
/// A SAM variant declaration as an immutable, value-equal record: what the attributes of a
/// <c>[SamVariant]</c> class say, or what a config file or sweep builds at run time. A null
/// member means "not given": the documented default applies (see the <c>Effective*</c> members).
/// </summary>
/// <param name="Name">Registry name of the variant.</param>
public sealed record SamVariantDescriptor(string Name)
{
    /// <summary>Perturbation radius ρ (default 0.05).</summary>
    public double? Rho { get; init; }
    /// <summary>How ε is built from the ascent gradient.</summary>
    public PerturbationKind Perturbation { get; init; }
    /// <summary>ASAM η (default 0.01); only with <see cref="PerturbationKind.Adaptive"/>.</summary>
    public double? Eta { get; init; }
    /// <summary>ESAM-SWP β (default 0.6); only with <see cref="PerturbationKind.StochasticWeight"/>.</summary>
    public double? Beta { get; init; }
    /// <summary>Micro-batch ascent, or null for a full-batch ascent.</summary>
    public MicroBatchSpec? MicroBatch { get; init; }
    /// <summary>Descent-set selection, or null for the whole batch.</summary>
    public DescentSelectionSpec? DescentSelection { get; init; }
    /// <summary>Ascent-gradient noise, or null for none.</summary>
    public NoiseSpec? Noise { get; init; }
    /// <summary>Schedule, or null for <see cref="SchedulePolicy.Always"/>.</summary>
    public ScheduleSpec? Schedule { get; init; }
    /// <summary>Base optimizer, or null for SGD (lr 0.1, momentum 0.9, weight decay 5e-4).</summary>
    public BaseOptimizerSpec? BaseOptimizer { get; init; }

    public double EffectiveRho => Rho ?? SamDefaults.Rho;
    public double EffectiveEta => Eta ?? SamDefaults.Eta;
    public double EffectiveBeta => Beta ?? SamDefaults.Beta;
    public SchedulePolicy Policy => Schedule?.Policy ?? SchedulePolicy.Always;
    public OptimizerKind Optimizer => BaseOptimizer?.Kind ?? OptimizerKind.Sgd;
    public DescentSet Descent => DescentSelection?.Set ?? DescentSet.All;

    /// <summary>Every rule violation (errors and warnings) with the same NSAM ids and messages as the analyzers.</summary>
    public IReadOnlyList<SamRuleViolation> Validate()
    {
        var found = SamDeclarationRules.Check(ToDeclarationValues());
        if (string.IsNullOrWhiteSpace(Name))
            found.Insert(0, new SamRuleViolation(SamDiagnosticIds.InvalidTargetType, true, "SamVariant", "Name",
                "[SamVariant(name)] needs a non-empty name such as \"NI-MBS\""));
        return found;
    }

    /// <summary>Throws <see cref="SamDeclarationException"/> listing every error; warnings are allowed.</summary>
    public SamVariantDescriptor EnsureValid()
    {
        var errors = Validate().Where(v => v.IsError).ToList();
        if (errors.Count > 0) throw new SamDeclarationException(this, errors);
        return this;
    }

    /// <summary>The declaration as the plain values the shared rules check.</summary>
    public SamDeclarationValues ToDeclarationValues() => new()
    {
        Name = Name,
        Rho = Rho,
        Perturbation = Perturbation,
        Eta = Eta,
        Beta = Beta,
        HasMicroBatch = MicroBatch is not null,
        Fraction = MicroBatch?.Fraction,
        Selection = MicroBatch?.Selection,
        FinalFraction = MicroBatch?.FinalFraction,
        FractionSchedule = MicroBatch?.FractionSchedule,
        HasDescentSelection = DescentSelection is not null,
        DescentSet = DescentSelection?.Set ?? DescentSet.All,
        DescentFraction = DescentSelection?.Fraction,
        HasNoise = Noise is not null,
        Distribution = Noise?.Distribution ?? NoiseDistribution.Gaussian,
        Sigma = Noise?.Sigma,
        Scaling = Noise?.Scaling,
        HasSchedule = Schedule is not null,
        Policy = Schedule?.Policy ?? SchedulePolicy.Always,
        K = Schedule?.K,
        Probability = Schedule?.Probability,
        Alpha = Schedule?.Alpha,
        C = Schedule?.C,
        Delta = Schedule?.Delta,
        HasBaseOptimizer = BaseOptimizer is not null,
        Optimizer = BaseOptimizer?.Kind ?? OptimizerKind.Sgd,
        LearningRate = BaseOptimizer?.LearningRate,
        Momentum = BaseOptimizer?.Momentum,
        Nesterov = BaseOptimizer?.Nesterov,
        WeightDecay = BaseOptimizer?.WeightDecay,
        Beta1 = BaseOptimizer?.Beta1,
        Beta2 = BaseOptimizer?.Beta2,
        Epsilon = BaseOptimizer?.Epsilon,
    };

    /// <summary>A one-line summary such as <c>rho=0.05, micro-batch 0.25 Random, noise Gaussian σ=0.5 GradientNorm, Always, SGD lr=0.05</c>.</summary>
    public string Summary() => DescriptorSummary.Format(this);
}

/// <summary><c>[MicroBatch]</c> as data.</summary>
public sealed record MicroBatchSpec
{
    public double? Fraction { get; init; }
    public MicroBatchSelection? Selection { get; init; }
    public double? FinalFraction { get; init; }
    public FractionSchedule? FractionSchedule { get; init; }

    public double EffectiveFraction => Fraction ?? SamDefaults.MicroBatchFraction;
    public MicroBatchSelection EffectiveSelection => Selection ?? MicroBatchSelection.Random;
    public double EffectiveFinalFraction => FinalFraction ?? EffectiveFraction;
    public FractionSchedule EffectiveFractionSchedule => FractionSchedule ?? Dsl.FractionSchedule.Constant;
}

/// <summary><c>[DescentSelection]</c> as data.</summary>
public sealed record DescentSelectionSpec(DescentSet Set)
{
    public double? Fraction { get; init; }
    public double EffectiveFraction => Fraction ?? SamDefaults.DescentFraction;
}

/// <summary><c>[Noise]</c> as data.</summary>
public sealed record NoiseSpec(NoiseDistribution Distribution)
{
    public double? Sigma { get; init; }
    public NoiseScaling? Scaling { get; init; }
    public double EffectiveSigma => Sigma ?? SamDefaults.Sigma;
    public NoiseScaling EffectiveScaling => Scaling ?? NoiseScaling.GradientNorm;
}

/// <summary><c>[Schedule]</c> as data.</summary>
public sealed record ScheduleSpec(SchedulePolicy Policy)
{
    public int? K { get; init; }
    public double? Probability { get; init; }
    public double? Alpha { get; init; }
    public double? C { get; init; }
    public double? Delta { get; init; }
    public int EffectiveK => K ?? SamDefaults.K;
    public double EffectiveProbability => Probability ?? SamDefaults.Probability;
    public double EffectiveAlpha => Alpha ?? SamDefaults.Alpha;
    public double EffectiveC => C ?? SamDefaults.C;
    public double EffectiveDelta => Delta ?? SamDefaults.Delta;
}

/// <summary><c>[BaseOptimizer]</c> as data.</summary>
public sealed record BaseOptimizerSpec(OptimizerKind Kind)
{
    public double? LearningRate { get; init; }
    public double? Momentum { get; init; }
    public bool? Nesterov { get; init; }
    public double? WeightDecay { get; init; }
    public double? Beta1 { get; init; }
    public double? Beta2 { get; init; }
    public double? Epsilon { get; init; }

    public double EffectiveLearningRate => LearningRate ?? (Kind == OptimizerKind.Sgd ? SamDefaults.SgdLearningRate : SamDefaults.AdamWLearningRate);
    public double EffectiveMomentum => Kind == OptimizerKind.Sgd ? Momentum ?? SamDefaults.Momentum : 0;
    public bool EffectiveNesterov => Nesterov ?? false;
    public double EffectiveWeightDecay => WeightDecay ?? (Kind == OptimizerKind.Sgd ? SamDefaults.SgdWeightDecay : SamDefaults.AdamWWeightDecay);
    public double EffectiveBeta1 => Beta1 ?? SamDefaults.Beta1;
    public double EffectiveBeta2 => Beta2 ?? SamDefaults.Beta2;
    public double EffectiveEpsilon => Epsilon ?? SamDefaults.Epsilon;

    /// <summary>The documented default: SGD, lr 0.1, momentum 0.9, weight decay 5e-4.</summary>
    public static BaseOptimizerSpec Default { get; } = new(OptimizerKind.Sgd);
}

/// <summary>A descriptor that breaks one or more declaration rules.</summary>
public sealed class SamDeclarationException : ArgumentException
{
    public SamDeclarationException(SamVariantDescriptor descriptor, IReadOnlyList<SamRuleViolation> errors)
        : base($"Invalid SAM variant '{descriptor.Name}':{Environment.NewLine}" + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
    {
        Descriptor = descriptor;
        Errors = errors;
    }

    public SamVariantDescriptor Descriptor { get; }
    public IReadOnlyList<SamRuleViolation> Errors { get; }
}
