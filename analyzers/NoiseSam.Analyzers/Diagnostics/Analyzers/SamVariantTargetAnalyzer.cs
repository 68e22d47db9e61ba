using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using NoiseSam.Analyzers.Declarations;

namespace NoiseSam.Analyzers.Diagnostics.Analyzers;

/// <summary>
/// The shape of a <c>[SamVariant]</c> class, as the shared <see cref="SamVariantShape"/> checks it
/// for the generator too: NSAM001 (not partial), NSAM002 (static, generic, abstract, a record,
/// file-local, a primary constructor, required members, derived from a variant, nested in a
/// non-partial, generic or file-local type, empty name) and NSAM016 (a name the generator uses).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SamVariantTargetAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.NotPartialError,
        DiagnosticDescriptors.InvalidTargetTypeError,
        DiagnosticDescriptors.ReservedNameError);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(DeclarationAnalysis.GeneratedCode);
        context.EnableConcurrentExecution();
        DeclarationAnalysis.RegisterForEachDeclaration(context, static (symbolContext, declaration) =>
        {
            foreach (DeclarationProblem problem in declaration.Problems)
            {
                if (DiagnosticDescriptors.ForShapeProblem(problem.Id) is not { } descriptor) continue;
                ImmutableDictionary<string, string?> properties = problem.RemovableModifier is { } modifier
                    ? ImmutableDictionary<string, string?>.Empty.Add(FixHints.Fix, FixHints.RemoveModifier).Add(FixHints.Value, modifier)
                    : ImmutableDictionary<string, string?>.Empty;
                symbolContext.ReportDiagnostic(Diagnostic.Create(descriptor, problem.Location, properties, problem.MessageArguments));
            }
        });
    }
}
