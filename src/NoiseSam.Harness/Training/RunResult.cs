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
    public required long TotalSteps { get; init; }
    /// <summary>Expected cost per step relative to the base optimizer (<see cref="CostModel.IdealRatio"/>).</summary>
    public required double IdealRatio { get; init; }
    public required IReadOnlyList<EpochRecord> Records { get; init; }
    /// <summary>Steps actually taken (resumed steps included).</summary>
    public required long Steps { get; init; }
    /// <summary>True when every epoch ran (false after <see cref="TrainingOptions.MaxSteps"/> or cancellation).</summary>
    public required bool Completed { get; init; }
    /// <summary>Epochs that came from a checkpoint (0 for a fresh run).</summary>
    public int ResumedEpochs { get; init; }

    public double FinalAccuracy => Records.Count == 0 ? double.NaN : Records[^1].TestAccuracy;
    public double BestAccuracy => Records.Count == 0 ? double.NaN : Records.Max(r => r.TestAccuracy);
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
