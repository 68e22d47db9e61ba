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
/// Removes an attribute that has no effect: NSAM006 (<c>[Noise(Sigma = 0)]</c>), NSAM010
/// (<c>[MicroBatch]</c>, <c>[Noise]</c> or <c>[DescentSelection]</c> with <c>Schedule(Never)</c>) and
/// NSAM019 (a <c>[ParameterGroup]</c> whose prefix an earlier one declares).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveDslAttributeCodeFixer)), Shared]
public sealed class RemoveDslAttributeCodeFixer : CodeFixProvider
{
    /// <summary>The equivalence key for NSAM006 (remove [Noise]).</summary>
    public const string RemoveZeroNoiseKey = "NSAM006.RemoveNoise";

    /// <summary>The equivalence key for NSAM010 (remove a SAM-only attribute of a Never schedule).</summary>
    public const string RemoveDeadAttributeKey = "NSAM010.RemoveAttribute";

    /// <summary>The equivalence key for NSAM019 (remove a [ParameterGroup] declared twice).</summary>
    public const string RemoveDuplicateGroupKey = "NSAM019.RemoveAttribute";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(SamDiagnosticIds.ZeroNoise, SamDiagnosticIds.NeverScheduleWithSamAttributes, SamDiagnosticIds.ParameterGroupInvalid);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(FixHints.Fix, out string? fix) || fix != FixHints.RemoveAttribute) continue;
            if (await FixSyntax.FindAsync<AttributeSyntax>(context.Document, diagnostic.Location.SourceSpan, context.CancellationToken).ConfigureAwait(false) is not { } attribute)
                continue;
            string key = diagnostic.Id switch
            {
                SamDiagnosticIds.ZeroNoise => RemoveZeroNoiseKey,
                SamDiagnosticIds.ParameterGroupInvalid => RemoveDuplicateGroupKey,
                _ => RemoveDeadAttributeKey,
            };
            context.RegisterCodeFix(
                CodeAction.Create(
                    title: $"Remove [{FixSyntax.ShortName(attribute)}]",
                    createChangedDocument: token => RemoveAsync(context.Document, attribute, token),
                    equivalenceKey: key),
                diagnostic);
        }
    }

    private static async Task<Document> RemoveAsync(Document document, AttributeSyntax attribute, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || attribute.Parent is not AttributeListSyntax list || list.Parent is not TypeDeclarationSyntax declaration)
            return document;

        if (list.Attributes.Count > 1)
            return document.WithSyntaxRoot(root.ReplaceNode(list, list.WithAttributes(list.Attributes.Remove(attribute))));

        // Remove the whole list with its line; when it is the first list, its leading trivia (doc
        // comment, indentation) belongs to the declaration and moves to the next token.
        int index = declaration.AttributeLists.IndexOf(list);
        TypeDeclarationSyntax fixedDeclaration = declaration.WithAttributeLists(declaration.AttributeLists.RemoveAt(index));
        if (index == 0)
            fixedDeclaration = fixedDeclaration.WithLeadingTrivia(list.GetLeadingTrivia());
        return document.WithSyntaxRoot(root.ReplaceNode(declaration, fixedDeclaration));
    }
}
