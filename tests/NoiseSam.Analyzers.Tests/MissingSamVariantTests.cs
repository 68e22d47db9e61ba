using Microsoft.CodeAnalysis.Testing;
using NoiseSam.Analyzers.Diagnostics.Analyzers;
using Verifier = NoiseSam.Analyzers.Tests.Helpers.Verify;

namespace NoiseSam.Analyzers.Tests;

/// <summary>NSAM013: a DSL attribute on a class without [SamVariant].</summary>
public class MissingSamVariantTests
{
    private static Task Run(string source, params DiagnosticResult[] expected) =>
        Verifier.AnalyzerAsync<MissingSamVariantAnalyzer>(source, expected);

    [Fact]
    public Task Nsam013ReportsEachDslAttributeOfAClassWithoutSamVariant() => Run("""
        using NoiseSam.Dsl;

        [{|#0:MicroBatch(Fraction = 0.5)|}]
        [{|#1:Noise(NoiseDistribution.Gaussian)|}, System.Serializable]
        public class Plain { }
        """,
        Verifier.Diagnostic<MissingSamVariantAnalyzer>("NSAM013", 0,
            "[MicroBatch] on class 'Plain' has no effect without [SamVariant]: nothing is generated for the class; add [SamVariant(\"Plain\")]"),
        Verifier.Diagnostic<MissingSamVariantAnalyzer>("NSAM013", 1,
            "[Noise] on class 'Plain' has no effect without [SamVariant]: nothing is generated for the class; add [SamVariant(\"Plain\")]"));

    [Theory]
    [InlineData("DescentSelection(DescentSet.SharpnessSensitive)")]
    [InlineData("Schedule(SchedulePolicy.EveryK, K = 2)")]
    [InlineData("BaseOptimizer(OptimizerKind.AdamW)")]
    [InlineData("NoiseSam.Dsl.MicroBatchAttribute")]
    public Task Nsam013ReportsEveryDslAttributeKind(string attribute) => Run($$"""
        using NoiseSam.Dsl;

        [{|NSAM013:{{attribute}}|}]
        public partial class Plain { }
        """);

    [Fact]
    public Task Nsam013AcceptsAVariantAndClassesWithOtherAttributes() => Run("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [MicroBatch(Fraction = 0.5)]
        public partial class Variant { }

        [System.Obsolete]
        public class Plain { }

        public class NoAttributes { }
        """);

    [Fact]
    public Task Nsam013AcceptsSamVariantOnAnotherPart() => Run("""
        using NoiseSam.Dsl;

        [MicroBatch(Fraction = 0.5)]
        public partial class Variant { }

        [SamVariant("X")]
        public partial class Variant { }
        """);
}
