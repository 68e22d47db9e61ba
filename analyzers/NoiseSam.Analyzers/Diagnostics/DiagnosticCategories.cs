namespace NoiseSam.Analyzers.Diagnostics;

/// <summary>The fixed diagnostic categories (the "Category" column of AnalyzerReleases.*.md).</summary>
internal static class DiagnosticCategories
{
    /// <summary>The shape of a declaration: which classes may carry the DSL, and what they must contain.</summary>
    public const string Usage = "NoiseSam.Usage";

    /// <summary>The values of a declaration: ranges, dead arguments and incompatible combinations.</summary>
    public const string Configuration = "NoiseSam.Configuration";
}
