namespace NoiseSam.Analyzers.Declarations;

/// <summary>Fully qualified metadata names of the DSL types the generator and the analyzers look for.</summary>
internal static class TypeNames
{
    public const string SamVariantAttribute = "NoiseSam.Dsl.SamVariantAttribute";
    public const string MicroBatchAttribute = "NoiseSam.Dsl.MicroBatchAttribute";
    public const string DescentSelectionAttribute = "NoiseSam.Dsl.DescentSelectionAttribute";
    public const string NoiseAttribute = "NoiseSam.Dsl.NoiseAttribute";
    public const string ScheduleAttribute = "NoiseSam.Dsl.ScheduleAttribute";
    public const string BaseOptimizerAttribute = "NoiseSam.Dsl.BaseOptimizerAttribute";
    public const string AccumulationAttribute = "NoiseSam.Dsl.AccumulationAttribute";
    public const string ParameterGroupAttribute = "NoiseSam.Dsl.ParameterGroupAttribute";
    public const string StepContext = "NoiseSam.StepContext";
    public const string SamStepOptions = "NoiseSam.SamStepOptions";
    public const string GeneratedCodeAttribute = "System.CodeDom.Compiler.GeneratedCodeAttribute";
}
