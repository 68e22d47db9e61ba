using Microsoft.CodeAnalysis;

namespace NoiseSam.Analyzers.Declarations;

/// <summary>The DSL's symbols, resolved once per compilation.</summary>
internal sealed class DslSymbols
{
    private DslSymbols(Compilation compilation, INamedTypeSymbol samVariant)
    {
        SamVariant = samVariant;
        MicroBatch = compilation.GetTypeByMetadataName(TypeNames.MicroBatchAttribute);
        DescentSelection = compilation.GetTypeByMetadataName(TypeNames.DescentSelectionAttribute);
        Noise = compilation.GetTypeByMetadataName(TypeNames.NoiseAttribute);
        Schedule = compilation.GetTypeByMetadataName(TypeNames.ScheduleAttribute);
        BaseOptimizer = compilation.GetTypeByMetadataName(TypeNames.BaseOptimizerAttribute);
        Accumulation = compilation.GetTypeByMetadataName(TypeNames.AccumulationAttribute);
        ParameterGroup = compilation.GetTypeByMetadataName(TypeNames.ParameterGroupAttribute);
        StepContext = compilation.GetTypeByMetadataName(TypeNames.StepContext);
        SamStepOptions = compilation.GetTypeByMetadataName(TypeNames.SamStepOptions);
    }

    public INamedTypeSymbol SamVariant { get; }
    public INamedTypeSymbol? MicroBatch { get; }
    public INamedTypeSymbol? DescentSelection { get; }
    public INamedTypeSymbol? Noise { get; }
    public INamedTypeSymbol? Schedule { get; }
    public INamedTypeSymbol? BaseOptimizer { get; }
    public INamedTypeSymbol? Accumulation { get; }
    public INamedTypeSymbol? ParameterGroup { get; }
    public INamedTypeSymbol? StepContext { get; }
    public INamedTypeSymbol? SamStepOptions { get; }

    /// <summary>The symbols, or null when the compilation does not reference the NoiseSam runtime.</summary>
    public static DslSymbols? TryCreate(Compilation compilation) =>
        compilation.GetTypeByMetadataName(TypeNames.SamVariantAttribute) is { } samVariant
            ? new DslSymbols(compilation, samVariant)
            : null;

    /// <summary>
    /// The DSL name of an attribute ("SamVariant", "MicroBatch", ...; the <c>Attribute</c> values of
    /// <c>SamRuleViolation</c>), or null when it is not a DSL attribute.
    /// </summary>
    public string? DslName(AttributeData attribute)
    {
        INamedTypeSymbol? type = attribute.AttributeClass;
        if (type is null) return null;
        if (Is(type, SamVariant)) return "SamVariant";
        if (Is(type, MicroBatch)) return "MicroBatch";
        if (Is(type, DescentSelection)) return "DescentSelection";
        if (Is(type, Noise)) return "Noise";
        if (Is(type, Schedule)) return "Schedule";
        if (Is(type, BaseOptimizer)) return "BaseOptimizer";
        if (Is(type, Accumulation)) return "Accumulation";
        if (Is(type, ParameterGroup)) return "ParameterGroup";
        return null;
    }

    /// <summary>The <c>[SamVariant]</c> of a type, or null.</summary>
    public AttributeData? FindSamVariant(INamedTypeSymbol type)
    {
        foreach (AttributeData attribute in type.GetAttributes())
            if (Is(attribute.AttributeClass, SamVariant)) return attribute;
        return null;
    }

    /// <summary>Whether the generator wrote <paramref name="member"/>: it carries <c>[GeneratedCode("NoiseSam.Dsl.Generators", ...)]</c>.</summary>
    public static bool IsGenerated(ISymbol member)
    {
        foreach (AttributeData attribute in member.GetAttributes())
            if (attribute.AttributeClass?.ToDisplayString() == TypeNames.GeneratedCodeAttribute
                && attribute.ConstructorArguments.Length > 0
                && attribute.ConstructorArguments[0].Value as string == GeneratedMembers.Tool)
                return true;
        return false;
    }

    private static bool Is(INamedTypeSymbol? type, INamedTypeSymbol? expected) =>
        expected is not null && SymbolEqualityComparer.Default.Equals(type, expected);
}
