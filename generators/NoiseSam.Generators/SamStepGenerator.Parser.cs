using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using NoiseSam.Analyzers.Declarations;
using NoiseSam.Generators.Models;

namespace NoiseSam.Generators;

public sealed partial class SamStepGenerator
{
    /// <summary>
    /// Reads a <c>[SamVariant]</c> class with the shared <see cref="SamDeclaration"/> (the analyzers'
    /// reader and shape check) into a <see cref="SamVariantSpec"/>. Nothing is generated exactly when
    /// the declaration blocks generation, that is when an analyzer (or, for an unreadable attribute,
    /// the compiler) reports an error on the user's code.
    /// </summary>
    internal static class Parser
    {
        private static readonly ParseResult Nothing = new(null, null);

        public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken token)
        {
            if (context.TargetSymbol is not INamedTypeSymbol type) return Nothing;
            try
            {
                TestHooks.Run(TestHooks.ParseStage, type.Name);
                if (DslSymbols.TryCreate(context.SemanticModel.Compilation) is not { } symbols) return Nothing;
                if (SamDeclaration.Read(type, symbols, token) is not { } declaration || declaration.BlocksGeneration) return Nothing;
                token.ThrowIfCancellationRequested();

                var location = LocationInfo.CreateFrom(SamVariantShape.ClassLocation(type, declaration.SamVariant, token));
                return new ParseResult(
                    new SamVariantSpec(GetHierarchy(type), declaration.Values, type.IsSealed, declaration.ShouldPerturb?.DefinitionToEmit, location),
                    null);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A bug of the generator, not of the user's code: report it on the class (NSAM017), never throw.
                var location = type.Locations.Length > 0 ? LocationInfo.CreateFrom(type.Locations[0]) : null;
                return new ParseResult(null, new GeneratorFailure(type.Name, Diagnostics.Describe(e), location));
            }
        }

        // The shape check has accepted the class: every container is partial, non-generic and not file-local.
        private static HierarchyInfo GetHierarchy(INamedTypeSymbol type)
        {
            var containers = ImmutableArray.CreateBuilder<ContainingTypeInfo>();
            var chain = ImmutableArray.CreateBuilder<Accessibility>();
            string metadataName = type.MetadataName;
            for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                containers.Insert(0, new ContainingTypeInfo(Keyword(outer), Identifiers.Escape(outer.Name), IsModuleLevel(outer.DeclaredAccessibility)));
                chain.Insert(0, outer.DeclaredAccessibility);
                metadataName = outer.MetadataName + "+" + metadataName;
            }
            chain.Add(type.DeclaredAccessibility);

            var namespaces = ImmutableArray.CreateBuilder<INamespaceSymbol>();
            for (var ns = type.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
                namespaces.Insert(0, ns);
            string written = string.Join(".", namespaces.Select(ns => Identifiers.Escape(ns.Name)));
            if (namespaces.Count > 0) metadataName = string.Join(".", namespaces.Select(ns => ns.MetadataName)) + "." + metadataName;

            return new HierarchyInfo(written, containers.ToImmutable(), Identifiers.Escape(type.Name), metadataName, RegistrationLevel(chain.ToImmutable()));
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

        private static string Keyword(INamedTypeSymbol type) => type.TypeKind switch
        {
            TypeKind.Struct => type.IsRecord ? "record struct" : "struct",
            TypeKind.Interface => "interface",
            _ => type.IsRecord ? "record" : "class",
        };
    }
}
