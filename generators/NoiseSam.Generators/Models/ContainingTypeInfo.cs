namespace NoiseSam.Generators.Models;

/// <summary>One type that encloses the variant class, outermost first.</summary>
/// <param name="Keyword">The declaration keyword(s): <c>class</c>, <c>struct</c>, <c>record</c>, <c>record struct</c> or <c>interface</c>.</param>
/// <param name="Name">The type's name as written in source (never generic: the shape check rejects generic containers).</param>
/// <param name="ModuleAccessible">Public, internal or protected internal.</param>
internal sealed record ContainingTypeInfo(string Keyword, string Name, bool ModuleAccessible);
