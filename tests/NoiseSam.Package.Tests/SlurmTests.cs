using System.Diagnostics;
using System.Text;
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
        var start = new ProcessStartInfo("bash") { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(RepoPaths.Path("scripts", "slurm-test.sh"));
        start.Environment["NOISESAM"] = $"dotnet {dll}";
        foreach (string key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        lock (output)
        {
            Console.WriteLine(output);
            Assert.True(process.ExitCode == 0, output.ToString());
            Assert.Contains("slurm-test: PASSED", output.ToString(), StringComparison.Ordinal);
        }
    }
}
