using NoiseSam.Generators.Helpers;

namespace NoiseSam.Generators.Models;

/// <summary>Where the variant class lives.</summary>
/// <param name="Namespace">The containing namespace, or "" for the global namespace.</param>
/// <param name="ContainingTypes">Enclosing types, outermost first.</param>
/// <param name="ClassName">The variant class's name.</param>
/// <param name="FullyQualifiedMetadataName">For the hint name, e.g. <c>MyApp.Outer+Inner</c>.</param>
/// <param name="RegistrationLevel">
/// Index into (containing types, then the class) of the type that holds the module initializer: the
/// deepest one that is accessible at module level and can see the class; -1 when there is none (a
/// class nested two levels inside private types cannot be registered).
/// </param>
internal sealed record HierarchyInfo(
    string Namespace,
    EquatableArray<ContainingTypeInfo> ContainingTypes,
    string ClassName,
    string FullyQualifiedMetadataName,
    int RegistrationLevel);
