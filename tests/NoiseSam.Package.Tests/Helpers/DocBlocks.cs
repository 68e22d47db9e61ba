using System.Text.RegularExpressions;

namespace NoiseSam.Package.Tests.Helpers;

/// <summary>A fenced code block of a Markdown page.</summary>
/// <param name="Page">Repository-relative path of the page.</param>
/// <param name="Line">1-based line of the opening fence.</param>
/// <param name="Info">The fence's info string, e.g. "csharp" or "csharp error=NSAM004".</param>
/// <param name="Code">The block's text.</param>
public sealed record DocBlock(string Page, int Line, string Info, string Code)
{
    /// <summary>The NSAM id an "error=NSAMxxx" block must report, or null for a block that must compile clean.</summary>
    public string? ExpectedDiagnostic => Regex.Match(Info, @"\berror=(NSAM\d{3})\b") is { Success: true } m ? m.Groups[1].Value : null;

    public override string ToString() => $"{Page}:{Line}";
}

/// <summary>
/// The user docs whose C# examples are compiled: README.md and docs/*.md (not docs/diagnostics,
/// whose pages show deliberately bad code and have their own test in the analyzer tests).
/// A block fenced ```csharp must compile; ```csharp error=NSAMxxx must report that id;
/// ```csharp-skip marks a deliberate fragment and is not compiled.
/// </summary>
public static class DocBlocks
{
    private static readonly Regex Fence = new(@"^```(?<info>[^\n`]*)\n(?<code>.*?)^```[ \t]*$", RegexOptions.Multiline | RegexOptions.Singleline);

    public static IReadOnlyList<string> Pages()
    {
        var pages = new List<string> { "README.md" };
        pages.AddRange(Directory.GetFiles(RepoPaths.Path("docs"), "*.md")
            .Select(p => Path.GetRelativePath(RepoPaths.Root, p).Replace('\\', '/'))
            .Order(StringComparer.Ordinal));
        return pages;
    }

    /// <summary>Every ```csharp block of a page (info string starting with the word "csharp").</summary>
    public static IReadOnlyList<DocBlock> CSharp(string page)
    {
        string text = File.ReadAllText(RepoPaths.Path(page)).Replace("\r\n", "\n");
        return Fence.Matches(text)
            .Where(m => Regex.IsMatch(m.Groups["info"].Value, @"^(csharp|cs|c#)(\s|$)"))
            .Select(m => new DocBlock(page, 1 + text.AsSpan(0, m.Index).Count('\n'), m.Groups["info"].Value.Trim(), m.Groups["code"].Value))
            .ToList();
    }
}
