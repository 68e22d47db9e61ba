using NoiseSam.Generators.Helpers;

namespace NoiseSam.Generators.Models;

/// <summary>Where the variant class lives, with every name as it must be written in source (<c>@class</c>).</summary>
/// <param name="Namespace">The containing namespace as written in source (<c>MyApp.@event</c>), or "" for the global namespace.</param>
/// <param name="ContainingTypes">Enclosing types, outermost first.</param>
/// <param name="ClassName">The variant class's name as written in source.</param>
/// <param name="MetadataName">The fully qualified metadata name (<c>MyApp.event.Outer+Inner</c>, no <c>@</c>): the stem of the hint name.</param>
/// <param name="RegistrationLevel">
/// Index into (containing types, then the class) of the type that holds the module initializer: the
/// deepest one that is accessible at module level and can see the class; -1 when there is none (a
/// class nested two levels inside private types cannot be registered).
/// </param>
internal sealed record HierarchyInfo(
    string Namespace,
    EquatableArray<ContainingTypeInfo> ContainingTypes,
    string ClassName,
    string MetadataName,
    int RegistrationLevel);
