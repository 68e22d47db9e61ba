using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace NoiseSam.Analyzers.CodeFixes.Helpers;

/// <summary>Finds the syntax a diagnostic sits on.</summary>
internal static class FixSyntax
{
    /// <summary>The innermost node of type <typeparamref name="T"/> that contains <paramref name="span"/>, or null.</summary>
    public static async Task<T?> FindAsync<T>(Document document, TextSpan span, CancellationToken cancellationToken)
        where T : SyntaxNode
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || span.End > root.FullSpan.End) return null;
        SyntaxNode node = root.FindNode(span, getInnermostNodeForTie: true);
        foreach (SyntaxNode ancestor in node.AncestorsAndSelf())
            if (ancestor is T found) return found;
        return null;
    }

    /// <summary>The attribute's name without namespace or <c>Attribute</c> suffix, e.g. "Noise".</summary>
    public static string ShortName(AttributeSyntax attribute)
    {
        string name = attribute.Name switch
        {
            QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
            AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
            SimpleNameSyntax simple => simple.Identifier.ValueText,
            _ => attribute.Name.ToString(),
        };
        return name.EndsWith("Attribute", System.StringComparison.Ordinal) && name.Length > "Attribute".Length
            ? name.Substring(0, name.Length - "Attribute".Length)
            : name;
    }
}
