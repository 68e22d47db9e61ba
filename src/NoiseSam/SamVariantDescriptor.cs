// The one values record of a SAM variant declaration. Compiled into the runtime (public) and linked
// into the generator and the analyzers (internal), so the IDE, the generated code and the run time
// hold the same values: the declaration reader fills it from the attributes (a null member is an
// argument that was not written), a config file or a sweep builds it at run time; the rules
// (Rules/SamDeclarationRules.cs) check it, the step plan (Planning/SamStepPlan.cs) decides from it,
// the emitter writes it back as an object initializer. The Effective* members are the one place
// where defaults are resolved. Written for netstandard2.0 as well (no implicit usings).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NoiseSam.Dsl;
using NoiseSam.Rules;

namespace NoiseSam;

/// <summary>Documented defaults of the DSL parameters (DESIGN.md §2, ALGORITHMS.md), used where an argument is not written.</summary>
#if NOISESAM_ROSLYN
internal
#else
public
#endif
static class SamDefaults
{
    public const double Rho = 0.05;
    public const double Eta = 0.01;
    public const double Beta = 0.6;
    public const double MicroBatchFraction = 0.25;
    public const double DescentFraction = 0.5;
    public const double Sigma = 0.5;
    public const int K = 5;
    public const double Probability = 0.5;
    public const double Alpha = 0.7;
    public const double C = 1.0;
    public const double Delta = 0.9;
    public const double SgdLearningRate = 0.1;
    public const double AdamWLearningRate = 0.001;
    public const double Momentum = 0.9;
    public const double SgdWeightDecay = 5e-4;
    public const double AdamWWeightDecay = 0.01;
    public const double Beta1 = 0.9;
    public const double Beta2 = 0.999;
    public const double Epsilon = 1e-8;
    public const double MaxGradNorm = 0.0;
    public const double LearningRateScale = 1.0;
}

/// <summary>
/// A SAM variant declaration as an immutable, value-equal record: what the attributes of a
/// <c>[SamVariant]</c> class say, or what a config file or sweep builds at run time. A null
/// member means "not given": the documented default applies (see the <c>Effective*</c> members).
/// </summary>
/// <param name="Name">Registry name of the variant.</param>
#if NOISESAM_ROSLYN
internal
#else
public
#endif
sealed record SamVariantDescriptor(string Name)
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
    /// <summary>Gradient accumulation over chunks of the batch, or null for one pass over the whole batch.</summary>
    public AccumulationSpec? Accumulation { get; init; }

    private readonly IReadOnlyList<ParameterGroupSpec>? parameterGroups;

    /// <summary>
    /// Parameter groups with their own learning-rate multiplier (<c>[ParameterGroup]</c>, in declaration
    /// order), or null for none. Compared by value; an empty list reads as null.
    /// </summary>
    public IReadOnlyList<ParameterGroupSpec>? ParameterGroups
    {
        get => parameterGroups;
        init => parameterGroups = value is null || value.Count == 0 ? null : new ValueList<ParameterGroupSpec>(value);
    }

    public double EffectiveRho => Rho ?? SamDefaults.Rho;
    public double EffectiveEta => Eta ?? SamDefaults.Eta;
    public double EffectiveBeta => Beta ?? SamDefaults.Beta;
    public SchedulePolicy Policy => Schedule?.Policy ?? SchedulePolicy.Always;
    public OptimizerKind Optimizer => BaseOptimizer?.Kind ?? OptimizerKind.Sgd;
    public DescentSet Descent => DescentSelection?.Set ?? DescentSet.All;
    /// <summary>The base optimizer as declared, or the documented default.</summary>
    public BaseOptimizerSpec EffectiveBaseOptimizer => BaseOptimizer ?? BaseOptimizerSpec.Default;
    /// <summary>Chunks per batch (1 without <c>[Accumulation]</c>).</summary>
    public int EffectiveChunks => Accumulation?.Chunks ?? 1;

    /// <summary>Every rule violation (errors and warnings) with the same NSAM ids and messages as the analyzers.</summary>
    public IReadOnlyList<SamRuleViolation> Validate()
    {
        var found = SamDeclarationRules.Check(this);
        if (string.IsNullOrWhiteSpace(Name))
            found.Insert(0, new SamRuleViolation(SamDiagnosticIds.InvalidTargetType, true, "SamVariant", "Name", SamDeclarationRules.EmptyNameMessage));
        return found;
    }

#if !NOISESAM_ROSLYN
    /// <summary>Throws <see cref="SamDeclarationException"/> listing every error; warnings are allowed.</summary>
    public SamVariantDescriptor EnsureValid()
    {
        var errors = Validate().Where(v => v.IsError).ToList();
        if (errors.Count > 0) throw new SamDeclarationException(this, errors);
        return this;
    }
#endif

    /// <summary>A one-line summary such as <c>rho=0.05, micro-batch 0.25 Random, noise Gaussian σ=0.5 GradientNorm, Always, SGD lr=0.05</c>.</summary>
    public string Summary()
    {
        var parts = new List<string>();
        if (Policy != SchedulePolicy.Never)
        {
            parts.Add(Perturbation switch
            {
                PerturbationKind.Adaptive => $"ASAM rho={N(EffectiveRho)} eta={N(EffectiveEta)}",
                PerturbationKind.StochasticWeight => $"SWP rho={N(EffectiveRho)} beta={N(EffectiveBeta)}",
                _ => $"rho={N(EffectiveRho)}",
            });
            if (MicroBatch is { } mb)
            {
                string fraction = mb.EffectiveFractionSchedule == Dsl.FractionSchedule.Constant
                    ? N(mb.EffectiveFraction)
                    : $"{N(mb.EffectiveFraction)}→{N(mb.EffectiveFinalFraction)} {mb.EffectiveFractionSchedule}";
                parts.Add($"micro-batch {fraction} {mb.EffectiveSelection}");
            }
            if (Noise is { } n)
                parts.Add($"noise {n.Distribution} σ={N(n.EffectiveSigma)} {n.EffectiveScaling}");
            if (DescentSelection is { } ds)
                parts.Add(ds.Set == DescentSet.SharpnessSensitive ? $"descent SDS γ={N(ds.EffectiveFraction)}" : $"descent {ds.Set}");
        }
        if (Accumulation is { } acc)
            parts.Add(acc.EffectiveAscent == AccumulationAscent.PerChunk && Policy != SchedulePolicy.Never
                ? $"{acc.Chunks} chunks, ascent per chunk"
                : $"{acc.Chunks} chunks");
        var s = Schedule;
        parts.Add(Policy switch
        {
            SchedulePolicy.EveryK => $"every {s!.EffectiveK}",
            SchedulePolicy.LookSam => $"LookSAM k={s!.EffectiveK} α={N(s.EffectiveAlpha)}",
            SchedulePolicy.Bernoulli => $"Bernoulli p={N(s!.EffectiveProbability)}",
            SchedulePolicy.Adaptive => $"AE-SAM c=±{N(s!.EffectiveC)} δ={N(s.EffectiveDelta)}",
            _ => Policy.ToString(),
        });
        var o = EffectiveBaseOptimizer;
        parts.Add(o.Kind == OptimizerKind.Sgd
            ? $"SGD lr={N(o.EffectiveLearningRate)} m={N(o.EffectiveMomentum)}{(o.EffectiveNesterov ? " nesterov" : "")} wd={N(o.EffectiveWeightDecay)}"
            : $"AdamW lr={N(o.EffectiveLearningRate)} wd={N(o.EffectiveWeightDecay)}");
        if (o.EffectiveNoDecayOnBiasAndNorm) parts.Add("no decay on bias/norm");
        if (o.EffectiveMaxGradNorm > 0) parts.Add($"clip {N(o.EffectiveMaxGradNorm)}");
        if (ParameterGroups is { } groups)
            foreach (ParameterGroupSpec g in groups)
                parts.Add($"lr×{N(g.EffectiveLearningRateScale)} on '{g.Prefix}'");
        return string.Join(", ", parts);
    }

    private static string N(double x) => x.ToString("G4", CultureInfo.InvariantCulture);
}

/// <summary><c>[MicroBatch]</c> as data.</summary>
#if NOISESAM_ROSLYN
internal
#else
public
#endif
sealed record MicroBatchSpec
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
#if NOISESAM_ROSLYN
internal
#else
public
#endif
sealed record DescentSelectionSpec(DescentSet Set)
{
    public double? Fraction { get; init; }
    public double EffectiveFraction => Fraction ?? SamDefaults.DescentFraction;
}

/// <summary><c>[Noise]</c> as data.</summary>
#if NOISESAM_ROSLYN
internal
#else
public
#endif
sealed record NoiseSpec(NoiseDistribution Distribution)
{
    public double? Sigma { get; init; }
    public NoiseScaling? Scaling { get; init; }
    public double EffectiveSigma => Sigma ?? SamDefaults.Sigma;
    public NoiseScaling EffectiveScaling => Scaling ?? NoiseScaling.GradientNorm;
}

/// <summary><c>[Schedule]</c> as data.</summary>
#if NOISESAM_ROSLYN
internal
#else
public
#endif
sealed record ScheduleSpec(SchedulePolicy Policy)
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
#if NOISESAM_ROSLYN
internal
#else
public
#endif
sealed record BaseOptimizerSpec(OptimizerKind Kind)
{
    public double? LearningRate { get; init; }
    public double? Momentum { get; init; }
    public bool? Nesterov { get; init; }
    public double? WeightDecay { get; init; }
    public double? Beta1 { get; init; }
    public double? Beta2 { get; init; }
    public double? Epsilon { get; init; }
    /// <summary>Global-norm clip of the final gradient (0 = off).</summary>
    public double? MaxGradNorm { get; init; }
    /// <summary>No weight decay on biases and normalisation parameters.</summary>
    public bool? NoDecayOnBiasAndNorm { get; init; }

    public double EffectiveLearningRate => LearningRate ?? (Kind == OptimizerKind.Sgd ? SamDefaults.SgdLearningRate : SamDefaults.AdamWLearningRate);
    public double EffectiveMomentum => Kind == OptimizerKind.Sgd ? Momentum ?? SamDefaults.Momentum : 0;
    public bool EffectiveNesterov => Nesterov ?? false;
    public double EffectiveWeightDecay => WeightDecay ?? (Kind == OptimizerKind.Sgd ? SamDefaults.SgdWeightDecay : SamDefaults.AdamWWeightDecay);
    public double EffectiveBeta1 => Beta1 ?? SamDefaults.Beta1;
    public double EffectiveBeta2 => Beta2 ?? SamDefaults.Beta2;
    public double EffectiveEpsilon => Epsilon ?? SamDefaults.Epsilon;
    public double EffectiveMaxGradNorm => MaxGradNorm ?? SamDefaults.MaxGradNorm;
    public bool EffectiveNoDecayOnBiasAndNorm => NoDecayOnBiasAndNorm ?? false;

    /// <summary>The documented default: SGD, lr 0.1, momentum 0.9, weight decay 5e-4.</summary>
    public static BaseOptimizerSpec Default { get; } = new(OptimizerKind.Sgd);
}

/// <summary><c>[Accumulation]</c> as data.</summary>
#if NOISESAM_ROSLYN
internal
#else
public
#endif
sealed record AccumulationSpec(int Chunks)
{
    public AccumulationAscent? Ascent { get; init; }
    public AccumulationAscent EffectiveAscent => Ascent ?? AccumulationAscent.WholeBatch;
}

/// <summary>One <c>[ParameterGroup]</c> as data.</summary>
#if NOISESAM_ROSLYN
internal
#else
public
#endif
sealed record ParameterGroupSpec(string Prefix)
{
    public double? LearningRateScale { get; init; }
    public double EffectiveLearningRateScale => LearningRateScale ?? SamDefaults.LearningRateScale;
}

/// <summary>A read-only list compared by its items, so that a record holding one stays value-equal.</summary>
internal sealed class ValueList<T> : IReadOnlyList<T>, IEquatable<ValueList<T>>
{
    private readonly T[] items;

    public ValueList(IEnumerable<T> items) => this.items = items.ToArray();

    public int Count => items.Length;
    public T this[int index] => items[index];
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)items).GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => items.GetEnumerator();

    public bool Equals(ValueList<T>? other) => other is not null && items.SequenceEqual(other.items);
    public override bool Equals(object? obj) => Equals(obj as ValueList<T>);

    public override int GetHashCode()
    {
        int hash = 17;
        foreach (T item in items) hash = unchecked(hash * 31 + (item is null ? 0 : EqualityComparer<T>.Default.GetHashCode(item)));
        return hash;
    }

    public override string ToString() => "[" + string.Join(", ", items) + "]";
}

#if !NOISESAM_ROSLYN
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
#endif
