using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using NoiseSam.Dsl;

namespace NoiseSam.Analyzers.Tests.Helpers;

/// <summary>
/// What test compilations reference: the .NET 10 reference assemblies from
/// Basic.Reference.Assemblies.Net100 (embedded, so nothing is downloaded), the NoiseSam runtime and
/// TorchSharp (which the generated steps use).
/// </summary>
internal static class TestReferences
{
    /// <summary>An empty reference-assembly set: the framework comes from <see cref="All"/> instead of a NuGet download.</summary>
    public static ReferenceAssemblies NoDownload { get; } = new ReferenceAssemblies("net10.0");

    /// <summary>The .NET 10 reference assemblies plus the NoiseSam runtime (attributes, StepContext) and TorchSharp.</summary>
    public static ImmutableArray<MetadataReference> All { get; } = Basic.Reference.Assemblies.Net100.References.All
        .Cast<MetadataReference>()
        .Append(MetadataReference.CreateFromFile(typeof(SamVariantAttribute).Assembly.Location))
        .Append(MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location))
        .ToImmutableArray();

    /// <summary>The generator, which a build runs before the analyzers.</summary>
    public static Type[] SourceGenerators { get; } = [typeof(NoiseSam.Generators.SamStepGenerator)];
}
