namespace NoiseSam.Dsl;

/// <summary>
/// A parameter group: the trainable parameters whose name (<c>named_parameters()</c>, e.g.
/// <c>"backbone.layer1.0.conv1.weight"</c>) starts with <see cref="Prefix"/> train with the base
/// learning rate times <see cref="LearningRateScale"/> (a scheduler driving the step's learning rate
/// scales every group alike). When several prefixes match a name, the longest wins. Repeatable.
/// </summary>
/// <remarks>Each prefix must match at least one trainable parameter when the step is built.</remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ParameterGroupAttribute : Attribute
{
    /// <param name="prefix">Start of the parameter names of the group, e.g. "backbone.".</param>
    public ParameterGroupAttribute(string prefix) => Prefix = prefix;

    /// <summary>Start of the parameter names of the group.</summary>
    public string Prefix { get; }

    /// <summary>Multiplier of the learning rate for the group, finite and &gt; 0. Default 1.</summary>
    public double LearningRateScale { get; set; } = 1.0;
}
