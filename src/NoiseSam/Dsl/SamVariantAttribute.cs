namespace NoiseSam.Dsl;

/// <summary>
/// Marks a <c>partial</c> class as a SAM variant. The source generator turns the class into an
/// <see cref="ISamStep"/> specialised to the declaration and registers it under <see cref="Name"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class SamVariantAttribute : Attribute
{
    /// <param name="name">Registry name, unique per compilation (e.g. "NI-MBS").</param>
    public SamVariantAttribute(string name) => Name = name;

    /// <summary>Registry name of the variant.</summary>
    public string Name { get; }

    /// <summary>Perturbation radius ρ; must be finite and &gt; 0. Default 0.05 (Foret et al. 2021).</summary>
    public double Rho { get; set; } = SamDefaults.Rho;

    /// <summary>How ε is built from the ascent gradient. Default <see cref="PerturbationKind.Sam"/>.</summary>
    public PerturbationKind Perturbation { get; set; } = PerturbationKind.Sam;

    /// <summary>ASAM offset η in T = |w| + η; only with <see cref="PerturbationKind.Adaptive"/>. Default 0.01 (Kwon et al. 2021).</summary>
    public double Eta { get; set; } = SamDefaults.Eta;

    /// <summary>ESAM-SWP keep probability β in (0, 1]; only with <see cref="PerturbationKind.StochasticWeight"/>. Default 0.6 (Du et al. 2022, ResNet-18).</summary>
    public double Beta { get; set; } = SamDefaults.Beta;
}
