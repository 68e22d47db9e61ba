extern alias generator;

using Microsoft.CodeAnalysis;
using NoiseSam.Generators.Tests.Helpers;
using TestHooks = generator::NoiseSam.Generators.TestHooks;

namespace NoiseSam.Generators.Tests;

/// <summary>
/// A generator that throws is dropped as a whole (CS8785). An exception on one variant, in its
/// parse or its emission (injected through the generator's test hook), must cost only that variant
/// and be reported as NSAM017 on its class.
/// </summary>
public class FailureIsolationTests
{
    [Theory]
    [InlineData("parse")]
    [InlineData("emit")]
    public void AFailureOnOneVariantCostsOnlyThatVariantAndIsReportedOnItsClass(string stage)
    {
        TestHooks.OnStage.Value = (at, className) =>
        {
            if (at == stage && className == "Broken") throw new InvalidOperationException("injected at " + at);
        };
        try
        {
            var build = GeneratorHarness.BuildWithAnalyzers("Isolation" + stage, ("Input0.cs", """
                using NoiseSam.Dsl;

                namespace MyApp;

                [SamVariant("before")] public partial class Before { }
                [SamVariant("broken")] public partial class Broken { }
                [SamVariant("after")] public partial class After { }
                """));

            Assert.Null(build.Generator.Exception);
            Assert.DoesNotContain(build.Diagnostics, d => d.Id == "CS8785");
            Assert.Equal(["MyApp.After.SamStep.g.cs", "MyApp.Before.SamStep.g.cs"], build.HintNames.Order(StringComparer.Ordinal));

            var failure = Assert.Single(build.Diagnostics, d => d.Id == "NSAM017");
            Assert.Equal(DiagnosticSeverity.Error, failure.Severity);
            Assert.Equal(
                $"The generator could not generate variant class 'Broken' (InvalidOperationException: injected at {stage}); the other variants were generated: please report this with the declaration",
                failure.GetMessage());
            var span = failure.Location.GetLineSpan();
            Assert.Equal("Input0.cs", span.Path);
            Assert.Equal(5, span.StartLinePosition.Line);
            Assert.Equal("Broken", build.Output.SyntaxTrees.First().GetText().ToString(failure.Location.SourceSpan));
        }
        finally
        {
            TestHooks.OnStage.Value = null;
        }
    }
}
