using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Data;

/// <summary>
/// A labelled image data set held as two CPU tensors: normalised float32 images (N, C, H, W) and
/// int64 labels (N). The tensors are detached from every dispose scope: they live until
/// <see cref="Dispose"/>.
/// </summary>
public sealed class TensorDataset : IDisposable
{
    private bool disposed;

    /// <summary>
    /// Takes ownership of <paramref name="images"/> (float32, N×C×H×W with H = W) and
    /// <paramref name="labels"/> (int64, N). <paramref name="mean"/> and <paramref name="std"/> are
    /// the per-channel statistics the images were normalised with (raw pixel value in [0, 1]);
    /// augmentation pads with the normalised value of a black pixel, −mean/std.
    /// </summary>
    public TensorDataset(string name, Tensor images, Tensor labels, int classes,
        IReadOnlyList<float>? mean = null, IReadOnlyList<float>? std = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.dim() != 4)
            throw new ArgumentException($"images must be N×C×H×W, got shape [{string.Join(", ", images.shape)}]", nameof(images));
        if (images.shape[2] != images.shape[3])
            throw new ArgumentException($"images must be square, got {images.shape[2]}×{images.shape[3]}", nameof(images));
        if (labels.dim() != 1 || labels.shape[0] != images.shape[0])
            throw new ArgumentException($"labels must have shape [{images.shape[0]}], got [{string.Join(", ", labels.shape)}]", nameof(labels));
        if (images.dtype != ScalarType.Float32)
            throw new ArgumentException($"images must be float32, got {images.dtype}", nameof(images));
        if (labels.dtype != ScalarType.Int64)
            throw new ArgumentException($"labels must be int64, got {labels.dtype}", nameof(labels));
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes));

        Name = name;
        Images = images.DetachFromDisposeScope();
        Labels = labels.DetachFromDisposeScope();
        Count = checked((int)images.shape[0]);
        Channels = checked((int)images.shape[1]);
        ImageSize = checked((int)images.shape[2]);
        Classes = classes;
        Mean = mean?.ToArray() ?? new float[Channels];
        Std = std?.ToArray() ?? Enumerable.Repeat(1f, Channels).ToArray();
        if (Mean.Count != Channels || Std.Count != Channels)
            throw new ArgumentException($"mean and std need {Channels} values (one per channel)");
    }

    /// <summary>Normalised images, float32 (N, C, H, W), on CPU.</summary>
    public Tensor Images { get; }

    /// <summary>Class labels, int64 (N), on CPU.</summary>
    public Tensor Labels { get; }

    /// <summary>Number of samples N.</summary>
    public int Count { get; }

    /// <summary>Image channels C (1 for (Fashion-)MNIST, 3 for CIFAR-10).</summary>
    public int Channels { get; }

    /// <summary>Image side H = W.</summary>
    public int ImageSize { get; }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>The data set's name and split, e.g. "fashion-mnist/train".</summary>
    public string Name { get; }

    /// <summary>Per-channel mean of raw pixels (in [0, 1]) subtracted at normalisation.</summary>
    public IReadOnlyList<float> Mean { get; }

    /// <summary>Per-channel standard deviation of raw pixels the images were divided by.</summary>
    public IReadOnlyList<float> Std { get; }

    /// <summary>
    /// The first <paramref name="count"/> samples as a new data set (views of the same storage;
    /// disposing either leaves the other intact). A count above <see cref="Count"/> takes all.
    /// </summary>
    public TensorDataset Slice(int count)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "a slice needs at least one sample");
        long n = Math.Min(count, Count);
        return new TensorDataset(Name, Images.narrow(0, 0, n), Labels.narrow(0, 0, n), Classes, Mean, Std);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        Images.Dispose();
        Labels.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {Count} × {Channels}×{ImageSize}×{ImageSize}, {Classes} classes";
}

/// <summary>
/// A train and a test split, and optionally a validation split held out of the training set
/// (<see cref="DataPreparation"/>); disposing it disposes all of them.
/// </summary>
public sealed record DataSplit(TensorDataset Train, TensorDataset Test) : IDisposable
{
    /// <summary>Held out of the training set for every tuning and early decision; null without <c>--val-fraction</c>.</summary>
    public TensorDataset? Validation { get; init; }

    /// <summary>Probability of a training label being replaced by another class (0: clean labels).</summary>
    public double LabelNoise { get; init; }

    /// <summary>Training labels (validation included) that the label noise changed.</summary>
    public int FlippedLabels { get; init; }

    /// <summary>Labelled training samples before the validation split (train + validation).</summary>
    public int LabelledSamples { get; init; }

    /// <summary>Seed of the label noise and the validation split.</summary>
    public long DataSeed { get; init; }

    /// <summary>Share of the labelled training samples whose label the noise changed.</summary>
    public double FlippedFraction => LabelledSamples == 0 ? 0 : (double)FlippedLabels / LabelledSamples;

    /// <summary>Where per-epoch evaluation happens: the validation split when there is one, else the test split.</summary>
    public TensorDataset Monitor => Validation ?? Test;

    /// <summary>One line for plans and fingerprints: sizes, noise and split.</summary>
    public string Describe()
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        string text = string.Create(inv, $"{Train.Name} {Train.Count} | {Test.Name} {Test.Count}");
        if (Validation is not null) text += string.Create(inv, $" | {Validation.Name} {Validation.Count}");
        if (LabelNoise > 0) text += string.Create(inv, $" | label noise {LabelNoise:R} ({FlippedLabels} of {LabelledSamples} flipped)");
        if (Validation is not null || LabelNoise > 0) text += string.Create(inv, $" | data seed {DataSeed}");
        return text;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
        Validation?.Dispose();
    }
}
