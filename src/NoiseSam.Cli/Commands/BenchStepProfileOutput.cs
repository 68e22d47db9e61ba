using System.Globalization;
using System.Text;
using NoiseSam.Diagnostics;
using NoiseSam.Harness.Benchmarks;
using NoiseSam.Harness.IO;
using Spectre.Console;

namespace NoiseSam.Cli.Commands;

/// <summary>The tables and CSV of <c>bench-step --profile</c>: where each variant's step time goes and what exceeds the cost model.</summary>
internal static class BenchStepProfileOutput
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Write(IAnsiConsole console, IReadOnlyList<StepTiming> timings)
    {
        var profiled = timings.Where(t => t.Profile is not null).ToList();
        if (profiled.Count == 0) return;

        var phases = new Table().Border(TableBorder.Rounded).Title("Where the time goes (ms per profiled step)");
        phases.AddColumn(new TableColumn("Variant").NoWrap());
        foreach (string c in new[] { "Impl.", "Step", "Passes", "O(d) kernels", "Host reads", "Selection", "Bookkeeping", "Unattributed" })
            phases.AddColumn(new TableColumn(c).RightAligned().NoWrap());
        foreach (var t in profiled)
        {
            var p = t.Profile!;
            phases.AddRow(Markup.Escape(t.Variant), Markup.Escape(t.Implementation), Ms(p.StepMs), Ms(p.Ms(StepPhaseKind.Pass)),
                Ms(p.Ms(StepPhaseKind.Parameters)), Ms(p.Ms(StepPhaseKind.Host)), Ms(p.Ms(StepPhaseKind.Selection)),
                Ms(p.Ms(StepPhaseKind.Bookkeeping)), Ms(p.UnattributedMs));
        }
        console.Write(phases);
        console.Write(FixedWork(profiled));

        var baseline = profiled.FirstOrDefault(t => t.IsBaseline);
        if (baseline is not null)
        {
            var excess = new Table().Border(TableBorder.Rounded).Title("Time over the cost model's ideal (ms per profiled step; the parts add up to the excess)");
            excess.AddColumn(new TableColumn("Variant").NoWrap());
            foreach (string c in new[] { "Impl.", "Ideal ×", "Ideal ms", "Step ms", "Excess", "Passes", "O(d) kernels", "Host reads", "Selection", "Bookkeeping", "Unattributed" })
                excess.AddColumn(new TableColumn(c).RightAligned().NoWrap());
            foreach (var t in profiled.Where(t => !t.IsBaseline))
            {
                var b = OverheadBreakdown.Of(t.Variant, t.Profile!, baseline.Profile!);
                excess.AddRow(Markup.Escape(t.Variant), Markup.Escape(t.Implementation), b.IdealRatio.ToString("F2", Inv), Ms(b.IdealMs), Ms(b.StepMs),
                    Signed(b.ExcessMs), Signed(b.Passes), Signed(b.Parameters), Signed(b.Host), Signed(b.Selection), Signed(b.Bookkeeping), Signed(b.Unattributed));
            }
            console.Write(excess);
            console.WriteLine($"Each part = the variant's time on that kind of work − ideal ratio × {baseline.Variant}'s time on it. " +
                "Passes > 0: forward/backward passes cost more than their share of rows predicts (small batches use the cores worse per row).");
        }

        var passes = new Table().Border(TableBorder.Rounded).Title("Passes by rows (all profiled variants)");
        foreach (string c in new[] { "Pass", "Calls", "ms / call", "µs / row", "× full-batch µs / row" })
            passes.AddColumn(new TableColumn(c).RightAligned().NoWrap());
        foreach (var row in PassCosts(profiled))
            passes.AddRow(Markup.Escape(row.Name), row.Calls.ToString("F0", Inv), Ms(row.MsPerCall), (row.UsPerRow).ToString("F1", Inv),
                row.RelativeToFullBatch is double r ? r.ToString("F2", Inv) : "–");
        console.Write(passes);
    }

    // Every phase that is not a pass, in µs per step and per variant: the step's fixed work, which a
    // small model's passes no longer hide (issue 18).
    private static Table FixedWork(IReadOnlyList<StepTiming> profiled)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("Fixed work per step (µs per profiled step; everything but the passes)");
        table.AddColumn(new TableColumn("Phase").NoWrap());
        foreach (var t in profiled)
            table.AddColumn(new TableColumn(Markup.Escape(t.Implementation == "generated" ? t.Variant : $"{t.Variant} ({t.Implementation})")).RightAligned().NoWrap());
        var names = profiled.SelectMany(t => t.Profile!.Phases).Where(p => p.Kind != StepPhaseKind.Pass).Select(p => p.Name).Distinct(StringComparer.Ordinal).ToList();
        string Us(double ms) => (ms * 1000).ToString("F0", Inv);
        foreach (string name in names)
            table.AddRow([Markup.Escape(name), .. profiled.Select(t => t.Profile!.Phases.FirstOrDefault(p => p.Name == name) is { } p ? Us(p.MsPerStep) : "–")]);
        table.AddRow(["unattributed", .. profiled.Select(t => Us(t.Profile!.UnattributedMs))]);
        table.AddRow(["[bold]total[/]", .. profiled.Select(t => "[bold]" + Us(t.Profile!.StepMs - t.Profile!.Ms(StepPhaseKind.Pass)) + "[/]")]);
        return table;
    }

    /// <summary>One CSV row per phase of every profiled variant, plus its step total and unattributed time.</summary>
    public static void WriteCsv(string file, IReadOnlyList<StepTiming> timings)
    {
        var csv = new StringBuilder("variant,implementation,model,phase,kind,calls_per_step,ms_per_step\n");
        foreach (var t in timings.Where(t => t.Profile is not null))
        {
            var p = t.Profile!;
            void Row(string phase, string kind, double calls, double ms) =>
                csv.AppendLine(string.Create(Inv, $"{t.Variant},{t.Implementation},{t.Model},{phase},{kind},{calls:G6},{ms:G6}"));
            Row("step", "total", 1, p.StepMs);
            foreach (var phase in p.Phases) Row(phase.Name, phase.Kind.ToString(), phase.CallsPerStep, phase.MsPerStep);
            Row("unattributed", "unattributed", 0, p.UnattributedMs);
        }
        AtomicFile.WriteAllText(file, csv.ToString());
    }

    /// <summary>A CSV beside the timings' <paramref name="csv"/>: <c>x.csv</c> → <c>x-profile.csv</c> for <paramref name="suffix"/> <c>profile</c>.</summary>
    public static string SiblingPath(string csv, string suffix)
    {
        string dir = Path.GetDirectoryName(csv) ?? "";
        return Path.Combine(dir, Path.GetFileNameWithoutExtension(csv) + "-" + suffix + (Path.HasExtension(csv) ? Path.GetExtension(csv) : ".csv"));
    }

    private sealed record PassCost(string Name, long Rows, double Calls, double MsPerCall, double UsPerRow, double? RelativeToFullBatch);

    // Pass phases are named "<pass> <rows>"; the same pass on fewer rows shows its cost per row against the full batch's.
    private static IEnumerable<PassCost> PassCosts(IReadOnlyList<StepTiming> profiled)
    {
        var byName = profiled
            .SelectMany(t => t.Profile!.Phases.Where(p => p.Kind == StepPhaseKind.Pass).Select(p => (t.Profile!.Steps, Phase: p)))
            .GroupBy(x => x.Phase.Name)
            .Select(g =>
            {
                double calls = g.Sum(x => x.Phase.CallsPerStep * x.Steps);
                double ms = g.Sum(x => x.Phase.MsPerStep * x.Steps);
                int space = g.Key.LastIndexOf(' ');
                long rows = space > 0 && long.TryParse(g.Key[(space + 1)..], NumberStyles.Integer, Inv, out long r) ? r : 0;
                string pass = space > 0 ? g.Key[..space] : g.Key;
                return (Pass: pass, Name: g.Key, Rows: rows, Calls: calls, MsPerCall: calls > 0 ? ms / calls : 0);
            })
            .Where(x => x.Calls > 0)
            .ToList();
        foreach (var x in byName.OrderBy(x => x.Pass, StringComparer.Ordinal).ThenByDescending(x => x.Rows))
        {
            double usPerRow = x.Rows > 0 ? x.MsPerCall * 1000 / x.Rows : double.NaN;
            var full = byName.Where(y => y.Pass == x.Pass && y.Rows > 0).MaxBy(y => y.Rows);
            double? relative = full is { } f && x.Rows > 0 ? usPerRow / (f.MsPerCall * 1000 / f.Rows) : null;
            yield return new PassCost(x.Name, x.Rows, x.Calls, x.MsPerCall, usPerRow, relative);
        }
    }

    private static string Ms(double ms) => ms.ToString("F2", Inv);
    private static string Signed(double ms) => ms.ToString("+0.00;−0.00;0.00", Inv);
}
