using NoiseSam.Package.Tests.Helpers;

namespace NoiseSam.Package.Tests;

/// <summary>
/// The scale-out test on a real single-node Slurm cluster (scripts/slurm-test.sh; docs/scale-out.md):
/// a 2-task <c>sbatch --array</c> study and a dependent report job give the same runs and tables as the
/// same plan in one process. Slow (it installs Debian's slurm-wlm and munge when missing and starts
/// daemons as root), so outside the default run:
/// <c>./test.sh --filter "Category=Slow&amp;FullyQualifiedName~Slurm"</c>, or the script itself.
/// </summary>
public sealed class SlurmTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void AShardedStudyOnSlurmEqualsTheOneProcessStudy()
    {
        string dll = RepoPaths.Path("src", "NoiseSam.Cli", "bin", RepoPaths.Configuration, "net10.0", "NoiseSam.Cli.dll");
        Assert.True(File.Exists(dll), $"build the CLI first ({dll})");
        var run = ChildProcess.Run("bash", [RepoPaths.Path("scripts", "slurm-test.sh")], RepoPaths.Root,
            new Dictionary<string, string> { ["NOISESAM"] = $"dotnet {dll}" });
        Console.WriteLine(run.Output);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("slurm-test: PASSED", run.Output, StringComparison.Ordinal);
    }
}
