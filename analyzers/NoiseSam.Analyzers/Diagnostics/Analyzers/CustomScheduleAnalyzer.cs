using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using NoiseSam.Analyzers.Declarations;
using NoiseSam.Rules;

namespace NoiseSam.Analyzers.Diagnostics.Analyzers;

/// <summary>
/// NSAM008: <c>[Schedule(SchedulePolicy.Custom)]</c> on a <c>[SamVariant]</c> class without a usable
/// <c>ShouldPerturb</c> hook (see <see cref="ShouldPerturbHook"/>: the implementation
/// <c>private partial bool ShouldPerturb(in StepContext context) =&gt; ...;</c>, whose defining
/// declaration the generator writes). The message names the method found and what is wrong with it.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class CustomScheduleAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.CustomScheduleWithoutMethodError);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(DeclarationAnalysis.GeneratedCode);
        context.EnableConcurrentExecution();
        DeclarationAnalysis.RegisterForEachDeclaration(context, static (symbolContext, declaration) =>
        {
            foreach (DeclarationProblem problem in declaration.Problems)
            {
                if (problem.Id != SamDiagnosticIds.CustomScheduleWithoutMethod) continue;
                ImmutableDictionary<string, string?> properties = declaration.ShouldPerturb?.CanAddImplementation == true
                    ? ImmutableDictionary<string, string?>.Empty.Add(FixHints.Fix, FixHints.AddImplementation)
                    : ImmutableDictionary<string, string?>.Empty;
                symbolContext.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.CustomScheduleWithoutMethodError, problem.Location, properties, problem.MessageArguments));
            }
        });
    }
}
