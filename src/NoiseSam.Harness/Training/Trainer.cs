using System.Diagnostics;
using System.Text.Json;
using NoiseSam.Harness.Checkpoints;
using NoiseSam.Harness.Data;
using NoiseSam.Harness.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Training;

/// <summary>Hooks a caller can attach to a run (all optional).</summary>
public sealed class TrainingCallbacks
{
    /// <summary>After every step and at the start of each evaluation.</summary>
    public Action<TrainingProgress>? Progress { get; init; }

    /// <summary>After every step: global step index, result, learning rate used.</summary>
    public Action<long, SamStepResult, double>? StepCompleted { get; init; }

    /// <summary>After every epoch's evaluation (and checkpoint).</summary>
    public Action<EpochRecord>? EpochCompleted { get; init; }

    /// <summary>Notes for the user (resumed from …, a refused checkpoint …).</summary>
    public Action<string>? Message { get; init; }
}

/// <summary>
/// Trains one variant on a data split: cosine learning-rate decay with linear warm-up (TorchSharp's
/// LambdaLR on the step's <see cref="ISamStep.AsOptimizer"/>, stepped after every step), one <c>DisposeScope</c> per step, evaluation on the test split
/// (or the validation split when there is one) after every epoch, per-epoch records, optional checkpoints after every epoch and bit-identical
/// resume.
/// </summary>
public static class Trainer
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Runs <paramref name="options"/> on <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">Bad options, an unknown variant or model.</exception>
    /// <exception cref="CheckpointException">Resuming from a corrupt or mismatched checkpoint.</exception>
    public static RunResult Run(TrainingOptions options, DataSplit data, TrainingCallbacks? callbacks = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(data);
        options.Validate();
        callbacks ??= new TrainingCallbacks();
        if (!SamVariantRegistry.TryGet(options.Variant, out var entry))
            throw new ArgumentException($"unknown variant '{options.Variant}'; known variants: {string.Join(", ", SamVariantRegistry.Names)}");
        if (!ModelZoo.IsKnown(options.Model))
            throw new ArgumentException($"unknown model '{options.Model}'; known models: {string.Join(", ", ModelZoo.Names)}");
        if (options.Threads > 0) torch.set_num_threads(options.Threads);
        int threads = torch.get_num_threads();
        // The previous run's garbage (a model, probes, thousands of tensors) is finalised now, on this
        // thread's time, not by the finaliser thread while this run's first steps are in libtorch: a
        // collection that thread starts mid-call can free a TorchSharp Scalar the call still reads.
        GC.Collect();
        GC.WaitForPendingFinalizers();

        var descriptor = entry.Descriptor;
        var train = data.Train;
        var test = data.Test;
        var validation = data.Validation;
        bool augment = options.Augment ?? DataSets.UsesAugmentation(DataName(train.Name));
        var device = ComputeDevice.Parse(options.Device);
        var loader = new BatchLoader(train, options.BatchSize, shuffle: true, options.Seed, augment, device: device);
        int stepsPerEpoch = loader.BatchesPerEpoch;
        long totalSteps = (long)stepsPerEpoch * options.Epochs;
        double peak = options.LearningRate ?? (descriptor.BaseOptimizer ?? BaseOptimizerSpec.Default).EffectiveLearningRate;
        var header = new CheckpointHeader(descriptor.Name, descriptor.Summary(), options.Model, DataFingerprint(data, augment), train.Count,
            options.Seed, options.Epochs, options.BatchSize);
        var store = options.CheckpointDirectory is null ? null : new CheckpointStore(options.CheckpointDirectory);
        // One run per checkpoint folder: a second one is refused here, never interleaved (the CLI
        // claims the folder earlier, before loading data; the claim is counted, not repeated).
        using var checkpointLock = options.CheckpointDirectory is null ? null
            : IO.RunLock.Acquire(IO.RunLock.InFolder(options.CheckpointDirectory), options.CheckpointDirectory, callbacks.Message);
        // Skipped steps of one epoch at which the run is stopped as diverged.
        int? divergeAt = options.DivergenceShare is double share ? Math.Max(1, (int)Math.Ceiling(share * stepsPerEpoch - 1e-9)) : null;

        var records = new List<EpochRecord>();
        int startEpoch = 0;
        long step = 0;
        var model = ModelZoo.Create(options.Model, train.Channels, train.Classes, train.ImageSize, options.Seed);
        ISamStep? samStep = null;
        try
        {
            CheckpointPayload? resumeFrom = null;
            if (options.Resume && store is not null)
            {
                var warnings = new List<string>();
                var found = store.LoadLatest(header, warnings);
                foreach (string w in warnings) callbacks.Message?.Invoke(w);
                if (found is { } f)
                {
                    resumeFrom = f.Payload;
                    callbacks.Message?.Invoke($"resuming {descriptor.Name} from {f.Path} (epoch {f.Payload.EpochsCompleted} of {options.Epochs}, step {f.Payload.Step})");
                }
                else callbacks.Message?.Invoke($"no checkpoint in {store.Directory}: starting {descriptor.Name} from scratch");
            }

            // The weights must be in place before the step object flattens them.
            if (resumeFrom is not null)
            {
                using var ms = new MemoryStream(resumeFrom.ModelState, writable: false);
                model.load(ms);
            }
            // The step flattens the parameters on their current device: move the model first.
            model.to(device);
            samStep = entry.Factory(model, new SamStepOptions { Seed = options.Seed, TotalSteps = totalSteps });
            if (resumeFrom is not null)
            {
                using (var ms = new MemoryStream(resumeFrom.StepState, writable: false)) samStep.LoadState(ms);
                records.AddRange(JsonSerializer.Deserialize<List<EpochRecord>>(resumeFrom.MetricsJson, JsonOptions) ?? []);
                startEpoch = resumeFrom.EpochsCompleted;
                step = resumeFrom.Step;
            }
            // TorchSharp's LambdaLR on the step's optimizer facade sets the learning rate of every step.
            var schedule = LearningRateSchedule.Create(samStep, peak, totalSteps, options.WarmupFraction, startStep: step);
            int resumedEpochs = startEpoch;
            double elapsed = records.Count == 0 ? 0 : records[^1].ElapsedSeconds;
            double lastAccuracy = records.Count == 0 ? double.NaN : validation is null ? records[^1].TestAccuracy : records[^1].ValidationAccuracy;
            bool completed = true, diverged = false;

            model.train();
            var load = new MachineLoad();
            for (int epoch = startEpoch; epoch < options.Epochs; epoch++)
            {
                double lossSum = 0, ascentSum = 0, lr = samStep.LearningRate;
                int steps = 0, counted = 0, samSteps = 0, skipped = 0;
                var watch = Stopwatch.StartNew();
                bool stopped = false;
                using (var batches = loader.Epoch(epoch).GetEnumerator())
                {
                    while (true)
                    {
                        using var scope = torch.NewDisposeScope();
                        if (!batches.MoveNext()) break;
                        // Checked once a batch is known to exist, so that a limit reached on an
                        // epoch's last step still lets that epoch be evaluated and checkpointed.
                        if (options.MaxSteps is long max && step >= max || cancel.IsCancellationRequested)
                        {
                            stopped = true;
                            break;
                        }
                        var (input, target) = batches.Current;
                        lr = samStep.LearningRate;
                        var result = samStep.Step(input, target);
                        schedule.step();
                        steps++;
                        if (result.Skipped) skipped++;
                        else
                        {
                            lossSum += result.Loss;
                            counted++;
                        }
                        if (result.Perturbed)
                        {
                            samSteps++;
                            ascentSum += (double)result.AscentSamples / input.shape[0];
                        }
                        callbacks.StepCompleted?.Invoke(step, result, lr);
                        step++;
                        callbacks.Progress?.Invoke(new TrainingProgress(descriptor.Name, options.Seed, epoch + 1, options.Epochs,
                            steps, stepsPerEpoch, step, totalSteps, counted == 0 ? double.NaN : lossSum / counted, lastAccuracy, false, skipped));
                        if (skipped >= divergeAt)
                        {
                            diverged = true;
                            break;
                        }
                    }
                }
                watch.Stop();
                load.Sample();
                if (stopped)
                {
                    completed = false;
                    callbacks.Message?.Invoke(cancel.IsCancellationRequested
                        ? $"{descriptor.Name}: cancelled after {step} steps"
                        : $"{descriptor.Name}: stopped after {step} steps (max steps); no checkpoint was written for the unfinished epoch");
                    break;
                }
                if (diverged)
                {
                    // Recorded, not evaluated (the weights are what the last finite step left) and not
                    // checkpointed: the last checkpoint stays the last good epoch.
                    completed = false;
                    elapsed += watch.Elapsed.TotalSeconds;
                    records.Add(new EpochRecord(epoch + 1, counted == 0 ? double.NaN : lossSum / counted, double.NaN, double.NaN,
                        watch.Elapsed.TotalSeconds, 0, elapsed, steps, samSteps, samSteps == 0 ? double.NaN : ascentSum / samSteps, skipped, lr));
                    callbacks.Message?.Invoke(DivergenceMessage(descriptor.Name, options.Seed, epoch + 1, skipped, steps, stepsPerEpoch, options.DivergenceShare!.Value));
                    break;
                }

                callbacks.Progress?.Invoke(new TrainingProgress(descriptor.Name, options.Seed, epoch + 1, options.Epochs,
                    steps, stepsPerEpoch, step, totalSteps, counted == 0 ? double.NaN : lossSum / counted, lastAccuracy, true, skipped));
                var evalWatch = Stopwatch.StartNew();
                // With a validation split, every epoch is judged on it and the test split is evaluated once,
                // after the last epoch, for the report; without one, the test split every epoch.
                double valLoss = double.NaN, valAccuracy = double.NaN, testLoss = double.NaN, accuracy = double.NaN;
                if (validation is not null) (valLoss, valAccuracy) = Evaluate(model, validation, options.EvalBatchSize);
                if (validation is null || epoch == options.Epochs - 1) (testLoss, accuracy) = Evaluate(model, test, options.EvalBatchSize);
                evalWatch.Stop();
                elapsed += watch.Elapsed.TotalSeconds;
                lastAccuracy = validation is null ? accuracy : valAccuracy;
                var record = new EpochRecord(epoch + 1, counted == 0 ? double.NaN : lossSum / counted, testLoss, accuracy,
                    watch.Elapsed.TotalSeconds, evalWatch.Elapsed.TotalSeconds, elapsed,
                    steps, samSteps, samSteps == 0 ? double.NaN : ascentSum / samSteps, skipped, lr, valLoss, valAccuracy);
                records.Add(record);

                store?.Save(header, new CheckpointPayload
                {
                    EpochsCompleted = epoch + 1,
                    Step = step,
                    LoaderSeed = options.Seed,
                    MetricsJson = JsonSerializer.Serialize(records, JsonOptions),
                    ModelState = SaveModel(model),
                    StepState = SaveStep(samStep),
                });
                callbacks.EpochCompleted?.Invoke(record);
            }

            // One rule for every caller (train's exit code and --result-json, compare, the study):
            // stopped for its skipped steps, or a non-finite test loss after the last epoch. With the
            // stop turned off (DivergenceShare null) skipped steps are counted, not judged: the user asked to go on.
            diverged = diverged || (completed && records.Count > 0 && !double.IsFinite(records[^1].TestLoss));

            if (completed && options.FinalModelPath is string finalPath)
                IO.AtomicFile.WriteAllBytes(finalPath, SaveModel(model));   // creates the folder

            return new RunResult
            {
                Variant = descriptor.Name,
                Declaration = descriptor.Summary(),
                Model = options.Model,
                Data = train.Name,
                Seed = options.Seed,
                Epochs = options.Epochs,
                BatchSize = options.BatchSize,
                Threads = threads,
                TrainSamples = train.Count,
                TestSamples = test.Count,
                Classes = train.Classes,
                ValidationSamples = validation?.Count ?? 0,
                LabelNoise = data.LabelNoise,
                FlippedFraction = data.FlippedFraction,
                Augmented = augment,
                MaxLoadAverage = load.MaxLoadAverage,
                Cores = Environment.ProcessorCount,
                CpuUtilization = load.Utilization(threads),
                TotalSteps = totalSteps,
                IdealRatio = CostModel.IdealRatio(descriptor),
                Records = records,
                Steps = step,
                Completed = completed,
                Diverged = diverged,
                ResumedEpochs = resumedEpochs,
            };
        }
        finally
        {
            samStep?.Dispose();
            model.Dispose();
        }
    }

    /// <summary>Mean cross entropy and accuracy of <paramref name="model"/> on <paramref name="data"/> (eval mode, no gradients, batched); the model is left in training mode.</summary>
    public static (double Loss, double Accuracy) Evaluate(nn.Module<Tensor, Tensor> model, TensorDataset data, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var device = model.parameters().FirstOrDefault()?.device ?? torch.CPU;
        double lossSum = 0;
        long correct = 0;
        model.eval();
        try
        {
            using var noGrad = torch.no_grad();
            for (long start = 0; start < data.Count; start += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                long len = Math.Min(batchSize, data.Count - start);
                var x = data.Images.narrow(0, start, len).to(device);
                var y = data.Labels.narrow(0, start, len).to(device);
                var logits = model.forward(x);
                lossSum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).to(ScalarType.Float64).item<double>();
                correct += logits.argmax(1).eq(y).sum().item<long>();
            }
        }
        finally
        {
            model.train();
        }
        return (lossSum / data.Count, (double)correct / data.Count);
    }

    /// <summary>The one-line note of a run stopped as diverged.</summary>
    public static string DivergenceMessage(string variant, long seed, int epoch, int skipped, int steps, int stepsPerEpoch, double share) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{variant} seed {seed} diverged in epoch {epoch}: {skipped} of its {steps} step(s) so far were skipped for a non-finite loss or gradient " +
            $"(the limit is {share:0.##} × {stepsPerEpoch} steps per epoch); stopped. Lower the learning rate or ρ, or see docs/cli.md");

    /// <summary>What a checkpoint must have been trained on to be resumed: splits, sizes, noise, validation split and augmentation.</summary>
    public static string DataFingerprint(DataSplit data, bool augment) =>
        data.Describe() + (augment ? " | augmented" : "");

    /// <summary>The data set part of a split name ("fashion-mnist/train" → "fashion-mnist").</summary>
    public static string DataName(string splitName)
    {
        int slash = splitName.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? splitName : splitName[..slash];
    }

    internal static byte[] SaveModel(nn.Module model)
    {
        using var ms = new MemoryStream();
        model.save(ms);
        return ms.ToArray();
    }

    private static byte[] SaveStep(ISamStep step)
    {
        using var ms = new MemoryStream();
        step.SaveState(ms);
        return ms.ToArray();
    }
}
