using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using NoiseSam.Analyzers.CodeFixes.Helpers;
using NoiseSam.Analyzers.Diagnostics;
using NoiseSam.Rules;

namespace NoiseSam.Analyzers.CodeFixes;

/// <summary>
/// NSAM008: adds the <c>ShouldPerturb</c> hook to a variant class with a <c>Custom</c> schedule. The
/// user writes the decision, so the fix adds the implementing declaration, with a body that makes
/// every step a SAM step and a comment saying what to return; the generator writes the defining
/// declaration (the CommunityToolkit.Mvvm <c>partial void OnXChanged</c> convention). Offered only
/// when that fixes it: no method of that name yet, or only a defining declaration.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddShouldPerturbCodeFixer)), Shared]
public sealed class AddShouldPerturbCodeFixer : CodeFixProvider
{
    /// <summary>The equivalence key of the fix (one fix-all group).</summary>
    public const string EquivalenceKey = "NSAM008.AddShouldPerturb";

    private const string Implementation =
        "// Decides, before each step, whether the step is a SAM step: return true for a SAM step\n" +
        "// (ascent and descent pass), false for a plain base-optimizer step. The context has the\n" +
        "// step index, the total number of steps (0 when unknown), the previous loss and the\n" +
        "// previous gradient norm.\n" +
        "private partial bool ShouldPerturb(in global::NoiseSam.StepContext context)\n" +
        "{\n" +
        "    return true;\n" +
        "}\n";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(SamDiagnosticIds.CustomScheduleWithoutMethod);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(FixHints.Fix, out string? fix) || fix != FixHints.AddImplementation) continue;
            if (await FixSyntax.FindAsync<ClassDeclarationSyntax>(context.Document, diagnostic.Location.SourceSpan, context.CancellationToken).ConfigureAwait(false) is not { } declaration)
                continue;
            context.RegisterCodeFix(
                CodeAction.Create(
                    title: "Add the ShouldPerturb method",
                    createChangedDocument: token => AddAsync(context.Document, declaration, token),
                    equivalenceKey: EquivalenceKey),
                diagnostic);
        }
    }

    private static async Task<Document> AddAsync(Document document, ClassDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null) return document;

        // A blank line separates the new member from existing members; its comment starts on a line of
        // its own after a one-line "{ }".
        bool lineBreak = declaration.Members.Count > 0 || !declaration.OpenBraceToken.TrailingTrivia.Any(SyntaxKind.EndOfLineTrivia);
        MemberDeclarationSyntax member = SyntaxFactory.ParseMemberDeclaration((lineBreak ? "\n" : "") + Implementation)!
            .WithAdditionalAnnotations(Formatter.Annotation);
        ClassDeclarationSyntax fixedDeclaration = declaration.AddMembers(member);
        if (declaration.Members.Count == 0)
        {
            // A one-line body such as "{ }" gets its braces laid out by the formatter.
            fixedDeclaration = fixedDeclaration
                .WithOpenBraceToken(fixedDeclaration.OpenBraceToken.WithAdditionalAnnotations(Formatter.Annotation))
                .WithCloseBraceToken(fixedDeclaration.CloseBraceToken.WithAdditionalAnnotations(Formatter.Annotation));
        }
        return document.WithSyntaxRoot(root.ReplaceNode(declaration, fixedDeclaration));
    }
}
