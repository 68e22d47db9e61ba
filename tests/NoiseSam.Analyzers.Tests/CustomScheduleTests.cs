using Microsoft.CodeAnalysis.Testing;
using NoiseSam.Analyzers.Diagnostics.Analyzers;
using Verifier = NoiseSam.Analyzers.Tests.Helpers.Verify;

namespace NoiseSam.Analyzers.Tests;

/// <summary>NSAM008: a Custom schedule needs an implementation of ShouldPerturb.</summary>
public class CustomScheduleTests
{
    private static Task Run(string source, params DiagnosticResult[] expected) =>
        Verifier.AnalyzerAsync<CustomScheduleAnalyzer>(source, expected);

    [Fact]
    public Task Nsam008_reports_a_custom_schedule_without_the_method_on_the_policy() => Run("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [Schedule({|#0:SchedulePolicy.Custom|})]
        public partial class Variant { }
        """,
        Verifier.Diagnostic<CustomScheduleAnalyzer>("NSAM008", 0,
            "[Schedule(SchedulePolicy.Custom)] on variant class 'Variant' needs the method 'private partial bool ShouldPerturb(in NoiseSam.StepContext context)' with a body that returns true for a SAM step and false for a base-optimizer step; add it"));

    [Fact]
    public Task Nsam008_reports_a_method_with_the_wrong_signature() => Run("""
        using NoiseSam;
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [Schedule({|NSAM008:SchedulePolicy.Custom|})]
        public partial class Variant
        {
            private bool ShouldPerturb(ref StepContext context) => true;
            private int ShouldPerturb(in StepContext context, int extra) => 0;
            private static bool ShouldPerturb(in StepContext context, long step) => true;
        }
        """);

    [Fact]
    public Task Nsam008_reports_a_defining_declaration_without_implementation() => Run("""
        using NoiseSam;
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [Schedule({|NSAM008:SchedulePolicy.Custom|})]
        public partial class Variant
        {
            private partial bool {|CS8795:ShouldPerturb|}(in StepContext context);
        }
        """);

    [Fact]
    public Task Nsam008_accepts_the_partial_method_with_implementation_in_another_part() => Run("""
        using NoiseSam;
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [Schedule(SchedulePolicy.Custom)]
        public partial class Variant
        {
            private partial bool ShouldPerturb(in StepContext context);
        }

        public partial class Variant
        {
            private partial bool ShouldPerturb(in StepContext context) => context.Step % 2 == 0;
        }
        """);

    [Fact]
    public Task Nsam008_accepts_an_ordinary_method_with_the_signature() => Run("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [Schedule(SchedulePolicy.Custom)]
        public partial class Variant
        {
            private bool ShouldPerturb(in global::NoiseSam.StepContext context) => context.PreviousLoss > 1f;
        }
        """);

    [Fact]
    public Task Nsam008_accepts_the_context_by_value_as_the_generator_does() => Run("""
        using NoiseSam;
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [Schedule(SchedulePolicy.Custom)]
        public partial class Variant
        {
            private bool ShouldPerturb(StepContext context) => context.Step > 10;
        }
        """);

    [Theory]
    [InlineData("SchedulePolicy.Always")]
    [InlineData("SchedulePolicy.EveryK")]
    [InlineData("SchedulePolicy.Never")]
    public Task Nsam008_ignores_other_policies(string policy) => Run($$"""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [Schedule({{policy}})]
        public partial class Variant { }
        """);

    [Fact]
    public Task Nsam008_ignores_classes_without_SamVariant() => Run("""
        using NoiseSam.Dsl;

        [Schedule(SchedulePolicy.Custom)]
        public partial class Variant { }
        """);
}
