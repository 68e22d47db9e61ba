namespace NoiseSam.Analyzers.Tests.Helpers;

/// <summary>Test sources: a class with the given attribute lines in a file that imports the DSL.</summary>
internal static class TestSource
{
    /// <summary><c>using NoiseSam.Dsl;</c>, a namespace, the attribute lines, then <c>public partial class {name} { }</c>.</summary>
    public static string Class(string attributes, string name = "Variant") => $$"""
        using NoiseSam.Dsl;

        namespace App;

        {{attributes}}
        public partial class {{name}} { }
        """;
}
