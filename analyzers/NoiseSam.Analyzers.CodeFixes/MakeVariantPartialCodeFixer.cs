using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using NoiseSam.Analyzers.CodeFixes.Helpers;
using NoiseSam.Rules;

namespace NoiseSam.Analyzers.CodeFixes;

/// <summary>NSAM001: adds the <c>partial</c> modifier to a <c>[SamVariant]</c> class.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeVariantPartialCodeFixer)), Shared]
public sealed class MakeVariantPartialCodeFixer : CodeFixProvider
{
    /// <summary>The equivalence key of the fix (one fix-all group).</summary>
    public const string EquivalenceKey = "NSAM001.MakePartial";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(SamDiagnosticIds.NotPartial);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (await FixSyntax.FindAsync<TypeDeclarationSyntax>(context.Document, diagnostic.Location.SourceSpan, context.CancellationToken).ConfigureAwait(false) is not { } declaration)
                continue;
            context.RegisterCodeFix(
                CodeAction.Create(
                    title: $"Make '{declaration.Identifier.ValueText}' partial",
                    createChangedDocument: token => MakePartialAsync(context.Document, declaration, token),
                    equivalenceKey: EquivalenceKey),
                diagnostic);
        }
    }

    private static async Task<Document> MakePartialAsync(Document document, TypeDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        DocumentEditor editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        SyntaxGenerator generator = editor.Generator;
        editor.SetModifiers(declaration, generator.GetModifiers(declaration).WithPartial(true));
        return editor.GetChangedDocument();
    }
}
