using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace NoiseSam.Analyzers.Tests.Helpers;

/// <summary>
/// An analyzer test that compiles against .NET 10 and the NoiseSam runtime, with the generator run
/// first as in a build: the analyzers see the generated members, and the expected diagnostics
/// include any the generated code would cause (there must be none).
/// </summary>
internal sealed class NoiseSamAnalyzerTest<TAnalyzer> : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    public NoiseSamAnalyzerTest(string source, params DiagnosticResult[] expected)
    {
        ReferenceAssemblies = TestReferences.NoDownload;
        TestState.AdditionalReferences.AddRange(TestReferences.All);
        TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
        TestCode = source;
        ExpectedDiagnostics.AddRange(expected);
    }

    protected override IEnumerable<Type> GetSourceGenerators() => TestReferences.SourceGenerators;
}

/// <summary>A code-fix test (single fix, fix-all in document/project/solution) against .NET 10 and the NoiseSam runtime, with the generator.</summary>
internal sealed class NoiseSamCodeFixTest<TAnalyzer, TCodeFix> : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    public NoiseSamCodeFixTest(string source, string fixedSource, string? equivalenceKey = null)
    {
        ReferenceAssemblies = TestReferences.NoDownload;
        TestState.AdditionalReferences.AddRange(TestReferences.All);
        FixedState.AdditionalReferences.AddRange(TestReferences.All);
        BatchFixedState.AdditionalReferences.AddRange(TestReferences.All);
        TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
        TestCode = source;
        FixedCode = fixedSource;
        CodeActionEquivalenceKey = equivalenceKey;
    }

    protected override IEnumerable<Type> GetSourceGenerators() => TestReferences.SourceGenerators;
}

/// <summary>Short names for the tests.</summary>
internal static class Verify
{
    /// <summary>Runs <typeparamref name="TAnalyzer"/> on <paramref name="source"/> (markup) and checks the diagnostics exactly.</summary>
    public static Task AnalyzerAsync<TAnalyzer>(string source, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new() =>
        new NoiseSamAnalyzerTest<TAnalyzer>(source, expected).RunAsync();

    /// <summary>Checks the fix's before/after text, for one diagnostic and with fix-all.</summary>
    public static Task CodeFixAsync<TAnalyzer, TCodeFix>(string source, string fixedSource, string? equivalenceKey = null)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new() =>
        new NoiseSamCodeFixTest<TAnalyzer, TCodeFix>(source, fixedSource, equivalenceKey).RunAsync();

    /// <summary>An expected diagnostic of <typeparamref name="TAnalyzer"/> (severity from its descriptor) at markup location <c>{|#index:...|}</c>.</summary>
    public static DiagnosticResult Diagnostic<TAnalyzer>(string id, int markupIndex, string? message = null)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        DiagnosticResult result = CSharpAnalyzerVerifier<TAnalyzer, DefaultVerifier>.Diagnostic(id).WithLocation(markupIndex);
        return message is null ? result : result.WithMessage(message);
    }
}
