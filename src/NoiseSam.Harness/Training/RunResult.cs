namespace NoiseSam.Harness.Training;

/// <summary>Everything one run of one variant with one seed produced.</summary>
public sealed record RunResult
{
    public required string Variant { get; init; }
    public required string Declaration { get; init; }
    public required string Model { get; init; }
    public required string Data { get; init; }
    public required long Seed { get; init; }
    public required int Epochs { get; init; }
    public required int BatchSize { get; init; }
    public required int Threads { get; init; }
    public required int TrainSamples { get; init; }
    public required int TestSamples { get; init; }
    /// <summary>Classes of the data set (10 when a record predates the field).</summary>
    public int Classes { get; init; } = 10;
    /// <summary>Samples of the validation split (0 without one).</summary>
    public int ValidationSamples { get; init; }
    /// <summary>Probability of a training label being replaced by another class (0: clean).</summary>
    public double LabelNoise { get; init; }
    /// <summary>Share of the training labels the noise changed.</summary>
    public double FlippedFraction { get; init; }
    /// <summary>Training batches were augmented (random crop + flip).</summary>
    public bool Augmented { get; init; }
    /// <summary>Largest 1-minute load average sampled after the epochs (NaN where unknown): above threads + 1, other work shared the cores.</summary>
    public double MaxLoadAverage { get; init; } = double.NaN;
    /// <summary>CPU time this process got / (wall time × threads) over the run.</summary>
    public double CpuUtilization { get; init; } = double.NaN;
    /// <summary>Other work competed for the cores while this run trained (<see cref="MachineLoad.Contended"/>): its wall times are not comparable.</summary>
    public bool Contended => MachineLoad.Contended(MaxLoadAverage, Threads, Cores > 0 ? Cores : Threads);
    /// <summary>Logical cores of the machine the run trained on.</summary>
    public int Cores { get; init; }
    public required long TotalSteps { get; init; }
    /// <summary>Expected cost per step relative to the base optimizer (<see cref="CostModel.IdealRatio"/>).</summary>
    public required double IdealRatio { get; init; }
    public required IReadOnlyList<EpochRecord> Records { get; init; }
    /// <summary>Steps actually taken (resumed steps included).</summary>
    public required long Steps { get; init; }
    /// <summary>True when every epoch ran (false after <see cref="TrainingOptions.MaxSteps"/>, cancellation or divergence).</summary>
    public required bool Completed { get; init; }
    /// <summary>
    /// The run diverged: it stopped because the skipped steps of an epoch reached
    /// <see cref="TrainingOptions.DivergenceShare"/> (its last record holds that epoch's steps, with NaN
    /// losses and accuracies: the model was not evaluated), or the test loss after the last epoch is not finite.
    /// </summary>
    public bool Diverged { get; init; }
    /// <summary>Epochs that came from a checkpoint (0 for a fresh run).</summary>
    public int ResumedEpochs { get; init; }

    /// <summary>Test accuracy after the last epoch.</summary>
    public double FinalAccuracy => Records.Count == 0 ? double.NaN : Records[^1].TestAccuracy;
    /// <summary>Best test accuracy over the epochs evaluated on the test split (only the last one when there is a validation split).</summary>
    public double BestAccuracy => Records.Select(r => r.TestAccuracy).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max();
    /// <summary>Validation accuracy after the last epoch (NaN without a validation split).</summary>
    public double FinalValidationAccuracy => Records.Count == 0 ? double.NaN : Records[^1].ValidationAccuracy;
    /// <summary>Best validation accuracy over the epochs (NaN without a validation split).</summary>
    public double BestValidationAccuracy => Records.Select(r => r.ValidationAccuracy).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max();
    public double TrainSeconds => Records.Sum(r => r.TrainSeconds);
    public double EvalSeconds => Records.Sum(r => r.EvalSeconds);
    public double SecondsPerEpoch => Records.Count == 0 ? double.NaN : TrainSeconds / Records.Count;
    public int SkippedSteps => Records.Sum(r => r.SkippedSteps);

    /// <summary>Share of SAM steps over the whole run.</summary>
    public double SamStepShare
    {
        get
        {
            int steps = Records.Sum(r => r.Steps);
            return steps == 0 ? 0 : (double)Records.Sum(r => r.SamSteps) / steps;
        }
    }

    /// <summary>Mean over all SAM steps of ascent samples / batch (NaN without SAM steps).</summary>
    public double MeanAscentFraction
    {
        get
        {
            int sam = Records.Sum(r => r.SamSteps);
            return sam == 0 ? double.NaN : Records.Where(r => r.SamSteps > 0).Sum(r => r.MeanAscentFraction * r.SamSteps) / sam;
        }
    }
}
