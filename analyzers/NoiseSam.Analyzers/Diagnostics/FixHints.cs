namespace NoiseSam.Analyzers.Diagnostics;

/// <summary>
/// Diagnostic property keys and values by which an analyzer tells the code fixes which fix is
/// unambiguous for a diagnostic. The analyzer owns the rule knowledge; a fixer only edits syntax.
/// </summary>
internal static class FixHints
{
    /// <summary>Property key: which fix applies (one of the values below).</summary>
    public const string Fix = "NoiseSam.Fix";

    /// <summary>Property key: the literal to write for <see cref="Clamp"/> (e.g. "1"), or the modifier to remove for <see cref="RemoveModifier"/>.</summary>
    public const string Value = "NoiseSam.Value";

    /// <summary>Property key: the DSL attribute the diagnostic is about (e.g. "Noise").</summary>
    public const string Attribute = "NoiseSam.Attribute";

    /// <summary>Property key: the argument the diagnostic is about (e.g. "Fraction").</summary>
    public const string Argument = "NoiseSam.Argument";

    /// <summary>Property key (NSAM013): the class name to put in <c>[SamVariant("...")]</c>.</summary>
    public const string ClassName = "NoiseSam.ClassName";

    /// <summary>Fix: replace the argument's value by <see cref="Value"/>.</summary>
    public const string Clamp = "Clamp";

    /// <summary>Fix: remove the argument the diagnostic sits on.</summary>
    public const string RemoveArgument = "RemoveArgument";

    /// <summary>Fix: remove the attribute the diagnostic sits on (or the one containing its argument).</summary>
    public const string RemoveAttribute = "RemoveAttribute";

    /// <summary>Fix (NSAM002): remove the modifier <see cref="Value"/> (static, abstract, file, required) from the declaration the diagnostic sits on.</summary>
    public const string RemoveModifier = "RemoveModifier";

    /// <summary>Fix (NSAM008): add the implementing declaration of ShouldPerturb (the generator writes the defining one).</summary>
    public const string AddImplementation = "AddImplementation";
}
