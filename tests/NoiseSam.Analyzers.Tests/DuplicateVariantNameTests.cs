using Microsoft.CodeAnalysis.Testing;
using NoiseSam.Analyzers.Diagnostics.Analyzers;
using NoiseSam.Analyzers.Tests.Helpers;
using Verifier = NoiseSam.Analyzers.Tests.Helpers.Verify;

namespace NoiseSam.Analyzers.Tests;

/// <summary>NSAM012: two variants of one compilation share a name (ignoring case).</summary>
public class DuplicateVariantNameTests
{
    [Fact]
    public Task Nsam012ReportsEachNameArgumentOfACaseInsensitiveDuplicate() =>
        Verifier.AnalyzerAsync<DuplicateVariantNameAnalyzer>("""
            using NoiseSam.Dsl;

            namespace App;

            [SamVariant({|#0:"NI-MBS"|})]
            public partial class First { }

            [SamVariant({|#1:"ni-mbs"|}, Rho = 0.1)]
            public partial class Second { }

            [SamVariant("SAM")]
            public partial class Third { }
            """,
            Verifier.Diagnostic<DuplicateVariantNameAnalyzer>("NSAM012", 0,
                "Variant name 'NI-MBS' is also used by 'App.Second'; names must be unique in a compilation (compared ignoring case): rename one of them"),
            Verifier.Diagnostic<DuplicateVariantNameAnalyzer>("NSAM012", 1,
                "Variant name 'ni-mbs' is also used by 'App.First'; names must be unique in a compilation (compared ignoring case): rename one of them"));

    [Fact]
    public Task Nsam012ListsEveryOtherClassIncludingNestedOnesAndOtherFiles()
    {
        var test = new NoiseSamAnalyzerTest<DuplicateVariantNameAnalyzer>("""
            using NoiseSam.Dsl;

            [SamVariant({|#0:"X"|})]
            public partial class A { }

            public partial class Outer
            {
                [SamVariant({|#1:"x"|})]
                public partial class B { }
            }
            """);
        test.TestState.Sources.Add(("Other.cs", """
            using NoiseSam.Dsl;

            [SamVariant({|#2:"X"|})]
            public partial class C { }
            """));
        test.ExpectedDiagnostics.Add(Verifier.Diagnostic<DuplicateVariantNameAnalyzer>("NSAM012", 0,
            "Variant name 'X' is also used by 'C', 'Outer.B'; names must be unique in a compilation (compared ignoring case): rename one of them"));
        test.ExpectedDiagnostics.Add(Verifier.Diagnostic<DuplicateVariantNameAnalyzer>("NSAM012", 1,
            "Variant name 'x' is also used by 'A', 'C'; names must be unique in a compilation (compared ignoring case): rename one of them"));
        test.ExpectedDiagnostics.Add(Verifier.Diagnostic<DuplicateVariantNameAnalyzer>("NSAM012", 2,
            "Variant name 'X' is also used by 'A', 'Outer.B'; names must be unique in a compilation (compared ignoring case): rename one of them"));
        return test.RunAsync();
    }

    [Fact]
    public Task Nsam012AcceptsDistinctNamesAndOneClassInSeveralParts() =>
        Verifier.AnalyzerAsync<DuplicateVariantNameAnalyzer>("""
            using NoiseSam.Dsl;

            [SamVariant("SAM")]
            public partial class A { }

            public partial class A { }

            [SamVariant("SAM-2")]
            public partial class B { }

            [SamVariant("SAM ")]
            public partial class C { }
            """);

    [Fact]
    public Task Nsam012LeavesEmptyNamesToNsam002() =>
        Verifier.AnalyzerAsync<DuplicateVariantNameAnalyzer>("""
            using NoiseSam.Dsl;

            [SamVariant("")]
            public partial class A { }

            [SamVariant("")]
            public partial class B { }
            """);
}
