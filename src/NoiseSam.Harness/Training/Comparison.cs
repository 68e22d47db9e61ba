using NoiseSam.Harness.Data;

namespace NoiseSam.Harness.Training;

/// <summary>A comparison: every variant with every seed, the same data, model, epochs and batch size.</summary>
public sealed record ComparisonOptions
{
    public required IReadOnlyList<string> Variants { get; init; }
    public required IReadOnlyList<long> Seeds { get; init; }
    public string Model { get; init; } = "small-cnn";
    public int Epochs { get; init; } = 3;
    public int BatchSize { get; init; } = 128;
    public int Threads { get; init; }
    /// <summary>Device of the model and batches: cpu, cuda or cuda:N.</summary>
    public string Device { get; init; } = ComputeDevice.Cpu;
    /// <summary>Random crop + flip of training batches; null decides by data set.</summary>
    public bool? Augment { get; init; }
    /// <summary>Each run's <see cref="TrainingOptions.DivergenceShare"/>.</summary>
    public double? DivergenceShare { get; init; } = TrainingOptions.DefaultDivergenceShare;
}

/// <summary>Runs a comparison, one run after the other in this process (so timings are comparable).</summary>
public static class Comparison
{
    /// <summary>Runs of the comparison in order: for each seed, each variant.</summary>
    public static IReadOnlyList<(string Variant, long Seed)> Plan(ComparisonOptions options) =>
        options.Seeds.SelectMany(seed => options.Variants.Select(v => (v, seed))).ToList();

    /// <summary>
    /// Trains every (variant, seed). <paramref name="callbacksFor"/> and <paramref name="runFinished"/>
    /// bracket each run; cancellation stops after the current step and returns the finished runs.
    /// A run that diverged (<see cref="RunResult.Diverged"/>) is returned too, for the report to mark;
    /// the comparison goes on with the next run.
    /// </summary>
    public static IReadOnlyList<RunResult> Run(ComparisonOptions options, DataSplit data,
        Func<string, long, TrainingCallbacks>? callbacksFor = null,
        Action<RunResult>? runFinished = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var results = new List<RunResult>();
        foreach (var (variant, seed) in Plan(options))
        {
            if (cancel.IsCancellationRequested) break;
            var run = Trainer.Run(new TrainingOptions
            {
                Variant = variant,
                Model = options.Model,
                Epochs = options.Epochs,
                BatchSize = options.BatchSize,
                Seed = seed,
                Threads = options.Threads,
                Device = options.Device,
                Augment = options.Augment,
                DivergenceShare = options.DivergenceShare,
            }, data, callbacksFor?.Invoke(variant, seed), cancel);
            if (run.Completed || run.Diverged) results.Add(run);
            runFinished?.Invoke(run);
        }
        return results;
    }
}
