using System.Collections.Generic;
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
/// NSAM008: adds <c>ShouldPerturb</c> to a variant class with a <c>Custom</c> schedule. The user
/// writes the decision, so the fix adds the implementing declaration with a body that makes every
/// step a SAM step, and a comment saying what to return. When no defining declaration exists yet
/// (the generator has not emitted one), it adds that too, so the class compiles on its own.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddShouldPerturbCodeFixer)), Shared]
public sealed class AddShouldPerturbCodeFixer : CodeFixProvider
{
    /// <summary>The equivalence key of the fix (one fix-all group).</summary>
    public const string EquivalenceKey = "NSAM008.AddShouldPerturb";

    private const string Signature = "private partial bool ShouldPerturb(in global::NoiseSam.StepContext context)";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(SamDiagnosticIds.CustomScheduleWithoutMethod);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (await FixSyntax.FindAsync<ClassDeclarationSyntax>(context.Document, diagnostic.Location.SourceSpan, context.CancellationToken).ConfigureAwait(false) is not { } declaration)
                continue;
            bool hasDefinition = diagnostic.Properties.TryGetValue(FixHints.HasDefinition, out string? flag) && flag == "true";
            context.RegisterCodeFix(
                CodeAction.Create(
                    title: "Add the ShouldPerturb method",
                    createChangedDocument: token => AddAsync(context.Document, declaration, hasDefinition, token),
                    equivalenceKey: EquivalenceKey),
                diagnostic);
        }
    }

    private static async Task<Document> AddAsync(Document document, ClassDeclarationSyntax declaration, bool hasDefinition, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null) return document;

        var texts = new List<string>();
        if (!hasDefinition)
            texts.Add(Signature + ";\n");
        texts.Add(
            "// Decides, before each step, whether the step is a SAM step: return true for a SAM step\n" +
            "// (ascent and descent pass), false for a plain base-optimizer step. The context has the\n" +
            "// step index, the total number of steps (0 when unknown), the previous loss and the\n" +
            "// previous gradient norm.\n" +
            Signature + "\n" +
            "{\n" +
            "    return true;\n" +
            "}\n");

        // A blank line separates the new members from each other and from existing members.
        var members = new List<MemberDeclarationSyntax>();
        for (int i = 0; i < texts.Count; i++)
            members.Add(Parse((i > 0 || declaration.Members.Count > 0 ? "\n" : "") + texts[i]));

        ClassDeclarationSyntax fixedDeclaration = declaration.AddMembers(members.ToArray());
        if (declaration.Members.Count == 0)
        {
            // A one-line body such as "{ }" gets its braces laid out by the formatter.
            fixedDeclaration = fixedDeclaration
                .WithOpenBraceToken(fixedDeclaration.OpenBraceToken.WithAdditionalAnnotations(Formatter.Annotation))
                .WithCloseBraceToken(fixedDeclaration.CloseBraceToken.WithAdditionalAnnotations(Formatter.Annotation));
        }
        return document.WithSyntaxRoot(root.ReplaceNode(declaration, fixedDeclaration));
    }

    private static MemberDeclarationSyntax Parse(string text) =>
        SyntaxFactory.ParseMemberDeclaration(text)!.WithAdditionalAnnotations(Formatter.Annotation);
}
