using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NoiseSam.Rules;

namespace NoiseSam.Analyzers.Declarations;

/// <summary>
/// The one shape check of a <c>[SamVariant]</c> class, linked into the generator and the analyzers:
/// which classes the generator can extend (NSAM001, NSAM002) and which member names it owns
/// (NSAM016). Every problem found blocks generation, and the analyzers report exactly these. It
/// sees the class as written by the user: members the generator wrote (they carry its
/// <c>[GeneratedCode]</c>) are ignored, so the analyzers, which run after generation, agree with the
/// generator, which runs before.
/// </summary>
internal static class SamVariantShape
{
    public static List<DeclarationProblem> Check(INamedTypeSymbol type, AttributeData samVariant, string variantName, DslSymbols symbols, CancellationToken cancellationToken)
    {
        var problems = new List<DeclarationProblem>();
        string name = type.Name;
        Location classLocation = ClassLocation(type, samVariant, cancellationToken);

        if (type.TypeKind != TypeKind.Class)
            Invalid(problems, classLocation, $"Variant class '{name}' must be a class: the generator adds a training step with state to it; declare it as 'partial class'");

        CheckDeclarations(type, problems, cancellationToken);
        CheckContainers(type, classLocation, problems, cancellationToken);
        CheckBaseTypes(type, symbols, classLocation, problems, cancellationToken);
        CheckRequiredMembers(type, classLocation, problems);
        CheckReservedNames(type, symbols, classLocation, problems);

        if (string.IsNullOrWhiteSpace(variantName))
            Invalid(problems, AttributeSyntaxLocator.Locate(samVariant, "Name", type, cancellationToken), SamDeclarationRules.EmptyNameMessage);
        return problems;
    }

    /// <summary>The identifier of the declaration that carries <c>[SamVariant]</c> (the user's part of the class).</summary>
    public static Location ClassLocation(INamedTypeSymbol type, AttributeData samVariant, CancellationToken cancellationToken)
    {
        if (AttributeSyntaxLocator.GetSyntax(samVariant, cancellationToken)?.FirstAncestorOrSelf<BaseTypeDeclarationSyntax>() is { } declaration)
            return declaration.Identifier.GetLocation();
        return type.Locations.Length > 0 ? type.Locations[0] : Location.None;
    }

    // NSAM001 on each part without 'partial'; NSAM002 on the modifiers, type parameters, record
    // keyword and parameter list the generator cannot live with.
    private static void CheckDeclarations(INamedTypeSymbol type, List<DeclarationProblem> problems, CancellationToken cancellationToken)
    {
        string name = type.Name;
        bool reportedGeneric = false, reportedRecord = false;
        foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is not TypeDeclarationSyntax declaration) continue;

            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                problems.Add(new DeclarationProblem(SamDiagnosticIds.NotPartial, declaration.Identifier.GetLocation(), name));

            foreach (SyntaxToken modifier in declaration.Modifiers)
            {
                string? why = modifier.Kind() switch
                {
                    SyntaxKind.StaticKeyword => "must not be static: the generator adds a constructor and instance members",
                    SyntaxKind.AbstractKeyword => "must not be abstract: the variant registry creates instances of it",
                    SyntaxKind.FileKeyword => "must not be file-local: the generator declares the other part of the class in another file, where a 'file' class is a different class",
                    _ => null,
                };
                if (why is not null)
                    problems.Add(new DeclarationProblem(SamDiagnosticIds.InvalidTargetType, modifier.GetLocation(), $"Variant class '{name}' {why}; remove '{modifier.Text}'")
                        .WithRemovableModifier(modifier.Text));
            }

            if (declaration.TypeParameterList is { } typeParameters && !reportedGeneric)
            {
                reportedGeneric = true;
                Invalid(problems, typeParameters.GetLocation(), $"Variant class '{name}' must not be generic: the variant registry creates it without type arguments; remove the type parameters");
            }

            if (declaration is RecordDeclarationSyntax record)
            {
                if (!reportedRecord)
                {
                    reportedRecord = true;
                    Invalid(problems, record.Keyword.GetLocation(), $"Variant class '{name}' must be a class, not a record: record equality, printing and 'with' copies would share the training step's state; declare it as 'partial class'");
                }
            }
            else if (declaration.ParameterList is { } parameters)
            {
                Invalid(problems, parameters.GetLocation(), $"Variant class '{name}' must not have a primary constructor: the generated constructor (model, options) cannot pass its parameters; remove the parameter list");
            }
        }
    }

    private static void CheckContainers(INamedTypeSymbol type, Location classLocation, List<DeclarationProblem> problems, CancellationToken cancellationToken)
    {
        string name = type.Name;
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            string outerName = outer.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
            if (!IsPartialEverywhere(outer, cancellationToken))
                Invalid(problems, classLocation, $"Variant class '{name}' is nested in '{outer.Name}', which is not partial: the generator cannot add the step to it; make '{outer.Name}' partial or move '{name}' out of it");
            if (outer.TypeParameters.Length > 0)
                Invalid(problems, classLocation, $"Variant class '{name}' is nested in generic type '{outerName}': the variant registry creates it without type arguments; move '{name}' out of it");
            if (outer.IsFileLocal)
                Invalid(problems, classLocation, $"Variant class '{name}' is nested in file-local type '{outerName}': the generator declares the other part in another file, where a 'file' type is a different type; remove 'file' or move '{name}' out of it");
        }
    }

    // A variant deriving from a variant would get a second generated step, constructor and
    // registration hiding the base's.
    private static void CheckBaseTypes(INamedTypeSymbol type, DslSymbols symbols, Location classLocation, List<DeclarationProblem> problems, CancellationToken cancellationToken)
    {
        for (INamedTypeSymbol? baseType = type.BaseType; baseType is not null; baseType = baseType.BaseType)
        {
            if (symbols.FindSamVariant(baseType) is null) continue;
            Invalid(problems, BaseListLocation(type, cancellationToken) ?? classLocation,
                $"Variant class '{type.Name}' derives from variant class '{baseType.Name}': each variant gets its own generated step, constructor and registration, which would hide those of '{baseType.Name}'; derive both from a class that is not a variant");
            return;
        }
    }

    private static void CheckRequiredMembers(INamedTypeSymbol type, Location classLocation, List<DeclarationProblem> problems)
    {
        for (INamedTypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            foreach (ISymbol member in current.GetMembers())
            {
                bool required = member is IPropertySymbol { IsRequired: true } or IFieldSymbol { IsRequired: true };
                if (!required) continue;
                bool own = SymbolEqualityComparer.Default.Equals(current, type) && member.Locations.Length > 0;
                var problem = new DeclarationProblem(SamDiagnosticIds.InvalidTargetType, own ? member.Locations[0] : classLocation,
                    $"Variant class '{type.Name}' has required member '{member.Name}': the variant registry creates it with new {type.Name}(model, options), which cannot set it; remove 'required'");
                problems.Add(own ? problem.WithRemovableModifier("required") : problem);
            }
        }
    }

    // NSAM016: the generator adds Descriptor, Step, ...: a class of that name, or a member of that
    // name (declared or inherited and visible), would clash with them inside the generated file.
    private static void CheckReservedNames(INamedTypeSymbol type, DslSymbols symbols, Location classLocation, List<DeclarationProblem> problems)
    {
        string name = type.Name;
        if (IsReserved(name))
            Reserved(problems, classLocation, $"Variant class '{name}' has the name of a member the generator adds to it ('{name}'); a member cannot have the name of its class: rename the class");

        foreach (ISymbol member in type.GetMembers())
        {
            if (member.IsImplicitlyDeclared || DslSymbols.IsGenerated(member) || member.Locations.Length == 0) continue;
            if (IsReserved(member.Name))
                Reserved(problems, member.Locations[0], $"Variant class '{name}' declares {KindName(member)} '{member.Name}', but the generator adds a member named '{member.Name}' to the class: rename the {KindName(member)}");
            else if (member is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor && HasGeneratedConstructorSignature(constructor, symbols))
                Reserved(problems, member.Locations[0], $"Variant class '{name}' declares a constructor with the parameters of the generated one (model, options): remove it or change its parameters");
        }

        for (INamedTypeSymbol? baseType = type.BaseType; baseType is not null && baseType.SpecialType != SpecialType.System_Object; baseType = baseType.BaseType)
        {
            foreach (ISymbol member in baseType.GetMembers())
            {
                if (member.IsImplicitlyDeclared || member.DeclaredAccessibility == Accessibility.Private || DslSymbols.IsGenerated(member)) continue;
                if (member is IMethodSymbol { MethodKind: not MethodKind.Ordinary } || !IsReserved(member.Name)) continue;
                Reserved(problems, classLocation, $"Variant class '{name}' inherits {KindName(member)} '{member.Name}' from '{baseType.Name}', but the generator adds a member named '{member.Name}' to the class, which would hide it: rename it in '{baseType.Name}' or derive from another class");
            }
        }
    }

    private static bool IsReserved(string name) =>
        Array.IndexOf(GeneratedMembers.Reserved, name) >= 0 || name.StartsWith(GeneratedMembers.RegistrationPrefix, StringComparison.Ordinal);

    // The generated constructor is (torch.nn.Module model, SamStepOptions? options).
    private static bool HasGeneratedConstructorSignature(IMethodSymbol constructor, DslSymbols symbols) =>
        constructor.Parameters.Length == 2
        && constructor.Parameters[0].Type.ToDisplayString() == GeneratedMembers.ModelType
        && SymbolEqualityComparer.Default.Equals(constructor.Parameters[1].Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated), symbols.SamStepOptions);

    /// <summary>"field", "property", "method", ... for messages.</summary>
    public static string KindName(ISymbol member) => member switch
    {
        IFieldSymbol => "field",
        IPropertySymbol => "property",
        IEventSymbol => "event",
        IMethodSymbol => "method",
        INamedTypeSymbol => "nested type",
        _ => "member",
    };

    private static Location? BaseListLocation(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
            if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax { BaseList.Types.Count: > 0 } declaration)
                return declaration.BaseList!.Types[0].GetLocation();
        return null;
    }

    private static bool IsPartialEverywhere(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
            if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration
                && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                return false;
        return true;
    }

    private static void Invalid(List<DeclarationProblem> problems, Location location, string message) =>
        problems.Add(new DeclarationProblem(SamDiagnosticIds.InvalidTargetType, location, message));

    private static void Reserved(List<DeclarationProblem> problems, Location location, string message) =>
        problems.Add(new DeclarationProblem(SamDiagnosticIds.ReservedName, location, message));
}
