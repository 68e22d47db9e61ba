using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using NoiseSam.Generators;
using NoiseSam.Package.Tests.Helpers;

namespace NoiseSam.Package.Tests;

/// <summary>
/// Every C# example of the user docs compiles against the runtime and TorchSharp with the
/// generator and analyzers running, as in a user's project, so the docs never rot.
/// On a page, blocks without top-level statements (declarations) are compiled together; each
/// block with top-level statements (a program) is compiled with the page's declaration blocks.
/// </summary>
public class DocsExamplesTests
{
    private static readonly ImmutableArray<MetadataReference> References = Basic.Reference.Assemblies.Net100.References.All
        .Cast<MetadataReference>()
        .Append(MetadataReference.CreateFromFile(typeof(ISamStep).Assembly.Location))
        .Append(MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location))
        .ToImmutableArray();

    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = typeof(NoiseSam.Analyzers.Diagnostics.Analyzers.SamDeclarationValueAnalyzer).Assembly
        .GetTypes()
        .Where(t => typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && !t.IsAbstract && t.GetConstructor(Type.EmptyTypes) is not null)
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
        .ToImmutableArray();

    private static readonly CSharpParseOptions Parse = new(LanguageVersion.Latest);

    public static TheoryData<string> Pages() => new(DocBlocks.Pages());

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task EveryCsharpExampleOfThePageCompilesWithTheGeneratorAndAnalyzers(string page)
    {
        var blocks = DocBlocks.CSharp(page);
        var clean = blocks.Where(b => b.ExpectedDiagnostic is null).ToList();
        var declarations = clean.Where(b => !IsProgram(b)).ToList();
        var programs = clean.Where(IsProgram).ToList();

        var units = programs.Count == 0
            ? (declarations.Count == 0 ? [] : new List<List<DocBlock>> { declarations })
            : programs.Select(p => declarations.Prepend(p).ToList()).ToList();
        foreach (var unit in units)
        {
            var (compilation, diagnostics) = await CompileAsync(unit);
            var problems = diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
            Assert.True(problems.Count == 0,
                $"{string.Join(", ", unit)}:\n{string.Join("\n", problems.Select(d => Describe(d, unit)))}");

            // The generator really ran: every [SamVariant] class became an ISamStep.
            var iSamStep = compilation.GetTypeByMetadataName("NoiseSam.ISamStep")!;
            foreach (var tree in compilation.SyntaxTrees)
            {
                var model = compilation.GetSemanticModel(tree);
                foreach (var type in tree.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>()
                             .Where(c => c.AttributeLists.SelectMany(l => l.Attributes).Any(a => a.Name.ToString() is "SamVariant" or "SamVariantAttribute")))
                {
                    var symbol = model.GetDeclaredSymbol(type)!;
                    Assert.True(symbol.AllInterfaces.Contains(iSamStep, SymbolEqualityComparer.Default),
                        $"{page}: {symbol.Name} was not generated into an ISamStep");
                }
            }
        }

        foreach (var bad in blocks.Where(b => b.ExpectedDiagnostic is not null))
        {
            var (_, diagnostics) = await CompileAsync(declarations.Prepend(bad).ToList());
            Assert.True(diagnostics.Any(d => d.Id == bad.ExpectedDiagnostic),
                $"{bad} should report {bad.ExpectedDiagnostic}; got: {string.Join("; ", diagnostics.Select(d => d.Id))}");
        }
    }

    [Fact]
    public void TheDocsHaveExamplesAndTheGettingStartedPageShowsTheQuickStartSampleVerbatim()
    {
        Assert.True(DocBlocks.Pages().Sum(p => DocBlocks.CSharp(p).Count) >= 10, "the docs should be mostly examples");
        string quickStart = File.ReadAllText(RepoPaths.Path("samples", "QuickStart", "Program.cs")).Replace("\r\n", "\n");
        Assert.Contains(DocBlocks.CSharp("docs/getting-started.md"), b => b.Code == quickStart);
    }

    private static bool IsProgram(DocBlock block) =>
        CSharpSyntaxTree.ParseText(block.Code, Parse).GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any();

    private static async Task<(Compilation Compilation, ImmutableArray<Diagnostic> Diagnostics)> CompileAsync(IReadOnlyList<DocBlock> blocks)
    {
        var trees = blocks.Select(b => CSharpSyntaxTree.ParseText(b.Code, Parse, path: b.ToString()));
        bool program = blocks.Any(IsProgram);
        var compilation = CSharpCompilation.Create("DocsExample", trees, References,
            new CSharpCompilationOptions(program ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable));
        // Implicit usings of a console project (ImplicitUsings=enable), as in a user's project.
        compilation = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("""
            global using System;
            global using System.Collections.Generic;
            global using System.IO;
            global using System.Linq;
            global using System.Threading;
            global using System.Threading.Tasks;
            """, Parse, path: "ImplicitUsings.cs"));

        CSharpGeneratorDriver.Create(new SamStepGenerator()).WithUpdatedParseOptions(Parse)
            .RunGeneratorsAndUpdateCompilation(compilation, out var generated, out var generatorDiagnostics);
        var analyzerDiagnostics = await generated.WithAnalyzers(Analyzers).GetAnalyzerDiagnosticsAsync();
        using var pe = new MemoryStream();
        var emit = generated.Emit(pe);
        return (generated, generatorDiagnostics.AddRange(analyzerDiagnostics).AddRange(emit.Diagnostics)
            // CS1701/CS1702 are in the SDK's default NoWarn (TorchSharp references net8.0's System.Runtime).
            .Where(d => d.Id is not ("CS1701" or "CS1702")).ToImmutableArray());
    }

    private static string Describe(Diagnostic d, IReadOnlyList<DocBlock> unit)
    {
        var span = d.Location.GetLineSpan();
        var block = unit.FirstOrDefault(b => b.ToString() == span.Path);
        // Map the block-relative line to the page line (the code starts one line after the fence).
        string where = block is null ? span.Path : $"{block.Page}:{block.Line + 1 + span.StartLinePosition.Line}";
        return $"{where}: {d.Id} {d.GetMessage()}";
    }
}
