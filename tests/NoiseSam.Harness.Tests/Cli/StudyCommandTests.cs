namespace NoiseSam.Harness.Tests.Cli;

[Collection(TorchCollection.Name)]
public sealed class StudyCommandTests
{
    [Theory]
    [InlineData("--fractions", "1,1.5", "1.5")]
    [InlineData("--fractions", "1,x", "'x' is not a number")]
    [InlineData("--sigmas", "-1", "-1")]
    [InlineData("--scalings", "loud", "unknown scaling 'loud'")]
    [InlineData("--baselines", "NoSuchSam", "unknown variant 'NoSuchSam'")]
    [InlineData("--seeds", "0", "--seeds")]
    [InlineData("--landscape-points", "4", "odd")]
    [InlineData("--phases", "train,dance", "unknown phase 'dance'")]
    public void ABadSettingIsOneLineNamingItAndExitTwo(string option, string value, string expected)
    {
        using var dir = new ScratchDir();
        var r = CliHarness.Run(["study", "--out", dir.Path, option, value]);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains(expected, r.Error, StringComparison.Ordinal);
        Assert.Single(r.Error.Trim().Split('\n'));
        Assert.False(File.Exists(dir["progress.json"]));
    }

    [Fact]
    public void StatusOfAnEmptyDirectorySaysThereIsNoStudy()
    {
        using var dir = new ScratchDir();
        var r = CliHarness.Run(["study", "--status", "--out", dir.Path]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no study in", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ATinyStudyWritesItsReportAndTheStatusCountsItsRuns()
    {
        using var dir = new ScratchDir();
        string[] args = ["study", "--out", dir.Path, "--epochs", "1", "--seeds", "2", "--fractions", "1,0.5", "--sigmas", "0,0.5",
            "--scalings", "gnorm", "--baselines", "SGD", "--probe-samples", "64", "--eigen-iterations", "3", "--landscape-points", "3", .. CliHarness.Tiny(128, 64, 64)];
        var r = CliHarness.Run(args);
        Assert.True(r.ExitCode == 0, r.ToString());
        string md = File.ReadAllText(dir["study.md"]);
        Assert.Contains("| 0.5 | 0.5 | gnorm |", md, StringComparison.Ordinal);
        Assert.Contains("| SGD |", md, StringComparison.Ordinal);
        Assert.Contains("**f = 0.5**", md, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir["study"], "results.csv")));
        Assert.True(File.Exists(Path.Combine(dir["study"], "landscape_1d.png")));
        Assert.Contains("![landscape 2d study-base](study/landscape_2d_study-base.png)", md, StringComparison.Ordinal);

        var status = CliHarness.Run(["study", "--status", "--out", dir.Path]);
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("12 run(s) trained", status.Out, StringComparison.Ordinal);

        // Everything is on disk: the same command trains nothing and rewrites the same tables.
        var again = CliHarness.Run(args);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.DoesNotContain("seed 0:", again.Out, StringComparison.Ordinal);
    }
}
