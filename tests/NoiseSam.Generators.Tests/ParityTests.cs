using Microsoft.CodeAnalysis;
using NoiseSam.Generators.Tests.Helpers;

namespace NoiseSam.Generators.Tests;

/// <summary>
/// The generator and the analyzers share one reader and one shape check, so they cannot disagree:
/// over a grid of class shapes × declarations, the generator skips a declaration exactly when a
/// build reports an error on the user's code (an NSAM error, or for an unreadable attribute the
/// compiler's), and whatever it generates compiles without any diagnostic in the generated file.
/// </summary>
public class ParityTests
{
    // {A}: the DSL attributes; {B}: members a Custom schedule's declarations add. The variant is V.
    private static readonly (string Name, string Source)[] Shapes =
    [
        ("class", "{A} public partial class V { {B} }"),
        ("sealed", "{A} public sealed partial class V { {B} }"),
        ("internal", "{A} internal partial class V { {B} }"),
        ("not partial", "{A} public class V { {B} }"),
        ("static", "{A} public static partial class V { {B} }"),
        ("abstract", "{A} public abstract partial class V { {B} }"),
        ("generic", "{A} public partial class V<T> { {B} }"),
        ("record", "{A} public partial record V { {B} }"),
        ("positional record", "{A} public partial record V(int X) { {B} }"),
        ("file", "{A} file partial class V { {B} }"),
        ("primary constructor", "{A} public partial class V(int size) { public int Size => size; {B} }"),
        ("required member", "{A} public partial class V { public required int X { get; init; } {B} }"),
        ("member Step", "{A} public partial class V { public int Step; {B} }"),
        ("member Dispose", "{A} public partial class V { public void Dispose(bool all) { } {B} }"),
        ("member _core", "{A} public partial class V { private int _core; {B} }"),
        ("keyword name", "namespace N.@event { {A} public partial class @class { {B} } }"),
        ("class named Descriptor", "{A} public partial class Descriptor { {B} }"),
        ("plain base", "public abstract class Base { protected int Seen; } {A} public partial class V : Base { {B} }"),
        ("base with Dispose", "public class Base { public void Dispose() { } } {A} public partial class V : Base { {B} }"),
        ("variant base", "[SamVariant(\"base\")] public partial class Base { } {A} public partial class V : Base { {B} }"),
        ("nested private", "public partial class Outer { {A} private partial class V { {B} } }"),
        ("nested deep", "public partial class Outer { private partial class Mid { {A} internal partial class V { {B} } } }"),
        ("nested in struct", "public partial struct Outer { {A} internal partial class V { {B} } }"),
        ("nested in record", "public partial record Outer(int X) { {A} internal partial class V { {B} } }"),
        ("nested in interface", "public partial interface IOuter { {A} internal partial class V { {B} } }"),
        ("nested in non-partial", "public class Outer { {A} public partial class V { {B} } }"),
        ("nested in generic", "public partial class Outer<T> { {A} public partial class V { {B} } }"),
        ("nested in file", "file partial class Outer { {A} public partial class V { {B} } }"),
        ("two parts", "{A} public partial class V { {B} } public partial class V { private int extra; }"),
    ];

    private static readonly (string Name, string Attributes, string Members)[] Declarations =
    [
        ("valid", "[SamVariant(\"v\")]", ""),
        ("warning only", "[SamVariant(\"v\")] [Noise(NoiseDistribution.Gaussian, Sigma = 0)]", ""),
        ("value error", "[SamVariant(\"v\", Rho = -1)]", ""),
        ("empty name", "[SamVariant(\"\")]", ""),
        ("unreadable", "[SamVariant(\"v\", Rho = \"big\")]", ""),
        ("hook body only", "[SamVariant(\"v\")] [Schedule(SchedulePolicy.Custom)]", "private partial bool ShouldPerturb(in StepContext c) => c.Step > 2;"),
        ("hook two declarations", "[SamVariant(\"v\")] [Schedule(SchedulePolicy.Custom)]", "private partial bool ShouldPerturb(in StepContext c); private partial bool ShouldPerturb(in StepContext c) => true;"),
        ("hook method", "[SamVariant(\"v\")] [Schedule(SchedulePolicy.Custom)]", "private bool ShouldPerturb(StepContext c) => true;"),
        ("hook static", "[SamVariant(\"v\")] [Schedule(SchedulePolicy.Custom)]", "private static bool ShouldPerturb(in StepContext c) => true;"),
        ("hook generic", "[SamVariant(\"v\")] [Schedule(SchedulePolicy.Custom)]", "private bool ShouldPerturb<T>(in StepContext c) => true;"),
        ("hook missing", "[SamVariant(\"v\")] [Schedule(SchedulePolicy.Custom)]", ""),
    ];

    public static TheoryData<string, string> Grid()
    {
        var data = new TheoryData<string, string>();
        foreach (var shape in Shapes)
            foreach (var declaration in Declarations)
                data.Add(shape.Name, declaration.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Grid))]
    public void TheGeneratorSkipsExactlyWhatABuildReportsAnErrorOn(string shapeName, string declarationName)
    {
        string shape = Shapes.Single(s => s.Name == shapeName).Source;
        var declaration = Declarations.Single(d => d.Name == declarationName);
        string source = "using NoiseSam;\nusing NoiseSam.Dsl;\n" + shape.Replace("{A}", declaration.Attributes).Replace("{B}", declaration.Members);
        var build = GeneratorHarness.BuildWithAnalyzers("Parity", ("Input0.cs", source));

        Assert.Null(build.Generator.Exception);
        Assert.Empty(build.OutsideUserCode);
        // The variant under test; a variant base class ("variant base") is generated on its own.
        bool generated = build.HintNames.Any(h => h != "Base.SamStep.g.cs");
        var errors = build.InUserCode.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        string report = $"{shapeName} × {declarationName}: generated = {generated}\n{source}\n{string.Join("\n", build.Diagnostics)}";

        if (generated)
            Assert.True(errors.Count == 0, report);
        else
            Assert.True(errors.Any(d => d.Id.StartsWith("NSAM", StringComparison.Ordinal)) || declarationName == "unreadable" && errors.Count > 0, report);
    }
}
