using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using NoiseSam.Analyzers.Declarations;

namespace NoiseSam.Analyzers.Diagnostics.Analyzers;

/// <summary>
/// NSAM012: two <c>[SamVariant]</c> classes of one compilation share a registry name (ignoring
/// case). Reported on each class's name argument, while the user types: the index of names is
/// built once per compilation, on first use, instead of at compilation end.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DuplicateVariantNameAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.DuplicateVariantNameError);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(DeclarationAnalysis.GeneratedCode);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            if (DslSymbols.TryCreate(start.Compilation) is not { } symbols) return;
            Compilation compilation = start.Compilation;
            var index = new Lazy<Dictionary<string, List<INamedTypeSymbol>>>(
                () => BuildIndex(compilation, symbols, start.CancellationToken), LazyThreadSafetyMode.ExecutionAndPublication);
            start.RegisterSymbolAction(symbolContext => Analyze(symbolContext, symbols, index), SymbolKind.NamedType);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, DslSymbols symbols, Lazy<Dictionary<string, List<INamedTypeSymbol>>> index)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (symbols.FindSamVariant(type) is not { } samVariant) return;
        string name = SamDeclarationReader.ReadName(samVariant);
        if (string.IsNullOrWhiteSpace(name)) return;
        if (!index.Value.TryGetValue(name, out List<INamedTypeSymbol>? sharing)) return;

        List<string> others = sharing
            .Where(other => !SymbolEqualityComparer.Default.Equals(other, type))
            .Select(other => $"'{other.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat)}'")
            .OrderBy(text => text, StringComparer.Ordinal)
            .ToList();
        if (others.Count == 0) return;

        Location location = AttributeSyntaxLocator.Locate(samVariant, "name", type, context.CancellationToken);
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DuplicateVariantNameError, location, name, string.Join(", ", others)));
    }

    private static Dictionary<string, List<INamedTypeSymbol>> BuildIndex(Compilation compilation, DslSymbols symbols, CancellationToken cancellationToken)
    {
        var index = new Dictionary<string, List<INamedTypeSymbol>>(StringComparer.OrdinalIgnoreCase);
        var pending = new Stack<INamespaceOrTypeSymbol>();
        pending.Push(compilation.Assembly.GlobalNamespace);
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            INamespaceOrTypeSymbol container = pending.Pop();
            if (container is INamespaceSymbol ns)
                foreach (INamespaceOrTypeSymbol member in ns.GetMembers())
                    pending.Push(member);
            if (container is not INamedTypeSymbol type) continue;
            foreach (INamedTypeSymbol nested in type.GetTypeMembers())
                pending.Push(nested);
            if (type.TypeKind != TypeKind.Class || symbols.FindSamVariant(type) is not { } samVariant) continue;
            string name = SamDeclarationReader.ReadName(samVariant);
            if (string.IsNullOrWhiteSpace(name)) continue;
            if (!index.TryGetValue(name, out List<INamedTypeSymbol>? list))
                index.Add(name, list = new List<INamedTypeSymbol>());
            list.Add(type);
        }
        return index;
    }
}
