using NoiseSam.Generators.Tests.Helpers;

namespace NoiseSam.Generators.Tests;

/// <summary>
/// The generated source for representative declarations, approved in Snapshots/. Each test also
/// asserts that the generator's output compiles with no errors and no warnings (nullable enabled).
/// </summary>
public class SnapshotTests
{
    private const string Usings = """
        using NoiseSam;
        using NoiseSam.Dsl;

        """;

    private static void Verify(string declaration, string expectedHintName,
        [System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        var (hintName, source) = GeneratorHarness.RunSingle(Usings + declaration);
        Assert.Equal(expectedHintName, hintName);
        ApprovalFile.Verify(source, test: test);
    }

    [Fact]
    public void PlainSam() => Verify("""
        namespace MyApp;

        [SamVariant("SAM", Rho = 0.05)]
        public partial class PlainSam { }
        """, "MyApp.PlainSam.SamStep.g.cs");

    [Fact]
    public void Asam() => Verify("""
        namespace MyApp;

        [SamVariant("ASAM", Rho = 0.5, Perturbation = PerturbationKind.Adaptive, Eta = 0.01)]
        public partial class Asam { }
        """, "MyApp.Asam.SamStep.g.cs");

    [Fact]
    public void NoiseInjectedMicroBatch() => Verify("""
        namespace MyApp.Models;

        [SamVariant("NI-MBS", Rho = 0.05)]
        [MicroBatch(Fraction = 0.25, Selection = MicroBatchSelection.Random)]
        [Noise(NoiseDistribution.Gaussian, Sigma = 0.5, Scaling = NoiseScaling.GradientNorm)]
        [Schedule(SchedulePolicy.Always)]
        [BaseOptimizer(OptimizerKind.Sgd, LearningRate = 0.05, Momentum = 0.9, WeightDecay = 5e-4)]
        public partial class NoiseInjectedMicroBatchSam { }
        """, "MyApp.Models.NoiseInjectedMicroBatchSam.SamStep.g.cs");

    [Fact]
    public void PerChunkAscentWithGroupsAndClipping() => Verify("""
        namespace MyApp;

        [SamVariant("mSAM-4", Rho = 0.05)]
        [Noise(NoiseDistribution.Gaussian, Sigma = 0.2)]
        [Accumulation(4, Ascent = AccumulationAscent.PerChunk)]
        [BaseOptimizer(OptimizerKind.Sgd, LearningRate = 0.1, MaxGradNorm = 1, NoDecayOnBiasAndNorm = true)]
        [ParameterGroup("backbone.", LearningRateScale = 0.1)]
        [ParameterGroup("head.", LearningRateScale = 2)]
        public partial class MSam { }
        """, "MyApp.MSam.SamStep.g.cs");

    [Fact]
    public void LookSam5() => Verify("""
        namespace MyApp;

        [SamVariant("LookSAM-5", Rho = 0.1)]
        [Schedule(SchedulePolicy.LookSam, K = 5, Alpha = 0.7)]
        public sealed partial class LookSam5 { }
        """, "MyApp.LookSam5.SamStep.g.cs");

    [Fact]
    public void AeSam() => Verify("""
        namespace MyApp;

        [SamVariant("AE-SAM")]
        [Schedule(SchedulePolicy.Adaptive)]
        public partial class AeSam { }
        """, "MyApp.AeSam.SamStep.g.cs");

    [Fact]
    public void KSam() => Verify("""
        namespace MyApp;

        [SamVariant("K-SAM")]
        [MicroBatch(Fraction = 0.25, Selection = MicroBatchSelection.TopLoss)]
        [DescentSelection(DescentSet.SameAsAscent)]
        public partial class KSam { }
        """, "MyApp.KSam.SamStep.g.cs");

    [Fact]
    public void Esam() => Verify("""
        namespace MyApp;

        [SamVariant("ESAM", Perturbation = PerturbationKind.StochasticWeight, Beta = 0.6)]
        [DescentSelection(DescentSet.SharpnessSensitive, Fraction = 0.5)]
        public partial class Esam { }
        """, "MyApp.Esam.SamStep.g.cs");

    [Fact]
    public void CustomSchedule() => Verify("""
        namespace MyApp;

        [SamVariant("Warmup-SAM")]
        [Schedule(SchedulePolicy.Custom)]
        [BaseOptimizer(OptimizerKind.AdamW, LearningRate = 0.001)]
        public partial class WarmupSam
        {
            // Only the body: the generator writes the defining declaration.
            private partial bool ShouldPerturb(in StepContext context) => context.Step >= 10;
        }
        """, "MyApp.WarmupSam.SamStep.g.cs");

    [Fact]
    public void NestedInternalClass() => Verify("""
        namespace MyApp.Training;

        public static partial class Outer
        {
            internal partial struct Middle
            {
                [SamVariant("Nested-SAM", Rho = 0.1)]
                [MicroBatch(Fraction = 0.5, Selection = MicroBatchSelection.Head, FinalFraction = 1, FractionSchedule = FractionSchedule.Linear)]
                internal sealed partial class Inner { }
            }
        }
        """, "MyApp.Training.Outer+Middle+Inner.SamStep.g.cs");

    [Fact]
    public void PrivateNestedClassIsRegisteredByItsContainer() => Verify("""
        namespace MyApp;

        internal partial class Variants
        {
            [SamVariant("Hidden-SAM")]
            [Schedule(SchedulePolicy.Bernoulli, Probability = 0.25)]
            private partial class Hidden { }
        }
        """, "MyApp.Variants+Hidden.SamStep.g.cs");

    [Fact]
    public void GlobalNamespace() => Verify("""
        [SamVariant("Global-SAM")]
        [Schedule(SchedulePolicy.EveryK, K = 2)]
        partial class GlobalSam { }
        """, "GlobalSam.SamStep.g.cs");

    [Fact]
    public void DeeplyPrivateClassIsNotRegistered() => Verify("""
        namespace MyApp;

        public partial class Outer
        {
            private partial class Hidden
            {
                [SamVariant("Deep-SAM")]
                private partial class Deep { }
            }
        }
        """, "MyApp.Outer+Hidden+Deep.SamStep.g.cs");

    [Fact]
    public void PartialAcrossFilesWithNullableDisabled()
    {
        var (result, output) = GeneratorHarness.Run(Usings + """
            #nullable disable
            namespace MyApp;

            [SamVariant("Split-SAM", Rho = 0.2)]
            public partial class Split { public string Note; }
            """, Usings + """
            namespace MyApp;

            [MicroBatch(Fraction = 0.5)]
            [Noise(NoiseDistribution.Uniform, Sigma = 0.3, Scaling = NoiseScaling.Absolute)]
            public partial class Split { }
            """);
        GeneratorHarness.AssertCompilesCleanly(output);
        ApprovalFile.Verify(result.Results.Single().GeneratedSources.Single().SourceText.ToString());
    }
}
