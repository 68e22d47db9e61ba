using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using NoiseSam.Dsl;
using NoiseSam.Rules;

namespace NoiseSam.Analyzers.Declarations;

/// <summary>
/// Everything the generator and the analyzers know about one <c>[SamVariant]</c> class, computed by
/// the same code for both (this folder is linked into the generator): the values read by
/// <see cref="SamDeclarationReader"/>, the shape problems of <see cref="SamVariantShape"/> and
/// <see cref="ShouldPerturbHook"/>, and the value rules of <see cref="SamDeclarationRules"/>. The
/// generator emits nothing exactly when <see cref="BlocksGeneration"/>, which is exactly when an
/// analyzer reports an error (or the compiler does, for <see cref="SamDeclarationReader.Result.Unreadable"/>).
/// </summary>
internal sealed class SamDeclaration
{
    private List<SamRuleViolation>? ruleViolations;

    private SamDeclaration(AttributeData samVariant, SamDeclarationReader.Result reading, List<DeclarationProblem> problems, ShouldPerturbHook? hook)
    {
        SamVariant = samVariant;
        Reading = reading;
        Problems = problems;
        ShouldPerturb = hook;
    }

    /// <summary>The <c>[SamVariant]</c> attribute.</summary>
    public AttributeData SamVariant { get; }

    /// <summary>The values of the DSL attributes and where each came from.</summary>
    public SamDeclarationReader.Result Reading { get; }

    /// <summary>The declaration as values.</summary>
    public SamVariantDescriptor Values => Reading.Values;

    /// <summary>Shape errors: NSAM001, NSAM002, NSAM008, NSAM016.</summary>
    public IReadOnlyList<DeclarationProblem> Problems { get; }

    /// <summary>The Custom schedule's hook, or null for another policy.</summary>
    public ShouldPerturbHook? ShouldPerturb { get; }

    /// <summary>The value rules' errors and warnings (computed on first use).</summary>
    public IReadOnlyList<SamRuleViolation> RuleViolations => ruleViolations ??= SamDeclarationRules.Check(Values);

    /// <summary>Nothing is generated: an attribute could not be read, the class has a shape error, or a value rule reports an error.</summary>
    public bool BlocksGeneration
    {
        get
        {
            if (Reading.Unreadable || Problems.Count > 0) return true;
            foreach (SamRuleViolation violation in RuleViolations)
                if (violation.IsError) return true;
            return false;
        }
    }

    /// <summary>Reads <paramref name="type"/>, or returns null when it has no <c>[SamVariant]</c>.</summary>
    public static SamDeclaration? Read(INamedTypeSymbol type, DslSymbols symbols, CancellationToken cancellationToken)
    {
        if (symbols.FindSamVariant(type) is not { } samVariant) return null;
        SamDeclarationReader.Result reading = SamDeclarationReader.Read(type, symbols);
        List<DeclarationProblem> problems = SamVariantShape.Check(type, samVariant, reading.Values.Name, symbols, cancellationToken);

        ShouldPerturbHook? hook = null;
        if (reading.Values.Schedule?.Policy == SchedulePolicy.Custom)
        {
            hook = ShouldPerturbHook.Find(type, symbols, cancellationToken);
            if (hook.Problem is { } problem)
            {
                reading.Attributes.TryGetValue("Schedule", out AttributeData? schedule);
                Location location = AttributeSyntaxLocator.Locate(schedule, "policy", type, cancellationToken);
                problems.Add(new DeclarationProblem(SamDiagnosticIds.CustomScheduleWithoutMethod, location, type.Name, problem));
            }
        }
        return new SamDeclaration(samVariant, reading, problems, hook);
    }
}
