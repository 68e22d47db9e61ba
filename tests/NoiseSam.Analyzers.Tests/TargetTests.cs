using Microsoft.CodeAnalysis.Testing;
using NoiseSam.Analyzers.Diagnostics.Analyzers;
using Verifier = NoiseSam.Analyzers.Tests.Helpers.Verify;

namespace NoiseSam.Analyzers.Tests;

/// <summary>NSAM001 (not partial) and NSAM002 (static, generic, abstract, nested in a non-partial type, empty name).</summary>
public class TargetTests
{
    private static Task Run(string source, params DiagnosticResult[] expected) =>
        Verifier.AnalyzerAsync<SamVariantTargetAnalyzer>(source, expected);

    [Fact]
    public Task Nsam001_reports_a_class_that_is_not_partial_on_its_identifier() => Run("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        public sealed class {|#0:Variant|} { }
        """,
        Verifier.Diagnostic<SamVariantTargetAnalyzer>("NSAM001", 0,
            "Variant class 'Variant' must be partial: the generator adds its training step to it; add the 'partial' modifier"));

    [Fact]
    public Task Nsam001_accepts_partial_classes_and_ignores_other_classes() => Run("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        internal sealed partial class Variant { }

        public partial class Other { }
        public class Plain { }
        """);

    [Fact]
    public Task Nsam001_accepts_a_variant_declared_in_several_partial_parts() => Run("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        public partial class Variant { }

        public partial class Variant { private int _n; }
        """);

    [Fact]
    public Task Nsam002_reports_a_static_class_on_the_modifier() => Run("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        public {|#0:static|} partial class Variant { }
        """,
        Verifier.Diagnostic<SamVariantTargetAnalyzer>("NSAM002", 0,
            "Variant class 'Variant' must not be static: the generator adds a constructor and instance members; remove 'static'"));

    [Fact]
    public Task Nsam002_reports_an_abstract_class_on_the_modifier() => Run("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        public {|NSAM002:abstract|} partial class Variant { }
        """);

    [Fact]
    public Task Nsam002_reports_a_generic_class_on_its_type_parameters() => Run("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        public partial class Variant{|#0:<T>|} { }
        """,
        Verifier.Diagnostic<SamVariantTargetAnalyzer>("NSAM002", 0,
            "Variant class 'Variant' must not be generic: the variant registry creates it without type arguments; remove the type parameters"));

    [Fact]
    public Task Nsam002_reports_a_class_nested_in_a_non_partial_type() => Run("""
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
    public Task Nsam002_reports_each_non_partial_container() => Run("""
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
    public Task Nsam002_accepts_a_class_nested_in_partial_types_and_sealed_or_internal_classes() => Run("""
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
    public Task Nsam002_reports_an_empty_name_on_the_name_argument(string name) => Run($$"""
        using NoiseSam.Dsl;

        [SamVariant({|#0:{{name}}|})]
        public partial class Variant { }
        """,
        Verifier.Diagnostic<SamVariantTargetAnalyzer>("NSAM002", 0, "[SamVariant(name)] needs a non-empty name such as \"NI-MBS\""));

    [Fact]
    public Task Several_problems_are_reported_together() => Run("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        public {|NSAM002:abstract|} class {|NSAM001:Variant|}{|NSAM002:<T>|} { }
        """);
}
