using System.Diagnostics;
using System.Text;

namespace NoiseSam.Package.Tests.Helpers;

/// <summary>The result of a child process: exit code and interleaved output.</summary>
public sealed record ProcessResult(int ExitCode, string Output, TimeSpan Elapsed)
{
    public override string ToString() => $"exit code {ExitCode} after {Elapsed.TotalSeconds:F1} s:\n{Output}";
}

/// <summary>
/// Runs the .NET CLI (or a built app) as a child process, isolated from the test host's MSBuild
/// variables. There is no time limit: on a shared machine a build or a sample may take many times
/// its quiet-machine duration, and a fixed limit failed the suite under load; a child that really
/// hangs is stopped by the test run's own limit (CI's job timeout, or <c>dotnet test --blame-hang-timeout</c>).
/// </summary>
internal static class Dotnet
{
    public static ProcessResult Run(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in arguments) start.ArgumentList.Add(a);
        // dotnet test runs us under MSBuild-set variables; a nested build must not inherit them.
        foreach (string key in start.Environment.Keys.ToList())
            if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
                start.Environment.Remove(key);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

        var output = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit(); // also drains the asynchronous readers
        lock (output) return new ProcessResult(process.ExitCode, output.ToString(), clock.Elapsed);
    }
}
