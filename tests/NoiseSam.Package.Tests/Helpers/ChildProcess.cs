using System.Diagnostics;
using System.Text;

namespace NoiseSam.Package.Tests.Helpers;

/// <summary>Runs a program (an installed tool, a script) as a user would: without the test host's MSBuild and VSTest variables.</summary>
internal static class ChildProcess
{
    /// <param name="limit">Only a guard against a hang (null: none); machine speed must not decide a test.</param>
    public static ProcessResult Run(string program, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? limit = null)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in arguments) start.ArgumentList.Add(a);
        foreach (string key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var output = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        bool exited = limit is TimeSpan l ? process.WaitForExit(l) : process.WaitForExit(Timeout.Infinite);
        if (!exited) process.Kill(entireProcessTree: true);
        process.WaitForExit(); // drains the asynchronous readers
        lock (output) return new ProcessResult(exited ? process.ExitCode : -1, (exited ? "" : $"stopped after {limit}\n") + output, clock.Elapsed);
    }
}
