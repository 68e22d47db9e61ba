using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NoiseSam.Analyzers.CodeFixes.Helpers;
using NoiseSam.Analyzers.Diagnostics;
using NoiseSam.Rules;

namespace NoiseSam.Analyzers.CodeFixes;

/// <summary>
/// Clamps an out-of-range value to the nearest valid one where that is unambiguous (the analyzer
/// decides): NSAM004 a fraction above 1 becomes 1; NSAM007 a Bernoulli Probability above 1 becomes
/// 1 and below 0 becomes 0, an EveryK/LookSam K below 1 becomes 1; NSAM018 fewer than one
/// accumulation chunk becomes 1.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ClampArgumentCodeFixer)), Shared]
public sealed class ClampArgumentCodeFixer : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        SamDiagnosticIds.FractionOutOfRange,
        SamDiagnosticIds.ScheduleParameterInvalid,
        SamDiagnosticIds.AccumulationOutOfRange);

    /// <summary>The equivalence key of the fix for a diagnostic id, e.g. "NSAM004.Clamp".</summary>
    public static string EquivalenceKeyFor(string id) => id + ".Clamp";

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(FixHints.Fix, out string? fix) || fix != FixHints.Clamp
                || !diagnostic.Properties.TryGetValue(FixHints.Value, out string? value) || value is null)
                continue;
            if (await FixSyntax.FindAsync<AttributeArgumentSyntax>(context.Document, diagnostic.Location.SourceSpan, context.CancellationToken).ConfigureAwait(false) is not { } argument)
                continue;
            // A named argument by its name; a constructor argument (Accumulation's chunks) by the rule's.
            string? name = argument.NameEquals?.Name.Identifier.ValueText
                ?? (diagnostic.Properties.TryGetValue(FixHints.Argument, out string? ruleArgument) ? ruleArgument : null);
            if (name is null) continue;
            context.RegisterCodeFix(
                CodeAction.Create(
                    title: $"Set {name} to {value}",
                    createChangedDocument: token => ClampAsync(context.Document, argument, value, token),
                    equivalenceKey: EquivalenceKeyFor(diagnostic.Id)),
                diagnostic);
        }
    }

    private static async Task<Document> ClampAsync(Document document, AttributeArgumentSyntax argument, string value, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null) return document;
        ExpressionSyntax replacement = SyntaxFactory.ParseExpression(value).WithTriviaFrom(argument.Expression);
        return document.WithSyntaxRoot(root.ReplaceNode(argument.Expression, replacement));
    }
}
