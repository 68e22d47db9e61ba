using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using NoiseSam.Analyzers.Helpers;
using NoiseSam.Dsl;

namespace NoiseSam.Analyzers.Diagnostics.Analyzers;

/// <summary>
/// NSAM008: <c>[Schedule(SchedulePolicy.Custom)]</c> on a <c>[SamVariant]</c> class that has no
/// implementation of <c>private partial bool ShouldPerturb(in NoiseSam.StepContext context)</c>.
/// A defining declaration alone is not enough. Like the generator, it also accepts the context
/// passed by value (<c>ShouldPerturb(StepContext context)</c>): the generated call works with both.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class CustomScheduleAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.CustomScheduleWithoutMethodError);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            if (DslSymbols.TryCreate(start.Compilation) is not { Schedule: not null } symbols) return;
            start.RegisterSymbolAction(symbolContext => Analyze(symbolContext, symbols), SymbolKind.NamedType);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, DslSymbols symbols)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (symbols.FindSamVariant(type) is null) return;

        AttributeData? schedule = null;
        foreach (AttributeData attribute in type.GetAttributes())
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, symbols.Schedule))
                schedule = attribute;
        if (schedule is null
            || schedule.ConstructorArguments.Length != 1
            || schedule.ConstructorArguments[0].Value is not int policy
            || policy != (int)SchedulePolicy.Custom)
            return;

        bool hasDefinition = false;
        foreach (ISymbol member in type.GetMembers(TypeNames.ShouldPerturb))
        {
            if (member is not IMethodSymbol method || !HasExpectedSignature(method, symbols)) continue;
            if (method.IsPartialDefinition)
            {
                if (method.PartialImplementationPart is not null) return;
                hasDefinition = true;
            }
            else if (!method.IsAbstract && !method.IsExtern)
            {
                return;
            }
        }

        Location location = AttributeSyntaxLocator.Locate(schedule, "policy", type, context.CancellationToken);
        ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty
            .Add(FixHints.HasDefinition, hasDefinition ? "true" : "false");
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.CustomScheduleWithoutMethodError, location, properties, type.Name));
    }

    private static bool HasExpectedSignature(IMethodSymbol method, DslSymbols symbols) =>
        !method.IsStatic
        && method.Arity == 0
        && method.ReturnType.SpecialType == SpecialType.System_Boolean
        && method.Parameters.Length == 1
        && method.Parameters[0].RefKind is RefKind.In or RefKind.None
        && symbols.StepContext is not null
        && SymbolEqualityComparer.Default.Equals(method.Parameters[0].Type, symbols.StepContext);
}
