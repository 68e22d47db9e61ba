using Microsoft.CodeAnalysis;

namespace NoiseSam.Analyzers.Declarations;

/// <summary>
/// A shape error of a <c>[SamVariant]</c> class (NSAM001, 002, 008, 016): where it is and the
/// arguments of its descriptor's message format. Every one blocks generation.
/// </summary>
internal sealed class DeclarationProblem
{
    public DeclarationProblem(string id, Location location, params string[] messageArguments)
    {
        Id = id;
        Location = location;
        MessageArguments = messageArguments;
    }

    /// <summary>The same problem, fixed by removing a modifier of the declaration at <see cref="Location"/>.</summary>
    public DeclarationProblem WithRemovableModifier(string modifier) =>
        new(Id, Location, MessageArguments) { RemovableModifier = modifier };

    /// <summary>The diagnostic id (a <c>SamDiagnosticIds</c> constant).</summary>
    public string Id { get; }

    /// <summary>Where to report it: the token at fault in the user's code.</summary>
    public Location Location { get; }

    /// <summary>The arguments of the descriptor's message format.</summary>
    public string[] MessageArguments { get; }

    /// <summary>A modifier (<c>static</c>, <c>abstract</c>, <c>file</c>, <c>required</c>) whose removal fixes the problem; null when none does.</summary>
    public string? RemovableModifier { get; private set; }

    public override string ToString() => $"{Id}: {string.Join(" | ", MessageArguments)}";
}
