using Microsoft.CodeAnalysis.Testing;
using NoiseSam.Analyzers.Diagnostics.Analyzers;
using Verifier = NoiseSam.Analyzers.Tests.Helpers.Verify;

namespace NoiseSam.Analyzers.Tests;

/// <summary>
/// The shape check: NSAM001 (not partial), NSAM002 (a class the generator cannot extend) and NSAM016
/// (a name the generator uses). The generator runs in these tests: a class it accepts must compile
/// with its output without any diagnostic.
/// </summary>
public class TargetTests
{
    private static Task Run(string source, params DiagnosticResult[] expected) =>
        Verifier.AnalyzerAsync<SamVariantTargetAnalyzer>(source, expected);

    [Fact]
    public Task Nsam001ReportsAClassThatIsNotPartialOnItsIdentifier() => Run("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        public sealed class {|#0:Variant|} { }
        """,
        Verifier.Diagnostic<SamVariantTargetAnalyzer>("NSAM001", 0,
            "Variant class 'Variant' must be partial: the generator adds its training step to it; add the 'partial' modifier"));

    [Fact]
    public Task Nsam001AcceptsPartialClassesAndIgnoresOtherClasses() => Run("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        internal sealed partial class Variant { }

        public partial class Other { }
        public class Plain { }
        """);

    [Fact]
    public Task Nsam001AcceptsAVariantDeclaredInSeveralPartialParts() => Run("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        public partial class Variant { }

        public partial class Variant { private int _n; }
        """);

    [Fact]
    public Task Nsam002ReportsAStaticClassOnTheModifier() => Run("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        public {|#0:static|} partial class Variant { }
        """,
        Verifier.Diagnostic<SamVariantTargetAnalyzer>("NSAM002", 0,
            "Variant class 'Variant' must not be static: the generator adds a constructor and instance members; remove 'static'"));

    [Fact]
    public Task Nsam002ReportsAnAbstractClassOnTheModifier() => Run("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        public {|NSAM002:abstract|} partial class Variant { }
        """);

    [Fact]
    public Task Nsam002ReportsAGenericClassOnItsTypeParameters() => Run("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        public partial class Variant{|#0:<T>|} { }
        """,
        Verifier.Diagnostic<SamVariantTargetAnalyzer>("NSAM002", 0,
            "Variant class 'Variant' must not be generic: the variant registry creates it without type arguments; remove the type parameters"));

    [Fact]
    public Task Nsam002ReportsAClassNestedInANonPartialType() => Run("""
        using NoiseSam.Dsl;

        public class Outer
        {
            [SamVariant("X")]
            public partial class {|#0:Inner|} { }
        }
        """,
        Verifier.Diagnostic<SamVariantTargetAnalyzer>("NSAM002", 0,
            "Variant class 'Inner' is nested in 'Outer', which is not partial: the generator cannot add the step to it; make 'Outer' partial or move 'Inner' out of it"));

    [Fact]
    public Task Nsam002ReportsEachNonPartialContainer() => Run("""
        using NoiseSam.Dsl;

        public class A
        {
            public partial class B
            {
                public static class C
                {
                    [SamVariant("X")]
                    public partial class {|NSAM002:{|NSAM002:Inner|}|} { }
                }
            }
        }
        """);

    [Fact]
    public Task Nsam002AcceptsAClassNestedInPartialTypesAndSealedOrInternalClasses() => Run("""
        using NoiseSam.Dsl;

        public partial class Outer
        {
            [SamVariant("X")]
            private sealed partial class Inner { }
        }

        [SamVariant("Y")]
        internal sealed partial class Top { }
        """);

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"   \"")]
    [InlineData("null")]
    public Task Nsam002ReportsAnEmptyNameOnTheNameArgument(string name) => Run($$"""
        using NoiseSam.Dsl;

        [SamVariant({|#0:{{name}}|})]
        public partial class Variant { }
        """,
        Verifier.Diagnostic<SamVariantTargetAnalyzer>("NSAM002", 0, "[SamVariant(name)] needs a non-empty name such as \"NI-MBS\""));

    [Fact]
    public Task SeveralProblemsAreReportedTogether() => Run("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        public {|NSAM002:abstract|} class {|NSAM001:Variant|}{|NSAM002:<T>|} { }
        """);

    [Fact]
    public Task Nsam002ReportsARecordOnItsKeyword() => Run("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        public partial {|#0:record|} Variant { }
        """,
        Verifier.Diagnostic<SamVariantTargetAnalyzer>("NSAM002", 0,
            "Variant class 'Variant' must be a class, not a record: record equality, printing and 'with' copies would share the training step's state; declare it as 'partial class'"));

    [Fact]
    public Task Nsam002ReportsAFileLocalClassOnTheModifier() => Run("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        {|#0:file|} partial class Variant { }
        """,
        Verifier.Diagnostic<SamVariantTargetAnalyzer>("NSAM002", 0,
            "Variant class 'Variant' must not be file-local: the generator declares the other part of the class in another file, where a 'file' class is a different class; remove 'file'"));

    [Fact]
    public Task Nsam002ReportsAPrimaryConstructorOnItsParameterList() => Run("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        public partial class Variant{|#0:(int size)|}
        {
            public int Size => size;
        }
        """,
        Verifier.Diagnostic<SamVariantTargetAnalyzer>("NSAM002", 0,
            "Variant class 'Variant' must not have a primary constructor: the generated constructor (model, options) cannot pass its parameters; remove the parameter list"));

    [Fact]
    public Task Nsam002ReportsARequiredMemberOnTheMember() => Run("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        public partial class Variant
        {
            public required int {|#0:Size|} { get; init; }
        }
        """,
        Verifier.Diagnostic<SamVariantTargetAnalyzer>("NSAM002", 0,
            "Variant class 'Variant' has required member 'Size': the variant registry creates it with new Variant(model, options), which cannot set it; remove 'required'"));

    [Fact]
    public Task Nsam002ReportsAVariantDerivedFromAVariantOnItsBaseType() => Run("""
        using NoiseSam.Dsl;

        [SamVariant("A")]
        public partial class A { }

        // The compiler adds that B's implicit constructor cannot call A's generated one.
        [SamVariant("B")]
        public partial class {|CS7036:B|} : {|#0:A|} { }
        """,
        Verifier.Diagnostic<SamVariantTargetAnalyzer>("NSAM002", 0,
            "Variant class 'B' derives from variant class 'A': each variant gets its own generated step, constructor and registration, which would hide those of 'A'; derive both from a class that is not a variant"));

    [Fact]
    public Task Nsam002AcceptsAVariantDerivedFromAPlainClass() => Run("""
        using NoiseSam.Dsl;

        public abstract class Base
        {
            protected int Seen { get; set; }
        }

        [SamVariant("B")]
        public partial class B : Base { }
        """);

    [Fact]
    public Task Nsam002ReportsAClassNestedInAGenericType() => Run("""
        using NoiseSam.Dsl;

        public partial class Outer<T>
        {
            [SamVariant("X")]
            public partial class {|#0:Inner|} { }
        }
        """,
        Verifier.Diagnostic<SamVariantTargetAnalyzer>("NSAM002", 0,
            "Variant class 'Inner' is nested in generic type 'Outer<T>': the variant registry creates it without type arguments; move 'Inner' out of it"));

    [Fact]
    public Task Nsam002ReportsAClassNestedInAFileLocalType() => Run("""
        using NoiseSam.Dsl;

        file partial class Outer
        {
            [SamVariant("X")]
            public partial class {|#0:Inner|} { }
        }
        """,
        Verifier.Diagnostic<SamVariantTargetAnalyzer>("NSAM002", 0,
            "Variant class 'Inner' is nested in file-local type 'Outer': the generator declares the other part in another file, where a 'file' type is a different type; remove 'file' or move 'Inner' out of it"));

    [Theory]
    [InlineData("public int Step;", "field", "Step")]
    [InlineData("public double LearningRate { get; set; }", "property", "LearningRate")]
    [InlineData("public static string Descriptor => \"mine\";", "property", "Descriptor")]
    [InlineData("public void Dispose(int level) { }", "method", "Dispose")]
    [InlineData("private readonly int _core = 1;", "field", "_core")]
    [InlineData("public class StepCount { }", "nested type", "StepCount")]
    [InlineData("public event System.Action? SaveState;", "event", "SaveState")]
    [InlineData("internal static void __RegisterSamVariant_Mine() { }", "method", "__RegisterSamVariant_Mine")]
    public Task Nsam016ReportsAMemberNamedLikeAGeneratedOneOnTheMember(string member, string kind, string name)
    {
        string declaration = member.Replace(" " + name, " {|#0:" + name + "|}");
        return Run($$"""
            using NoiseSam.Dsl;

            [SamVariant("X")]
            public partial class Variant
            {
                {{declaration}}
            }
            """,
            Verifier.Diagnostic<SamVariantTargetAnalyzer>("NSAM016", 0,
                $"Variant class 'Variant' declares {kind} '{name}', but the generator adds a member named '{name}' to the class: rename the {kind}"));
    }

    [Theory]
    [InlineData("Descriptor")]
    [InlineData("Step")]
    public Task Nsam016ReportsAClassNamedLikeAGeneratedMember(string name) => Run($$"""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        public partial class {|#0:{{name}}|} { }
        """,
        Verifier.Diagnostic<SamVariantTargetAnalyzer>("NSAM016", 0,
            $"Variant class '{name}' has the name of a member the generator adds to it ('{name}'); a member cannot have the name of its class: rename the class"));

    [Fact]
    public Task Nsam016ReportsAnInheritedMemberOnTheClass() => Run("""
        using NoiseSam.Dsl;

        public class Base : System.IDisposable
        {
            public void Dispose() { }
        }

        [SamVariant("X")]
        public partial class {|#0:Variant|} : Base { }
        """,
        Verifier.Diagnostic<SamVariantTargetAnalyzer>("NSAM016", 0,
            "Variant class 'Variant' inherits method 'Dispose' from 'Base', but the generator adds a member named 'Dispose' to the class, which would hide it: rename it in 'Base' or derive from another class"));

    [Fact]
    public Task Nsam016ReportsAConstructorWithTheGeneratedParameters() => Run("""
        using NoiseSam;
        using NoiseSam.Dsl;
        using TorchSharp;
        using static TorchSharp.torch;

        [SamVariant("X")]
        public partial class Variant
        {
            public {|#0:Variant|}(nn.Module model, SamStepOptions options) { }
        }
        """,
        Verifier.Diagnostic<SamVariantTargetAnalyzer>("NSAM016", 0,
            "Variant class 'Variant' declares a constructor with the parameters of the generated one (model, options): remove it or change its parameters"));

    [Fact]
    public Task Nsam016IgnoresPrivateInheritedMembersAndOtherConstructors() => Run("""
        using NoiseSam.Dsl;

        public class Base
        {
            private int Step;
            protected int Used => Step;
        }

        [SamVariant("X")]
        public partial class Variant : Base
        {
            public Variant(int size) { }
        }
        """);

    [Fact]
    public Task KeywordNamesAreFineAndGenerateCleanCode() => Run("""
        using NoiseSam.Dsl;

        namespace App.@event
        {
            [SamVariant("X")]
            public partial class @class { }

            public partial class @struct
            {
                [SamVariant("Y")]
                internal partial class @int { }
            }
        }
        """);
}
