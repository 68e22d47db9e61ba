using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis;
using NoiseSam.Dsl;
using NoiseSam.Rules;

namespace NoiseSam.Analyzers.Helpers;

/// <summary>
/// Turns the DSL attributes of a class into <see cref="SamDeclarationValues"/>: a named argument
/// that is written becomes a non-null value, one that is not stays null (the documented default
/// applies), and the constructor arguments fill the enum fields. This is the only translation
/// between attributes and the shared rules, so the IDE and <c>SamVariantDescriptor.Validate()</c>
/// see the same values.
/// </summary>
internal static class SamDeclarationReader
{
    /// <summary>The declaration's values and the attribute each DSL name ("MicroBatch", ...) came from.</summary>
    public static SamDeclarationValues Read(INamedTypeSymbol type, DslSymbols symbols, out Dictionary<string, AttributeData> attributes)
    {
        attributes = new Dictionary<string, AttributeData>(StringComparer.Ordinal);
        var values = new SamDeclarationValues();
        foreach (AttributeData attribute in type.GetAttributes())
        {
            string? name = symbols.DslName(attribute);
            if (name is null || attributes.ContainsKey(name)) continue;
            attributes.Add(name, attribute);
            switch (name)
            {
                case "SamVariant": ReadSamVariant(attribute, values); break;
                case "MicroBatch": ReadMicroBatch(attribute, values); break;
                case "DescentSelection": ReadDescentSelection(attribute, values); break;
                case "Noise": ReadNoise(attribute, values); break;
                case "Schedule": ReadSchedule(attribute, values); break;
                case "BaseOptimizer": ReadBaseOptimizer(attribute, values); break;
            }
        }
        return values;
    }

    /// <summary>The registry name written in <c>[SamVariant(name)]</c> ("" when null or not a string).</summary>
    public static string ReadName(AttributeData samVariant) =>
        samVariant.ConstructorArguments.Length > 0 && samVariant.ConstructorArguments[0].Value is string name ? name : "";

    private static void ReadSamVariant(AttributeData a, SamDeclarationValues v)
    {
        v.Name = ReadName(a);
        foreach (KeyValuePair<string, TypedConstant> named in a.NamedArguments)
        {
            switch (named.Key)
            {
                case "Rho": v.Rho = AsDouble(named.Value); break;
                case "Perturbation": v.Perturbation = AsEnum<PerturbationKind>(named.Value) ?? v.Perturbation; break;
                case "Eta": v.Eta = AsDouble(named.Value); break;
                case "Beta": v.Beta = AsDouble(named.Value); break;
            }
        }
    }

    private static void ReadMicroBatch(AttributeData a, SamDeclarationValues v)
    {
        v.HasMicroBatch = true;
        foreach (KeyValuePair<string, TypedConstant> named in a.NamedArguments)
        {
            switch (named.Key)
            {
                case "Fraction": v.Fraction = AsDouble(named.Value); break;
                case "Selection": v.Selection = AsEnum<MicroBatchSelection>(named.Value); break;
                case "FinalFraction": v.FinalFraction = AsDouble(named.Value); break;
                case "FractionSchedule": v.FractionSchedule = AsEnum<FractionSchedule>(named.Value); break;
            }
        }
    }

    private static void ReadDescentSelection(AttributeData a, SamDeclarationValues v)
    {
        v.HasDescentSelection = true;
        v.DescentSet = ConstructorEnum<DescentSet>(a) ?? DescentSet.All;
        foreach (KeyValuePair<string, TypedConstant> named in a.NamedArguments)
            if (named.Key == "Fraction") v.DescentFraction = AsDouble(named.Value);
    }

    private static void ReadNoise(AttributeData a, SamDeclarationValues v)
    {
        v.HasNoise = true;
        v.Distribution = ConstructorEnum<NoiseDistribution>(a) ?? NoiseDistribution.Gaussian;
        foreach (KeyValuePair<string, TypedConstant> named in a.NamedArguments)
        {
            switch (named.Key)
            {
                case "Sigma": v.Sigma = AsDouble(named.Value); break;
                case "Scaling": v.Scaling = AsEnum<NoiseScaling>(named.Value); break;
            }
        }
    }

    private static void ReadSchedule(AttributeData a, SamDeclarationValues v)
    {
        v.HasSchedule = true;
        v.Policy = ConstructorEnum<SchedulePolicy>(a) ?? SchedulePolicy.Always;
        foreach (KeyValuePair<string, TypedConstant> named in a.NamedArguments)
        {
            switch (named.Key)
            {
                case "K": v.K = AsInt(named.Value); break;
                case "Probability": v.Probability = AsDouble(named.Value); break;
                case "Alpha": v.Alpha = AsDouble(named.Value); break;
                case "C": v.C = AsDouble(named.Value); break;
                case "Delta": v.Delta = AsDouble(named.Value); break;
            }
        }
    }

    private static void ReadBaseOptimizer(AttributeData a, SamDeclarationValues v)
    {
        v.HasBaseOptimizer = true;
        v.Optimizer = ConstructorEnum<OptimizerKind>(a) ?? OptimizerKind.Sgd;
        foreach (KeyValuePair<string, TypedConstant> named in a.NamedArguments)
        {
            switch (named.Key)
            {
                case "LearningRate": v.LearningRate = AsDouble(named.Value); break;
                case "Momentum": v.Momentum = AsDouble(named.Value); break;
                case "Nesterov": v.Nesterov = named.Value.Kind == TypedConstantKind.Primitive && named.Value.Value is bool b ? b : null; break;
                case "WeightDecay": v.WeightDecay = AsDouble(named.Value); break;
                case "Beta1": v.Beta1 = AsDouble(named.Value); break;
                case "Beta2": v.Beta2 = AsDouble(named.Value); break;
                case "Epsilon": v.Epsilon = AsDouble(named.Value); break;
            }
        }
    }

    private static T? ConstructorEnum<T>(AttributeData a) where T : struct, Enum =>
        a.ConstructorArguments.Length > 0 ? AsEnum<T>(a.ConstructorArguments[0]) : null;

    private static double? AsDouble(TypedConstant constant) =>
        constant.Kind == TypedConstantKind.Primitive && constant.Value is IConvertible c && constant.Value is not bool and not string
            ? c.ToDouble(CultureInfo.InvariantCulture)
            : null;

    private static int? AsInt(TypedConstant constant) =>
        constant.Kind == TypedConstantKind.Primitive && constant.Value is int i ? i : null;

    private static T? AsEnum<T>(TypedConstant constant) where T : struct, Enum =>
        constant.Kind == TypedConstantKind.Enum && constant.Value is IConvertible c
            ? (T)Enum.ToObject(typeof(T), c.ToInt32(CultureInfo.InvariantCulture))
            : null;
}
