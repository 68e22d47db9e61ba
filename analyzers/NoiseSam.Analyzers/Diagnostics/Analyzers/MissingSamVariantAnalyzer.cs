using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using NoiseSam.Analyzers.Declarations;

namespace NoiseSam.Analyzers.Diagnostics.Analyzers;

/// <summary>NSAM013: a DSL attribute (<c>[MicroBatch]</c>, <c>[Noise]</c>, ...) on a class without <c>[SamVariant]</c>.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class MissingSamVariantAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.MissingSamVariantWarning);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(DeclarationAnalysis.GeneratedCode);
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
        ImmutableArray<AttributeData> attributes = type.GetAttributes();
        if (attributes.IsEmpty || symbols.FindSamVariant(type) is not null) return;

        ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty
            .Add(FixHints.ClassName, type.Name);
        foreach (AttributeData attribute in attributes)
        {
            if (symbols.DslName(attribute) is not { } name) continue;
            Location location = AttributeSyntaxLocator.Locate(attribute, argument: null, type, context.CancellationToken);
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MissingSamVariantWarning, location, properties, name, type.Name));
        }
    }
}
