extern alias generator;

using System.Collections.Immutable;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using NoiseSam.Analyzers.Diagnostics.Analyzers;
using SamStepGenerator = generator::NoiseSam.Generators.SamStepGenerator;

namespace NoiseSam.Generators.Tests.Helpers;

/// <summary>Compiles test sources against .NET 10, the NoiseSam runtime and TorchSharp, and runs the generator (and the analyzers, as a build does).</summary>
internal static class GeneratorHarness
{
    private static readonly ImmutableArray<MetadataReference> References =
    [
        .. Net100.References.All,
        MetadataReference.CreateFromFile(typeof(NoiseSam.ISamStep).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location),
    ];

    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers =
    [
        new SamVariantTargetAnalyzer(), new SamDeclarationValueAnalyzer(), new CustomScheduleAnalyzer(),
        new DuplicateVariantNameAnalyzer(), new MissingSamVariantAnalyzer(),
    ];

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CreateCompilation("GeneratorTestInput", sources.Select((s, i) => ($"Input{i}.cs", s)).ToArray());

    /// <summary>A library compilation of (path, text) sources; <paramref name="extraReferences"/> are added to the usual ones.</summary>
    public static CSharpCompilation CreateCompilation(string assemblyName, (string Path, string Text)[] sources, params MetadataReference[] extraReferences) =>
        CSharpCompilation.Create(
            assemblyName,
            sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, ParseOptions, path: s.Path)),
            References.AddRange(extraReferences),
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                // The SDK's defaults: assembly-version unification notes are not warnings.
                specificDiagnosticOptions: new Dictionary<string, ReportDiagnostic>
                {
                    ["CS1701"] = ReportDiagnostic.Suppress,
                    ["CS1702"] = ReportDiagnostic.Suppress,
                }));

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            [new SamStepGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator; asserts it reported nothing and threw nothing.</summary>
    public static (GeneratorDriverRunResult Result, Compilation Output) Run(params string[] sources)
    {
        var compilation = CreateCompilation(sources);
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        Assert.Empty(diagnostics);
        var result = driver.GetRunResult();
        Assert.All(result.Results, r => Assert.Null(r.Exception));
        return (result, output);
    }

    /// <summary>Runs the generator, asserts the output compiles with no errors and no warnings, and returns the one generated file.</summary>
    public static (string HintName, string Source) RunSingle(string source)
    {
        var (result, output) = Run(source);
        AssertCompilesCleanly(output);
        var generated = Assert.Single(result.Results.SelectMany(r => r.GeneratedSources));
        return (generated.HintName, generated.SourceText.ToString());
    }

    /// <summary>What a build sees: the generator's output and its own diagnostics, then every diagnostic of the compiler and the analyzers.</summary>
    public sealed record Build(Compilation Output, GeneratorRunResult Generator, ImmutableArray<Diagnostic> Diagnostics)
    {
        /// <summary>Hint names of the generated files.</summary>
        public IReadOnlyList<string> HintNames => Generator.GeneratedSources.Select(s => s.HintName).ToList();

        /// <summary>Errors and warnings (NSAM and CS) located in the user's files, not in generated ones.</summary>
        public IReadOnlyList<Diagnostic> InUserCode => Diagnostics
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && !IsGenerated(d.Location.SourceTree))
            .ToList();

        /// <summary>Anything located in a generated file, or with no location (CS8785 has none).</summary>
        public IReadOnlyList<Diagnostic> OutsideUserCode => Diagnostics
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && (d.Location.SourceTree is null || IsGenerated(d.Location.SourceTree)))
            .ToList();

        private bool IsGenerated(SyntaxTree? tree) => Generator.GeneratedSources.Any(s => ReferenceEquals(s.SyntaxTree, tree));
    }

    /// <summary>Compiles <paramref name="sources"/> (path, text) as a build does: the generator, then the compiler and every analyzer.</summary>
    public static Build BuildWithAnalyzers(string assemblyName, params (string Path, string Text)[] sources) =>
        BuildWithAnalyzers(CreateCompilation(assemblyName, sources));

    public static Build BuildWithAnalyzers(CSharpCompilation compilation)
    {
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var run = driver.GetRunResult().Results.Single();
        var all = output.WithAnalyzers(Analyzers).GetAllDiagnosticsAsync().GetAwaiter().GetResult();
        return new Build(output, run, generatorDiagnostics.AddRange(all));
    }

    public static void AssertCompilesCleanly(Compilation compilation)
    {
        var problems = compilation.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => d.ToString())
            .ToList();
        Assert.True(problems.Count == 0, "The generated code does not compile cleanly:\n" + string.Join("\n", problems));
        using var stream = new MemoryStream();
        var emitted = compilation.Emit(stream);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
    }

    /// <summary>Emits <paramref name="compilation"/> and loads it into the test process (its module initializer has not run yet).</summary>
    public static System.Reflection.Assembly EmitAndLoad(Compilation compilation)
    {
        using var stream = new MemoryStream();
        var emitted = compilation.Emit(stream);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return System.Reflection.Assembly.Load(stream.ToArray());
    }
}
