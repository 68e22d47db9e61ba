using NoiseSam.Analyzers.CodeFixes;
using NoiseSam.Analyzers.Diagnostics.Analyzers;
using NoiseSam.Analyzers.Tests.Helpers;
using Verifier = NoiseSam.Analyzers.Tests.Helpers.Verify;

namespace NoiseSam.Analyzers.Tests;

/// <summary>
/// Every code fix, before and after. The testing library applies the fix to each diagnostic one at
/// a time and also runs fix-all in document, project and solution scope, so the tests with several
/// diagnostics check fix-all as well.
/// </summary>
public class CodeFixTests
{
    // ---- NSAM001: make partial ----------------------------------------------------------------

    [Fact]
    public Task Nsam001AddsPartial() => Verifier.CodeFixAsync<SamVariantTargetAnalyzer, MakeVariantPartialCodeFixer>("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        public sealed class {|NSAM001:Variant|} { }
        """, """
        using NoiseSam.Dsl;

        [SamVariant("X")]
        public sealed partial class Variant { }
        """, MakeVariantPartialCodeFixer.EquivalenceKey);

    [Fact]
    public Task Nsam001FixAllMakesEveryVariantPartial() => Verifier.CodeFixAsync<SamVariantTargetAnalyzer, MakeVariantPartialCodeFixer>("""
        using NoiseSam.Dsl;

        [SamVariant("A")]
        public class {|NSAM001:A|} { }

        /// <summary>Second.</summary>
        [SamVariant("B")]
        internal class {|NSAM001:B|}
        {
            public int N { get; set; }
        }
        """, """
        using NoiseSam.Dsl;

        [SamVariant("A")]
        public partial class A { }

        /// <summary>Second.</summary>
        [SamVariant("B")]
        internal partial class B
        {
            public int N { get; set; }
        }
        """, MakeVariantPartialCodeFixer.EquivalenceKey);

    // ---- NSAM018: fewer than one chunk becomes 1; NSAM019: a prefix declared twice -------------

    [Fact]
    public Task Nsam018SetsTheChunkCountToOne() => Verifier.CodeFixAsync<SamDeclarationValueAnalyzer, ClampArgumentCodeFixer>("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [Accumulation({|NSAM018:0|}, Ascent = AccumulationAscent.PerChunk)]
        public partial class Variant { }
        """, """
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [Accumulation(1, Ascent = AccumulationAscent.PerChunk)]
        public partial class Variant { }
        """, ClampArgumentCodeFixer.EquivalenceKeyFor("NSAM018"));

    [Fact]
    public Task Nsam019RemovesTheSecondGroupWithTheSamePrefix() => Verifier.CodeFixAsync<SamDeclarationValueAnalyzer, RemoveDslAttributeCodeFixer>("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [ParameterGroup("fc.", LearningRateScale = 0.5)]
        [{|NSAM019:ParameterGroup("fc.", LearningRateScale = 2)|}]
        public partial class Variant { }
        """, """
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [ParameterGroup("fc.", LearningRateScale = 0.5)]
        public partial class Variant { }
        """, RemoveDslAttributeCodeFixer.RemoveDuplicateGroupKey);

    // ---- NSAM006: remove [Noise] --------------------------------------------------------------

    [Fact]
    public Task Nsam006RemovesTheNoiseAttribute() => Verifier.CodeFixAsync<SamDeclarationValueAnalyzer, RemoveDslAttributeCodeFixer>("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [Noise(NoiseDistribution.Gaussian, {|NSAM006:Sigma = 0|})]
        [MicroBatch(Fraction = 0.5)]
        public partial class Variant { }
        """, """
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [MicroBatch(Fraction = 0.5)]
        public partial class Variant { }
        """, RemoveDslAttributeCodeFixer.RemoveZeroNoiseKey);

    [Fact]
    public Task Nsam006FixAllRemovesNoiseFromSharedListsAndFirstLists() => Verifier.CodeFixAsync<SamDeclarationValueAnalyzer, RemoveDslAttributeCodeFixer>("""
        using NoiseSam.Dsl;

        [SamVariant("A"), Noise(NoiseDistribution.Uniform, {|NSAM006:Sigma = 0.0|})]
        public partial class A { }

        /// <summary>B.</summary>
        [Noise(NoiseDistribution.Gaussian, {|NSAM006:Sigma = 0|})]
        [SamVariant("B")]
        public partial class B { }
        """, """
        using NoiseSam.Dsl;

        [SamVariant("A")]
        public partial class A { }

        /// <summary>B.</summary>
        [SamVariant("B")]
        public partial class B { }
        """, RemoveDslAttributeCodeFixer.RemoveZeroNoiseKey);

    // ---- NSAM002: remove the modifier ---------------------------------------------------------

    [Theory]
    [InlineData("static")]
    [InlineData("abstract")]
    public Task Nsam002RemovesTheModifierThatForbidsInstances(string modifier) => Verifier.CodeFixAsync<SamVariantTargetAnalyzer, RemoveModifierCodeFixer>($$"""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        public {|NSAM002:{{modifier}}|} partial class Variant { }
        """, """
        using NoiseSam.Dsl;

        [SamVariant("X")]
        public partial class Variant { }
        """, RemoveModifierCodeFixer.EquivalenceKeyFor(modifier));

    [Fact]
    public Task Nsam002RemovesFileAtTheStartOfTheLine() => Verifier.CodeFixAsync<SamVariantTargetAnalyzer, RemoveModifierCodeFixer>("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        {|NSAM002:file|} partial class Variant { }
        """, """
        using NoiseSam.Dsl;

        [SamVariant("X")]
        partial class Variant { }
        """, RemoveModifierCodeFixer.EquivalenceKeyFor("file"));

    [Fact]
    public Task Nsam002RemovesRequiredFromEveryMember() => Verifier.CodeFixAsync<SamVariantTargetAnalyzer, RemoveModifierCodeFixer>("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        public sealed partial class Variant
        {
            public required int {|NSAM002:Size|} { get; init; }
            public required string {|NSAM002:Label|};
        }
        """, """
        using NoiseSam.Dsl;

        [SamVariant("X")]
        public sealed partial class Variant
        {
            public int Size { get; init; }
            public string Label;
        }
        """, RemoveModifierCodeFixer.EquivalenceKeyFor("required"));

    // ---- NSAM008: add ShouldPerturb -----------------------------------------------------------

    [Fact]
    public Task Nsam008AddsTheImplementationAndTheGeneratorAddsTheDefinition() => Verifier.CodeFixAsync<CustomScheduleAnalyzer, AddShouldPerturbCodeFixer>("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [Schedule({|NSAM008:SchedulePolicy.Custom|})]
        public partial class Variant
        {
        }
        """, """
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [Schedule(SchedulePolicy.Custom)]
        public partial class Variant
        {
            // Decides, before each step, whether the step is a SAM step: return true for a SAM step
            // (ascent and descent pass), false for a plain base-optimizer step. The context has the
            // step index, the total number of steps (0 when unknown), the previous loss and the
            // previous gradient norm.
            private partial bool ShouldPerturb(in global::NoiseSam.StepContext context)
            {
                return true;
            }
        }
        """, AddShouldPerturbCodeFixer.EquivalenceKey);

    [Fact]
    public Task Nsam008AddsOnlyTheImplementationWhenADefinitionExists() => Verifier.CodeFixAsync<CustomScheduleAnalyzer, AddShouldPerturbCodeFixer>("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [Schedule({|NSAM008:SchedulePolicy.Custom|})]
        public partial class Variant
        {
            private partial bool {|CS8795:ShouldPerturb|}(in global::NoiseSam.StepContext context);
        }
        """, """
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [Schedule(SchedulePolicy.Custom)]
        public partial class Variant
        {
            private partial bool ShouldPerturb(in global::NoiseSam.StepContext context);

            // Decides, before each step, whether the step is a SAM step: return true for a SAM step
            // (ascent and descent pass), false for a plain base-optimizer step. The context has the
            // step index, the total number of steps (0 when unknown), the previous loss and the
            // previous gradient norm.
            private partial bool ShouldPerturb(in global::NoiseSam.StepContext context)
            {
                return true;
            }
        }
        """, AddShouldPerturbCodeFixer.EquivalenceKey);

    [Fact]
    public Task Nsam008FixAllAddsTheMethodToEachClass() => Verifier.CodeFixAsync<CustomScheduleAnalyzer, AddShouldPerturbCodeFixer>("""
        using NoiseSam.Dsl;

        [SamVariant("A")]
        [Schedule({|NSAM008:SchedulePolicy.Custom|})]
        public partial class A { }

        [SamVariant("B")]
        [Schedule({|NSAM008:SchedulePolicy.Custom|})]
        public partial class B
        {
            public int N { get; set; }
        }
        """, """
        using NoiseSam.Dsl;

        [SamVariant("A")]
        [Schedule(SchedulePolicy.Custom)]
        public partial class A
        {
            // Decides, before each step, whether the step is a SAM step: return true for a SAM step
            // (ascent and descent pass), false for a plain base-optimizer step. The context has the
            // step index, the total number of steps (0 when unknown), the previous loss and the
            // previous gradient norm.
            private partial bool ShouldPerturb(in global::NoiseSam.StepContext context)
            {
                return true;
            }
        }

        [SamVariant("B")]
        [Schedule(SchedulePolicy.Custom)]
        public partial class B
        {
            public int N { get; set; }

            // Decides, before each step, whether the step is a SAM step: return true for a SAM step
            // (ascent and descent pass), false for a plain base-optimizer step. The context has the
            // step index, the total number of steps (0 when unknown), the previous loss and the
            // previous gradient norm.
            private partial bool ShouldPerturb(in global::NoiseSam.StepContext context)
            {
                return true;
            }
        }
        """, AddShouldPerturbCodeFixer.EquivalenceKey);

    // ---- NSAM013: add [SamVariant] ------------------------------------------------------------

    [Fact]
    public Task Nsam013AddsSamVariantWithTheClassName() => Verifier.CodeFixAsync<MissingSamVariantAnalyzer, AddSamVariantCodeFixer>("""
        using NoiseSam.Dsl;

        namespace App;

        /// <summary>A variant.</summary>
        [{|NSAM013:MicroBatch(Fraction = 0.5)|}]
        public partial class LowFraction { }
        """, """
        using NoiseSam.Dsl;

        namespace App;

        /// <summary>A variant.</summary>
        [SamVariant("LowFraction")]
        [MicroBatch(Fraction = 0.5)]
        public partial class LowFraction { }
        """, AddSamVariantCodeFixer.EquivalenceKey);

    [Fact]
    public Task Nsam013FixAllAddsOneSamVariantPerClass() => Verifier.CodeFixAsync<MissingSamVariantAnalyzer, AddSamVariantCodeFixer>("""
        using NoiseSam.Dsl;

        public class Outer
        {
            [{|NSAM013:Noise(NoiseDistribution.Gaussian)|}]
            [{|NSAM013:Schedule(SchedulePolicy.EveryK)|}]
            public partial class A { }
        }

        [{|NSAM013:BaseOptimizer(OptimizerKind.AdamW)|}]
        public partial class B { }
        """, """
        using NoiseSam.Dsl;

        public class Outer
        {
            [SamVariant("A")]
            [Noise(NoiseDistribution.Gaussian)]
            [Schedule(SchedulePolicy.EveryK)]
            public partial class A { }
        }

        [SamVariant("B")]
        [BaseOptimizer(OptimizerKind.AdamW)]
        public partial class B { }
        """, AddSamVariantCodeFixer.EquivalenceKey);

    [Fact]
    public Task Nsam013UsesTheQualifiedNameWhenTheNamespaceIsNotImported() => Verifier.CodeFixAsync<MissingSamVariantAnalyzer, AddSamVariantCodeFixer>("""
        [{|NSAM013:NoiseSam.Dsl.MicroBatch|}]
        public partial class A { }
        """, """
        [NoiseSam.Dsl.SamVariant("A")]
        [NoiseSam.Dsl.MicroBatch]
        public partial class A { }
        """, AddSamVariantCodeFixer.EquivalenceKey);

    // ---- NSAM004 / NSAM007: clamp ------------------------------------------------------------

    [Fact]
    public Task Nsam004ClampsFractionsAboveOneToOneWithFixAll() => Verifier.CodeFixAsync<SamDeclarationValueAnalyzer, ClampArgumentCodeFixer>("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [MicroBatch({|NSAM004:Fraction = 1.5|}, {|NSAM004:FinalFraction = 3|}, FractionSchedule = FractionSchedule.Linear)]
        [DescentSelection(DescentSet.SharpnessSensitive, {|NSAM004:Fraction = double.PositiveInfinity|})]
        public partial class Variant { }
        """, """
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [MicroBatch(Fraction = 1, FinalFraction = 1, FractionSchedule = FractionSchedule.Linear)]
        [DescentSelection(DescentSet.SharpnessSensitive, Fraction = 1)]
        public partial class Variant { }
        """, ClampArgumentCodeFixer.EquivalenceKeyFor("NSAM004"));

    [Theory]
    [InlineData("0")]
    [InlineData("-0.5")]
    [InlineData("double.NaN")]
    public Task Nsam004OffersNoClampWhenTheNearestValueIsAmbiguous(string value)
    {
        string source = $$"""
            using NoiseSam.Dsl;

            [SamVariant("X")]
            [MicroBatch({|NSAM004:Fraction = {{value}}|})]
            public partial class Variant { }
            """;
        return Verifier.CodeFixAsync<SamDeclarationValueAnalyzer, ClampArgumentCodeFixer>(source, source);
    }

    [Fact]
    public Task Nsam007ClampsProbabilityAndKWithFixAll() => Verifier.CodeFixAsync<SamDeclarationValueAnalyzer, ClampArgumentCodeFixer>("""
        using NoiseSam.Dsl;

        [SamVariant("A")]
        [Schedule(SchedulePolicy.Bernoulli, {|NSAM007:Probability = 1.5|})]
        public partial class A { }

        [SamVariant("B")]
        [Schedule(SchedulePolicy.Bernoulli, {|NSAM007:Probability = -0.25|})]
        public partial class B { }

        [SamVariant("C")]
        [Schedule(SchedulePolicy.EveryK, {|NSAM007:K = 0|})]
        public partial class C { }

        [SamVariant("D")]
        [Schedule(SchedulePolicy.LookSam, {|NSAM007:K = -4|}, Alpha = 0.5)]
        public partial class D { }
        """, """
        using NoiseSam.Dsl;

        [SamVariant("A")]
        [Schedule(SchedulePolicy.Bernoulli, Probability = 1)]
        public partial class A { }

        [SamVariant("B")]
        [Schedule(SchedulePolicy.Bernoulli, Probability = 0)]
        public partial class B { }

        [SamVariant("C")]
        [Schedule(SchedulePolicy.EveryK, K = 1)]
        public partial class C { }

        [SamVariant("D")]
        [Schedule(SchedulePolicy.LookSam, K = 1, Alpha = 0.5)]
        public partial class D { }
        """, ClampArgumentCodeFixer.EquivalenceKeyFor("NSAM007"));

    [Fact]
    public Task Nsam007OffersNoClampForNanProbabilityOrOtherParameters()
    {
        string source = """
            using NoiseSam.Dsl;

            [SamVariant("X")]
            [Schedule(SchedulePolicy.Adaptive, {|NSAM007:Delta = 1|}, {|NSAM007:C = double.NaN|})]
            public partial class Variant { }

            [SamVariant("Y")]
            [Schedule(SchedulePolicy.Bernoulli, {|NSAM007:Probability = double.NaN|})]
            public partial class Other { }
            """;
        return Verifier.CodeFixAsync<SamDeclarationValueAnalyzer, ClampArgumentCodeFixer>(source, source);
    }

    // ---- dead arguments: NSAM007 (another policy), NSAM009, NSAM011 ----------------------------

    [Fact]
    public Task Nsam011RemovesTheForeignPerturbationParameterWithFixAll() => Verifier.CodeFixAsync<SamDeclarationValueAnalyzer, RemoveDeadArgumentCodeFixer>("""
        using NoiseSam.Dsl;

        [SamVariant("A", {|NSAM011:Eta = 0.01|})]
        public partial class A { }

        [SamVariant("B", Perturbation = PerturbationKind.Adaptive, {|NSAM011:Beta = 0.6|}, Rho = 0.1)]
        public partial class B { }
        """, """
        using NoiseSam.Dsl;

        [SamVariant("A")]
        public partial class A { }

        [SamVariant("B", Perturbation = PerturbationKind.Adaptive, Rho = 0.1)]
        public partial class B { }
        """, RemoveDeadArgumentCodeFixer.EquivalenceKeyFor("NSAM011"));

    [Fact]
    public Task Nsam007RemovesParametersGivenForAnotherPolicy() => Verifier.CodeFixAsync<SamDeclarationValueAnalyzer, RemoveDeadArgumentCodeFixer>("""
        using NoiseSam.Dsl;

        [SamVariant("A")]
        [Schedule(SchedulePolicy.Always, {|NSAM007:K = 5|})]
        public partial class A { }

        [SamVariant("B")]
        [Schedule(SchedulePolicy.EveryK, K = 2, {|NSAM007:Probability = 0.5|})]
        public partial class B { }
        """, """
        using NoiseSam.Dsl;

        [SamVariant("A")]
        [Schedule(SchedulePolicy.Always)]
        public partial class A { }

        [SamVariant("B")]
        [Schedule(SchedulePolicy.EveryK, K = 2)]
        public partial class B { }
        """, RemoveDeadArgumentCodeFixer.EquivalenceKeyFor("NSAM007"));

    [Fact]
    public Task Nsam009RemovesArgumentsThatCannotMatter() => Verifier.CodeFixAsync<SamDeclarationValueAnalyzer, RemoveDeadArgumentCodeFixer>("""
        using NoiseSam.Dsl;

        [SamVariant("A")]
        [MicroBatch(Fraction = 1, {|NSAM009:Selection = MicroBatchSelection.TopLoss|})]
        public partial class A { }

        [SamVariant("B")]
        [MicroBatch({|NSAM009:FractionSchedule = FractionSchedule.Cosine|})]
        [DescentSelection(DescentSet.All, {|NSAM009:Fraction = 0.5|})]
        public partial class B { }
        """, """
        using NoiseSam.Dsl;

        [SamVariant("A")]
        [MicroBatch(Fraction = 1)]
        public partial class A { }

        [SamVariant("B")]
        [MicroBatch]
        [DescentSelection(DescentSet.All)]
        public partial class B { }
        """, RemoveDeadArgumentCodeFixer.EquivalenceKeyFor("NSAM009"));

    [Fact]
    public Task Nsam009OffersNoRemovalWhenTwoFixesArePossible()
    {
        string source = """
            using NoiseSam.Dsl;

            [SamVariant("A")]
            [MicroBatch({|NSAM009:FinalFraction = 0.1|})]
            [Noise(NoiseDistribution.Gaussian)]
            public partial class A { }
            """;
        return Verifier.CodeFixAsync<SamDeclarationValueAnalyzer, RemoveDeadArgumentCodeFixer>(source, source);
    }

    // ---- NSAM010: remove dead attributes ------------------------------------------------------

    [Fact]
    public Task Nsam010FixAllRemovesEverySamOnlyAttributeOfANeverSchedule() => Verifier.CodeFixAsync<SamDeclarationValueAnalyzer, RemoveDslAttributeCodeFixer>("""
        using NoiseSam.Dsl;

        [SamVariant("Base")]
        [Schedule(SchedulePolicy.Never)]
        [{|NSAM010:MicroBatch(Fraction = 0.5)|}]
        [{|NSAM010:Noise(NoiseDistribution.Gaussian)|}, BaseOptimizer(OptimizerKind.Sgd)]
        public partial class Base { }
        """, """
        using NoiseSam.Dsl;

        [SamVariant("Base")]
        [Schedule(SchedulePolicy.Never)]
        [BaseOptimizer(OptimizerKind.Sgd)]
        public partial class Base { }
        """, RemoveDslAttributeCodeFixer.RemoveDeadAttributeKey);
}
