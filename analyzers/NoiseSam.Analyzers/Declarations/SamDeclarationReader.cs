using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis;
using NoiseSam.Dsl;
using NoiseSam.Rules;

namespace NoiseSam.Analyzers.Declarations;

/// <summary>
/// The one reader of the DSL attributes, linked into the generator and the analyzers: turns the
/// attributes of a class into the values record <see cref="SamVariantDescriptor"/>. A named argument
/// that is written becomes a non-null member, one that is not stays null (the documented default
/// applies); an attribute that is present becomes its spec. So the IDE, the generated descriptor and
/// <c>SamVariantDescriptor.Validate()</c> see the same values.
/// </summary>
internal static class SamDeclarationReader
{
    /// <summary>The values of a class's DSL attributes, where each came from, and whether any could not be read.</summary>
    public sealed class Result
    {
        internal Result(SamVariantDescriptor values, Dictionary<string, AttributeData> attributes, bool unreadable)
        {
            Values = values;
            Attributes = attributes;
            Unreadable = unreadable;
        }

        /// <summary>The declaration as values.</summary>
        public SamVariantDescriptor Values { get; }

        /// <summary>The attribute each DSL name ("SamVariant", "MicroBatch", ...) came from.</summary>
        public IReadOnlyDictionary<string, AttributeData> Attributes { get; }

        /// <summary>
        /// Some DSL attribute could not be read: an argument with a compile error, the wrong type or
        /// count of constructor arguments, or an attribute written twice. The compiler reports each of
        /// these in the user's code; nothing is generated.
        /// </summary>
        public bool Unreadable { get; }
    }

    /// <summary>Reads the DSL attributes of <paramref name="type"/>.</summary>
    public static Result Read(INamedTypeSymbol type, DslSymbols symbols)
    {
        var reading = new Reading();
        var attributes = new Dictionary<string, AttributeData>(StringComparer.Ordinal);
        var d = new SamVariantDescriptor("");
        var groups = new List<ParameterGroupSpec>();
        foreach (AttributeData attribute in type.GetAttributes())
        {
            string? name = symbols.DslName(attribute);
            if (name is null) continue;
            if (name == "ParameterGroup")
            {
                // Repeatable: each is kept under its position ("ParameterGroup#0", ...), as the rules name it.
                attributes.Add(SamDeclarationRules.ParameterGroupKey(groups.Count), attribute);
                if (attribute.AttributeConstructor is null) reading.Unreadable = true;
                groups.Add(ReadParameterGroup(attribute, reading));
                continue;
            }
            if (attributes.ContainsKey(name))
            {
                reading.Unreadable = true;
                continue;
            }
            attributes.Add(name, attribute);
            if (attribute.AttributeConstructor is null) reading.Unreadable = true;
            d = name switch
            {
                "SamVariant" => ReadSamVariant(attribute, d, reading),
                "MicroBatch" => d with { MicroBatch = ReadMicroBatch(attribute, reading) },
                "DescentSelection" => d with { DescentSelection = ReadDescentSelection(attribute, reading) },
                "Noise" => d with { Noise = ReadNoise(attribute, reading) },
                "Schedule" => d with { Schedule = ReadSchedule(attribute, reading) },
                "BaseOptimizer" => d with { BaseOptimizer = ReadBaseOptimizer(attribute, reading) },
                "Accumulation" => d with { Accumulation = ReadAccumulation(attribute, reading) },
                _ => d,
            };
        }
        if (groups.Count > 0) d = d with { ParameterGroups = groups };
        return new Result(d, attributes, reading.Unreadable);
    }

    /// <summary>The registry name written in <c>[SamVariant(name)]</c> ("" when null or not a string).</summary>
    public static string ReadName(AttributeData samVariant) =>
        samVariant.ConstructorArguments.Length > 0 && samVariant.ConstructorArguments[0].Value is string name ? name : "";

    // One line per argument: adding a parameter to an attribute adds one line here.
    private static SamVariantDescriptor ReadSamVariant(AttributeData a, SamVariantDescriptor d, Reading r)
    {
        r.ConstructorArguments(a, 1);
        return Named(a, d with { Name = ReadName(a) }, (v, name, value) => name switch
        {
            "Rho" => v with { Rho = r.Double(value) },
            "Perturbation" => v with { Perturbation = r.Enum<PerturbationKind>(value) ?? v.Perturbation },
            "Eta" => v with { Eta = r.Double(value) },
            "Beta" => v with { Beta = r.Double(value) },
            _ => v,
        });
    }

    private static MicroBatchSpec ReadMicroBatch(AttributeData a, Reading r)
    {
        r.ConstructorArguments(a, 0);
        return Named(a, new MicroBatchSpec(), (spec, name, value) => name switch
        {
            "Fraction" => spec with { Fraction = r.Double(value) },
            "Selection" => spec with { Selection = r.Enum<MicroBatchSelection>(value) },
            "FinalFraction" => spec with { FinalFraction = r.Double(value) },
            "FractionSchedule" => spec with { FractionSchedule = r.Enum<FractionSchedule>(value) },
            _ => spec,
        });
    }

    private static DescentSelectionSpec ReadDescentSelection(AttributeData a, Reading r) =>
        Named(a, new DescentSelectionSpec(r.ConstructorEnum<DescentSet>(a) ?? DescentSet.All), (spec, name, value) => name switch
        {
            "Fraction" => spec with { Fraction = r.Double(value) },
            _ => spec,
        });

    private static NoiseSpec ReadNoise(AttributeData a, Reading r) =>
        Named(a, new NoiseSpec(r.ConstructorEnum<NoiseDistribution>(a) ?? NoiseDistribution.Gaussian), (spec, name, value) => name switch
        {
            "Sigma" => spec with { Sigma = r.Double(value) },
            "Scaling" => spec with { Scaling = r.Enum<NoiseScaling>(value) },
            _ => spec,
        });

    private static ScheduleSpec ReadSchedule(AttributeData a, Reading r) =>
        Named(a, new ScheduleSpec(r.ConstructorEnum<SchedulePolicy>(a) ?? SchedulePolicy.Always), (spec, name, value) => name switch
        {
            "K" => spec with { K = r.Int(value) },
            "Probability" => spec with { Probability = r.Double(value) },
            "Alpha" => spec with { Alpha = r.Double(value) },
            "C" => spec with { C = r.Double(value) },
            "Delta" => spec with { Delta = r.Double(value) },
            _ => spec,
        });

    private static BaseOptimizerSpec ReadBaseOptimizer(AttributeData a, Reading r) =>
        Named(a, new BaseOptimizerSpec(r.ConstructorEnum<OptimizerKind>(a) ?? OptimizerKind.Sgd), (spec, name, value) => name switch
        {
            "LearningRate" => spec with { LearningRate = r.Double(value) },
            "Momentum" => spec with { Momentum = r.Double(value) },
            "Nesterov" => spec with { Nesterov = r.Bool(value) },
            "WeightDecay" => spec with { WeightDecay = r.Double(value) },
            "Beta1" => spec with { Beta1 = r.Double(value) },
            "Beta2" => spec with { Beta2 = r.Double(value) },
            "Epsilon" => spec with { Epsilon = r.Double(value) },
            "MaxGradNorm" => spec with { MaxGradNorm = r.Double(value) },
            "NoDecayOnBiasAndNorm" => spec with { NoDecayOnBiasAndNorm = r.Bool(value) },
            _ => spec,
        });

    private static AccumulationSpec ReadAccumulation(AttributeData a, Reading r) =>
        Named(a, new AccumulationSpec(r.ConstructorInt(a) ?? 1), (spec, name, value) => name switch
        {
            "Ascent" => spec with { Ascent = r.Enum<AccumulationAscent>(value) },
            _ => spec,
        });

    private static ParameterGroupSpec ReadParameterGroup(AttributeData a, Reading r) =>
        Named(a, new ParameterGroupSpec(r.ConstructorString(a) ?? ""), (spec, name, value) => name switch
        {
            "LearningRateScale" => spec with { LearningRateScale = r.Double(value) },
            _ => spec,
        });

    // Folds the attribute's named arguments into its spec.
    private static T Named<T>(AttributeData a, T spec, Func<T, string, TypedConstant, T> apply)
    {
        foreach (KeyValuePair<string, TypedConstant> named in a.NamedArguments)
            spec = apply(spec, named.Key, named.Value);
        return spec;
    }

    /// <summary>Typed reads of attribute arguments; a value that cannot be read sets <see cref="Unreadable"/> and reads as null.</summary>
    private sealed class Reading
    {
        public bool Unreadable { get; set; }

        public void ConstructorArguments(AttributeData a, int count)
        {
            if (a.ConstructorArguments.Length != count) Unreadable = true;
            foreach (TypedConstant argument in a.ConstructorArguments)
                if (argument.Kind == TypedConstantKind.Error) Unreadable = true;
        }

        public T? ConstructorEnum<T>(AttributeData a)
            where T : struct, Enum
        {
            if (a.ConstructorArguments.Length != 1)
            {
                Unreadable = true;
                return null;
            }
            return Enum<T>(a.ConstructorArguments[0]);
        }

        public int? ConstructorInt(AttributeData a)
        {
            if (a.ConstructorArguments.Length == 1) return Int(a.ConstructorArguments[0]);
            Unreadable = true;
            return null;
        }

        // A null string argument is readable (the rules report it as an empty prefix).
        public string? ConstructorString(AttributeData a)
        {
            if (a.ConstructorArguments.Length == 1 && a.ConstructorArguments[0].Kind == TypedConstantKind.Primitive)
                return a.ConstructorArguments[0].Value as string ?? "";
            Unreadable = true;
            return null;
        }

        public double? Double(TypedConstant c) =>
            Readable(c.Kind == TypedConstantKind.Primitive && c.Value is IConvertible and not bool and not string)
                ? Convert.ToDouble(c.Value, CultureInfo.InvariantCulture)
                : null;

        public int? Int(TypedConstant c) => Readable(c.Kind == TypedConstantKind.Primitive && c.Value is int) ? (int)c.Value! : null;

        public bool? Bool(TypedConstant c) => Readable(c.Kind == TypedConstantKind.Primitive && c.Value is bool) ? (bool)c.Value! : null;

        public T? Enum<T>(TypedConstant c)
            where T : struct, Enum =>
            Readable(c.Kind == TypedConstantKind.Enum && c.Value is IConvertible)
                ? (T)System.Enum.ToObject(typeof(T), Convert.ToInt32(c.Value, CultureInfo.InvariantCulture))
                : null;

        private bool Readable(bool readable)
        {
            Unreadable |= !readable;
            return readable;
        }
    }
}
