using System.Text.Json;
using System.Text.Json.Serialization;
using NoiseSam.Harness.Training;

namespace NoiseSam.Harness.Study;

/// <summary>What one finished (configuration, seed) run left: its training record and the settings it ran under.</summary>
public sealed record StudyRunRecord(string ConfigId, long Seed, string Fingerprint, RunResult Run);

/// <summary>Sharpness figures of one trained model, measured on the same probe samples for every run.</summary>
public sealed record StudySharpness(
    string ConfigId, long Seed, double TopEigenvalue, int EigenIterations, bool EigenConverged,
    double MSharpness, double ProbeLoss, double Seconds);

/// <summary>
/// The study's directory. Every result is one small JSON file written atomically (temporary file,
/// then rename), so a killed study loses at most the run in progress, and a run whose file exists
/// is never recomputed:
/// <code>
/// runs/&lt;config&gt;/seed-&lt;n&gt;/train.json        training record (written last)
/// runs/&lt;config&gt;/seed-&lt;n&gt;/model.bin         final weights (module.save)
/// runs/&lt;config&gt;/seed-&lt;n&gt;/checkpoints/      per-epoch checkpoints while the run trains
/// runs/&lt;config&gt;/seed-&lt;n&gt;/sharpness.json    Hessian / m-sharpness figures
/// runs/&lt;config&gt;/seed-&lt;n&gt;/claim-&lt;g&gt;.json    who trains or measures the run now (StudyClaim; removed when done)
/// landscapes/&lt;config&gt;.line.csv, .surface.csv
/// timing.json                               interleaved step benchmark of every configuration
/// progress.json                             where the study is (for --status and background runs)
/// </code>
/// </summary>
public sealed class StudyStore
{
    public const string TrainFile = "train.json";
    public const string ModelFile = "model.bin";
    public const string SharpnessFile = "sharpness.json";
    public const string TimingFile = "timing.json";
    public const string ProgressFile = "progress.json";
    public const string LogFile = "study.log";

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    public StudyStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public string RunDirectory(string configId, long seed) => Path.Combine(Root, "runs", configId, $"seed-{seed}");
    public string CheckpointDirectory(string configId, long seed) => Path.Combine(RunDirectory(configId, seed), "checkpoints");
    public string ModelPath(string configId, long seed) => Path.Combine(RunDirectory(configId, seed), ModelFile);
    public string LandscapeDirectory => Path.Combine(Root, "landscapes");
    public string TimingPath => Path.Combine(Root, TimingFile);
    public string ProgressPath => Path.Combine(Root, ProgressFile);

    /// <summary>The finished training record of a run, or null when it has not finished.</summary>
    /// <exception cref="InvalidDataException">The record exists but was made with other settings, or is unreadable.</exception>
    public StudyRunRecord? LoadRun(string configId, long seed, string fingerprint)
    {
        var record = Read<StudyRunRecord>(Path.Combine(RunDirectory(configId, seed), TrainFile));
        if (record is null) return null;
        if (record.Fingerprint != fingerprint)
            throw new InvalidDataException(
                $"{Path.Combine(RunDirectory(configId, seed), TrainFile)} was trained with other settings ({record.Fingerprint}); " +
                $"this study needs ({fingerprint}). Use another --out directory or delete that run.");
        return record;
    }

    /// <summary>
    /// Claims a run for this process (<see cref="StudyClaim"/>): null when another live process holds
    /// it (<paramref name="holder"/> then says which, when known).
    /// </summary>
    public StudyClaim? TryClaim(string configId, long seed, TimeSpan staleAfter, StudyShard shard, out StudyClaimInfo? holder)
    {
        ArgumentNullException.ThrowIfNull(shard);
        return StudyClaim.TryAcquire(RunDirectory(configId, seed), staleAfter, shard.IsWhole ? null : shard.ToString(), out holder);
    }

    public void SaveRun(StudyRunRecord record) =>
        Write(Path.Combine(RunDirectory(record.ConfigId, record.Seed), TrainFile), record);

    public StudySharpness? LoadSharpness(string configId, long seed) =>
        Read<StudySharpness>(Path.Combine(RunDirectory(configId, seed), SharpnessFile));

    public void SaveSharpness(StudySharpness sharpness) =>
        Write(Path.Combine(RunDirectory(sharpness.ConfigId, sharpness.Seed), SharpnessFile), sharpness);

    /// <summary>Reads a JSON file; null when it does not exist.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not valid JSON of <typeparamref name="T"/>.</exception>
    public static T? Read<T>(string path) where T : class
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"{path}: empty JSON document");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid study file ({e.Message}); delete it to recompute that result");
        }
    }

    /// <summary>Writes a JSON file atomically: a reader sees the old file or the new one, never a torn one.</summary>
    public static void Write<T>(string path, T value) => WriteText(path, JsonSerializer.Serialize(value, Json));

    /// <summary>Writes a text file atomically (<see cref="IO.AtomicFile"/>): two study processes sharing a directory never collide.</summary>
    public static void WriteText(string path, string text) => IO.AtomicFile.WriteAllText(path, text);
}
