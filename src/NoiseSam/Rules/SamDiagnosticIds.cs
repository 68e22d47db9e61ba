// Linked into the generator and the analyzers: the one list of NSAM ids (DESIGN.md §3, then NSAM016 on).
namespace NoiseSam.Rules;

#if NOISESAM_ROSLYN
internal
#else
public
#endif
static class SamDiagnosticIds
{
    public const string NotPartial = "NSAM001";
    public const string InvalidTargetType = "NSAM002";
    public const string PerturbationOutOfRange = "NSAM003";
    public const string FractionOutOfRange = "NSAM004";
    public const string SigmaOutOfRange = "NSAM005";
    public const string ZeroNoise = "NSAM006";
    public const string ScheduleParameterInvalid = "NSAM007";
    public const string CustomScheduleWithoutMethod = "NSAM008";
    public const string IneffectiveSelection = "NSAM009";
    public const string NeverScheduleWithSamAttributes = "NSAM010";
    public const string PerturbationParameterForOtherKind = "NSAM011";
    public const string DuplicateVariantName = "NSAM012";
    public const string MissingSamVariant = "NSAM013";
    public const string IncompatibleCombination = "NSAM014";
    public const string OptimizerParameterInvalid = "NSAM015";
    public const string ReservedName = "NSAM016";
    public const string GeneratorFailed = "NSAM017";
    public const string AccumulationOutOfRange = "NSAM018";
    public const string ParameterGroupInvalid = "NSAM019";
}
