using System;
using System.Text;

namespace NoiseSam.Generators.Helpers;

/// <summary>A small indented text writer for generated C# (four spaces per level, '\n' line ends).</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder builder = new();
    private int depth;

    public void WriteLine(string line = "")
    {
        if (line.Length > 0) builder.Append(' ', depth * 4).Append(line);
        builder.Append('\n');
    }

    /// <summary>Writes <c>{</c>, indents, and writes <c>}</c> when the result is disposed.</summary>
    public IDisposable Block(string? header = null)
    {
        if (header is not null) WriteLine(header);
        WriteLine("{");
        depth++;
        return new Closer(this);
    }

    public override string ToString() => builder.ToString();

    private sealed class Closer : IDisposable
    {
        private readonly SourceWriter writer;
        private bool closed;

        public Closer(SourceWriter writer) => this.writer = writer;

        public void Dispose()
        {
            if (closed) return;
            closed = true;
            writer.depth--;
            writer.WriteLine("}");
        }
    }
}
