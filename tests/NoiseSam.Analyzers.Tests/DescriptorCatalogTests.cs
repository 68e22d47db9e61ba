using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using NoiseSam.Analyzers.Tests.Helpers;
using NoiseSam.Rules;

namespace NoiseSam.Analyzers.Tests;

/// <summary>
/// Every descriptor id (the analyzers' and the generator's) has a docs page, an index entry, a help
/// link to the page and a release-tracking row that matches its category and severity; the ids are
/// exactly those of SamDiagnosticIds.
/// </summary>
public class DescriptorCatalogTests
{
    private static readonly string DocsFolder = Path.Combine(RepoPaths.Root, "docs", "diagnostics");
    private static readonly string AnalyzerFolder = Path.Combine(RepoPaths.Root, "analyzers", "NoiseSam.Analyzers");
    private static readonly string GeneratorFolder = Path.Combine(RepoPaths.Root, "generators", "NoiseSam.Generators");

    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (DiagnosticDescriptor descriptor in AnalyzerCatalog.Descriptors) data.Add(descriptor.Id);
        return data;
    }

    private static DiagnosticDescriptor Descriptor(string id) => AnalyzerCatalog.Descriptors.Single(d => d.Id == id);

    [Fact]
    public void TheAnalyzersAndTheGeneratorSupportExactlyTheIdsOfSamDiagnosticIds()
    {
        string[] expected = typeof(SamDiagnosticIds)
            .GetFields()
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!)
            .OrderBy(id => id, StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(Enumerable.Range(1, 19).Select(i => $"NSAM{i:000}"), expected);
        Assert.Equal(expected, AnalyzerCatalog.Descriptors.Select(d => d.Id));
        // One owner per diagnostic: the generator reports only its own failure.
        Assert.Equal(["NSAM017"], AnalyzerCatalog.GeneratorDescriptors.Select(d => d.Id));
        Assert.DoesNotContain(AnalyzerCatalog.AnalyzerDescriptors, d => d.Id == "NSAM017");
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void EveryIdHasADocsPageWithWhatWhyFixAndExamples(string id)
    {
        string page = Path.Combine(DocsFolder, id + ".md");
        Assert.True(File.Exists(page), $"missing {page}");
        string text = File.ReadAllText(page);
        Assert.StartsWith($"# {id}", text, StringComparison.Ordinal);
        foreach (string section in new[] { "## Cause", "## Why", "## How to fix", "## Example" })
            Assert.Contains(section, text, StringComparison.Ordinal);
        Assert.True(Regex.Matches(text, "```csharp").Count >= 2, $"{id}.md needs a bad and a fixed example");
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void EveryIdIsListedInTheDocsIndex(string id)
    {
        string index = File.ReadAllText(Path.Combine(DocsFolder, "index.md"));
        Assert.Contains($"[{id}]({id}.md)", index, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void EveryDescriptorLinksToItsPageAndIsEnabled(string id)
    {
        DiagnosticDescriptor descriptor = Descriptor(id);
        Assert.Equal($"https://github.com/noisesam/NoiseSam.Dsl/blob/main/docs/diagnostics/{id}.md", descriptor.HelpLinkUri);
        Assert.True(descriptor.IsEnabledByDefault);
        Assert.Contains(descriptor.Category, new[] { "NoiseSam.Usage", "NoiseSam.Configuration" });
        Assert.False(string.IsNullOrWhiteSpace(descriptor.Title.ToString()));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void EveryIdHasOneReleaseTrackingRowMatchingCategoryAndSeverity(string id)
    {
        DiagnosticDescriptor descriptor = Descriptor(id);
        string folder = AnalyzerCatalog.GeneratorDescriptors.Any(d => d.Id == id) ? GeneratorFolder : AnalyzerFolder;
        string[] rows = new[] { "AnalyzerReleases.Shipped.md", "AnalyzerReleases.Unshipped.md" }
            .SelectMany(file => File.ReadAllLines(Path.Combine(folder, file)))
            .Where(line => line.StartsWith(id + " ", StringComparison.Ordinal))
            .ToArray();
        string row = Assert.Single(rows);
        string[] cells = row.Split('|').Select(c => c.Trim()).ToArray();
        Assert.Equal(id, cells[0]);
        Assert.Equal(descriptor.Category, cells[1]);
        Assert.Equal(descriptor.DefaultSeverity.ToString(), cells[2]);
    }

    [Fact]
    public void SeveritiesFollowTheDesign()
    {
        string[] warnings = { "NSAM006", "NSAM009", "NSAM010", "NSAM013" };
        foreach (DiagnosticDescriptor descriptor in AnalyzerCatalog.Descriptors)
            Assert.Equal(warnings.Contains(descriptor.Id) ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error, descriptor.DefaultSeverity);
    }

    [Fact]
    public void EveryCodeFixFixesKnownIdsAndHasABatchFixAll()
    {
        Assert.NotEmpty(AnalyzerCatalog.CodeFixes);
        var ids = AnalyzerCatalog.Descriptors.Select(d => d.Id).ToHashSet();
        foreach (var fixer in AnalyzerCatalog.CodeFixes)
        {
            Assert.All(fixer.FixableDiagnosticIds, id => Assert.Contains(id, ids));
            Assert.Same(Microsoft.CodeAnalysis.CodeFixes.WellKnownFixAllProviders.BatchFixer, fixer.GetFixAllProvider());
        }
        string[] fixable = AnalyzerCatalog.CodeFixes.SelectMany(f => f.FixableDiagnosticIds).Distinct().OrderBy(id => id, StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "NSAM001", "NSAM002", "NSAM004", "NSAM006", "NSAM007", "NSAM008", "NSAM009", "NSAM010", "NSAM011", "NSAM013", "NSAM018", "NSAM019" }, fixable);
    }

    [Fact]
    public void ReleaseTrackingFilesAreAdditionalFilesOfTheAnalyzerAndGeneratorProjects()
    {
        foreach (string project in new[] { Path.Combine(AnalyzerFolder, "NoiseSam.Analyzers.csproj"), Path.Combine(GeneratorFolder, "NoiseSam.Generators.csproj") })
        {
            string text = File.ReadAllText(project);
            Assert.Contains("<AdditionalFiles Include=\"AnalyzerReleases.Shipped.md\" />", text, StringComparison.Ordinal);
            Assert.Contains("<AdditionalFiles Include=\"AnalyzerReleases.Unshipped.md\" />", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EveryAnalyzerIsACsharpAnalyzer() =>
        Assert.All(AnalyzerCatalog.Analyzers, analyzer =>
        {
            var attribute = analyzer.GetType().GetCustomAttributes(typeof(DiagnosticAnalyzerAttribute), false).Cast<DiagnosticAnalyzerAttribute>().Single();
            Assert.Equal(new[] { LanguageNames.CSharp }, attribute.Languages);
        });
}
