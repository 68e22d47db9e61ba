using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace NoiseSam.Harness.Benchmarks;

/// <summary>Per-step time of the PyTorch peer implementation (bench/pytorch/sam_step_bench.py).</summary>
public sealed record PyTorchTiming(string Variant, double MedianMs, double P25Ms, double P75Ms);

/// <summary>One run of the PyTorch peer: its torch version, the BLAS it called (<see cref="PeerBlas.Describe"/>) and its timings.</summary>
public sealed record PyTorchPeerRun(string TorchVersion, string Blas, IReadOnlyList<PyTorchTiming> Timings);

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

    /// <summary>
    /// Checks the peer without timing anything (a second: the import of torch): the script, PyTorch
    /// and an optimised BLAS are there. Run it before minutes of timing that would otherwise end in
    /// the same error.
    /// </summary>
    /// <exception cref="InvalidOperationException">as <see cref="Run"/>.</exception>
    public static PyTorchPeerRun Probe() => Parse(Invoke(["--blas-only"]));

    /// <exception cref="InvalidOperationException">python3-torch missing, script missing, the script failed, or PyTorch
    /// called the reference BLAS (<see cref="PeerBlas"/>); the message says which and how to fix it.</exception>
    public static PyTorchPeerRun Run(StepBenchmarkOptions options, double fraction = 0.25)
    {
        int threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        return Parse(Invoke(
        [
            "--model", options.Model, "--batch-size", Inv(options.BatchSize), "--threads", Inv(threads),
            "--warmup", Inv(options.Warmup), "--rounds", Inv(options.Rounds), "--steps", Inv(options.StepsPerSample),
            "--fraction", fraction.ToString(CultureInfo.InvariantCulture),
        ]));
    }

    private static string Invoke(IEnumerable<string> arguments)
    {
        string script = FindScript() ?? throw new InvalidOperationException($"PyTorch baseline script {ScriptPath} not found: run from the repository.");
        if (!File.Exists(Interpreter))
            throw new InvalidOperationException($"{Interpreter} not found: install Debian's PyTorch with `sudo apt-get install python3-torch {PeerBlas.Package}`.");
        var psi = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(script);
        foreach (string arg in arguments)
            psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {Interpreter}");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            string err = stderr.Result;
            if (err.Contains("No module named 'torch'", StringComparison.Ordinal))
                throw new InvalidOperationException($"PyTorch is not installed for /usr/bin/python3: run `sudo apt-get install python3-torch {PeerBlas.Package}`.");
            throw new InvalidOperationException($"the PyTorch baseline failed (exit {process.ExitCode}): {err.Trim()}");
        }
        return stdout;
    }

    /// <summary>Reads the script's JSON; refuses a peer that ran on the reference BLAS.</summary>
    internal static PyTorchPeerRun Parse(string stdout)
    {
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        string? blas = root.TryGetProperty("blas", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString() : null;
        if (PeerBlas.IsReference(blas))
            throw new InvalidOperationException(PeerBlas.ReferenceRefusal(blas!));
        IReadOnlyList<PyTorchTiming> timings = root.TryGetProperty("variants", out var variants)
            ? variants.EnumerateObject().Select(v => new PyTorchTiming(
                v.Name, v.Value.GetProperty("median_ms").GetDouble(), v.Value.GetProperty("p25_ms").GetDouble(),
                v.Value.GetProperty("p75_ms").GetDouble())).ToList()
            : [];
        return new PyTorchPeerRun(root.GetProperty("torch").GetString() ?? "?", PeerBlas.Describe(blas), timings);
    }

    private static string Inv(int value) => value.ToString(CultureInfo.InvariantCulture);
}
