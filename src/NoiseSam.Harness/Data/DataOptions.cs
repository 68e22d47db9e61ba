namespace NoiseSam.Harness.Data;

/// <summary>
/// How a loaded data set becomes the splits a run trains, tunes and reports on: label noise on the
/// training labels and a validation split held out of the training set (augmentation is a
/// training option, <see cref="Training.TrainingOptions.Augment"/>). The noise
/// and the split depend only on <see cref="DataSeed"/>, never on a run's seed, so every variant and
/// seed of a comparison sees the same noisy labels and the same held-out samples.
/// </summary>
public sealed record DataOptions
{
    /// <summary>No noise, no validation split.</summary>
    public static DataOptions Default { get; } = new();

    /// <summary>Share of the (limited) training set held out for validation, in [0, 1); 0 holds out nothing.</summary>
    public double ValidationFraction { get; init; }

    /// <summary>
    /// Probability that a training label is replaced by one of the other classes, drawn uniformly
    /// (symmetric noise), in [0, 1). Applied before the validation split, so held-out labels are as
    /// noisy as the training labels, as they would be in practice; test labels are never touched.
    /// </summary>
    public double LabelNoise { get; init; }

    /// <summary>Seed of the label noise and of the validation split.</summary>
    public long DataSeed { get; init; }

    /// <summary>Checks every value; throws <see cref="ArgumentException"/> naming the setting.</summary>
    public void Validate()
    {
        if (!(ValidationFraction >= 0 && ValidationFraction < 1))
            throw new ArgumentException($"the validation fraction must be in [0, 1) (got {ValidationFraction}); 0 holds out nothing");
        if (!(LabelNoise >= 0 && LabelNoise < 1))
            throw new ArgumentException($"the label-noise probability must be in [0, 1) (got {LabelNoise})");
    }
}
