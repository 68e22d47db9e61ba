using NoiseSam.Generators.Tests.Helpers;

namespace NoiseSam.Generators.Tests;

/// <summary>Invalid declarations generate nothing, report nothing (the analyzers do) and never throw.</summary>
public class InvalidDeclarationTests
{
    public static TheoryData<string, string> Declarations => new()
    {
        { "NotPartial", """[SamVariant("X")] public class X { }""" },
        { "Static", """[SamVariant("X")] public static partial class X { }""" },
        { "Generic", """[SamVariant("X")] public partial class X<T> { }""" },
        { "Abstract", """[SamVariant("X")] public abstract partial class X { }""" },
        { "NestedInNonPartial", """public class Outer { [SamVariant("X")] public partial class X { } }""" },
        { "NestedInGeneric", """public partial class Outer<T> { [SamVariant("X")] public partial class X { } }""" },
        { "NegativeRho", """[SamVariant("X", Rho = -1)] public partial class X { }""" },
        { "NaNRho", """[SamVariant("X", Rho = double.NaN)] public partial class X { }""" },
        { "FractionAboveOne", """[SamVariant("X")] [MicroBatch(Fraction = 2)] public partial class X { }""" },
        { "NegativeSigma", """[SamVariant("X")] [Noise(NoiseDistribution.Gaussian, Sigma = -0.5)] public partial class X { }""" },
        { "ZeroK", """[SamVariant("X")] [Schedule(SchedulePolicy.EveryK, K = 0)] public partial class X { }""" },
        { "EtaWithoutAdaptive", """[SamVariant("X", Eta = 0.1)] public partial class X { }""" },
        { "CustomWithoutShouldPerturb", """[SamVariant("X")] [Schedule(SchedulePolicy.Custom)] public partial class X { }""" },
        { "EmptyName", """[SamVariant("")] public partial class X { }""" },
        { "NullName", """[SamVariant(null!)] public partial class X { }""" },
        { "WrongArgumentType", """[SamVariant("X", Rho = "big")] public partial class X { }""" },
        { "SamVariantOnTwoParts", """[SamVariant("X")] public partial class X { } [SamVariant("X")] public partial class X { }""" },
        { "TwoSamVariants", """[SamVariant("X"), SamVariant("Y")] public partial class X { }""" },
        { "Record", """[SamVariant("X")] public partial record X { }""" },
        { "UnknownEnumValue", """[SamVariant("X", Perturbation = (PerturbationKind)42)] public partial class X { }""" },
    };

    [Theory]
    [MemberData(nameof(Declarations))]
    public void GeneratesNothing(string name, string declaration)
    {
        var (result, _) = GeneratorHarness.Run("using NoiseSam; using NoiseSam.Dsl;\n" + declaration);
        var run = Assert.Single(result.Results);
        Assert.True(run.GeneratedSources.IsEmpty, $"{name}: generated {string.Join(", ", run.GeneratedSources.Select(s => s.HintName))}");
        Assert.Null(run.Exception);
        Assert.Empty(run.Diagnostics);
    }

    [Fact]
    public void ValidAndInvalidSideBySideGeneratesOnlyTheValidOne()
    {
        var (result, output) = GeneratorHarness.Run("""
            using NoiseSam.Dsl;
            namespace MyApp;
            [SamVariant("Good")] public partial class Good { }
            [SamVariant("Bad", Rho = 0)] public partial class Bad { }
            [SamVariant("Also-Good")] [Schedule(SchedulePolicy.Never)] internal sealed partial class AlsoGood { }
            """);
        Assert.Equal(
            ["MyApp.AlsoGood.SamStep.g.cs", "MyApp.Good.SamStep.g.cs"],
            result.Results.Single().GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal));
        // Only Bad lacks its generated members; the generated code itself is clean.
        var problems = output.GetDiagnostics().Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).ToList();
        Assert.Empty(problems);
    }
}
