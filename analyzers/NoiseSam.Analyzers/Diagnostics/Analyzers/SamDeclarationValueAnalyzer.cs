using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using NoiseSam.Analyzers.Declarations;
using NoiseSam.Dsl;
using NoiseSam.Rules;

namespace NoiseSam.Analyzers.Diagnostics.Analyzers;

/// <summary>
/// The value rules (NSAM003–007, 009–011, 014, 015, 018, 019): reads a <c>[SamVariant]</c> class's attributes
/// into the values record (the shared <see cref="SamDeclarationReader"/>), runs the shared <see cref="SamDeclarationRules.Check"/>
/// (the same code as <c>SamVariantDescriptor.Validate()</c>) and reports each violation on the
/// argument it names, or on the attribute when it names none.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SamDeclarationValueAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.PerturbationOutOfRangeError,
        DiagnosticDescriptors.FractionOutOfRangeError,
        DiagnosticDescriptors.SigmaOutOfRangeError,
        DiagnosticDescriptors.ZeroNoiseWarning,
        DiagnosticDescriptors.ScheduleParameterInvalidError,
        DiagnosticDescriptors.IneffectiveSelectionWarning,
        DiagnosticDescriptors.NeverScheduleWithSamAttributesWarning,
        DiagnosticDescriptors.PerturbationParameterForOtherKindError,
        DiagnosticDescriptors.IncompatibleCombinationError,
        DiagnosticDescriptors.OptimizerParameterInvalidError,
        DiagnosticDescriptors.AccumulationOutOfRangeError,
        DiagnosticDescriptors.ParameterGroupInvalidError);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(DeclarationAnalysis.GeneratedCode);
        context.EnableConcurrentExecution();
        DeclarationAnalysis.RegisterForEachDeclaration(context, static (symbolContext, declaration) =>
        {
            var type = (INamedTypeSymbol)symbolContext.Symbol;
            foreach (SamRuleViolation violation in declaration.RuleViolations)
            {
                if (DiagnosticDescriptors.ForValueRule(violation.Id) is not { } descriptor) continue;
                declaration.Reading.Attributes.TryGetValue(violation.Attribute, out AttributeData? attribute);
                Location location = AttributeSyntaxLocator.Locate(attribute, violation.Argument, type, symbolContext.CancellationToken);
                DiagnosticSeverity severity = violation.IsError ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning;
                ImmutableDictionary<string, string?> properties = FixProperties(violation, declaration.Values);
                symbolContext.ReportDiagnostic(severity == descriptor.DefaultSeverity
                    ? Diagnostic.Create(descriptor, location, properties, violation.Message)
                    : Diagnostic.Create(descriptor, location, severity, additionalLocations: null, properties, violation.Message));
            }
        });
    }

    /// <summary>Which code fix is unambiguous for a violation (see <see cref="FixHints"/>); empty when none is.</summary>
    private static ImmutableDictionary<string, string?> FixProperties(SamRuleViolation violation, SamVariantDescriptor values)
    {
        ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty
            .Add(FixHints.Attribute, violation.Attribute)
            .Add(FixHints.Argument, violation.Argument);
        string? fix = null, value = null;
        switch (violation.Id)
        {
            case SamDiagnosticIds.FractionOutOfRange:
                // Above 1 the nearest valid fraction is 1; at or below 0 (or NaN) there is no nearest one.
                if (ArgumentValue(violation, values) > 1) (fix, value) = (FixHints.Clamp, "1");
                break;
            case SamDiagnosticIds.ScheduleParameterInvalid:
                (fix, value) = ScheduleFix(violation, values);
                break;
            case SamDiagnosticIds.PerturbationParameterForOtherKind:
                fix = FixHints.RemoveArgument;
                break;
            case SamDiagnosticIds.ZeroNoise:
            case SamDiagnosticIds.NeverScheduleWithSamAttributes:
                fix = FixHints.RemoveAttribute;
                break;
            case SamDiagnosticIds.AccumulationOutOfRange:
                // Fewer than one chunk: the nearest valid count is 1.
                (fix, value) = (FixHints.Clamp, "1");
                break;
            case SamDiagnosticIds.ParameterGroupInvalid:
                // A prefix declared twice: the second declaration is dead.
                if (violation.Argument is null) fix = FixHints.RemoveAttribute;
                break;
            case SamDiagnosticIds.IneffectiveSelection:
                // Selection with a full batch, FractionSchedule without FinalFraction and a descent
                // Fraction for a set that has none are dead; the other cases have two possible fixes.
                if (violation.Argument is "Selection" or "FractionSchedule" or "NoDecayOnBiasAndNorm"
                    || (violation.Attribute == "DescentSelection" && violation.Argument == "Fraction"))
                    fix = FixHints.RemoveArgument;
                break;
        }
        if (fix is null) return properties;
        properties = properties.Add(FixHints.Fix, fix);
        return value is null ? properties : properties.Add(FixHints.Value, value);
    }

    private static (string? Fix, string? Value) ScheduleFix(SamRuleViolation violation, SamVariantDescriptor values)
    {
        SchedulePolicy policy = values.Policy;
        ScheduleSpec? schedule = values.Schedule;
        switch (violation.Argument)
        {
            case "K" when policy is SchedulePolicy.EveryK or SchedulePolicy.LookSam:
                return schedule?.K < 1 ? (FixHints.Clamp, "1") : (null, null);
            case "Probability" when policy == SchedulePolicy.Bernoulli:
                if (schedule?.Probability > 1) return (FixHints.Clamp, "1");
                if (schedule?.Probability < 0) return (FixHints.Clamp, "0");
                return (null, null);
            case "Alpha" when policy == SchedulePolicy.LookSam:
            case "C" when policy == SchedulePolicy.Adaptive:
            case "Delta" when policy == SchedulePolicy.Adaptive:
                return (null, null);
            case "K" or "Probability" or "Alpha" or "C" or "Delta":
                // Given for another policy: the argument is dead.
                return (FixHints.RemoveArgument, null);
            default:
                return (null, null);
        }
    }

    private static double? ArgumentValue(SamRuleViolation violation, SamVariantDescriptor values) => (violation.Attribute, violation.Argument) switch
    {
        ("MicroBatch", "Fraction") => values.MicroBatch?.Fraction,
        ("MicroBatch", "FinalFraction") => values.MicroBatch?.FinalFraction,
        ("DescentSelection", "Fraction") => values.DescentSelection?.Fraction,
        _ => null,
    };
}
