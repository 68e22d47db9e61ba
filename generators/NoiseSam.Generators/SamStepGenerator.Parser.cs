using System;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NoiseSam.Dsl;
using NoiseSam.Generators.Helpers;
using NoiseSam.Generators.Models;
using NoiseSam.Rules;

namespace NoiseSam.Generators;

public sealed partial class SamStepGenerator
{
    /// <summary>Reads a <c>[SamVariant]</c> class into a <see cref="SamVariantSpec"/>; null when nothing should be generated.</summary>
    internal static class Parser
    {
        public static SamVariantSpec? Parse(GeneratorAttributeSyntaxContext context, CancellationToken token)
        {
            try
            {
                if (context.TargetSymbol is not INamedTypeSymbol type) return null;
                token.ThrowIfCancellationRequested();
                var hierarchy = GetHierarchy(type);
                if (hierarchy is null) return null;

                var declaration = ReadDeclaration(type);
                if (declaration is null || !AllEnumsDefined(declaration) || !SamDeclarationRules.IsValid(declaration.ToDeclarationValues())) return null;
                if (declaration.Policy == SchedulePolicy.Custom && !HasShouldPerturb(type)) return null;
                token.ThrowIfCancellationRequested();
                return new SamVariantSpec(hierarchy, declaration);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception)
            {
                // The generator never throws on user code: an unreadable declaration generates nothing.
                return null;
            }
        }

        // NSAM001/002 (reported by the analyzers): partial, not static/generic/abstract, every
        // container partial. Generic containers are rejected too: a module initializer cannot name
        // a type nested in an open generic type.
        private static HierarchyInfo? GetHierarchy(INamedTypeSymbol type)
        {
            if (type.TypeKind != TypeKind.Class || type.IsStatic || type.IsAbstract || type.IsGenericType) return null;
            if (!IsPartialEverywhere(type)) return null;

            var containers = ImmutableArray.CreateBuilder<ContainingTypeInfo>();
            var chain = ImmutableArray.CreateBuilder<Accessibility>();
            for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                if (outer.IsGenericType || !IsPartialEverywhere(outer)) return null;
                string? keyword = Keyword(outer);
                if (keyword is null) return null;
                containers.Insert(0, new ContainingTypeInfo(keyword, outer.Name, IsModuleLevel(outer.DeclaredAccessibility)));
                chain.Insert(0, outer.DeclaredAccessibility);
            }
            chain.Add(type.DeclaredAccessibility);

            string ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : "";
            string metadataName = string.Join("+", containers.Select(c => c.Name).Concat(new[] { type.Name }));
            if (ns.Length > 0) metadataName = ns + "." + metadataName;
            return new HierarchyInfo(ns, containers.ToImmutable(), type.Name, metadataName, RegistrationLevel(chain.ToImmutable()));
        }

        // The deepest type on the chain that is accessible at module level (so it may hold a
        // [ModuleInitializer]) and from which the class is accessible: every type more than one
        // level below it must be at least internal.
        private static int RegistrationLevel(ImmutableArray<Accessibility> chain)
        {
            int best = -1;
            for (int i = 0; i < chain.Length; i++)
            {
                if (!IsModuleLevel(chain[i])) break;
                bool visible = true;
                for (int j = i + 2; j < chain.Length; j++)
                    visible &= IsModuleLevel(chain[j]);
                if (visible) best = i;
            }
            return best;
        }

        private static bool IsModuleLevel(Accessibility accessibility) =>
            accessibility is Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal;

        private static bool IsPartialEverywhere(INamedTypeSymbol type)
        {
            if (type.DeclaringSyntaxReferences.Length == 0) return false;
            foreach (var reference in type.DeclaringSyntaxReferences)
                if (reference.GetSyntax() is not TypeDeclarationSyntax syntax || !syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
                    return false;
            return true;
        }

        private static string? Keyword(INamedTypeSymbol type) => type.TypeKind switch
        {
            TypeKind.Class => type.IsRecord ? "record" : "class",
            TypeKind.Struct => type.IsRecord ? "record struct" : "struct",
            TypeKind.Interface => "interface",
            _ => null,
        };

        // Custom schedules call the user's ShouldPerturb(in StepContext) (NSAM008 when it is missing).
        private static bool HasShouldPerturb(INamedTypeSymbol type) =>
            type.GetMembers("ShouldPerturb").OfType<IMethodSymbol>().Any(m =>
                !m.IsStatic
                && m.ReturnType.SpecialType == SpecialType.System_Boolean
                && m.Parameters.Length == 1
                && m.Parameters[0].RefKind is RefKind.In or RefKind.None
                && m.Parameters[0].Type.ToDisplayString() == TypeNames.StepContext);

        private static VariantDeclaration? ReadDeclaration(INamedTypeSymbol type)
        {
            var d = new VariantDeclaration();
            bool seenVariant = false;
            // [SamVariant] twice (on two partial parts) is a compile error; generating for each
            // attribute would also add the same hint name twice.
            if (type.GetAttributes().Count(a => a.AttributeClass?.ToDisplayString() == TypeNames.SamVariantAttribute) != 1) return null;
            foreach (var attribute in type.GetAttributes())
            {
                string? name = attribute.AttributeClass?.ToDisplayString();
                if (name is null) continue;
                if (HasErrors(attribute) && IsDsl(name)) return null;
                switch (name)
                {
                    case TypeNames.SamVariantAttribute:
                        if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Value is not string variantName) return null;
                        seenVariant = true;
                        d = d with { Name = variantName };
                        foreach (var arg in attribute.NamedArguments)
                        {
                            d = arg.Key switch
                            {
                                "Rho" => d with { Rho = ToDouble(arg.Value) },
                                "Perturbation" => d with { Perturbation = (PerturbationKind)ToInt(arg.Value) },
                                "Eta" => d with { Eta = ToDouble(arg.Value) },
                                "Beta" => d with { Beta = ToDouble(arg.Value) },
                                _ => d,
                            };
                        }
                        break;

                    case TypeNames.MicroBatchAttribute:
                        d = d with { HasMicroBatch = true };
                        foreach (var arg in attribute.NamedArguments)
                        {
                            d = arg.Key switch
                            {
                                "Fraction" => d with { Fraction = ToDouble(arg.Value) },
                                "Selection" => d with { Selection = (MicroBatchSelection)ToInt(arg.Value) },
                                "FinalFraction" => d with { FinalFraction = ToDouble(arg.Value) },
                                "FractionSchedule" => d with { FractionSchedule = (FractionSchedule)ToInt(arg.Value) },
                                _ => d,
                            };
                        }
                        break;

                    case TypeNames.DescentSelectionAttribute:
                        if (attribute.ConstructorArguments.Length != 1) return null;
                        d = d with { DescentSet = (DescentSet)ToInt(attribute.ConstructorArguments[0]) };
                        foreach (var arg in attribute.NamedArguments)
                            if (arg.Key == "Fraction") d = d with { DescentFraction = ToDouble(arg.Value) };
                        break;

                    case TypeNames.NoiseAttribute:
                        if (attribute.ConstructorArguments.Length != 1) return null;
                        d = d with { Distribution = (NoiseDistribution)ToInt(attribute.ConstructorArguments[0]) };
                        foreach (var arg in attribute.NamedArguments)
                        {
                            d = arg.Key switch
                            {
                                "Sigma" => d with { Sigma = ToDouble(arg.Value) },
                                "Scaling" => d with { Scaling = (NoiseScaling)ToInt(arg.Value) },
                                _ => d,
                            };
                        }
                        break;

                    case TypeNames.ScheduleAttribute:
                        if (attribute.ConstructorArguments.Length != 1) return null;
                        d = d with { Policy = (SchedulePolicy)ToInt(attribute.ConstructorArguments[0]) };
                        foreach (var arg in attribute.NamedArguments)
                        {
                            d = arg.Key switch
                            {
                                "K" => d with { K = ToInt(arg.Value) },
                                "Probability" => d with { Probability = ToDouble(arg.Value) },
                                "Alpha" => d with { Alpha = ToDouble(arg.Value) },
                                "C" => d with { C = ToDouble(arg.Value) },
                                "Delta" => d with { Delta = ToDouble(arg.Value) },
                                _ => d,
                            };
                        }
                        break;

                    case TypeNames.BaseOptimizerAttribute:
                        if (attribute.ConstructorArguments.Length != 1) return null;
                        d = d with { Optimizer = (OptimizerKind)ToInt(attribute.ConstructorArguments[0]) };
                        foreach (var arg in attribute.NamedArguments)
                        {
                            d = arg.Key switch
                            {
                                "LearningRate" => d with { LearningRate = ToDouble(arg.Value) },
                                "Momentum" => d with { Momentum = ToDouble(arg.Value) },
                                "Nesterov" => d with { Nesterov = arg.Value.Value is bool b ? b : throw new InvalidOperationException("Nesterov") },
                                "WeightDecay" => d with { WeightDecay = ToDouble(arg.Value) },
                                "Beta1" => d with { Beta1 = ToDouble(arg.Value) },
                                "Beta2" => d with { Beta2 = ToDouble(arg.Value) },
                                "Epsilon" => d with { Epsilon = ToDouble(arg.Value) },
                                _ => d,
                            };
                        }
                        break;
                }
            }
            return seenVariant && !string.IsNullOrWhiteSpace(d.Name) ? d : null;
        }

        // A cast such as (PerturbationKind)42 compiles but names no behaviour: generate nothing.
        private static bool AllEnumsDefined(VariantDeclaration d) =>
            Defined(d.Perturbation) && Defined(d.Selection) && Defined(d.FractionSchedule) && Defined(d.DescentSet)
            && Defined(d.Distribution) && Defined(d.Scaling) && Defined(d.Policy) && Defined(d.Optimizer);

        private static bool Defined<TEnum>(TEnum? value)
            where TEnum : struct, Enum => value is not { } v || Enum.IsDefined(typeof(TEnum), v);

        private static bool IsDsl(string name) =>
            name is TypeNames.SamVariantAttribute or TypeNames.MicroBatchAttribute or TypeNames.DescentSelectionAttribute
                or TypeNames.NoiseAttribute or TypeNames.ScheduleAttribute or TypeNames.BaseOptimizerAttribute;

        private static bool HasErrors(AttributeData attribute) =>
            attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error)
            || attribute.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error);

        // Values that cannot be read (an error in the user's code) abort the parse; Parse catches it.
        private static double ToDouble(TypedConstant constant) => constant.Value switch
        {
            double d => d,
            float f => f,
            int i => i,
            long l => l,
            IConvertible c => c.ToDouble(CultureInfo.InvariantCulture),
            _ => throw new InvalidOperationException("not a number"),
        };

        private static int ToInt(TypedConstant constant) => constant.Value switch
        {
            int i => i,
            IConvertible c => c.ToInt32(CultureInfo.InvariantCulture),
            _ => throw new InvalidOperationException("not an integer"),
        };
    }
}
