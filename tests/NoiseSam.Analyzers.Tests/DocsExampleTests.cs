using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using NoiseSam.Analyzers.Tests.Helpers;

namespace NoiseSam.Analyzers.Tests;

/// <summary>
/// The examples of each docs page are real: compiled with the generator and every analyzer, as a
/// build does, the "Reported" one reports the page's id and the "Fixed" one compiles clean. NSAM017
/// (the generator's own failure) has no code that causes it; the generator tests inject one.
/// </summary>
public class DocsExampleTests
{
    public static TheoryData<string> Ids() => DescriptorCatalogTests.Ids();

    [Theory]
    [MemberData(nameof(Ids))]
    public async Task TheBadExampleReportsTheIdAndTheFixedExampleIsClean(string id)
    {
        string text = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "diagnostics", id + ".md"));
        string[] blocks = Regex.Matches(text, "```csharp\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(2, blocks.Length);

        ImmutableArray<Diagnostic> bad = await AnalyzeAsync(blocks[0]);
        if (id != "NSAM017") Assert.Contains(bad, d => d.Id == id);

        ImmutableArray<Diagnostic> good = await AnalyzeAsync(blocks[1]);
        Assert.Empty(good.Where(d => d.Id.StartsWith("NSAM", StringComparison.Ordinal) || d.Severity == DiagnosticSeverity.Error));
    }

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(string source)
    {
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        CSharpCompilation compilation = CSharpCompilation.Create("Docs",
            new[] { CSharpSyntaxTree.ParseText(source, parseOptions) },
            TestReferences.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        CSharpGeneratorDriver.Create([new NoiseSam.Generators.SamStepGenerator().AsSourceGenerator()], parseOptions: parseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation generated, out ImmutableArray<Diagnostic> generatorDiagnostics);
        ImmutableArray<Diagnostic> analyzed = await generated.WithAnalyzers(AnalyzerCatalog.Analyzers).GetAllDiagnosticsAsync();
        return generatorDiagnostics.AddRange(analyzed);
    }
}
