extern alias generator;

using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NoiseSam.Generators.Tests.Helpers;
using TrackingNames = generator::NoiseSam.Generators.TrackingNames;

namespace NoiseSam.Generators.Tests;

/// <summary>The pipeline caches: an unrelated edit reuses every step; a changed argument regenerates.</summary>
public class IncrementalTests
{
    private const string Variant = """
        using NoiseSam.Dsl;

        namespace MyApp;

        [SamVariant("NI-MBS", Rho = 0.05)]
        [MicroBatch(Fraction = 0.25)]
        [Noise(NoiseDistribution.Gaussian, Sigma = 0.5)]
        public partial class NiMbs { }
        """;

    private const string Unrelated = """
        namespace MyApp;

        public class Unrelated
        {
            public int Value => 1;
        }
        """;

    private static readonly string[] TrackedSteps = [TrackingNames.Parse, TrackingNames.RemoveInvalid, TrackingNames.HintNames];

    [Fact]
    public void UnrelatedEditReusesEveryStep()
    {
        var compilation = GeneratorHarness.CreateCompilation(Variant, Unrelated);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var first = driver.GetRunResult().Results.Single();
        Assert.Single(first.GeneratedSources);

        var unrelatedTree = compilation.SyntaxTrees.Single(t => t.FilePath == "Input1.cs");
        var edited = compilation.ReplaceSyntaxTree(unrelatedTree, CSharpSyntaxTree.ParseText(
            Unrelated.Replace("=> 1;", "=> 2; // edited"), GeneratorHarness.ParseOptions, path: "Input1.cs"));
        var second = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (string step in TrackedSteps)
        {
            var outputs = second.TrackedSteps[step].SelectMany(s => s.Outputs).ToList();
            Assert.NotEmpty(outputs);
            Assert.All(outputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"{step}: {o.Reason}"));
            Assert.Equal(
                first.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Value),
                outputs.Select(o => o.Value));
        }
        var output = second.TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(output);
        Assert.All(output, o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void SameCompilationRunTwiceIsCached()
    {
        var compilation = GeneratorHarness.CreateCompilation(Variant, Unrelated);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var second = driver.RunGenerators(compilation.Clone()).GetRunResult().Results.Single();
        var outputs = second.TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void ChangedRhoModifiesOutput()
    {
        var compilation = GeneratorHarness.CreateCompilation(Variant, Unrelated);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var before = driver.GetRunResult().Results.Single().GeneratedSources.Single().SourceText.ToString();

        var variantTree = compilation.SyntaxTrees.Single(t => t.FilePath == "Input0.cs");
        var edited = compilation.ReplaceSyntaxTree(variantTree, CSharpSyntaxTree.ParseText(
            Variant.Replace("Rho = 0.05", "Rho = 0.1"), GeneratorHarness.ParseOptions, path: "Input0.cs"));
        var second = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var parse = second.TrackedSteps[TrackingNames.Parse].SelectMany(s => s.Outputs).Single();
        Assert.Equal(IncrementalStepRunReason.Modified, parse.Reason);
        var output = second.TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(s => s.Outputs).Single();
        Assert.Equal(IncrementalStepRunReason.Modified, output.Reason);
        string after = second.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("_core.PerturbSam(rho: 0.1, gradientNorm: null);", after);
        Assert.Contains("_core.PerturbSam(rho: 0.05, gradientNorm: null);", before);
    }

    [Fact]
    public void PipelineModelsHoldNoSymbolsSyntaxOrLocations()
    {
        var compilation = GeneratorHarness.CreateCompilation(Variant, Unrelated);
        var result = GeneratorHarness.CreateDriver().RunGenerators(compilation).GetRunResult().Results.Single();
        int walked = 0;
        foreach (string step in TrackedSteps)
            foreach (var run in result.TrackedSteps[step])
                foreach (var (value, _) in run.Outputs)
                {
                    AssertObjectGraph(value, new HashSet<object>(ReferenceEqualityComparer.Instance), step);
                    walked++;
                }
        Assert.True(walked >= 2);
    }

    private static readonly Type[] Banned = [typeof(ISymbol), typeof(SyntaxNode), typeof(Compilation), typeof(Location), typeof(SemanticModel), typeof(SyntaxTree)];

    private static void AssertObjectGraph(object? value, HashSet<object> visited, string path)
    {
        if (value is null) return;
        var type = value.GetType();
        Assert.False(Banned.Any(b => b.IsAssignableFrom(type)), $"{path} ({type}) shouldn't contain banned symbols");
        if (type.IsPrimitive || type.IsEnum || value is string || value is decimal) return;
        if (!type.IsValueType && !visited.Add(value)) return;
        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (object? item in items) AssertObjectGraph(item, visited, $"{path}[{i++}]");
        }
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                AssertObjectGraph(field.GetValue(value), visited, $"{path}.{field.Name}");
    }
}
