using System.Text.RegularExpressions;
using NoiseSam.Harness.Study;
using NoiseSam.Json;

namespace NoiseSam.Harness.Tests.Study;

/// <summary>docs/scale-out.md does not rot: its variants file and plan are valid, its sbatch scripts are the repository's.</summary>
public sealed class ScaleOutDocsTests
{
    private static readonly string Root = FindRoot();
    private static readonly string Page = File.ReadAllText(Path.Combine(Root, "docs", "scale-out.md")).Replace("\r\n", "\n");

    [Fact]
    public void TheVariantsFileExampleReadsWithoutAProblem()
    {
        var result = SamVariantJson.Read(Block("json variants-file"));
        Assert.Empty(result.Problems);
        Assert.Equal(["NI-MBS-s1", "LookSAM-3"], result.Variants.Select(v => v.Name));
    }

    [Fact]
    public void ThePlanExampleReadsAndItsVariantsAreValid()
    {
        using var dir = new Cli.ScratchDir();
        File.WriteAllText(dir["plan.json"], Block("json plan"));
        var plan = StudyPlanFile.Read(dir["plan.json"]);
        Assert.Equal([0L, 1, 2], plan.Seeds);
        Assert.Equal(2500, plan.Data!.TrainLimit);
        Assert.Empty(SamVariantJson.Read(plan.Variants!.Value, "$.variants").Problems);
    }

    [Theory]
    [InlineData("study-array.sbatch")]
    [InlineData("study-report.sbatch")]
    public void TheSbatchScriptsShownAreTheOnesTheSlurmTestRuns(string script)
    {
        string text = File.ReadAllText(Path.Combine(Root, "scripts", "slurm", script)).Replace("\r\n", "\n");
        Assert.Contains("```bash\n" + text + "```", Page, StringComparison.Ordinal);
    }

    private static string Block(string info)
    {
        var match = Regex.Match(Page, "^```" + Regex.Escape(info) + "\n(?<code>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(match.Success, $"no ```{info} block in docs/scale-out.md");
        return match.Groups["code"].Value;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NoiseSam.Dsl.sln"))) return dir.FullName;
        throw new InvalidOperationException("NoiseSam.Dsl.sln not found above " + AppContext.BaseDirectory);
    }
}
