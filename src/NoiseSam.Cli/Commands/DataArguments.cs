using System.CommandLine;
using System.Globalization;
using NoiseSam.Harness.Data;

namespace NoiseSam.Cli.Commands;

/// <summary>
/// The options that turn a loaded data set into the splits a run uses (compare, train, study):
/// <c>--val-fraction</c>, <c>--label-noise</c>, <c>--data-seed</c> and <c>--augment</c>.
/// </summary>
internal sealed class DataArguments
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public Option<double> ValidationFraction { get; } = new("--val-fraction")
    {
        Description = "Hold out this share of the training samples as a validation split (seeded by --data-seed): every epoch is evaluated on it, the test split once at the end. 0 = none.",
        HelpName = "f",
    };

    public Option<double> LabelNoise { get; } = new("--label-noise")
    {
        Description = "Replace each training label with another class, drawn uniformly, with probability p (symmetric noise, seeded by --data-seed; test labels untouched).",
        HelpName = "p",
    };

    public Option<long> DataSeed { get; } = new("--data-seed")
    {
        Description = "Seed of the label noise and the validation split (the same for every variant and run seed).",
        DefaultValueFactory = _ => 0,
        HelpName = "n",
    };

    public Option<bool?> Augment { get; } = new("--augment")
    {
        Description = "Random crop (padding 4) + horizontal flip of training batches: true or false (default: CIFAR-10 yes, (Fashion-)MNIST no).",
        HelpName = "true|false",
    };

    public IEnumerable<Option> All => [ValidationFraction, LabelNoise, DataSeed, Augment];

    public DataArguments(double defaultValidationFraction = 0, double defaultLabelNoise = 0)
    {
        ValidationFraction.DefaultValueFactory = _ => defaultValidationFraction;
        LabelNoise.DefaultValueFactory = _ => defaultLabelNoise;
    }

    /// <summary>The parsed options, each checked with a message naming it.</summary>
    public DataOptions Read(ParseResult parse)
    {
        double val = parse.GetValue(ValidationFraction);
        if (!(val >= 0 && val < 1)) throw new UsageException($"--val-fraction must be in [0, 1) (got {val.ToString(Inv)}); 0 holds out nothing");
        double noise = parse.GetValue(LabelNoise);
        if (!(noise >= 0 && noise < 1)) throw new UsageException($"--label-noise must be in [0, 1) (got {noise.ToString(Inv)})");
        return new DataOptions { ValidationFraction = val, LabelNoise = noise, DataSeed = parse.GetValue(DataSeed) };
    }

    /// <summary>--augment as given (null: by data set).</summary>
    public bool? ReadAugment(ParseResult parse) => parse.GetValue(Augment);

    /// <summary>A sentence for the plan line: what was done to the training data.</summary>
    public static string Describe(DataSplit split)
    {
        var parts = new List<string>();
        if (split.LabelNoise > 0)
            parts.Add(string.Create(Inv, $"{split.LabelNoise:P0} symmetric label noise ({split.FlippedLabels} of {split.LabelledSamples} training labels changed, {split.FlippedFraction:P1})"));
        if (split.Validation is not null)
            parts.Add(string.Create(Inv, $"{split.Validation.Count} samples held out for validation"));
        if (parts.Count == 0) return "";
        return " " + string.Join("; ", parts) + string.Create(Inv, $" (data seed {split.DataSeed}).");
    }
}
