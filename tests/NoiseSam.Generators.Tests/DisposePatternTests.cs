using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using NoiseSam.Generators.Tests.Helpers;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Generators.Tests;

/// <summary>
/// Generated variants implement IDisposable the way CA1063 asks: a sealed class disposes plainly, any
/// other gets <c>Dispose()</c> + <c>protected virtual Dispose(bool)</c>, which a derived class can
/// extend. Checked with the real CA1063 (the .NET SDK's analyzers, from the NuGet package).
/// </summary>
public class DisposePatternTests
{
    private static readonly string NetAnalyzers = Path.Combine(AppContext.BaseDirectory, "NetAnalyzers");

    [Fact]
    public async Task NoVariantSealedOrNotTriggersCA1063()
    {
        var analyzers = LoadAnalyzers().Where(a => a.SupportedDiagnostics.Any(d => d.Id == "CA1063")).ToImmutableArray();
        Assert.NotEmpty(analyzers);
        var compilation = GeneratorHarness.CreateCompilation("""
            using NoiseSam;
            using NoiseSam.Dsl;

            namespace MyApp;

            [SamVariant("open")] public partial class Open { }
            [SamVariant("sealed")] public sealed partial class Closed { }
            public class Derived : Open
            {
                public Derived(TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> model) : base(model) { }
                public bool Released { get; private set; }
                protected override void Dispose(bool disposing)
                {
                    Released = disposing;
                    base.Dispose(disposing);
                }
            }

            // The control: a class that gets IDisposable wrong does trigger CA1063 here.
            public class Wrong : System.IDisposable
            {
                public virtual void Dispose() { }
            }
            """);
        compilation = compilation.WithOptions(compilation.Options.WithSpecificDiagnosticOptions(
            compilation.Options.SpecificDiagnosticOptions.SetItem("CA1063", ReportDiagnostic.Warn)));
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);

        var found = (await output.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync()).Where(d => d.Id == "CA1063").ToList();

        Assert.NotEmpty(found);
        Assert.All(found, d => Assert.Contains("Wrong", d.GetMessage()));
    }

    [Fact]
    public void ADerivedClassReleasesItsOwnStateThroughDisposeBool()
    {
        using var model = nn.Sequential(("fc", nn.Linear(2, 2)));
        var step = new DisposableHookSam(model);
        step.Dispose();
        Assert.True(step.Released);
    }

    private static IEnumerable<DiagnosticAnalyzer> LoadAnalyzers()
    {
        var loader = new Loader();
        foreach (string path in Directory.GetFiles(NetAnalyzers, "*.dll"))
            foreach (var analyzer in new AnalyzerFileReference(path, loader).GetAnalyzers(LanguageNames.CSharp))
                yield return analyzer;
    }

    private sealed class Loader : IAnalyzerAssemblyLoader
    {
        public void AddDependencyLocation(string fullPath) { }

        public Assembly LoadFromPath(string fullPath) => Assembly.LoadFrom(fullPath);
    }
}

/// <summary>A non-sealed generated variant extended by a class that releases its own state.</summary>
[NoiseSam.Dsl.SamVariant("Disposable-Base")]
public partial class DisposableBase { }

/// <summary>Overrides the generated Dispose(bool).</summary>
public sealed class DisposableHookSam(nn.Module<Tensor, Tensor> model) : DisposableBase(model)
{
    public bool Released { get; private set; }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Released = true;
        base.Dispose(disposing);
    }
}
