using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using NoiseSam.Analyzers.Declarations;

namespace NoiseSam.Analyzers.Diagnostics.Analyzers;

/// <summary>The registration every per-declaration analyzer shares: one symbol action per named type that reads its <see cref="SamDeclaration"/>.</summary>
internal static class DeclarationAnalysis
{
    /// <summary>
    /// Generated code is analyzed too: a declaration in a file named <c>*.g.cs</c> or starting with
    /// <c>// &lt;auto-generated/&gt;</c> is still the user's, and the generator skips it just the same
    /// when it is invalid. (The generator's own output holds no DSL attribute.)
    /// </summary>
    public const GeneratedCodeAnalysisFlags GeneratedCode = GeneratedCodeAnalysisFlags.Analyze | GeneratedCodeAnalysisFlags.ReportDiagnostics;

    /// <summary>Runs <paramref name="report"/> on each <c>[SamVariant]</c> class.</summary>
    public static void RegisterForEachDeclaration(AnalysisContext context, Action<SymbolAnalysisContext, SamDeclaration> report)
    {
        context.RegisterCompilationStartAction(start =>
        {
            if (DslSymbols.TryCreate(start.Compilation) is not { } symbols) return;
            start.RegisterSymbolAction(symbolContext =>
            {
                if (SamDeclaration.Read((INamedTypeSymbol)symbolContext.Symbol, symbols, symbolContext.CancellationToken) is { } declaration)
                    report(symbolContext, declaration);
            }, SymbolKind.NamedType);
        });
    }
}
