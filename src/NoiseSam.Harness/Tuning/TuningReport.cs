using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using NoiseSam.Harness.Statistics;

namespace NoiseSam.Harness.Tuning;

/// <summary>What a search ran on, for its report.</summary>
/// <param name="Data">The data line (sizes, label noise, validation split, augmentation).</param>
/// <param name="Model">Model name.</param>
/// <param name="Epochs">Epochs per run.</param>
/// <param name="Seeds">Seeds of every candidate.</param>
/// <param name="Command">The command that reproduces the search.</param>
/// <param name="Title">The report's heading.</param>
public sealed record TuningInfo(string Data, string Model, int Epochs, IReadOnlyList<long> Seeds, string Command,
    string Title = "Hyper-parameter search on the validation split");

/// <summary>Writes a search's markdown report and the machine-readable choices (JSON).</summary>
public static class TuningReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    /// <summary>The JSON document: the search and, per variant, every candidate and the choice.</summary>
    public sealed record Document(TuningInfo Search, IReadOnlyList<TuningResult> Results);

    /// <summary>Writes <paramref name="markdownPath"/> and <paramref name="jsonPath"/> atomically.</summary>
    public static void Write(string markdownPath, string jsonPath, TuningInfo info, IReadOnlyList<TuningResult> results)
    {
        IO.AtomicFile.WriteAllText(markdownPath, Markdown(info, results));
        IO.AtomicFile.WriteAllText(jsonPath, JsonSerializer.Serialize(new Document(info, results), Json));
    }

    /// <summary>Reads a JSON document written by <see cref="Write"/>.</summary>
    public static Document? Read(string jsonPath) =>
        JsonSerializer.Deserialize<Document>(File.ReadAllText(jsonPath), Json);

    /// <summary>The report: the protocol, then one table per variant.</summary>
    public static string Markdown(TuningInfo info, IReadOnlyList<TuningResult> results)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# " + info.Title);
        sb.AppendLine();
        sb.AppendLine(string.Create(Inv,
            $"Data: {info.Data}. Model {info.Model}, {info.Epochs} epochs, seeds {string.Join(", ", info.Seeds)} for every candidate. " +
            $"Reproduce with `{info.Command}` (resumable: finished runs are reused)."));
        sb.AppendLine();
        sb.AppendLine("Each candidate changes one or more settings of the variant's declaration. The choice is the candidate with the highest " +
                      "mean final **validation** accuracy; the test accuracy is shown for the report only and played no part in it. " +
                      (info.Data.Contains("label noise", StringComparison.Ordinal)
                          ? "Validation labels carry the same label noise as the training labels, so validation accuracy is lower than test accuracy " +
                            "(under symmetric noise it is an increasing affine function of the clean accuracy, so the ranking is unbiased). "
                          : "") +
                      "\"within noise\" marks candidates whose difference from the choice Student's t-test does not find at the 5 % level: the search cannot tell them apart.");
        foreach (var r in results)
        {
            sb.AppendLine();
            sb.AppendLine($"## {r.Variant}{(r.Complete ? "" : " (incomplete)")}");
            sb.AppendLine();
            sb.AppendLine("| setting | validation acc. % (mean ± SE) | n | test acc. % (mean ± SE) | |");
            sb.AppendLine("|---|---:|---:|---:|---|");
            foreach (var c in r.Candidates)
            {
                string mark = c.Chosen ? "**chosen**" : c.WithinNoiseOfChosen ? "within noise" : "";
                sb.AppendLine(string.Create(Inv, $"| {c.Setting} | {MeanSe(c.Validation)} | {c.Validation.N} | {MeanSe(c.Test)} | {mark} |"));
            }
        }
        return sb.ToString();
    }

    private static string MeanSe(Stat s) =>
        s.N == 0 ? "–" : s.N == 1 ? (s.Mean * 100).ToString("F2", Inv) : string.Create(Inv, $"{s.Mean * 100:F2} ± {s.StandardError * 100:F2}");
}
