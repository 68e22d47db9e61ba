using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using NoiseSam.Harness.Benchmarks;
using NoiseSam.Harness.Data;
using NoiseSam.Harness.Models;
using NoiseSam.Harness.Sharpness;
using NoiseSam.Harness.Study;
using NoiseSam.Harness.Training;
using TorchSharp;

namespace NoiseSam.Cli.Commands;

/// <summary>
/// <c>noisesam train --result-json r.json</c>: the final metrics of one run, for a search tool
/// (Optuna, Ray Tune, a W&amp;B sweep agent) that runs <c>noisesam train</c> as a subprocess.
/// Written atomically once the run ends, whatever its outcome; the exit code says the outcome too
/// (<see cref="ExitCodes"/>: 0 completed, 2 bad input, 3 diverged, 130 interrupted). Numbers that do
/// not exist (no validation split, a diverged run's accuracy) are null. Format: docs/scale-out.md.
/// </summary>
public sealed record TrainResult
{
    /// <summary>Version of this format; a new member keeps it, a changed meaning raises it.</summary>
    public int Format { get; init; } = 1;

    /// <summary>completed, diverged, stopped (--max-steps) or cancelled.</summary>
    public required string Status { get; init; }

    /// <summary>The exit code the command returns with this file.</summary>
    public required int ExitCode { get; init; }

    public required string Variant { get; init; }
    public required string Declaration { get; init; }
    public required string Model { get; init; }
    public required string Data { get; init; }
    public required long Seed { get; init; }
    public required int Epochs { get; init; }
    /// <summary>Epochs that ran (resumed ones included).</summary>
    public required int EpochsRun { get; init; }
    public required int BatchSize { get; init; }
    public required int Threads { get; init; }
    public required int TrainSamples { get; init; }
    public required int ValidationSamples { get; init; }
    public required int TestSamples { get; init; }

    /// <summary>Test accuracy after the last epoch, in [0, 1].</summary>
    public double? TestAccuracy { get; init; }
    public double? TestLoss { get; init; }
    /// <summary>Validation accuracy after the last epoch (null without --val-fraction): what a search should optimise.</summary>
    public double? ValidationAccuracy { get; init; }
    public double? ValidationLoss { get; init; }
    public double? BestValidationAccuracy { get; init; }
    /// <summary>Mean training loss of the last epoch's steps that were not skipped.</summary>
    public double? TrainLoss { get; init; }

    public required long Steps { get; init; }
    /// <summary>Steps skipped for a non-finite loss or gradient, over the run.</summary>
    public required int SkippedSteps { get; init; }
    public required double SamStepShare { get; init; }

    /// <summary>Median step time of this variant / SGD's, timed interleaved on one batch after training (null with --timing-rounds 0).</summary>
    public double? StepTimeRatio { get; init; }
    /// <summary>The cost model's passes per step relative to the base optimizer.</summary>
    public required double IdealRatio { get; init; }
    public double? SecondsPerEpoch { get; init; }
    public required double TrainSeconds { get; init; }
    /// <summary>Other work shared the cores while the run trained: its times are not comparable.</summary>
    public required bool Contended { get; init; }

    /// <summary>Top Hessian eigenvalue at the final weights (with --lambda-max; Lanczos on the first training samples).</summary>
    public double? LambdaMax { get; init; }
    public bool? LambdaMaxConverged { get; init; }
    public int? LambdaMaxIterations { get; init; }

    /// <summary>The result of <paramref name="run"/>; <paramref name="exitCode"/> is what the command returns.</summary>
    public static TrainResult From(RunResult run, int exitCode, double? stepTimeRatio, EigenEstimate? lambdaMax)
    {
        ArgumentNullException.ThrowIfNull(run);
        var last = run.Records.Count > 0 ? run.Records[^1] : null;
        string status = exitCode switch
        {
            ExitCodes.Diverged => "diverged",
            ExitCodes.Cancelled => "cancelled",
            _ => run.Completed ? "completed" : "stopped",
        };
        return new TrainResult
        {
            Status = status,
            ExitCode = exitCode,
            Variant = run.Variant,
            Declaration = run.Declaration,
            Model = run.Model,
            Data = run.Data,
            Seed = run.Seed,
            Epochs = run.Epochs,
            EpochsRun = run.Records.Count,
            BatchSize = run.BatchSize,
            Threads = run.Threads,
            TrainSamples = run.TrainSamples,
            ValidationSamples = run.ValidationSamples,
            TestSamples = run.TestSamples,
            TestAccuracy = Finite(last?.TestAccuracy),
            TestLoss = Finite(last?.TestLoss),
            ValidationAccuracy = Finite(last?.ValidationAccuracy),
            ValidationLoss = Finite(last?.ValidationLoss),
            BestValidationAccuracy = Finite(run.BestValidationAccuracy),
            TrainLoss = Finite(last?.TrainLoss),
            Steps = run.Steps,
            SkippedSteps = run.SkippedSteps,
            SamStepShare = run.SamStepShare,
            StepTimeRatio = Finite(stepTimeRatio),
            IdealRatio = run.IdealRatio,
            SecondsPerEpoch = Finite(run.SecondsPerEpoch),
            TrainSeconds = run.TrainSeconds,
            Contended = run.Contended,
            LambdaMax = Finite(lambdaMax?.Eigenvalue),
            LambdaMaxConverged = lambdaMax?.Converged,
            LambdaMaxIterations = lambdaMax?.Iterations,
        };
    }

    /// <summary>Writes <paramref name="result"/> atomically (a reader never sees half a file).</summary>
    public static void Write(string path, TrainResult result) =>
        Harness.IO.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(result, Readable) + Environment.NewLine);

    /// <summary>The source-generated metadata, writing σ, ρ and α as themselves rather than \u escapes (still valid JSON).</summary>
    private static readonly System.Text.Json.Serialization.Metadata.JsonTypeInfo<TrainResult> Readable =
        (System.Text.Json.Serialization.Metadata.JsonTypeInfo<TrainResult>)new JsonSerializerOptions(TrainResultJsonContext.Default.Options)
        {
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }.GetTypeInfo(typeof(TrainResult));

    /// <summary>Reads a result file (for tests and tools written in C#).</summary>
    public static TrainResult Read(string path) =>
        JsonSerializer.Deserialize(File.ReadAllText(path), TrainResultJsonContext.Default.TrainResult)
        ?? throw new InvalidDataException($"{path}: empty result file");

    /// <summary>
    /// The step-time ratio of <paramref name="variant"/> to SGD: both timed interleaved on one random
    /// batch (the <c>bench-step</c> method), <paramref name="rounds"/> rounds of 5 steps each.
    /// </summary>
    public static double? MeasureStepTimeRatio(string variant, string model, int batchSize, int threads, string device, int rounds)
    {
        if (rounds < 1) return null;
        if (string.Equals(variant, "SGD", StringComparison.OrdinalIgnoreCase)) return 1.0;
        if (!SamVariantRegistry.TryGet("SGD", out _)) return null;
        var timings = StepBenchmark.Run(new StepBenchmarkOptions
        {
            Variants = ["SGD", variant], Model = model, BatchSize = batchSize, Threads = threads, Device = device,
            Warmup = 2, Rounds = rounds, StepsPerSample = 5,
        });
        return timings.FirstOrDefault(t => string.Equals(t.Variant, variant, StringComparison.OrdinalIgnoreCase))?.Ratio;
    }

    /// <summary>λ_max of the model saved at <paramref name="modelPath"/>: Lanczos with the study's settings (<see cref="StudyOptions"/>).</summary>
    public static EigenEstimate MeasureLambdaMax(string modelPath, string model, DataSplit data, long seed, string device, CancellationToken cancel)
    {
        var defaults = new StudyOptions();
        var train = data.Train;
        using var net = ModelZoo.Create(model, train.Channels, train.Classes, train.ImageSize, seed);
        net.load(modelPath);
        net.to(ComputeDevice.Parse(device));
        using var probe = LossProbe.FromDataset(train, defaults.ProbeSamples, 256, net.parameters().First().device);
        return HessianEigen.Estimate(net, probe, defaults.EigenMethod, defaults.EigenIterations, defaults.EigenTolerance, seed, cancel: cancel);
    }

    /// <summary>One line for the console: status and the numbers a search reads.</summary>
    public string Describe()
    {
        var inv = CultureInfo.InvariantCulture;
        string P(double? x) => x is double v ? (v * 100).ToString("F2", inv) + "%" : "–";
        string time = StepTimeRatio is double r ? r.ToString("F2", inv) + "× SGD" : "–";
        string lambda = LambdaMax is double l ? string.Create(inv, $", λ_max {l:F3}{(LambdaMaxConverged == true ? "" : " (not converged)")}") : "";
        return string.Create(inv,
            $"result: {Status}; test {P(TestAccuracy)}, validation {P(ValidationAccuracy)}, skipped {SkippedSteps}, step time {time} (ideal {IdealRatio:F2}×){lambda}");
    }

    private static double? Finite(double? x) => x is double v && double.IsFinite(v) ? v : null;
}

/// <summary>Source-generated JSON metadata of <see cref="TrainResult"/> (camelCase, indented, nulls written).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(TrainResult))]
internal sealed partial class TrainResultJsonContext : JsonSerializerContext;
