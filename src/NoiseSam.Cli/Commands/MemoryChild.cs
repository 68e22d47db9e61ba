using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NoiseSam.Harness.Benchmarks;

namespace NoiseSam.Cli.Commands;

/// <summary>
/// Starts this CLI again, as a fresh process, to measure one variant's peak RSS alone
/// (<see cref="BenchStepCommand.MemoryChildCommand"/>): a peak read in the benchmark's own process
/// would hold every variant's model and the timing run's allocations.
/// </summary>
internal static class MemoryChild
{
    /// <exception cref="InvalidOperationException">The child could not start, failed, or printed no measurement.</exception>
    public static MemoryUsage Run(StepBenchmarkOptions options, string variant, int steps, string? variantsFrom, string? variantsFile = null)
    {
        var (host, prefix) = SelfCommand();
        var psi = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in prefix) psi.ArgumentList.Add(arg);
        foreach (string arg in new[]
        {
            BenchStepCommand.MemoryChildCommand, "--variant", variant, "--model", options.Model, "--threads", Inv(options.Threads),
            "--device", options.Device, "--batch-size", Inv(options.BatchSize), "--steps", Inv(steps), "--seed", options.Seed.ToString(CultureInfo.InvariantCulture),
        })
            psi.ArgumentList.Add(arg);
        if (variantsFrom is not null)
        {
            psi.ArgumentList.Add("--variants-from");
            psi.ArgumentList.Add(Path.GetFullPath(variantsFrom));
        }
        if (variantsFile is not null)
        {
            psi.ArgumentList.Add("--variants-file");
            psi.ArgumentList.Add(Path.GetFullPath(variantsFile));
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {host} for the memory probe of {variant}");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"the memory probe of {variant} failed (exit {process.ExitCode}): {CliApp.OneLine(stderr.Result)}");
        // One JSON object; a console may have wrapped it: join the lines first.
        string text = string.Concat(stdout.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
        int start = text.IndexOf('{', StringComparison.Ordinal), end = text.LastIndexOf('}');
        if (start < 0 || end < start)
            throw new InvalidOperationException($"the memory probe of {variant} printed no measurement: {CliApp.OneLine(stdout)}");
        return JsonSerializer.Deserialize<MemoryUsage>(text[start..(end + 1)])
            ?? throw new InvalidOperationException($"the memory probe of {variant} printed no measurement");
    }

    /// <summary>
    /// How to start this CLI: its apphost as is, or <c>dotnet NoiseSam.Cli.dll</c> when this process
    /// runs under the dotnet host (<c>dotnet NoiseSam.Cli.dll</c>, a test host) or any other host.
    /// </summary>
    internal static (string Host, IReadOnlyList<string> Prefix) SelfCommand()
    {
        string assembly = typeof(CliApp).Assembly.Location;
        string? process = Environment.ProcessPath;
        if (process is not null && string.Equals(Path.GetFileNameWithoutExtension(process), Path.GetFileNameWithoutExtension(assembly), StringComparison.Ordinal))
            return (process, []);
        bool dotnetHost = process is not null && string.Equals(Path.GetFileNameWithoutExtension(process), "dotnet", StringComparison.OrdinalIgnoreCase);
        return (dotnetHost ? process! : "dotnet", [assembly]);
    }

    private static string Inv(int value) => value.ToString(CultureInfo.InvariantCulture);
}
