using System.CommandLine;
using System.Globalization;
using System.Text;
using NoiseSam.Cli.Variants;
using NoiseSam.Harness.Benchmarks;
using Spectre.Console;

namespace NoiseSam.Cli.Commands;

/// <summary><c>noisesam bench-step</c>: per-step time of each variant relative to the base optimizer, measured interleaved.</summary>
internal static class BenchStepCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create(CliContext context)
    {
        var variants = new Option<string?>("--variants", "-v")
        {
            Description = $"Comma-separated variant names (default: the paper's set {string.Join(",", PaperVariants.Names)}).",
            HelpName = "list",
        };
        var model = CommonOptions.Model();
        var threads = CommonOptions.Threads();
        var device = CommonOptions.Device();
        var batch = CommonOptions.BatchSize();
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps per variant before timing.", DefaultValueFactory = _ => 5 };
        var rounds = new Option<int>("--rounds") { Description = "Timed rounds; each round times every variant once, in rotating order.", DefaultValueFactory = _ => 10 };
        var steps = new Option<int>("--steps") { Description = "Steps per timed sample (a multiple of LookSAM's K keeps its mix exact).", DefaultValueFactory = _ => 5 };
        var implementations = new Option<bool>("--compare-implementations") { Description = "Also time the reference engine and a hand-written TorchSharp SAM." };
        var pytorch = new Option<bool>("--pytorch") { Description = "Also time the PyTorch peer script (needs Debian's python3-torch)." };
        var output = new Option<string?>("--out", "-o") { Description = "Write the timings as CSV to this file.", HelpName = "file" };
        var from = CommonOptions.VariantsFrom();

        var command = new Command("bench-step", "Time one step of each variant on a fixed batch, as a ratio to the base optimizer, next to the cost model's ideal ratio.");
        foreach (var o in new Option[] { variants, model, threads, device, batch, warmup, rounds, steps, implementations, pytorch, output, from })
            command.Options.Add(o);

        command.SetAction(parse => CliApp.Guard(context, () =>
        {
            CommonOptions.LoadVariants(context, parse.GetValue(from));
            var options = new StepBenchmarkOptions
            {
                Variants = CompareCommand.ParseVariants(parse.GetValue(variants)),
                Model = CommonOptions.ModelName(parse.GetValue(model)!),
                Threads = CommonOptions.ThreadCount(parse.GetValue(threads)),
                Device = CommonOptions.DeviceName(parse.GetValue(device)!),
                BatchSize = CommonOptions.Positive(parse.GetValue(batch), "--batch-size"),
                Warmup = Math.Max(0, parse.GetValue(warmup)),
                Rounds = CommonOptions.Positive(parse.GetValue(rounds), "--rounds"),
                StepsPerSample = CommonOptions.Positive(parse.GetValue(steps), "--steps"),
                CompareImplementations = parse.GetValue(implementations),
            };
            if (parse.GetValue(warmup) < 0) throw new UsageException($"--warmup must be at least 0 (got {parse.GetValue(warmup)})");
            context.Console.WriteLine(string.Create(Inv,
                $"Timing {options.Variants.Count} variant(s) on {options.Model}, batch {options.BatchSize}, {options.Threads} thread(s): " +
                $"{options.Warmup} warm-up steps, {options.Rounds} rounds of {options.StepsPerSample} steps."));

            IReadOnlyList<StepTiming> timings = [];
            context.Console.Status().Start("warming up", status =>
                timings = StepBenchmark.Run(options, message => status.Status(Markup.Escape(message))));

            var table = new Table().Border(TableBorder.Rounded).Title("Per-step time relative to the base optimizer");
            table.AddColumn(new TableColumn("Variant").NoWrap());
            foreach (string c in new[] { "Impl.", "ms/step", "p25–p75", "× base", "Ideal", "Overhead" })
                table.AddColumn(new TableColumn(c).RightAligned().NoWrap());
            foreach (var t in timings)
                table.AddRow(Markup.Escape(t.Variant), Markup.Escape(t.Implementation), t.MedianMs.ToString("F2", Inv),
                    string.Create(Inv, $"{t.P25Ms:F2}–{t.P75Ms:F2}"), t.Ratio.ToString("F2", Inv), t.IdealRatio.ToString("F2", Inv),
                    t.Overhead.ToString("F2", Inv));
            context.Console.Write(table);
            context.Console.WriteLine("Overhead = measured ratio / ideal ratio (1 = as cheap as the cost model allows).");

            if (parse.GetValue(pytorch))
            {
                var (version, peer) = PyTorchBaseline.Run(options);
                var peerTable = new Table().Border(TableBorder.Rounded).Title(Markup.Escape($"PyTorch {version} peer (same model, batch, threads)"));
                peerTable.AddColumn("Variant");
                foreach (string c in new[] { "ms/step", "p25–p75", "× SGD", "TorchSharp / PyTorch" })
                    peerTable.AddColumn(new TableColumn(c).RightAligned());
                double peerBase = peer.FirstOrDefault(p => p.Variant == "SGD")?.MedianMs ?? double.NaN;
                foreach (var p in peer)
                {
                    // The peer script names micro-batch SAM "MBS f=<fraction>"; ours is the generated (or engine) MBS.
                    string ours = p.Variant.StartsWith("MBS", StringComparison.Ordinal) ? "MBS" : p.Variant;
                    var match = timings.FirstOrDefault(t => t.Variant == ours && t.Implementation != "hand-written");
                    peerTable.AddRow(Markup.Escape(p.Variant), p.MedianMs.ToString("F2", Inv), string.Create(Inv, $"{p.P25Ms:F2}–{p.P75Ms:F2}"),
                        (p.MedianMs / peerBase).ToString("F2", Inv),
                        match is null ? "–" : (match.MedianMs / p.MedianMs).ToString("F2", Inv));
                }
                context.Console.Write(peerTable);
            }

            if (parse.GetValue(output) is string file)
            {
                string? dir = Path.GetDirectoryName(Path.GetFullPath(file));
                if (dir is not null) Directory.CreateDirectory(dir);
                var csv = new StringBuilder("variant,implementation,model,median_ms,p25_ms,p75_ms,ratio,ideal_ratio,overhead,parameters,state_buffers\n");
                foreach (var t in timings)
                    csv.AppendLine(string.Create(Inv,
                        $"{t.Variant},{t.Implementation},{t.Model},{t.MedianMs:G6},{t.P25Ms:G6},{t.P75Ms:G6},{t.Ratio:G6},{t.IdealRatio:G6},{t.Overhead:G6},{t.Parameters},{t.StateBuffers}"));
                File.WriteAllText(file, csv.ToString());
                context.Console.WriteLine($"Wrote {Path.GetFullPath(file)}");
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
