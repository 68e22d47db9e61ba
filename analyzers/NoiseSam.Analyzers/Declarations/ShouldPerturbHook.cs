using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NoiseSam.Analyzers.Declarations;

/// <summary>
/// The <c>ShouldPerturb</c> hook of a Custom schedule (NSAM008), the CommunityToolkit.Mvvm
/// <c>partial void OnXChanged</c> convention: the user writes only the implementation,
/// <c>private partial bool ShouldPerturb(in StepContext context) =&gt; ...;</c>, and the generator
/// writes the defining declaration. Also accepted: both declarations written by the user, or an
/// ordinary method; the context may be taken <c>in</c> or by value.
/// </summary>
internal sealed class ShouldPerturbHook
{
    private ShouldPerturbHook(string? problem, bool canAddImplementation, string? definitionToEmit)
    {
        Problem = problem;
        CanAddImplementation = canAddImplementation;
        DefinitionToEmit = definitionToEmit;
    }

    /// <summary>
    /// What is wrong, completing NSAM008's message ("add it", or the method found and why it does not
    /// count); null when the hook is there.
    /// </summary>
    public string? Problem { get; }

    /// <summary>Adding the implementing declaration fixes it: there is no method of that name, or only a defining declaration.</summary>
    public bool CanAddImplementation { get; }

    /// <summary>The defining declaration the generator writes: the user wrote only the implementation. Null otherwise.</summary>
    public string? DefinitionToEmit { get; }

    public static ShouldPerturbHook Find(INamedTypeSymbol type, DslSymbols symbols, CancellationToken cancellationToken)
    {
        var members = type.GetMembers(GeneratedMembers.ShouldPerturb);
        if (members.IsEmpty)
        {
            for (INamedTypeSymbol? baseType = type.BaseType; baseType is not null; baseType = baseType.BaseType)
                if (baseType.GetMembers(GeneratedMembers.ShouldPerturb).FirstOrDefault() is { } inherited)
                    return new ShouldPerturbHook($"the method found, '{Display(inherited)}', is inherited from '{baseType.Name}': declare it in '{type.Name}'", false, null);
            return new ShouldPerturbHook("add it", true, null);
        }

        string? firstProblem = null;
        bool onlyDefinitions = true;
        foreach (ISymbol member in members)
        {
            if (member is not IMethodSymbol method)
            {
                onlyDefinitions = false;
                firstProblem ??= $"'{member.Name}' is a {SamVariantShape.KindName(member)}, not a method";
                continue;
            }
            bool definitionOnly = method.IsPartialDefinition && method.PartialImplementationPart is null;
            onlyDefinitions &= definitionOnly;
            string? problem = WhatIsWrong(method, symbols, cancellationToken, out MethodDeclarationSyntax? implementationOnly);
            if (problem is null)
                return new ShouldPerturbHook(null, false, implementationOnly is null ? null : Definition(implementationOnly, method));
            firstProblem ??= $"the method found, '{Display(method)}', {problem}";
        }
        return new ShouldPerturbHook(firstProblem, onlyDefinitions, null);
    }

    // Null when the method is a valid hook. implementationOnly: a partial implementation without a
    // defining declaration (the generator writes that one).
    private static string? WhatIsWrong(IMethodSymbol method, DslSymbols symbols, CancellationToken cancellationToken, out MethodDeclarationSyntax? implementationOnly)
    {
        implementationOnly = null;
        if (method.IsStatic) return "is static: remove 'static'";
        if (method.IsGenericMethod) return "is generic: remove the type parameters";
        if (method.ReturnType.SpecialType != SpecialType.System_Boolean || method.ReturnsByRef || method.ReturnsByRefReadonly)
            return $"returns '{method.ReturnType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}': it must return bool";
        if (method.Parameters.Length != 1
            || method.Parameters[0].RefKind is not (RefKind.In or RefKind.None)
            || symbols.StepContext is null
            || !SymbolEqualityComparer.Default.Equals(method.Parameters[0].Type, symbols.StepContext))
            return "has the wrong parameters: it must take one 'in StepContext' (or a StepContext by value)";
        if (method.IsAbstract || method.IsExtern || (method.IsPartialDefinition && method.PartialImplementationPart is null))
            return "has no body: write the implementing declaration, e.g. 'private partial bool ShouldPerturb(in StepContext context) => context.Step >= 100;'";

        if (!method.IsPartialDefinition && method.PartialDefinitionPart is null
            && method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is MethodDeclarationSyntax syntax
            && syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            if (!syntax.Modifiers.Any(m => SyntaxFacts.IsAccessibilityModifier(m.Kind())))
                return "has no accessibility modifier, which a partial method that returns a value needs: write 'private partial bool ShouldPerturb(...)'";
            implementationOnly = syntax;
        }
        return null;
    }

    // The user's modifiers (without 'partial' and 'async') and parameter: the parts must match.
    private static string Definition(MethodDeclarationSyntax implementation, IMethodSymbol method)
    {
        var text = new StringBuilder();
        foreach (SyntaxToken modifier in implementation.Modifiers)
            if (!modifier.IsKind(SyntaxKind.PartialKeyword) && !modifier.IsKind(SyntaxKind.AsyncKeyword))
                text.Append(modifier.Text).Append(' ');
        IParameterSymbol parameter = method.Parameters[0];
        text.Append("partial bool ").Append(GeneratedMembers.ShouldPerturb).Append('(')
            .Append(parameter.RefKind == RefKind.In ? "in " : "")
            .Append("global::").Append(TypeNames.StepContext).Append(' ')
            .Append(Identifiers.Escape(parameter.Name)).Append(");");
        return text.ToString();
    }

    private static string Display(ISymbol symbol) => symbol.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat);
}
