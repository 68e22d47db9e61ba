namespace NoiseSam.Cli.Variants;

/// <summary>
/// The settings of the paper variants (PaperVariants.cs) and where each comes from. The search
/// (scripts/run-tuning.sh) ran in the default regime (docs/data.md) on the validation split, three
/// seeds per candidate, choosing the best mean final validation accuracy: stage 1 the learning rate
/// (docs/tuning-lr.md), stage 2 each variant's own setting at stage 1's SAM learning rate
/// (docs/tuning.md). Values the search did not cover are the paper's (ALGORITHMS.md §11).
/// </summary>
public static class TunedSettings
{
    /// <summary>SGD alone: stage 1 (0.001–0.2); the paper's 0.05 let it memorise the noisy labels (62.9 % vs 79.8 % test).</summary>
    public const double SgdLearningRate = 0.002;

    /// <summary>Every SAM variant's learning rate: stage 1 for SAM at ρ = 0.05 (0.005–0.1).</summary>
    public const double LearningRate = 0.01;

    /// <summary>SAM (also AE-SAM and SS-SAM, which were not searched): stage 2, ρ ∈ {0.02, 0.05, 0.1, 0.2, 0.5}; the paper's value.</summary>
    public const double SamRho = 0.05;

    /// <summary>MBS (also NI-MBS): stage 2, ρ ∈ {0.05, 0.1, 0.2, 0.5}.</summary>
    public const double MbsRho = 0.1;

    /// <summary>ESAM: stage 2, ρ ∈ {0.05, 0.1, 0.2}.</summary>
    public const double EsamRho = 0.05;

    /// <summary>ASAM: stage 2, ρ ∈ {0.5, 1, 2} (the paper's 0.5 for CIFAR-10 and 2 for CIFAR-100 in between).</summary>
    public const double AsamRho = 1;

    /// <summary>LookSAM-5's reuse weight: stage 2, α ∈ {0.1, 0.3, 0.7} (0.7 is the paper's).</summary>
    public const double LookSamAlpha = 0.3;

    /// <summary>K-SAM: stage 2, ρ ∈ {0.01, 0.05} × f ∈ {0.25, 0.5} at lr 0.01.</summary>
    public const double KSamRho = 0.01;

    /// <summary>
    /// K-SAM's share of the batch with the highest loss (stage 2; the paper's 0.25). Under label noise
    /// the highest-loss rows are mostly mislabelled ones: three of the four candidates collapsed.
    /// </summary>
    public const double KSamFraction = 0.5;

    /// <summary>For <c>noisesam variants</c>: where each paper variant's settings come from.</summary>
    public static IReadOnlyDictionary<string, string> Provenance { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["SGD"] = "lr: search (docs/tuning-lr.md)",
        ["SAM"] = "lr: search (docs/tuning-lr.md); ρ: search = paper (docs/tuning.md)",
        ["ASAM"] = "lr (SAM's), ρ: search (docs/tuning.md); η: paper",
        ["ESAM"] = "lr (SAM's), ρ: search (docs/tuning.md); β, γ: paper",
        ["LookSAM-5"] = "lr (SAM's), α: search (docs/tuning.md); ρ, k: paper",
        ["AE-SAM"] = "lr, ρ: SAM's (not searched); c, δ: paper",
        ["K-SAM"] = "ρ, f: search at lr 0.01 (docs/tuning.md)",
        ["SS-SAM"] = "lr, ρ: SAM's (not searched); p: paper",
        ["MBS"] = "lr (SAM's), ρ: search (docs/tuning.md); f: paper",
        ["NI-MBS"] = "lr, ρ: MBS's; f, σ, scaling: paper",
    };

    /// <summary>Where the settings of <paramref name="name"/> come from, or null for a variant that is not one of the paper's.</summary>
    public static string? SourceOf(string name) =>
        Provenance.TryGetValue(name, out var source) ? source
        : name.EndsWith(PaperVariants.NominalSuffix, StringComparison.OrdinalIgnoreCase) &&
          Provenance.ContainsKey(name[..^PaperVariants.NominalSuffix.Length]) ? "paper (ALGORITHMS.md §11)"
        : null;
}
