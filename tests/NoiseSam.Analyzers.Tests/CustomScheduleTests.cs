using Microsoft.CodeAnalysis.Testing;
using NoiseSam.Analyzers.Diagnostics.Analyzers;
using Verifier = NoiseSam.Analyzers.Tests.Helpers.Verify;

namespace NoiseSam.Analyzers.Tests;

/// <summary>
/// NSAM008: a Custom schedule needs the ShouldPerturb hook. The user writes only its body (the
/// generator, which these tests run, writes the defining declaration); the two-declaration form and
/// an ordinary method are accepted too. The message names the method found and what is wrong with it.
/// </summary>
public class CustomScheduleTests
{
    private static Task Run(string source, params DiagnosticResult[] expected) =>
        Verifier.AnalyzerAsync<CustomScheduleAnalyzer>(source, expected);

    [Fact]
    public Task Nsam008ReportsACustomScheduleWithoutTheMethodOnThePolicy() => Run("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [Schedule({|#0:SchedulePolicy.Custom|})]
        public partial class Variant { }
        """,
        Verifier.Diagnostic<CustomScheduleAnalyzer>("NSAM008", 0,
            "[Schedule(SchedulePolicy.Custom)] on variant class 'Variant' needs the method 'private partial bool ShouldPerturb(in NoiseSam.StepContext context)' with a body that returns true for a SAM step and false for a base-optimizer step; add it"));

    [Fact]
    public Task Nsam008AcceptsOnlyTheImplementationBecauseTheGeneratorWritesTheDefinition() => Run("""
        using NoiseSam;
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [Schedule(SchedulePolicy.Custom)]
        public partial class Variant
        {
            private partial bool ShouldPerturb(in StepContext context) => context.Step >= 10;
        }
        """);

    [Fact]
    public Task Nsam008AcceptsOnlyTheImplementationWithTheContextByValueAndOtherModifiers() => Run("""
        using NoiseSam;
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [Schedule(SchedulePolicy.Custom)]
        public partial class Variant
        {
            protected internal partial bool ShouldPerturb(StepContext @event) => @event.Step % 2 == 0;
        }
        """);

    private const string Expected = "[Schedule(SchedulePolicy.Custom)] on variant class 'Variant' needs the method 'private partial bool ShouldPerturb(in NoiseSam.StepContext context)' with a body that returns true for a SAM step and false for a base-optimizer step; ";

    [Theory]
    [InlineData("private static bool ShouldPerturb(in StepContext context) => true;",
        "the method found, 'Variant.ShouldPerturb(in StepContext)', is static: remove 'static'")]
    [InlineData("private bool ShouldPerturb<T>(in StepContext context) => true;",
        "the method found, 'Variant.ShouldPerturb<T>(in StepContext)', is generic: remove the type parameters")]
    [InlineData("private int ShouldPerturb(in StepContext context) => 1;",
        "the method found, 'Variant.ShouldPerturb(in StepContext)', returns 'int': it must return bool")]
    [InlineData("private bool ShouldPerturb(ref StepContext context) => true;",
        "the method found, 'Variant.ShouldPerturb(ref StepContext)', has the wrong parameters: it must take one 'in StepContext' (or a StepContext by value)")]
    [InlineData("private bool ShouldPerturb(long step) => true;",
        "the method found, 'Variant.ShouldPerturb(long)', has the wrong parameters: it must take one 'in StepContext' (or a StepContext by value)")]
    [InlineData("private bool ShouldPerturb => true;",
        "'ShouldPerturb' is a property, not a method")]
    public Task Nsam008NamesTheMethodFoundAndWhatIsWrongWithIt(string member, string what) => Run($$"""
        using NoiseSam;
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [Schedule({|#0:SchedulePolicy.Custom|})]
        public partial class Variant
        {
            {{member}}
        }
        """,
        Verifier.Diagnostic<CustomScheduleAnalyzer>("NSAM008", 0, Expected + what));

    [Fact]
    public Task Nsam008SaysWhenTheMethodIsInherited() => Run("""
        using NoiseSam;
        using NoiseSam.Dsl;

        public class Base
        {
            protected bool ShouldPerturb(in StepContext context) => true;
        }

        [SamVariant("X")]
        [Schedule({|#0:SchedulePolicy.Custom|})]
        public partial class Variant : Base { }
        """,
        Verifier.Diagnostic<CustomScheduleAnalyzer>("NSAM008", 0,
            Expected + "the method found, 'Base.ShouldPerturb(in StepContext)', is inherited from 'Base': declare it in 'Variant'"));

    [Fact]
    public Task Nsam008SaysWhenTheImplementationHasNoAccessibilityModifier() => Run("""
        using NoiseSam;
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [Schedule({|#0:SchedulePolicy.Custom|})]
        public partial class Variant
        {
            partial bool {|CS8796:{|CS0759:ShouldPerturb|}|}(in StepContext context) => true;
        }
        """,
        Verifier.Diagnostic<CustomScheduleAnalyzer>("NSAM008", 0,
            Expected + "the method found, 'Variant.ShouldPerturb(in StepContext)', has no accessibility modifier, which a partial method that returns a value needs: write 'private partial bool ShouldPerturb(...)'"));

    [Fact]
    public Task Nsam008ReportsAMethodWithTheWrongSignature() => Run("""
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
    public Task Nsam008ReportsADefiningDeclarationWithoutImplementation() => Run("""
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
    public Task Nsam008AcceptsThePartialMethodWithImplementationInAnotherPart() => Run("""
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
    public Task Nsam008AcceptsAnOrdinaryMethodWithTheSignature() => Run("""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [Schedule(SchedulePolicy.Custom)]
        public partial class Variant
        {
            private bool ShouldPerturb(in global::NoiseSam.StepContext context) => context.PreviousLoss > 1f;
        }
        """);

    [Fact]
    public Task Nsam008AcceptsTheContextByValueAsTheGeneratorDoes() => Run("""
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
    public Task Nsam008IgnoresOtherPolicies(string policy) => Run($$"""
        using NoiseSam.Dsl;

        [SamVariant("X")]
        [Schedule({{policy}})]
        public partial class Variant { }
        """);

    [Fact]
    public Task Nsam008IgnoresClassesWithoutSamVariant() => Run("""
        using NoiseSam.Dsl;

        [Schedule(SchedulePolicy.Custom)]
        public partial class Variant { }
        """);
}
