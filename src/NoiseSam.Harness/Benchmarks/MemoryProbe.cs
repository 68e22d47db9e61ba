using System.Globalization;
using NoiseSam.Harness.Models;
using NoiseSam.Harness.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Benchmarks;

/// <summary>Resident memory of a process that ran one variant alone (what <c>bench-step --memory</c> reports per variant).</summary>
/// <param name="Variant">Variant name.</param>
/// <param name="Steps">Steps run before reading the counters.</param>
/// <param name="PeakRssBytes">VmHWM: the peak resident set of the whole process (runtime, libtorch, model, step).</param>
/// <param name="FinalRssBytes">VmRSS after the last step.</param>
/// <param name="Parameters">Trainable parameters of the model.</param>
public sealed record MemoryUsage(string Variant, int Steps, long PeakRssBytes, long FinalRssBytes, long Parameters);

/// <summary>Resident memory after a number of steps (<c>bench-step --rss-steps</c>).</summary>
public sealed record RssSample(long Step, long RssBytes, long PeakRssBytes);

/// <summary>
/// Memory measurements of a step. <see cref="Measure"/> runs in a fresh process per variant (the
/// CLI starts itself with a hidden command) so that each peak belongs to one variant alone;
/// <see cref="Track"/> follows VmRSS over a long run to show it stays flat.
/// </summary>
public static class MemoryProbe
{
    /// <summary>A field of /proc/self/status in bytes (VmHWM, VmRSS); 0 where the file does not exist (not Linux).</summary>
    public static long ReadStatusBytes(string field)
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) return 0;
        string prefix = field + ":";
        foreach (string line in File.ReadLines(path))
        {
            if (!line.StartsWith(prefix, StringComparison.Ordinal)) continue;
            string[] parts = line[prefix.Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024;
        }
        return 0;
    }

    /// <summary>Builds the model and the step of <paramref name="variant"/> as the benchmark does, runs <paramref name="steps"/> steps on one fixed batch and reads the process's peak and current RSS.</summary>
    public static MemoryUsage Measure(StepBenchmarkOptions options, string variant, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        using var run = new Run(options, variant);
        for (int i = 0; i < steps; i++) run.Step();
        // VmRSS first: the high-water mark read after it is at least that (other threads may grow the set in between).
        long final = ReadStatusBytes("VmRSS");
        return new MemoryUsage(variant, steps, ReadStatusBytes("VmHWM"), final, run.Parameters);
    }

    /// <summary>Runs <paramref name="steps"/> steps of <paramref name="variant"/> and samples VmRSS every <paramref name="every"/> steps (and before the first).</summary>
    public static IReadOnlyList<RssSample> Track(StepBenchmarkOptions options, string variant, long steps, long every, Action<RssSample>? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(every);
        using var run = new Run(options, variant);
        var samples = new List<RssSample>();
        void Sample(long step)
        {
            long rss = ReadStatusBytes("VmRSS");
            var s = new RssSample(step, rss, ReadStatusBytes("VmHWM"));
            samples.Add(s);
            progress?.Invoke(s);
        }
        Sample(0);
        for (long i = 1; i <= steps; i++)
        {
            run.Step();
            if (i % every == 0 || i == steps) Sample(i);
        }
        return samples;
    }

    /// <summary>One variant's model, step and fixed batch, built as <see cref="StepBenchmark"/> builds them.</summary>
    private sealed class Run : IDisposable
    {
        private readonly nn.Module<Tensor, Tensor> model;
        private readonly ISamStep step;
        private readonly Tensor input, target;

        public Run(StepBenchmarkOptions options, string variant)
        {
            if (!SamVariantRegistry.TryGet(variant, out var entry))
                throw new ArgumentException($"No SAM variant named '{variant}'. Known variants: {string.Join(", ", SamVariantRegistry.Names)}.");
            torch.set_num_threads(options.Threads > 0 ? options.Threads : Environment.ProcessorCount);
            var (channels, size) = StepBenchmark.InputShape(options.Model);
            var device = ComputeDevice.Parse(options.Device);
            var generator = new Generator((ulong)options.Seed + 1);
            input = torch.randn([options.BatchSize, channels, size, size], generator: generator).to(device).DetachFromDisposeScope();
            target = torch.randint(0, 10, [options.BatchSize], generator: generator).to(device).DetachFromDisposeScope();
            model = ModelZoo.Create(options.Model, channels, 10, size, options.Seed);
            model.to(device);
            model.train();
            step = entry.Factory(model, new SamStepOptions { Seed = options.Seed });
            Parameters = model.parameters().Sum(p => p.numel());
        }

        public long Parameters { get; }

        public void Step() => step.Step(input, target);

        public void Dispose()
        {
            step.Dispose();
            model.Dispose();
            input.Dispose();
            target.Dispose();
        }
    }
}
