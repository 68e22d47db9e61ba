using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NoiseSam.Analyzers.Declarations;

/// <summary>Finds where an attribute, or one of its arguments, is written.</summary>
internal static class AttributeSyntaxLocator
{
    /// <summary>The attribute's syntax, or null when it is not in source.</summary>
    public static AttributeSyntax? GetSyntax(AttributeData attribute, CancellationToken cancellationToken) =>
        attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;

    /// <summary>
    /// The syntax of the argument <paramref name="argument"/>: the named argument <c>Argument = value</c>,
    /// else the constructor argument whose parameter has that name (ignoring case), else null.
    /// </summary>
    public static AttributeArgumentSyntax? FindArgument(AttributeData attribute, AttributeSyntax syntax, string argument)
    {
        if (syntax.ArgumentList is not { } list) return null;
        foreach (AttributeArgumentSyntax candidate in list.Arguments)
            if (candidate.NameEquals?.Name.Identifier.ValueText == argument)
                return candidate;

        if (attribute.AttributeConstructor is not { } constructor) return null;
        for (int i = 0; i < constructor.Parameters.Length; i++)
        {
            if (!string.Equals(constructor.Parameters[i].Name, argument, System.StringComparison.OrdinalIgnoreCase)) continue;
            foreach (AttributeArgumentSyntax candidate in list.Arguments)
                if (candidate.NameColon?.Name.Identifier.ValueText == constructor.Parameters[i].Name)
                    return candidate;
            if (i < list.Arguments.Count && list.Arguments[i].NameEquals is null && list.Arguments[i].NameColon is null)
                return list.Arguments[i];
        }
        return null;
    }

    /// <summary>The location of the argument when written, else of the attribute, else of the symbol.</summary>
    public static Location Locate(AttributeData? attribute, string? argument, ISymbol fallback, CancellationToken cancellationToken)
    {
        if (attribute is not null && GetSyntax(attribute, cancellationToken) is { } syntax)
        {
            if (argument is not null && FindArgument(attribute, syntax, argument) is { } argumentSyntax)
                return argumentSyntax.GetLocation();
            return syntax.GetLocation();
        }
        return fallback.Locations.Length > 0 ? fallback.Locations[0] : Location.None;
    }
}
