using NoiseSam.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Data;

/// <summary>Label noise and the validation split (<see cref="DataOptions"/>), applied to a loaded split.</summary>
public static class DataPreparation
{
    // Host streams of the data seed: independent of each other and of every stream a step uses.
    private const ulong NoiseStream = 101, SplitStream = 102;

    /// <summary>
    /// Returns <paramref name="split"/> with noisy training labels and a validation split as
    /// <paramref name="options"/> ask; the input split is disposed when a new one is made (the
    /// returned split owns every tensor). Unchanged when the options ask for neither.
    /// </summary>
    public static DataSplit Apply(DataSplit split, DataOptions options)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.LabelNoise == 0 && options.ValidationFraction == 0) return split;

        var train = split.Train;
        long n = train.Count;
        long held = (long)Math.Round(options.ValidationFraction * n);
        if (options.ValidationFraction > 0 && (held < 1 || held >= n))
            throw new ArgumentException(
                $"a validation fraction of {options.ValidationFraction} of {n} training samples holds out {held}; it must leave at least one sample on each side");

        using var scope = torch.NewDisposeScope();
        var labels = train.Labels;
        int flipped = 0;
        if (options.LabelNoise > 0)
        {
            var (noisy, count) = SymmetricNoise(labels.data<long>().ToArray(), train.Classes, options.LabelNoise, options.DataSeed);
            labels = torch.tensor(noisy, ScalarType.Int64);
            flipped = count;
        }

        TensorDataset newTrain;
        TensorDataset? validation = null;
        if (held > 0)
        {
            var order = new HostRandom(options.DataSeed, SplitStream).Sample(n, n);
            // Sorted within each side: the training set keeps the data set's order, so a run's batch order depends only on its seed.
            var valIndex = torch.tensor(order[..(int)held].Order().ToArray(), ScalarType.Int64);
            var trainIndex = torch.tensor(order[(int)held..].Order().ToArray(), ScalarType.Int64);
            newTrain = new TensorDataset(train.Name, train.Images.index_select(0, trainIndex), labels.index_select(0, trainIndex),
                train.Classes, train.Mean, train.Std);
            validation = new TensorDataset(ValidationName(train.Name), train.Images.index_select(0, valIndex), labels.index_select(0, valIndex),
                train.Classes, train.Mean, train.Std);
        }
        else
        {
            // alias(): a second handle to the same storage, which outlives the disposal of the input split.
            newTrain = new TensorDataset(train.Name, train.Images.alias(), labels.alias(), train.Classes, train.Mean, train.Std);
        }

        var test = new TensorDataset(split.Test.Name, split.Test.Images.alias(), split.Test.Labels.alias(), split.Test.Classes, split.Test.Mean, split.Test.Std);
        var result = new DataSplit(newTrain, test)
        {
            Validation = validation,
            LabelNoise = options.LabelNoise,
            FlippedLabels = flipped,
            LabelledSamples = (int)n,
            DataSeed = options.DataSeed,
        };
        split.Dispose();
        return result;
    }

    /// <summary>
    /// Symmetric label noise: each label is, with probability <paramref name="probability"/>,
    /// replaced by one of the other <paramref name="classes"/> − 1 classes drawn uniformly (host
    /// stream of <paramref name="seed"/>). Returns the new labels and how many changed.
    /// </summary>
    public static (long[] Labels, int Flipped) SymmetricNoise(IReadOnlyList<long> labels, int classes, double probability, long seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "label noise needs at least two classes");
        if (!(probability >= 0 && probability < 1)) throw new ArgumentOutOfRangeException(nameof(probability), probability, "in [0, 1)");
        var random = new HostRandom(seed, NoiseStream);
        var result = new long[labels.Count];
        int flipped = 0;
        for (int i = 0; i < result.Length; i++)
        {
            long label = labels[i];
            // Two draws per sample whatever the outcome: with one seed, a larger probability flips a
            // superset of the labels a smaller one flips, to the same classes.
            bool flip = random.NextDouble() < probability;
            long other = random.NextInt64(classes - 1);
            if (flip)
            {
                result[i] = other >= label ? other + 1 : other;
                flipped++;
            }
            else result[i] = label;
        }
        return (result, flipped);
    }

    /// <summary>"fashion-mnist/train" → "fashion-mnist/validation".</summary>
    public static string ValidationName(string trainName)
    {
        int slash = trainName.IndexOf('/', StringComparison.Ordinal);
        return (slash < 0 ? trainName : trainName[..slash]) + "/validation";
    }
}
