using System;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using NoiseSam.Analyzers.Declarations;
using NoiseSam.Generators.Helpers;
using NoiseSam.Generators.Models;

namespace NoiseSam.Generators;

/// <summary>
/// Turns each <c>[SamVariant]</c> partial class into a specialised <c>ISamStep</c>: parse (the shared
/// declaration reader and shape check → <see cref="SamVariantSpec"/>, nothing when an analyzer
/// reports an error) → unique hint names → emit, each variant on its own, so that one failure costs
/// only that variant and is reported as NSAM017 on its class.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class SamStepGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<ParseResult> parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                TypeNames.SamVariantAttribute,
                predicate: static (node, _) => node is ClassDeclarationSyntax,
                transform: static (ctx, token) => Parser.Parse(ctx, token))
            .WithTrackingName(TrackingNames.Parse);

        IncrementalValuesProvider<GeneratorFailure> failures = parsed
            .Where(static result => result.Failure is not null)
            .Select(static (result, _) => result.Failure!)
            .WithTrackingName(TrackingNames.Failures);
        context.RegisterSourceOutput(failures, static (ctx, failure) => ctx.ReportDiagnostic(Diagnostics.Failure(failure)));

        IncrementalValuesProvider<SamVariantSpec> variants = parsed
            .Where(static result => result.Spec is not null)
            .Select(static (result, _) => result.Spec!)
            .WithTrackingName(TrackingNames.RemoveInvalid);

        IncrementalValueProvider<EquatableArray<HintNames.Renamed>> renamed = variants
            .Select(static (spec, _) => HintNames.Stem(spec.Hierarchy))
            .Collect()
            .Select(static (stems, _) => HintNames.Disambiguate(stems))
            .WithTrackingName(TrackingNames.HintNames);

        context.RegisterSourceOutput(variants.Combine(renamed), static (ctx, item) => Emit(ctx, item.Left, item.Right));
    }

    // One variant's output, isolated: an exception here costs this variant only and becomes NSAM017.
    private static void Emit(SourceProductionContext context, SamVariantSpec spec, EquatableArray<HintNames.Renamed> renamed)
    {
        try
        {
            TestHooks.Run(TestHooks.EmitStage, spec.Hierarchy.ClassName);
            string source = Emitter.Emit(spec);
            context.AddSource(HintNames.For(spec.Hierarchy, renamed), SourceText.From(source, Encoding.UTF8));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            context.ReportDiagnostic(Diagnostics.Failure(new GeneratorFailure(spec.Hierarchy.ClassName, Diagnostics.Describe(e), spec.Location)));
        }
    }
}
