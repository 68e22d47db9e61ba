namespace NoiseSam.Generators.Models;

/// <summary>Everything the emitter needs for one valid variant class: value-equatable, no symbols or syntax.</summary>
/// <param name="Hierarchy">Where the class lives.</param>
/// <param name="Declaration">The declaration as values (the one values record; null members were not written).</param>
/// <param name="IsSealed">The class is sealed: a plain <c>Dispose()</c>; otherwise the <c>Dispose(bool)</c> pattern.</param>
/// <param name="ShouldPerturbDefinition">The defining declaration of the Custom schedule's hook, when the user wrote only its implementation.</param>
/// <param name="Location">The class's identifier, for NSAM017 if its emission fails.</param>
internal sealed record SamVariantSpec(
    HierarchyInfo Hierarchy,
    SamVariantDescriptor Declaration,
    bool IsSealed,
    string? ShouldPerturbDefinition,
    LocationInfo? Location);
