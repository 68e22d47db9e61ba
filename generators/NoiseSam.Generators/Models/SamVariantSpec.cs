namespace NoiseSam.Generators.Models;

/// <summary>Everything the emitter needs for one valid variant class: value-equatable, no symbols or syntax.</summary>
/// <param name="Hierarchy">Where the class lives.</param>
/// <param name="Declaration">The DSL attributes as written.</param>
internal sealed record SamVariantSpec(HierarchyInfo Hierarchy, VariantDeclaration Declaration);
