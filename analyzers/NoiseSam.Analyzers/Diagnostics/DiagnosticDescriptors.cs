// If adjusted, these files may need adjustments as well: AnalyzerReleases.Shipped.md,
// AnalyzerReleases.Unshipped.md (beside the csproj) and docs/diagnostics/NSAMxxx.md + index.md.
// The value rules' messages come from src/NoiseSam/Rules/SamDeclarationRules.cs (shared with
// SamVariantDescriptor.Validate()), so their message format is "{0}".
using Microsoft.CodeAnalysis;
using NoiseSam.Rules;

namespace NoiseSam.Analyzers.Diagnostics;

/// <summary>Every diagnostic the analyzers report: DESIGN.md §3 (NSAM001–NSAM015), NSAM016, NSAM018 and NSAM019. NSAM017 is the generator's (SamStepGenerator.Diagnostics.cs).</summary>
internal static class DiagnosticDescriptors
{
    private const string HelpLinkBase = "https://github.com/noisesam/NoiseSam.Dsl/blob/main/docs/diagnostics/";

    /// <summary>
    /// <c>[SamVariant]</c> class is not <c>partial</c>.
    /// <para>Format: <c>"Variant class '{0}' must be partial: the generator adds its training step to it; add the 'partial' modifier"</c>.</para>
    /// </summary>
    public static readonly DiagnosticDescriptor NotPartialError = new(
        id: SamDiagnosticIds.NotPartial,
        title: "Variant class is not partial",
        messageFormat: "Variant class '{0}' must be partial: the generator adds its training step to it; add the 'partial' modifier",
        category: DiagnosticCategories.Usage,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A [SamVariant] class must be declared partial, because the source generator adds the constructor, Step and the other ISamStep members to it.",
        helpLinkUri: HelpLinkBase + "NSAM001.md");

    /// <summary>
    /// <c>[SamVariant]</c> class the generator cannot extend: static, generic, abstract, a record, file-local,
    /// with a primary constructor or required members, derived from a variant, nested in a non-partial,
    /// generic or file-local type, or with an empty name.
    /// <para>Format: <c>"{0}"</c> (the message names the class and what to change).</para>
    /// </summary>
    public static readonly DiagnosticDescriptor InvalidTargetTypeError = new(
        id: SamDiagnosticIds.InvalidTargetType,
        title: "Invalid variant class",
        messageFormat: "{0}",
        category: DiagnosticCategories.Usage,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generator creates instances of a [SamVariant] class and adds members to it in another file: the class must be a non-static, non-generic, non-abstract, non-file-local class (not a record) without a primary constructor or required members, must not derive from another variant, every type it is nested in must be partial, non-generic and not file-local, and its registry name must not be empty.",
        helpLinkUri: HelpLinkBase + "NSAM002.md");

    /// <summary>
    /// <c>Rho</c>, <c>Eta</c> or <c>Beta</c> out of range.
    /// <para>Format: <c>"{0}"</c>, e.g. <c>"Variant 'X': [SamVariant(Rho = 0)] must be a finite number &gt; 0; use a value such as 0.05"</c>.</para>
    /// </summary>
    public static readonly DiagnosticDescriptor PerturbationOutOfRangeError = new(
        id: SamDiagnosticIds.PerturbationOutOfRange,
        title: "Perturbation parameter out of range",
        messageFormat: "{0}",
        category: DiagnosticCategories.Configuration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The perturbation radius Rho must be finite, > 0 and at most 100, the ASAM offset Eta finite and >= 0, and the ESAM-SWP keep probability Beta in (0, 1].",
        helpLinkUri: HelpLinkBase + "NSAM003.md");

    /// <summary>
    /// A fraction outside (0, 1].
    /// <para>Format: <c>"{0}"</c>, e.g. <c>"Variant 'X': [MicroBatch(Fraction = 1.5)] must be in (0, 1]; use a value such as 0.25"</c>.</para>
    /// </summary>
    public static readonly DiagnosticDescriptor FractionOutOfRangeError = new(
        id: SamDiagnosticIds.FractionOutOfRange,
        title: "Fraction out of range",
        messageFormat: "{0}",
        category: DiagnosticCategories.Configuration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "MicroBatch.Fraction, MicroBatch.FinalFraction and DescentSelection.Fraction are fractions of the batch and must be in (0, 1].",
        helpLinkUri: HelpLinkBase + "NSAM004.md");

    /// <summary>
    /// Noise level <c>Sigma</c> negative, NaN or infinite.
    /// <para>Format: <c>"{0}"</c>, e.g. <c>"Variant 'X': [Noise(Sigma = -1)] must be a finite number &gt;= 0; use a value such as 0.5"</c>.</para>
    /// </summary>
    public static readonly DiagnosticDescriptor SigmaOutOfRangeError = new(
        id: SamDiagnosticIds.SigmaOutOfRange,
        title: "Noise level out of range",
        messageFormat: "{0}",
        category: DiagnosticCategories.Configuration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The noise level Sigma must be a finite number >= 0.",
        helpLinkUri: HelpLinkBase + "NSAM005.md");

    /// <summary>
    /// <c>[Noise(Sigma = 0)]</c> has no effect.
    /// <para>Format: <c>"{0}"</c>, e.g. <c>"Variant 'X': [Noise(Sigma = 0)] adds no noise; remove the [Noise] attribute or use Sigma &gt; 0"</c>.</para>
    /// </summary>
    public static readonly DiagnosticDescriptor ZeroNoiseWarning = new(
        id: SamDiagnosticIds.ZeroNoise,
        title: "Noise attribute without noise",
        messageFormat: "{0}",
        category: DiagnosticCategories.Configuration,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "[Noise] with Sigma = 0 adds nothing to the ascent gradient; the attribute only costs a random draw per step.",
        helpLinkUri: HelpLinkBase + "NSAM006.md");

    /// <summary>
    /// Schedule parameter out of range, or given for another policy.
    /// <para>Format: <c>"{0}"</c>, e.g. <c>"Variant 'X': [Schedule(Probability = 1.5)] must be in [0, 1]; use a value such as 0.5"</c>.</para>
    /// </summary>
    public static readonly DiagnosticDescriptor ScheduleParameterInvalidError = new(
        id: SamDiagnosticIds.ScheduleParameterInvalid,
        title: "Invalid schedule parameter",
        messageFormat: "{0}",
        category: DiagnosticCategories.Configuration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "K must be >= 1, Probability in [0, 1], Alpha finite and >= 0, C finite and Delta in [0, 1); each applies only to its own schedule policy.",
        helpLinkUri: HelpLinkBase + "NSAM007.md");

    /// <summary>
    /// <c>SchedulePolicy.Custom</c> without an implementation of <c>ShouldPerturb</c>.
    /// <para>Format: <c>"[Schedule(SchedulePolicy.Custom)] on variant class '{0}' needs the method 'private partial bool ShouldPerturb(in NoiseSam.StepContext context)' with a body that returns true for a SAM step and false for a base-optimizer step; {1}"</c>,
    /// where {1} is "add it" or names the method found and what is wrong with it (static, generic, signature, no body, inherited).</para>
    /// </summary>
    public static readonly DiagnosticDescriptor CustomScheduleWithoutMethodError = new(
        id: SamDiagnosticIds.CustomScheduleWithoutMethod,
        title: "Custom schedule without ShouldPerturb",
        messageFormat: "[Schedule(SchedulePolicy.Custom)] on variant class '{0}' needs the method 'private partial bool ShouldPerturb(in NoiseSam.StepContext context)' with a body that returns true for a SAM step and false for a base-optimizer step; {1}",
        category: DiagnosticCategories.Usage,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "With SchedulePolicy.Custom the generated step asks the class's ShouldPerturb method whether the current step is a SAM step. Write only its body, 'private partial bool ShouldPerturb(in StepContext context) => ...;': the generator writes the defining declaration.",
        helpLinkUri: HelpLinkBase + "NSAM008.md");

    /// <summary>
    /// A selection or fraction schedule that cannot matter.
    /// <para>Format: <c>"{0}"</c>, e.g. <c>"Variant 'X': [MicroBatch(Selection = MicroBatchSelection.TopLoss)] cannot matter with Fraction = 1: ..."</c>.</para>
    /// </summary>
    public static readonly DiagnosticDescriptor IneffectiveSelectionWarning = new(
        id: SamDiagnosticIds.IneffectiveSelection,
        title: "Selection or schedule that cannot matter",
        messageFormat: "{0}",
        category: DiagnosticCategories.Configuration,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A Selection, FractionSchedule, FinalFraction, Scaling or DescentSelection argument that the rest of the declaration makes irrelevant.",
        helpLinkUri: HelpLinkBase + "NSAM009.md");

    /// <summary>
    /// <c>Schedule(Never)</c> with SAM-only attributes.
    /// <para>Format: <c>"{0}"</c>, e.g. <c>"Variant 'X': [Noise] has no effect with [Schedule(SchedulePolicy.Never)]: ..."</c>.</para>
    /// </summary>
    public static readonly DiagnosticDescriptor NeverScheduleWithSamAttributesWarning = new(
        id: SamDiagnosticIds.NeverScheduleWithSamAttributes,
        title: "SAM-only attribute with a Never schedule",
        messageFormat: "{0}",
        category: DiagnosticCategories.Configuration,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "With SchedulePolicy.Never no step is a SAM step, so [MicroBatch], [Noise] and [DescentSelection] have no effect: the variant is the base optimizer.",
        helpLinkUri: HelpLinkBase + "NSAM010.md");

    /// <summary>
    /// Perturbation parameter for another perturbation.
    /// <para>Format: <c>"{0}"</c>, e.g. <c>"Variant 'X': [SamVariant(Eta = ...)] only applies to Perturbation = PerturbationKind.Adaptive (ASAM), not Sam; ..."</c>.</para>
    /// </summary>
    public static readonly DiagnosticDescriptor PerturbationParameterForOtherKindError = new(
        id: SamDiagnosticIds.PerturbationParameterForOtherKind,
        title: "Perturbation parameter for another perturbation",
        messageFormat: "{0}",
        category: DiagnosticCategories.Configuration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Eta only applies to PerturbationKind.Adaptive and Beta only to PerturbationKind.StochasticWeight.",
        helpLinkUri: HelpLinkBase + "NSAM011.md");

    /// <summary>
    /// Two variants in one compilation share a name.
    /// <para>Format: <c>"Variant name '{0}' is also used by {1}; names must be unique in a compilation (compared ignoring case): rename one of them"</c>.</para>
    /// </summary>
    public static readonly DiagnosticDescriptor DuplicateVariantNameError = new(
        id: SamDiagnosticIds.DuplicateVariantName,
        title: "Duplicate variant name",
        messageFormat: "Variant name '{0}' is also used by {1}; names must be unique in a compilation (compared ignoring case): rename one of them",
        category: DiagnosticCategories.Usage,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Variants are registered in SamVariantRegistry by name, so two variants of one compilation cannot share a name.",
        helpLinkUri: HelpLinkBase + "NSAM012.md");

    /// <summary>
    /// DSL attribute on a class without <c>[SamVariant]</c>.
    /// <para>Format: <c>"[{0}] on class '{1}' has no effect without [SamVariant]: nothing is generated for the class; add [SamVariant(\"{1}\")]"</c>.</para>
    /// </summary>
    public static readonly DiagnosticDescriptor MissingSamVariantWarning = new(
        id: SamDiagnosticIds.MissingSamVariant,
        title: "DSL attribute without [SamVariant]",
        messageFormat: "[{0}] on class '{1}' has no effect without [SamVariant]: nothing is generated for the class; add [SamVariant(\"{1}\")]",
        category: DiagnosticCategories.Usage,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "[MicroBatch], [DescentSelection], [Noise], [Schedule] and [BaseOptimizer] only take effect on a class marked [SamVariant].",
        helpLinkUri: HelpLinkBase + "NSAM013.md");

    /// <summary>
    /// Incompatible combination of attributes or arguments.
    /// <para>Format: <c>"{0}"</c>, e.g. <c>"Variant 'X': [DescentSelection] cannot be combined with [Schedule(SchedulePolicy.LookSam)]: ..."</c>.</para>
    /// </summary>
    public static readonly DiagnosticDescriptor IncompatibleCombinationError = new(
        id: SamDiagnosticIds.IncompatibleCombination,
        title: "Incompatible combination",
        messageFormat: "{0}",
        category: DiagnosticCategories.Configuration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Some attributes or arguments contradict each other (LookSam with DescentSelection, SharpnessSensitive with TopLoss, Nesterov without momentum, an AdamW argument on SGD or the reverse, Accumulation with MicroBatch or DescentSelection, a per-chunk ascent with LookSam, Adaptive or StochasticWeight, an undefined enum value).",
        helpLinkUri: HelpLinkBase + "NSAM014.md");

    /// <summary>
    /// Base-optimizer parameter out of range.
    /// <para>Format: <c>"{0}"</c>, e.g. <c>"Variant 'X': [BaseOptimizer(LearningRate = 0)] must be a finite number &gt; 0; use a value such as 0.1"</c>.</para>
    /// </summary>
    public static readonly DiagnosticDescriptor OptimizerParameterInvalidError = new(
        id: SamDiagnosticIds.OptimizerParameterInvalid,
        title: "Base-optimizer parameter out of range",
        messageFormat: "{0}",
        category: DiagnosticCategories.Configuration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "LearningRate must be finite and > 0, WeightDecay finite and >= 0, Momentum, Beta1 and Beta2 in [0, 1), Epsilon finite and > 0, MaxGradNorm finite and >= 0 (0 = no clipping).",
        helpLinkUri: HelpLinkBase + "NSAM015.md");

    /// <summary>
    /// A member (or the class itself) has a name the generator uses.
    /// <para>Format: <c>"{0}"</c>, e.g. <c>"Variant class 'X' declares field 'Step', but the generator adds a member named 'Step' to the class: rename the field"</c>.</para>
    /// </summary>
    public static readonly DiagnosticDescriptor ReservedNameError = new(
        id: SamDiagnosticIds.ReservedName,
        title: "Name reserved for the generated step",
        messageFormat: "{0}",
        category: DiagnosticCategories.Usage,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generator adds _core, Descriptor, Step, LearningRate, RhoScale, StepCount, AsOptimizer, SaveState, LoadState, Dispose, a constructor (model, options) and a __RegisterSamVariant_ method to a variant class: the class must not declare or inherit members of those names, nor have one of them as its own name.",
        helpLinkUri: HelpLinkBase + "NSAM016.md");

    /// <summary>
    /// <c>[Accumulation(chunks)]</c> with fewer than one chunk.
    /// <para>Format: <c>"{0}"</c>, e.g. <c>"Variant 'X': [Accumulation(0)] must split the batch into at least 1 chunk; use a value such as 4"</c>.</para>
    /// </summary>
    public static readonly DiagnosticDescriptor AccumulationOutOfRangeError = new(
        id: SamDiagnosticIds.AccumulationOutOfRange,
        title: "Accumulation chunk count out of range",
        messageFormat: "{0}",
        category: DiagnosticCategories.Configuration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "[Accumulation(chunks)] splits every batch into that many chunks: it must be at least 1.",
        helpLinkUri: HelpLinkBase + "NSAM018.md");

    /// <summary>
    /// <c>[ParameterGroup]</c> with an empty prefix, a prefix declared twice, or a learning-rate multiplier out of range.
    /// <para>Format: <c>"{0}"</c>, e.g. <c>"Variant 'X': [ParameterGroup("backbone.", LearningRateScale = 0)] must be a finite number &gt; 0; ..."</c>.</para>
    /// </summary>
    public static readonly DiagnosticDescriptor ParameterGroupInvalidError = new(
        id: SamDiagnosticIds.ParameterGroupInvalid,
        title: "Invalid parameter group",
        messageFormat: "{0}",
        category: DiagnosticCategories.Configuration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Each [ParameterGroup] needs a non-empty parameter-name prefix, declared once, and a LearningRateScale that is finite and > 0.",
        helpLinkUri: HelpLinkBase + "NSAM019.md");

    /// <summary>The descriptors of the shape problems the target analyzer reports (NSAM001, 002, 016), by id.</summary>
    public static DiagnosticDescriptor? ForShapeProblem(string id) => id switch
    {
        SamDiagnosticIds.NotPartial => NotPartialError,
        SamDiagnosticIds.InvalidTargetType => InvalidTargetTypeError,
        SamDiagnosticIds.ReservedName => ReservedNameError,
        _ => null,
    };

    /// <summary>The descriptors of the value rules, by id (every id <see cref="SamDeclarationRules.Check"/> can return).</summary>
    public static DiagnosticDescriptor? ForValueRule(string id) => id switch
    {
        SamDiagnosticIds.PerturbationOutOfRange => PerturbationOutOfRangeError,
        SamDiagnosticIds.FractionOutOfRange => FractionOutOfRangeError,
        SamDiagnosticIds.SigmaOutOfRange => SigmaOutOfRangeError,
        SamDiagnosticIds.ZeroNoise => ZeroNoiseWarning,
        SamDiagnosticIds.ScheduleParameterInvalid => ScheduleParameterInvalidError,
        SamDiagnosticIds.IneffectiveSelection => IneffectiveSelectionWarning,
        SamDiagnosticIds.NeverScheduleWithSamAttributes => NeverScheduleWithSamAttributesWarning,
        SamDiagnosticIds.PerturbationParameterForOtherKind => PerturbationParameterForOtherKindError,
        SamDiagnosticIds.IncompatibleCombination => IncompatibleCombinationError,
        SamDiagnosticIds.OptimizerParameterInvalid => OptimizerParameterInvalidError,
        SamDiagnosticIds.AccumulationOutOfRange => AccumulationOutOfRangeError,
        SamDiagnosticIds.ParameterGroupInvalid => ParameterGroupInvalidError,
        _ => null,
    };
}
