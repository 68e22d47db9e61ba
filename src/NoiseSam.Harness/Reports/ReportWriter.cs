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
    /// <summary>A sentence on label noise and the validation split (empty when neither).</summary>
    public string DataNotes { get; init; } = "";
    public DateTimeOffset Started { get; init; } = DateTimeOffset.UtcNow;
    /// <summary>Why the report covers less than was planned (interrupted, stopped at a step limit, diverged); null when complete.</summary>
    public string? Incomplete { get; init; }
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

    /// <summary>
    /// Writes every report file and puts them in place of <paramref name="directory"/> as a whole
    /// (<see cref="IO.ReportFolder"/>); returns the paths written.
    /// </summary>
    public static IReadOnlyList<string> Write(string directory, ComparisonInfo info, IReadOnlyList<RunResult> runs)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(runs);
        var summary = VariantSummary.Compute(runs);
        return IO.ReportFolder.Replace(directory, staging =>
        {
            var plots = Plots.WriteAll(staging, runs, summary);
            IO.AtomicFile.WriteAllText(Path.Combine(staging, SummaryMarkdown), Markdown(info, summary, plots.Select(Path.GetFileName).OfType<string>().ToList()));
            IO.AtomicFile.WriteAllText(Path.Combine(staging, SummaryCsv), Csv(summary));
            IO.AtomicFile.WriteAllText(Path.Combine(staging, RunsJson), JsonSerializer.Serialize(new RunsDocument(info, summary, runs), JsonOptions));
        });
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
        if (info.Incomplete is string why)
        {
            sb.AppendLine($"**Incomplete:** {why}.");
            sb.AppendLine();
        }
        sb.AppendLine(string.Create(Inv,
            $"{info.Data}, {info.TrainSamples} training / {info.TestSamples} test samples, model {info.Model}, {info.Epochs} epoch(s), " +
            $"batch {info.BatchSize}, seeds {string.Join(", ", info.Seeds)}, {info.Threads} thread(s), started {info.Started:yyyy-MM-dd HH:mm} UTC.") +
            (string.IsNullOrEmpty(info.DataNotes) ? "" : " " + info.DataNotes));
        sb.AppendLine();
        sb.AppendLine(TableLegend);
        sb.AppendLine();
        foreach (string line in Table(summary)) sb.AppendLine(line);
        var notes = Notes(summary);
        if (notes.Count > 0)
        {
            sb.AppendLine();
            foreach (string n in notes) sb.AppendLine("- " + n);
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

    /// <summary>What the columns of <see cref="Table"/> mean.</summary>
    public const string TableLegend =
        "Test acc.: test accuracy after the last epoch, mean ± standard error over the seeds that did not collapse (n of them). " +
        "Δ SGD, Δ SAM: difference of the means in points; **bold** when Student's t-test finds it at the 5 % level (|Δ| above t × the combined standard error: t ≈ 4.3 with two seeds a side, 2.8 with three; needs two seeds a side), " +
        "plain when it is within seed noise. Val.: validation accuracy after the last epoch (labels as noisy as the training labels). " +
        "× SGD: training time per epoch / SGD's (~ when other work shared the machine during the runs, so the ratio is unreliable); " +
        "Ideal ×: the cost model's passes per step (ALGORITHMS.md §10.2).";

    /// <summary>The markdown table (header, rule, one row per variant); the README embeds the same rows.</summary>
    public static IReadOnlyList<string> Table(IReadOnlyList<VariantSummary> summary)
    {
        var sgd = Find(summary, VariantSummary.Baseline);
        var sam = Find(summary, VariantSummary.SamReference);
        bool validated = summary.Any(s => s.ValidationAccuracy.N > 0);
        var lines = new List<string>
        {
            "| Variant | Test acc. % | n | Δ SGD | Δ SAM |" + (validated ? " Val. % |" : "") + " s / epoch | × SGD | Ideal × | SAM steps | Skipped |",
            "|---|---:|---:|---:|---:|" + (validated ? "---:|" : "") + "---:|---:|---:|---:|---:|",
        };
        foreach (var s in summary)
        {
            lines.Add(string.Create(Inv,
                $"| {s.Variant} | {(s.Accuracy.N == 0 && s.Diverged.Count > 0 ? "**diverged**" : MeanSe(s.Accuracy))} | {s.Accuracy.N}" +
                $"{(s.Collapsed.Count > 0 ? $" (+{s.Collapsed.Count} collapsed)" : "")}{(s.Diverged.Count > 0 ? $" (+{s.Diverged.Count} diverged)" : "")} | " +
                $"{Delta(s, sgd)} | {Delta(s, sam)} |") + (validated ? $" {Pct(s.ValidationAccuracy.Mean)} |" : "") +
                string.Create(Inv, $" {s.SecondsPerEpoch:F2} | {(s.TimeRatioContended && s.TimeRatio is not null ? "~" : "")}{Ratio(s.TimeRatio)} | {s.IdealRatio:F2} | " +
                $"{s.SamStepShare * 100:F0} % | {s.SkippedSteps} |"));
        }
        return lines;
    }

    /// <summary>Sentences under the table: collapsed runs, contention, skipped steps.</summary>
    public static IReadOnlyList<string> Notes(IReadOnlyList<VariantSummary> summary)
    {
        var notes = new List<string>();
        foreach (var s in summary.Where(s => s.Collapsed.Count > 0))
            notes.Add(string.Create(Inv,
                $"{s.Variant}: {string.Join(", ", s.Collapsed.Select(c => $"seed {c.Seed} collapsed ({Pct(c.Accuracy)} %)"))} — " +
                $"more than {Statistics.Collapse.Margin * 100:F0} points below its best seed or near chance; left out of its mean") +
                (s.Collapsed.Count == s.Runs ? " (every seed collapsed: the mean is over all of them)." : "."));
        foreach (var s in summary.Where(s => s.Diverged.Count > 0))
            notes.Add(string.Create(Inv,
                $"{s.Variant}: seed{(s.Diverged.Count > 1 ? "s" : "")} {string.Join(", ", s.Diverged)} diverged (the skipped steps of an epoch reached the divergence limit) " +
                $"and stopped; no accuracy, left out of every figure but the skipped steps") +
                (s.Diverged.Count == s.Runs ? " (every seed diverged)." : "."));
        if (summary.Any(s => s.TimeRatioContended))
            notes.Add("~: the 1-minute load average exceeded the run's threads + 1 during some of these runs (other work shared the cores), " +
                      "so their wall-time ratios are unreliable; `noisesam bench-step` measures step-time ratios interleaved in one process.");
        foreach (var s in summary.Where(s => s.SkippedSteps > 0))
            notes.Add(string.Create(Inv, $"{s.Variant}: {s.SkippedSteps} step(s) skipped for a non-finite loss or gradient (summed over seeds)."));
        return notes;
    }

    /// <summary>summary.csv: one row per variant, invariant culture, RFC 4180 quoting.</summary>
    public static string Csv(IReadOnlyList<VariantSummary> summary)
    {
        var sb = new StringBuilder();
        sb.AppendLine("variant,runs,accuracy_n,accuracy_mean,accuracy_std,accuracy_se,collapsed_seeds,validation_accuracy_mean,accuracy_best," +
                      "wall_seconds,train_seconds,seconds_per_epoch,time_ratio_sgd,time_ratio_contended,ideal_ratio,sam_step_share," +
                      "mean_ascent_fraction,skipped_steps,final_train_loss,declaration,diverged_seeds");
        foreach (var s in summary)
        {
            sb.AppendLine(string.Join(",",
                Quote(s.Variant), s.Runs.ToString(Inv), s.Accuracy.N.ToString(Inv), R(s.Accuracy.Mean), R(s.Accuracy.Std), R(s.Accuracy.StandardError),
                Quote(string.Join(" ", s.Collapsed.Select(c => c.Seed.ToString(Inv)))), Opt(s.ValidationAccuracy.Mean), Opt(s.BestAccuracy),
                R(s.WallSeconds), R(s.TrainSeconds), R(s.SecondsPerEpoch), s.TimeRatio is double t ? R(t) : "", s.TimeRatioContended ? "true" : "false",
                R(s.IdealRatio), R(s.SamStepShare), Opt(s.MeanAscentFraction),
                s.SkippedSteps.ToString(Inv), R(s.FinalTrainLoss), Quote(s.Declaration), Quote(string.Join(" ", s.Diverged.Select(d => d.ToString(Inv))))));
        }
        return sb.ToString();
    }

    private static VariantSummary? Find(IReadOnlyList<VariantSummary> summary, string name) =>
        summary.FirstOrDefault(s => string.Equals(s.Variant, name, StringComparison.OrdinalIgnoreCase));

    private static string MeanSe(Statistics.Stat a) =>
        a.N == 0 ? "–" : a.N == 1 ? Pct(a.Mean) : $"{Pct(a.Mean)} ± {Pct(a.StandardError)}";

    private static string Delta(VariantSummary s, VariantSummary? reference)
    {
        if (reference is null || ReferenceEquals(s, reference) || s.Accuracy.N == 0 || reference.Accuracy.N == 0) return "–";
        var (difference, real) = s.Versus(reference);
        string text = (difference * 100).ToString("+0.00;−0.00;0.00", Inv);
        return real ? $"**{text}**" : text;
    }

    private static string Opt(double x) => double.IsNaN(x) ? "" : R(x);

    private static string R(double x) => x.ToString("G6", Inv);
    private static string Pct(double x) => double.IsNaN(x) ? "–" : (x * 100).ToString("F2", Inv);
    private static string Ratio(double? x) => x is double r ? r.ToString("F2", Inv) : "–";
    private static string Num(double x, string format) => double.IsNaN(x) ? "–" : x.ToString(format, Inv);

    private static string Quote(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
