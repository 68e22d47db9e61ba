namespace NoiseSam.Generators;

/// <summary>Names of the tracked pipeline steps (asserted by the incrementality tests).</summary>
public static class TrackingNames
{
    /// <summary>Attributes and hierarchy of a <c>[SamVariant]</c> class, or null when it is invalid.</summary>
    public const string Parse = nameof(Parse);

    /// <summary>Valid variants only.</summary>
    public const string RemoveInvalid = nameof(RemoveInvalid);
}
