using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using NoiseSam.Harness.Training;

namespace NoiseSam.Harness.Reports;

/// <summary>What a comparison was (for the report's heading and runs.json).</summary>
public sealed record ComparisonInfo
{
    public required string Data { get; init; }
    public required string Model { get; init; }
    public required int Epochs { get; init; }
    public required IReadOnlyList<long> Seeds { get; init; }
    public required int BatchSize { get; init; }
    public required int Threads { get; init; }
    public required int TrainSamples { get; init; }
    public required int TestSamples { get; init; }
    public DateTimeOffset Started { get; init; } = DateTimeOffset.UtcNow;
}

/// <summary>Writes summary.md, summary.csv, runs.json and the PNG plots of a comparison.</summary>
public static class ReportWriter
{
    public const string SummaryMarkdown = "summary.md";
    public const string SummaryCsv = "summary.csv";
    public const string RunsJson = "runs.json";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    /// <summary>Writes every report file into <paramref name="directory"/>; returns the paths written.</summary>
    public static IReadOnlyList<string> Write(string directory, ComparisonInfo info, IReadOnlyList<RunResult> runs)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(runs);
        Directory.CreateDirectory(directory);
        var summary = VariantSummary.Compute(runs);
        var written = new List<string>();
        var plots = Plots.WriteAll(directory, runs, summary);

        string md = Path.Combine(directory, SummaryMarkdown);
        IO.AtomicFile.WriteAllText(md, Markdown(info, summary, plots.Select(Path.GetFileName).OfType<string>().ToList()));
        written.Add(md);
        string csv = Path.Combine(directory, SummaryCsv);
        IO.AtomicFile.WriteAllText(csv, Csv(summary));
        written.Add(csv);
        string json = Path.Combine(directory, RunsJson);
        IO.AtomicFile.WriteAllText(json, JsonSerializer.Serialize(new RunsDocument(info, summary, runs), JsonOptions));
        written.Add(json);
        written.AddRange(plots);
        return written;
    }

    /// <summary>Serialized shape of runs.json.</summary>
    public sealed record RunsDocument(ComparisonInfo Comparison, IReadOnlyList<VariantSummary> Summary, IReadOnlyList<RunResult> Runs);

    /// <summary>Reads a runs.json written by <see cref="Write"/>.</summary>
    public static RunsDocument? ReadRuns(string path) =>
        JsonSerializer.Deserialize<RunsDocument>(File.ReadAllText(path), JsonOptions);

    /// <summary>summary.md: the plan, the table and the plots.</summary>
    public static string Markdown(ComparisonInfo info, IReadOnlyList<VariantSummary> summary, IReadOnlyList<string> plotFiles)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# NoiseSam comparison");
        sb.AppendLine();
        sb.AppendLine(string.Create(Inv,
            $"{info.Data}, {info.TrainSamples} training / {info.TestSamples} test samples, model {info.Model}, {info.Epochs} epoch(s), " +
            $"batch {info.BatchSize}, seeds {string.Join(", ", info.Seeds)}, {info.Threads} thread(s), started {info.Started:yyyy-MM-dd HH:mm} UTC."));
        sb.AppendLine();
        sb.AppendLine("Accuracy is the test accuracy after the last epoch (mean ± sample std over seeds); best is the best epoch. " +
                      "Time ratio = training time per epoch / SGD's; ideal = the cost model's passes per step (ALGORITHMS.md §10.2).");
        sb.AppendLine();
        sb.AppendLine("| Variant | Test acc. % (mean ± std) | Best % | Last % | Wall s | s / epoch | × SGD | Ideal × | SAM steps | Ascent fraction | Skipped |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var s in summary)
        {
            sb.AppendLine(string.Create(Inv,
                $"| {s.Variant} | {Pct(s.AccuracyMean)} ± {Pct(s.AccuracyStd)} | {Pct(s.BestAccuracy)} | {Pct(s.LastAccuracy)} | " +
                $"{s.WallSeconds:F1} | {s.SecondsPerEpoch:F2} | {Ratio(s.TimeRatio)} | {s.IdealRatio:F2} | {s.SamStepShare * 100:F0} % | " +
                $"{Num(s.MeanAscentFraction, "F2")} | {s.SkippedSteps} |"));
        }
        sb.AppendLine();
        sb.AppendLine("| Variant | Declaration |");
        sb.AppendLine("|---|---|");
        foreach (var s in summary) sb.AppendLine($"| {s.Variant} | {s.Declaration} |");
        if (plotFiles.Count > 0)
        {
            sb.AppendLine();
            foreach (string p in plotFiles) sb.AppendLine($"![{Path.GetFileNameWithoutExtension(p)}]({p})");
        }
        return sb.ToString();
    }

    /// <summary>summary.csv: one row per variant, invariant culture, RFC 4180 quoting.</summary>
    public static string Csv(IReadOnlyList<VariantSummary> summary)
    {
        var sb = new StringBuilder();
        sb.AppendLine("variant,runs,accuracy_mean,accuracy_std,accuracy_best,accuracy_last,wall_seconds,train_seconds,seconds_per_epoch," +
                      "time_ratio_sgd,ideal_ratio,sam_step_share,mean_ascent_fraction,skipped_steps,final_train_loss,declaration");
        foreach (var s in summary)
        {
            sb.AppendLine(string.Join(",",
                Quote(s.Variant), s.Runs.ToString(Inv), R(s.AccuracyMean), R(s.AccuracyStd), R(s.BestAccuracy), R(s.LastAccuracy),
                R(s.WallSeconds), R(s.TrainSeconds), R(s.SecondsPerEpoch), s.TimeRatio is double t ? R(t) : "",
                R(s.IdealRatio), R(s.SamStepShare), double.IsNaN(s.MeanAscentFraction) ? "" : R(s.MeanAscentFraction),
                s.SkippedSteps.ToString(Inv), R(s.FinalTrainLoss), Quote(s.Declaration)));
        }
        return sb.ToString();
    }

    private static string R(double x) => x.ToString("G6", Inv);
    private static string Pct(double x) => double.IsNaN(x) ? "–" : (x * 100).ToString("F2", Inv);
    private static string Ratio(double? x) => x is double r ? r.ToString("F2", Inv) : "–";
    private static string Num(double x, string format) => double.IsNaN(x) ? "–" : x.ToString(format, Inv);

    private static string Quote(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
