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
/// Removes an argument that cannot matter, where the analyzer marks that as the obvious fix:
/// NSAM011 (<c>Eta</c>/<c>Beta</c> for another perturbation), NSAM007 (a schedule parameter given
/// for another policy) and NSAM009 (<c>Selection</c> with a full batch, <c>FractionSchedule</c>
/// without <c>FinalFraction</c>, a descent <c>Fraction</c> for a set that has none).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveDeadArgumentCodeFixer)), Shared]
public sealed class RemoveDeadArgumentCodeFixer : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        SamDiagnosticIds.ScheduleParameterInvalid,
        SamDiagnosticIds.IneffectiveSelection,
        SamDiagnosticIds.PerturbationParameterForOtherKind);

    /// <summary>The equivalence key of the fix for a diagnostic id, e.g. "NSAM011.RemoveArgument".</summary>
    public static string EquivalenceKeyFor(string id) => id + ".RemoveArgument";

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(FixHints.Fix, out string? fix) || fix != FixHints.RemoveArgument) continue;
            if (await FixSyntax.FindAsync<AttributeArgumentSyntax>(context.Document, diagnostic.Location.SourceSpan, context.CancellationToken).ConfigureAwait(false) is not { NameEquals: { } name } argument)
                continue;
            context.RegisterCodeFix(
                CodeAction.Create(
                    title: $"Remove '{name.Name.Identifier.ValueText}'",
                    createChangedDocument: token => RemoveAsync(context.Document, argument, token),
                    equivalenceKey: EquivalenceKeyFor(diagnostic.Id)),
                diagnostic);
        }
    }

    private static async Task<Document> RemoveAsync(Document document, AttributeArgumentSyntax argument, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || argument.Parent is not AttributeArgumentListSyntax list || list.Parent is not AttributeSyntax attribute)
            return document;
        SeparatedSyntaxList<AttributeArgumentSyntax> remaining = list.Arguments.Remove(argument);
        AttributeSyntax fixedAttribute = remaining.Count == 0
            ? attribute.WithArgumentList(null).WithTriviaFrom(attribute)
            : attribute.WithArgumentList(list.WithArguments(remaining));
        return document.WithSyntaxRoot(root.ReplaceNode(attribute, fixedAttribute));
    }
}
