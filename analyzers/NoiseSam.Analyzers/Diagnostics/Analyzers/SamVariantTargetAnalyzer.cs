using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using NoiseSam.Analyzers.Helpers;
using NoiseSam.Rules;

namespace NoiseSam.Analyzers.Diagnostics.Analyzers;

/// <summary>
/// NSAM001 (a <c>[SamVariant]</c> class is not partial) and NSAM002 (it is static, generic,
/// abstract, nested in a non-partial type, or has an empty registry name).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SamVariantTargetAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The NSAM002 message for an empty name; the same text as <c>SamVariantDescriptor.Validate()</c>.</summary>
    internal const string EmptyNameMessage = "[SamVariant(name)] needs a non-empty name such as \"NI-MBS\"";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.NotPartialError,
        DiagnosticDescriptors.InvalidTargetTypeError);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            if (DslSymbols.TryCreate(start.Compilation) is not { } symbols) return;
            start.RegisterSymbolAction(symbolContext => Analyze(symbolContext, symbols), SymbolKind.NamedType);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, DslSymbols symbols)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (symbols.FindSamVariant(type) is not { } samVariant) return;

        bool reportedGeneric = false;
        foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(context.CancellationToken) is not TypeDeclarationSyntax declaration) continue;

            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NotPartialError, declaration.Identifier.GetLocation(), type.Name));

            foreach (SyntaxToken modifier in declaration.Modifiers)
            {
                if (modifier.IsKind(SyntaxKind.StaticKeyword))
                    Report(context, modifier.GetLocation(), $"Variant class '{type.Name}' must not be static: the generator adds a constructor and instance members; remove 'static'");
                else if (modifier.IsKind(SyntaxKind.AbstractKeyword))
                    Report(context, modifier.GetLocation(), $"Variant class '{type.Name}' must not be abstract: the variant registry creates instances of it; remove 'abstract'");
            }

            if (declaration.TypeParameterList is { } typeParameters && !reportedGeneric)
            {
                reportedGeneric = true;
                Report(context, typeParameters.GetLocation(), $"Variant class '{type.Name}' must not be generic: the variant registry creates it without type arguments; remove the type parameters");
            }
        }

        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            if (IsPartialEverywhere(outer, context)) continue;
            Location location = type.Locations.Length > 0 ? type.Locations[0] : Location.None;
            Report(context, location, $"Variant class '{type.Name}' is nested in '{outer.Name}', which is not partial: the generator cannot add the step to it; make '{outer.Name}' partial or move '{type.Name}' out of it");
        }

        if (string.IsNullOrWhiteSpace(SamDeclarationReader.ReadName(samVariant)))
            Report(context, AttributeSyntaxLocator.Locate(samVariant, "Name", type, context.CancellationToken), EmptyNameMessage);
    }

    private static bool IsPartialEverywhere(INamedTypeSymbol type, SymbolAnalysisContext context)
    {
        foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
            if (reference.GetSyntax(context.CancellationToken) is TypeDeclarationSyntax declaration
                && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                return false;
        return true;
    }

    private static void Report(SymbolAnalysisContext context, Location location, string message) =>
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidTargetTypeError, location, message));
}
