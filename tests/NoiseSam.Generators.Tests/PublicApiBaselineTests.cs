using System.Text.RegularExpressions;

namespace NoiseSam.Generators.Tests;

/// <summary>
/// What generated code binds to is part of the runtime's public API baseline
/// (src/NoiseSam/PublicAPI.Shipped.txt and, until the next release, PublicAPI.Unshipped.txt; both
/// checked by the PublicApiAnalyzers in every build): then
/// removing or changing one of those members is a build error (RS0017), not a break that only
/// users' generated code would find.
/// </summary>
public sealed class PublicApiBaselineTests
{
    [Fact]
    public void EveryRuntimeTypeAndKernelMemberTheGeneratedCodeUsesIsInTheDeclaredBaseline()
    {
        string root = RepoRoot();
        string[] baseline = [.. new[] { "PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt" }
            .SelectMany(f => File.ReadAllLines(Path.Combine(root, "src", "NoiseSam", f)))
            .Where(line => !line.StartsWith("*REMOVED*", StringComparison.Ordinal))];
        string generated = string.Concat(Directory.GetFiles(Path.Combine(root, "tests", "NoiseSam.Generators.Tests", "Snapshots"), "*.verified.cs").Select(File.ReadAllText));

        var names = Regex.Matches(generated, @"global::(NoiseSam(?:\.[A-Za-z_][A-Za-z0-9_]*)+)").Select(m => m.Groups[1].Value)
            .Concat(Regex.Matches(generated, @"\b_core\.([A-Za-z_][A-Za-z0-9_]*)").Select(m => "NoiseSam.Kernels.SamStepCore." + m.Groups[1].Value))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        Assert.True(names.Count > 40, $"only {names.Count} names found in the snapshots");
        var missing = names.Where(n => !baseline.Any(line => Regex.IsMatch(line, $@"(^|[\s(<,]){Regex.Escape(n)}([.(\s<-]|$)"))).ToList();
        Assert.True(missing.Count == 0, "not in PublicAPI.Shipped.txt or PublicAPI.Unshipped.txt: " + string.Join(", ", missing));
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NoiseSam.Dsl.sln"))) return dir.FullName;
        throw new InvalidOperationException("NoiseSam.Dsl.sln not found");
    }
}
