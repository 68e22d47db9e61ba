namespace NoiseSam.Generators;

/// <summary>Names of the tracked pipeline steps (asserted by the incrementality tests).</summary>
public static class TrackingNames
{
    /// <summary>Attributes and hierarchy of a <c>[SamVariant]</c> class: a spec, a failure, or nothing when it is invalid.</summary>
    public const string Parse = nameof(Parse);

    /// <summary>Valid variants only.</summary>
    public const string RemoveInvalid = nameof(RemoveInvalid);

    /// <summary>The generator's failures (NSAM017).</summary>
    public const string Failures = nameof(Failures);

    /// <summary>Hint names made unique ignoring case.</summary>
    public const string HintNames = nameof(HintNames);
}
