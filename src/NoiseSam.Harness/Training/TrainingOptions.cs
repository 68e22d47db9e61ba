namespace NoiseSam.Harness.Training;

/// <summary>What one training run does: a variant on a model for a number of epochs with one seed.</summary>
public sealed record TrainingOptions
{
    /// <summary>Registered variant name (see <see cref="SamVariantRegistry"/>).</summary>
    public required string Variant { get; init; }

    /// <summary>Model name (see <c>ModelZoo.Names</c>).</summary>
    public string Model { get; init; } = "small-cnn";

    /// <summary>Epochs to train, ≥ 1.</summary>
    public int Epochs { get; init; } = 3;

    /// <summary>Samples per training batch.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Samples per evaluation batch (small batches are several times faster per sample on CPU than batches of 1000).</summary>
    public int EvalBatchSize { get; init; } = 64;

    /// <summary>Seed of the model initialisation, the data order and every random stream of the step.</summary>
    public long Seed { get; init; }

    /// <summary>Intra-op threads (<c>torch.set_num_threads</c>); 0 leaves the current setting.</summary>
    public int Threads { get; init; }

    /// <summary>Device of the model and batches: cpu, cuda or cuda:N (see docs/gpu.md).</summary>
    public string Device { get; init; } = ComputeDevice.Cpu;

    /// <summary>Peak learning rate; null takes the variant's <c>[BaseOptimizer(LearningRate = …)]</c>.</summary>
    public double? LearningRate { get; init; }

    /// <summary>Share of all steps spent in the linear warm-up before the cosine decay, in [0, 1).</summary>
    public double WarmupFraction { get; init; } = 0.05;

    /// <summary>Random crop + flip; null decides by data set (CIFAR-10 yes, (Fashion-)MNIST no).</summary>
    public bool? Augment { get; init; }

    /// <summary>Stop (without writing a checkpoint, as if killed) once this many steps of the run have been taken; null runs to the end.</summary>
    public long? MaxSteps { get; init; }

    /// <summary>Directory for <c>last.ckpt</c> / <c>previous.ckpt</c>, written after every epoch; null writes none.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Continue from the newest valid checkpoint in <see cref="CheckpointDirectory"/> (a fresh start when there is none).</summary>
    public bool Resume { get; init; }

    /// <summary>Where to write the final model state (<c>module.save</c>); null writes nothing.</summary>
    public string? FinalModelPath { get; init; }

    /// <summary>The default of <see cref="DivergenceShare"/>: a run diverged when every step of one epoch was skipped.</summary>
    public const double DefaultDivergenceShare = 1.0;

    /// <summary>
    /// A run stops as diverged as soon as the steps of one epoch skipped for a non-finite loss or
    /// gradient reach this share of the epoch's steps (⌈share × steps per epoch⌉, at least 1); in
    /// (0, 1]. The default, 1, stops a run once every step of an epoch was skipped: the weights no
    /// longer change, so further epochs cannot help. Null never stops (every skipped step is still
    /// counted per epoch).
    /// </summary>
    public double? DivergenceShare { get; init; } = DefaultDivergenceShare;

    /// <summary>Checks every value; throws <see cref="ArgumentException"/> with a one-line message.</summary>
    public void Validate()
    {
        ComputeDevice.Parse(Device);
        if (string.IsNullOrWhiteSpace(Variant)) throw new ArgumentException("a variant name is required");
        if (Epochs < 1) throw new ArgumentException($"epochs must be at least 1 (got {Epochs})");
        if (BatchSize < 1) throw new ArgumentException($"the batch size must be at least 1 (got {BatchSize})");
        if (EvalBatchSize < 1) throw new ArgumentException($"the evaluation batch size must be at least 1 (got {EvalBatchSize})");
        if (Threads < 0) throw new ArgumentException($"threads must be at least 1 (got {Threads})");
        if (LearningRate is double lr && !(double.IsFinite(lr) && lr > 0)) throw new ArgumentException($"the learning rate must be a finite number > 0 (got {lr})");
        if (!(WarmupFraction >= 0 && WarmupFraction < 1)) throw new ArgumentException($"the warm-up fraction must be in [0, 1) (got {WarmupFraction})");
        if (MaxSteps is < 1) throw new ArgumentException($"max steps must be at least 1 (got {MaxSteps})");
        if (Resume && CheckpointDirectory is null) throw new ArgumentException("resuming needs a checkpoint directory");
        if (DivergenceShare is double share && !(share > 0 && share <= 1))
            throw new ArgumentException($"the divergence share must be in (0, 1] (got {share})");
    }
}

/// <summary>What one epoch of a run measured.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean step loss over the epoch's non-skipped steps (the ascent micro-batch's loss on micro-batch SAM steps).</param>
/// <param name="TestLoss">Mean cross entropy on the test split after the epoch (NaN before the last epoch of a run with a validation split: the test split is then evaluated once, for the report).</param>
/// <param name="TestAccuracy">Accuracy on the test split after the epoch, in [0, 1] (NaN like <paramref name="TestLoss"/>).</param>
/// <param name="TrainSeconds">Wall time of the epoch's steps.</param>
/// <param name="EvalSeconds">Wall time of the evaluation.</param>
/// <param name="ElapsedSeconds">Cumulative training time (steps only) of the run up to the end of this epoch.</param>
/// <param name="Steps">Steps taken in the epoch.</param>
/// <param name="SamSteps">Steps that were SAM steps.</param>
/// <param name="MeanAscentFraction">Mean over SAM steps of ascent samples / batch size (NaN without SAM steps).</param>
/// <param name="SkippedSteps">Steps skipped for a non-finite loss or gradient.</param>
/// <param name="LearningRate">Learning rate of the epoch's last step.</param>
/// <param name="ValidationLoss">Mean cross entropy on the validation split after the epoch (NaN without one).</param>
/// <param name="ValidationAccuracy">Accuracy on the validation split after the epoch (NaN without one).</param>
public sealed record EpochRecord(
    int Epoch, double TrainLoss, double TestLoss, double TestAccuracy,
    double TrainSeconds, double EvalSeconds, double ElapsedSeconds,
    int Steps, int SamSteps, double MeanAscentFraction, int SkippedSteps, double LearningRate,
    double ValidationLoss = double.NaN, double ValidationAccuracy = double.NaN)
{
    /// <summary>Share of the epoch's steps that were SAM steps.</summary>
    public double SamStepShare => Steps == 0 ? 0 : (double)SamSteps / Steps;
}

/// <summary>Where a run is, for progress displays; <paramref name="SkippedInEpoch"/>: steps of this epoch skipped for a non-finite loss or gradient.</summary>
public readonly record struct TrainingProgress(
    string Variant, long Seed, int Epoch, int Epochs, int StepInEpoch, int StepsPerEpoch,
    long Step, long TotalSteps, double EpochLoss, double LastAccuracy, bool Evaluating, int SkippedInEpoch = 0);
