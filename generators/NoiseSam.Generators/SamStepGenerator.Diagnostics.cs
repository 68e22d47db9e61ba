// If adjusted, these files may need adjustments as well: AnalyzerReleases.Shipped.md,
// AnalyzerReleases.Unshipped.md (beside the csproj) and docs/diagnostics/NSAM017.md + index.md.
using System;
using Microsoft.CodeAnalysis;
using NoiseSam.Generators.Models;
using NoiseSam.Rules;

namespace NoiseSam.Generators;

public sealed partial class SamStepGenerator
{
    /// <summary>The one diagnostic the generator reports itself; every other NSAM id is an analyzer's.</summary>
    internal static class Diagnostics
    {
        /// <summary>
        /// The generator failed on one variant (a bug in the generator): nothing was generated for it,
        /// every other variant was.
        /// <para>Format: <c>"The generator could not generate variant class '{0}' ({1}); the other variants were generated: please report this with the declaration"</c>.</para>
        /// </summary>
        public static readonly DiagnosticDescriptor GeneratorFailedError = new(
            id: SamDiagnosticIds.GeneratorFailed,
            title: "Variant could not be generated",
            messageFormat: "The generator could not generate variant class '{0}' ({1}); the other variants were generated: please report this with the declaration",
            category: "NoiseSam.Usage",
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "The generator met an unexpected exception while generating one variant. It generated every other variant and reports this one on its class instead of failing as a whole (CS8785).",
            helpLinkUri: "https://github.com/noisesam/NoiseSam.Dsl/blob/main/docs/diagnostics/NSAM017.md");

        public static Diagnostic Failure(GeneratorFailure failure) =>
            Diagnostic.Create(GeneratorFailedError, failure.Location?.ToLocation() ?? Location.None, failure.ClassName, failure.Reason);

        public static string Describe(Exception e) => $"{e.GetType().Name}: {e.Message}";
    }
}
