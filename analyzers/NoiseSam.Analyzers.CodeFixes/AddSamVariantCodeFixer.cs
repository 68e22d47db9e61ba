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
using Microsoft.CodeAnalysis.Simplification;
using NoiseSam.Analyzers.CodeFixes.Helpers;
using NoiseSam.Analyzers.Diagnostics;
using NoiseSam.Rules;

namespace NoiseSam.Analyzers.CodeFixes;

/// <summary>NSAM013: adds <c>[SamVariant("&lt;ClassName&gt;")]</c> to a class that carries DSL attributes.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddSamVariantCodeFixer)), Shared]
public sealed class AddSamVariantCodeFixer : CodeFixProvider
{
    /// <summary>The equivalence key of the fix (one fix-all group).</summary>
    public const string EquivalenceKey = "NSAM013.AddSamVariant";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(SamDiagnosticIds.MissingSamVariant);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (await FixSyntax.FindAsync<AttributeSyntax>(context.Document, diagnostic.Location.SourceSpan, context.CancellationToken).ConfigureAwait(false) is not { Parent: AttributeListSyntax { Parent: ClassDeclarationSyntax declaration } })
                continue;
            string name = diagnostic.Properties.TryGetValue(FixHints.ClassName, out string? className) && className is not null
                ? className
                : declaration.Identifier.ValueText;
            context.RegisterCodeFix(
                CodeAction.Create(
                    title: $"Add [SamVariant(\"{name}\")]",
                    createChangedDocument: token => AddAsync(context.Document, declaration, name, token),
                    equivalenceKey: EquivalenceKey),
                diagnostic);
        }
    }

    private static async Task<Document> AddAsync(Document document, ClassDeclarationSyntax declaration, string name, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || declaration.AttributeLists.Count == 0) return document;

        AttributeSyntax attribute = SyntaxFactory.Attribute(
            SyntaxFactory.ParseName("global::NoiseSam.Dsl.SamVariant").WithAdditionalAnnotations(Simplifier.Annotation),
            SyntaxFactory.AttributeArgumentList(SyntaxFactory.SingletonSeparatedList(
                SyntaxFactory.AttributeArgument(SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(name))))));

        // The new list goes first and takes over the first list's leading trivia (doc comment,
        // indentation) and its line end; the old first list keeps only its indentation.
        AttributeListSyntax first = declaration.AttributeLists[0];
        SyntaxTriviaList leading = first.GetLeadingTrivia();
        SyntaxTriviaList indentation = IndentationOf(leading);
        AttributeListSyntax added = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(attribute))
            .WithLeadingTrivia(leading)
            .WithTrailingTrivia(first.GetTrailingTrivia());
        SyntaxList<AttributeListSyntax> lists = declaration.AttributeLists
            .Replace(first, first.WithLeadingTrivia(indentation))
            .Insert(0, added);
        return document.WithSyntaxRoot(root.ReplaceNode(declaration, declaration.WithAttributeLists(lists)));
    }

    private static SyntaxTriviaList IndentationOf(SyntaxTriviaList leading)
    {
        int start = leading.Count;
        while (start > 0 && leading[start - 1].IsKind(SyntaxKind.WhitespaceTrivia)) start--;
        var indentation = SyntaxFactory.TriviaList();
        for (int i = start; i < leading.Count; i++) indentation = indentation.Add(leading[i]);
        return indentation;
    }
}
