using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NoiseSam.Analyzers.CodeFixes.Helpers;
using NoiseSam.Analyzers.Diagnostics;
using NoiseSam.Rules;

namespace NoiseSam.Analyzers.CodeFixes;

/// <summary>
/// NSAM002: removes the modifier that makes a class unusable as a variant (<c>static</c>,
/// <c>abstract</c>, <c>file</c>) or a member the registry cannot set (<c>required</c>), where the
/// analyzer marks that as the fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveModifierCodeFixer)), Shared]
public sealed class RemoveModifierCodeFixer : CodeFixProvider
{
    /// <summary>The equivalence key of the fix for a modifier, e.g. "NSAM002.Remove.static".</summary>
    public static string EquivalenceKeyFor(string modifier) => "NSAM002.Remove." + modifier;

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(SamDiagnosticIds.InvalidTargetType);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(FixHints.Fix, out string? fix) || fix != FixHints.RemoveModifier
                || !diagnostic.Properties.TryGetValue(FixHints.Value, out string? modifier) || modifier is null)
                continue;
            if (await FixSyntax.FindAsync<MemberDeclarationSyntax>(context.Document, diagnostic.Location.SourceSpan, context.CancellationToken).ConfigureAwait(false) is not { } declaration)
                continue;
            foreach (SyntaxToken token in declaration.Modifiers)
            {
                if (token.Text != modifier) continue;
                context.RegisterCodeFix(
                    CodeAction.Create(
                        title: $"Remove '{modifier}'",
                        createChangedDocument: cancellation => RemoveAsync(context.Document, token, cancellation),
                        equivalenceKey: EquivalenceKeyFor(modifier)),
                    diagnostic);
                break;
            }
        }
    }

    // The modifier goes; its leading trivia (indentation, or the line break after an attribute)
    // goes to the token after it.
    private static async Task<Document> RemoveAsync(Document document, SyntaxToken modifier, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null) return document;
        SyntaxToken next = modifier.GetNextToken();
        root = root.ReplaceToken(next, next.WithLeadingTrivia(modifier.LeadingTrivia));
        return document.WithSyntaxRoot(root.ReplaceToken(root.FindToken(modifier.SpanStart), ImmutableArray<SyntaxToken>.Empty));
    }
}
