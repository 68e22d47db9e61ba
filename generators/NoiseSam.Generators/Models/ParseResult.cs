namespace NoiseSam.Generators.Models;

/// <summary>What the parse of one <c>[SamVariant]</c> class gave: a spec to emit, a failure to report, or neither (the analyzers report why).</summary>
/// <param name="Spec">The variant to emit; null when nothing is generated.</param>
/// <param name="Failure">The generator's own failure on this class (NSAM017); null when there was none.</param>
internal sealed record ParseResult(SamVariantSpec? Spec, GeneratorFailure? Failure);

/// <summary>An exception the generator met on one variant, reported as NSAM017 on the class.</summary>
/// <param name="ClassName">The class's name.</param>
/// <param name="Reason">The exception's type and message.</param>
/// <param name="Location">Where to report it.</param>
internal sealed record GeneratorFailure(string ClassName, string Reason, LocationInfo? Location);
