using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using NoiseSam.Generators.Models;

namespace NoiseSam.Generators;

/// <summary>
/// Turns each <c>[SamVariant]</c> partial class into a specialised <c>ISamStep</c>:
/// parse (attributes → <see cref="SamVariantSpec"/>, null when invalid) → emit. Invalid declarations
/// produce nothing; the analyzers report them.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class SamStepGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<SamVariantSpec> variants = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                TypeNames.SamVariantAttribute,
                predicate: static (node, _) => node is ClassDeclarationSyntax,
                transform: static (ctx, token) => Parser.Parse(ctx, token))
            .WithTrackingName(TrackingNames.Parse)
            .Where(static spec => spec is not null)
            .Select(static (spec, _) => spec!)
            .WithTrackingName(TrackingNames.RemoveInvalid);

        context.RegisterSourceOutput(variants, static (ctx, spec) =>
            ctx.AddSource(Emitter.HintName(spec), SourceText.From(Emitter.Emit(spec), Encoding.UTF8)));
    }
}
