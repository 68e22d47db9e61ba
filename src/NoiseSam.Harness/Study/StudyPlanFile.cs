using System.Text.Json;

namespace NoiseSam.Harness.Study;

/// <summary>
/// A study plan as a file (<c>noisesam study --plan plan.json</c>): the sweep, the seeds, the data
/// and the model, so that every task of a job array, the report job and a one-process check run
/// exactly the same study. Every member is optional (the command's default applies) and a flag on
/// the command line overrides the file. Members are the study's options in camelCase:
/// <code>
/// { "fractions": [1, 0.25], "sigmas": [0, 0.5], "scalings": ["gnorm"], "baselines": ["SGD"],
///   "seeds": [0, 1], "epochs": 30, "model": "small-cnn", "batchSize": 128, "threads": 2,
///   "rho": 0.05, "lr": 0.05,
///   "data": { "name": "fashion-mnist", "trainLimit": 2500, "valFraction": 0.2, "labelNoise": 0.4, "dataSeed": 0 },
///   "variants": [ { "name": "NI-MBS-s1", "microBatch": { "fraction": 0.25 }, "noise": { "distribution": "Gaussian", "sigma": 1 } } ] }
/// </code>
/// </summary>
public sealed record StudyPlanFile
{
    /// <summary>Micro-batch fractions f in (0, 1].</summary>
    public IReadOnlyList<double>? Fractions { get; init; }
    /// <summary>Noise levels σ ≥ 0.</summary>
    public IReadOnlyList<double>? Sigmas { get; init; }
    /// <summary>Noise scalings: gnorm, mb, abs (or GradientNorm, MicroBatch, Absolute).</summary>
    public IReadOnlyList<string>? Scalings { get; init; }
    /// <summary>Registered variants run next to the sweep; empty for none.</summary>
    public IReadOnlyList<string>? Baselines { get; init; }
    /// <summary>The seeds themselves (not a count).</summary>
    public IReadOnlyList<long>? Seeds { get; init; }
    public int? Epochs { get; init; }
    public string? Model { get; init; }
    public int? BatchSize { get; init; }
    public int? Threads { get; init; }
    public string? Device { get; init; }
    /// <summary>ρ of every sweep point.</summary>
    public double? Rho { get; init; }
    /// <summary>Learning rate of every sweep point.</summary>
    public double? Lr { get; init; }
    public int? ProbeSamples { get; init; }
    public int? EigenIterations { get; init; }
    public int? LandscapePoints { get; init; }
    public StudyPlanData? Data { get; init; }
    /// <summary>Variants declared in the plan (the <c>--variants-file</c> form), run as extra baselines.</summary>
    public JsonElement? Variants { get; init; }

    /// <summary>Reads a plan; an unknown member, a value of the wrong kind or malformed JSON is an error naming its JSON path.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid plan (the message names the path and the problem).</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static StudyPlanFile Read(string path)
    {
        string text = File.ReadAllText(path);
        try
        {
            return JsonSerializer.Deserialize(text, StudyJsonContext.Default.StudyPlanFile)
                ?? throw new InvalidDataException("$: expected a plan object, found null");
        }
        catch (JsonException e)
        {
            string message = e.Message;
            int tail = message.IndexOf(" Path: ", StringComparison.Ordinal);
            if (tail >= 0) message = message[..tail];
            throw new InvalidDataException($"{e.Path ?? "$"}: {message.Replace("NoiseSam.Harness.Study.", "", StringComparison.Ordinal)}", e);
        }
    }

    /// <summary>Writes a plan (indented JSON, members not given left out).</summary>
    public static string Serialize(StudyPlanFile plan) => JsonSerializer.Serialize(plan, StudyJsonContext.Default.StudyPlanFile);
}

/// <summary>The data of a <see cref="StudyPlanFile"/>: the <c>--data</c>, <c>--data-dir</c>, <c>--train-limit</c>, … options.</summary>
public sealed record StudyPlanData
{
    public string? Name { get; init; }
    /// <summary>Folder of the data set's files; relative to the plan file's folder.</summary>
    public string? Dir { get; init; }
    public int? TrainLimit { get; init; }
    public int? TestLimit { get; init; }
    public double? ValFraction { get; init; }
    public double? LabelNoise { get; init; }
    public long? DataSeed { get; init; }
    public bool? Augment { get; init; }
}
