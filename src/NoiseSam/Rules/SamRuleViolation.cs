// Linked into the generator and the analyzers (see SamDeclarationRules).
using System;

namespace NoiseSam.Rules;

/// <summary>One broken declaration rule: the NSAM id, where it is (attribute and argument) and why.</summary>
#if NOISESAM_ROSLYN
internal
#else
public
#endif
sealed class SamRuleViolation : IEquatable<SamRuleViolation>
{
    public SamRuleViolation(string id, bool isError, string attribute, string? argument, string message)
    {
        Id = id;
        IsError = isError;
        Attribute = attribute;
        Argument = argument;
        Message = message;
    }

    /// <summary>Diagnostic id, e.g. "NSAM004".</summary>
    public string Id { get; }

    /// <summary>True for an error, false for a warning.</summary>
    public bool IsError { get; }

    /// <summary>Attribute name without the "Attribute" suffix, e.g. "MicroBatch".</summary>
    public string Attribute { get; }

    /// <summary>The offending argument (e.g. "Fraction"), or null when the attribute as a whole is at fault.</summary>
    public string? Argument { get; }

    /// <summary>The full message, naming the variant, attribute, argument, bad value and valid range.</summary>
    public string Message { get; }

    public bool Equals(SamRuleViolation? other) =>
        other is not null && Id == other.Id && IsError == other.IsError && Attribute == other.Attribute
        && Argument == other.Argument && Message == other.Message;

    public override bool Equals(object? obj) => Equals(obj as SamRuleViolation);

    public override int GetHashCode() => (Id, Attribute, Argument, Message).GetHashCode();

    public override string ToString() => $"{Id} ({(IsError ? "error" : "warning")}): {Message}";
}
