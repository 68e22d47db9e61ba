using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace NoiseSam.Harness.Benchmarks;

/// <summary>Per-step time of the PyTorch peer implementation (bench/pytorch/sam_step_bench.py).</summary>
public sealed record PyTorchTiming(string Variant, double MedianMs, double P25Ms, double P75Ms);

/// <summary>
/// Runs the PyTorch peer baseline with Debian's python3-torch and reads its JSON. The script times
/// SGD, SAM and micro-batch SAM the textbook way on the same architecture, batch and threads.
/// </summary>
public static class PyTorchBaseline
{
    public const string Interpreter = "/usr/bin/python3";
    public const string ScriptPath = "bench/pytorch/sam_step_bench.py";

    /// <summary>Finds the script from the working directory or any parent (the repository root).</summary>
    public static string? FindScript()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, ScriptPath);
            if (File.Exists(candidate)) return candidate;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, ScriptPath);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <exception cref="InvalidOperationException">python3-torch missing, script missing, or the script failed; the message says which and how to fix it.</exception>
    public static (string TorchVersion, IReadOnlyList<PyTorchTiming> Timings) Run(StepBenchmarkOptions options, double fraction = 0.25)
    {
        string script = FindScript() ?? throw new InvalidOperationException($"PyTorch baseline script {ScriptPath} not found: run from the repository.");
        if (!File.Exists(Interpreter))
            throw new InvalidOperationException($"{Interpreter} not found: install Debian's PyTorch with `sudo apt-get install python3-torch`.");
        int threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        var psi = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[]
        {
            script, "--model", options.Model, "--batch-size", Inv(options.BatchSize), "--threads", Inv(threads),
            "--warmup", Inv(options.Warmup), "--rounds", Inv(options.Rounds), "--steps", Inv(options.StepsPerSample),
            "--fraction", fraction.ToString(CultureInfo.InvariantCulture),
        })
            psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {Interpreter}");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            string err = stderr.Result;
            if (err.Contains("No module named 'torch'", StringComparison.Ordinal))
                throw new InvalidOperationException("PyTorch is not installed for /usr/bin/python3: run `sudo apt-get install python3-torch`.");
            throw new InvalidOperationException($"the PyTorch baseline failed (exit {process.ExitCode}): {err.Trim()}");
        }
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        var timings = root.GetProperty("variants").EnumerateObject().Select(v => new PyTorchTiming(
            v.Name, v.Value.GetProperty("median_ms").GetDouble(), v.Value.GetProperty("p25_ms").GetDouble(),
            v.Value.GetProperty("p75_ms").GetDouble())).ToList();
        return (root.GetProperty("torch").GetString() ?? "?", timings);
    }

    private static string Inv(int value) => value.ToString(CultureInfo.InvariantCulture);
}
