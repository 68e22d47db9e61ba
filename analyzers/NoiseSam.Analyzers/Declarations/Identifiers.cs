using Microsoft.CodeAnalysis.CSharp;

namespace NoiseSam.Analyzers.Declarations;

/// <summary>C# identifiers as they must be written in source.</summary>
internal static class Identifiers
{
    /// <summary><paramref name="name"/> with an <c>@</c> when it is a reserved keyword (<c>class</c> → <c>@class</c>).</summary>
    public static string Escape(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
}
