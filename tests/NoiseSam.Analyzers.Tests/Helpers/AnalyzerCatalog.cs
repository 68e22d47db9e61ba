using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using NoiseSam.Analyzers.CodeFixes;
using NoiseSam.Analyzers.Diagnostics.Analyzers;

namespace NoiseSam.Analyzers.Tests.Helpers;

/// <summary>Every analyzer and code fix the two assemblies ship, found by reflection (so a new one cannot be forgotten).</summary>
internal static class AnalyzerCatalog
{
    public static ImmutableArray<DiagnosticAnalyzer> Analyzers { get; } = Instances<DiagnosticAnalyzer>(typeof(SamDeclarationValueAnalyzer).Assembly);

    public static ImmutableArray<CodeFixProvider> CodeFixes { get; } = Instances<CodeFixProvider>(typeof(MakeVariantPartialCodeFixer).Assembly);

    /// <summary>Every descriptor the analyzers support, one per id.</summary>
    public static ImmutableArray<DiagnosticDescriptor> AnalyzerDescriptors { get; } = Analyzers
        .SelectMany(a => a.SupportedDiagnostics)
        .GroupBy(d => d.Id)
        .Select(g => g.First())
        .OrderBy(d => d.Id, StringComparer.Ordinal)
        .ToImmutableArray();

    /// <summary>The descriptors the generator reports itself (the static fields of its nested <c>Diagnostics</c> class).</summary>
    public static ImmutableArray<DiagnosticDescriptor> GeneratorDescriptors { get; } = typeof(NoiseSam.Generators.SamStepGenerator)
        .GetNestedType("Diagnostics", BindingFlags.NonPublic)!
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .ToImmutableArray();

    /// <summary>Every descriptor, the analyzers' and the generator's, one per id.</summary>
    public static ImmutableArray<DiagnosticDescriptor> Descriptors { get; } = AnalyzerDescriptors
        .Concat(GeneratorDescriptors)
        .GroupBy(d => d.Id)
        .Select(g => g.First())
        .OrderBy(d => d.Id, StringComparer.Ordinal)
        .ToImmutableArray();

    private static ImmutableArray<T> Instances<T>(Assembly assembly) => assembly.GetTypes()
        .Where(t => typeof(T).IsAssignableFrom(t) && !t.IsAbstract && t.GetConstructor(Type.EmptyTypes) is not null)
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .Select(t => (T)Activator.CreateInstance(t)!)
        .ToImmutableArray();
}
