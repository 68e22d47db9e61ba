using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using NoiseSam.Analyzers.Tests.Helpers;

namespace NoiseSam.Analyzers.Tests;

/// <summary>The examples of each docs page are real: the "Reported" one reports the page's id, the "Fixed" one compiles clean.</summary>
public class DocsExampleTests
{
    public static TheoryData<string> Ids() => DescriptorCatalogTests.Ids();

    [Theory]
    [MemberData(nameof(Ids))]
    public async Task The_bad_example_reports_the_id_and_the_fixed_example_is_clean(string id)
    {
        string text = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "diagnostics", id + ".md"));
        string[] blocks = Regex.Matches(text, "```csharp\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(2, blocks.Length);

        ImmutableArray<Diagnostic> bad = await AnalyzeAsync(blocks[0]);
        Assert.Contains(bad, d => d.Id == id);

        ImmutableArray<Diagnostic> good = await AnalyzeAsync(blocks[1]);
        Assert.Empty(good.Where(d => d.Id.StartsWith("NSAM", StringComparison.Ordinal) || d.Severity == DiagnosticSeverity.Error));
    }

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(string source)
    {
        CSharpCompilation compilation = CSharpCompilation.Create("Docs",
            new[] { CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest)) },
            TestReferences.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        return await compilation.WithAnalyzers(AnalyzerCatalog.Analyzers).GetAllDiagnosticsAsync();
    }
}
