namespace NoiseSam.Dsl;

/// <summary>Which samples the descent (second) pass of a SAM step uses.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class DescentSelectionAttribute : Attribute
{
    /// <param name="set">The descent set.</param>
    public DescentSelectionAttribute(DescentSet set) => Set = set;

    /// <summary>The descent set.</summary>
    public DescentSet Set { get; }

    /// <summary>ESAM-SDS fraction γ in (0, 1] of the batch kept for the descent. Default 0.5 (Du et al. 2022).</summary>
    public double Fraction { get; set; } = SamDefaults.DescentFraction;
}
