using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NoiseSam.Cli.Variants;
using NoiseSam.Harness.Benchmarks;
using NoiseSam.Harness.IO;
using Spectre.Console;

namespace NoiseSam.Cli.Commands;

/// <summary><c>noisesam bench-step</c>: per-step time of each variant relative to the base optimizer, measured interleaved.</summary>
internal static class BenchStepCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Name of the hidden command a <c>--memory</c> run starts once per variant, in a fresh process.</summary>
    public const string MemoryChildCommand = "bench-step-memory-child";

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
        var implementations = new Option<bool>("--compare-implementations") { Description = "Also time the reference engine and a hand-written TorchSharp SGD and SAM." };
        var floor = new Option<bool>("--floor")
        {
            Description = "Also time each micro-batch variant's floor ('<name> floor'): its base step plus one bare micro-batch forward + backward, the least any implementation of it can cost on this framework.",
        };
        var pytorch = new Option<bool>("--pytorch") { Description = "Also time the PyTorch peer script (needs Debian's python3-torch)." };
        var memory = new Option<bool>("--memory") { Description = "Also measure each variant's peak RSS (VmHWM) in a fresh process that builds the model and the step and runs --memory-steps steps of that variant alone." };
        var memorySteps = new Option<int>("--memory-steps") { Description = "Steps each --memory process runs before reading its peak RSS.", DefaultValueFactory = _ => 50, HelpName = "N" };
        var rssSteps = new Option<long?>("--rss-steps")
        {
            Description = "Instead of timing: run N steps of the first --variants variant in this process and print its RSS every --rss-every steps (RSS must stay flat).",
            HelpName = "N",
        };
        var rssEvery = new Option<long>("--rss-every") { Description = "Steps between two RSS samples of --rss-steps.", DefaultValueFactory = _ => 1000, HelpName = "N" };
        var profile = new Option<bool>("--profile")
        {
            Description = "After the timed rounds, run --profile-rounds rounds of profiled steps and show where each variant's time goes: passes by rows, O(d) kernels, host reads, selection, and its excess over the cost model split the same way (CSV: <out>-profile.csv).",
        };
        var profileRounds = new Option<int>("--profile-rounds") { Description = "Rounds of profiled steps for --profile.", DefaultValueFactory = _ => 3, HelpName = "N" };
        var output = new Option<string?>("--out", "-o") { Description = "Write the timings (or the --rss-steps samples) as CSV to this file.", HelpName = "file" };
        var from = CommonOptions.VariantsFrom();
        var variantsFile = CommonOptions.VariantsFile();

        var command = new Command("bench-step", "Time one step of each variant on a fixed batch, as a ratio to the base optimizer, next to the cost model's ideal ratio.");
        foreach (var o in new Option[] { variants, model, threads, device, batch, warmup, rounds, steps, implementations, floor, pytorch, memory, memorySteps, profile, profileRounds, rssSteps, rssEvery, output, from, variantsFile })
            command.Options.Add(o);

        command.SetAction(parse => CliApp.Guard(context, () =>
        {
            string? variantsFrom = parse.GetValue(from);
            CommonOptions.LoadVariants(context, variantsFrom);
            var fromFile = CommonOptions.LoadVariantsFile(context, parse.GetValue(variantsFile));
            var options = new StepBenchmarkOptions
            {
                // The file's variants by default (after SGD, the ratios' reference, unless one of them is a
                // base optimizer alone); otherwise every paper variant, ASAM included (compare's default leaves it out).
                Variants = parse.GetValue(variants) is string list ? CompareCommand.ParseVariants(list)
                    : fromFile.Count > 0 ? WithBaseline(fromFile) : PaperVariants.Names,
                Model = CommonOptions.ModelName(parse.GetValue(model)!),
                Threads = CommonOptions.ThreadCount(parse.GetValue(threads)),
                Device = CommonOptions.DeviceName(parse.GetValue(device)!),
                BatchSize = CommonOptions.Positive(parse.GetValue(batch), "--batch-size"),
                Warmup = Math.Max(0, parse.GetValue(warmup)),
                Rounds = CommonOptions.Positive(parse.GetValue(rounds), "--rounds"),
                StepsPerSample = CommonOptions.Positive(parse.GetValue(steps), "--steps"),
                CompareImplementations = parse.GetValue(implementations),
                Floor = parse.GetValue(floor),
                ProfileRounds = parse.GetValue(profile) ? CommonOptions.Positive(parse.GetValue(profileRounds), "--profile-rounds") : 0,
            };
            if (parse.GetValue(warmup) < 0) throw new UsageException($"--warmup must be at least 0 (got {parse.GetValue(warmup)})");
            int memoryStepCount = CommonOptions.Positive(parse.GetValue(memorySteps), "--memory-steps");
            CommonOptions.OutputFile(parse.GetValue(output), "--out");
            if (parse.GetValue(rssSteps) is long rssCount)
            {
                long every = parse.GetValue(rssEvery);
                if (rssCount < 1) throw new UsageException($"--rss-steps must be at least 1 (got {rssCount})");
                if (every < 1) throw new UsageException($"--rss-every must be at least 1 (got {every})");
                return TrackRss(context, options, rssCount, every, parse.GetValue(output));
            }

            // The peer's problems (no PyTorch, the reference BLAS) are found before minutes of timing, not after.
            if (parse.GetValue(pytorch))
                PyTorchBaseline.Probe();

            context.Console.WriteLine(string.Create(Inv,
                $"Timing {options.Variants.Count} variant(s) on {options.Model}, batch {options.BatchSize}, {options.Threads} thread(s): " +
                $"{options.Warmup} warm-up steps, {options.Rounds} rounds of {options.StepsPerSample} steps."));

            IReadOnlyList<StepTiming> timings = [];
            context.Console.Status().Start("warming up", status =>
                timings = StepBenchmark.Run(options, message => status.Status(Markup.Escape(message))));

            if (parse.GetValue(memory))
            {
                var peaks = new Dictionary<string, MemoryUsage>(StringComparer.Ordinal);
                context.Console.Status().Start("memory", status =>
                {
                    foreach (string name in timings.Select(t => t.Variant).Distinct())
                    {
                        status.Status(Markup.Escape($"peak RSS of {name} ({memoryStepCount} steps in a fresh process)"));
                        peaks[name] = MemoryChild.Run(options, name, memoryStepCount, variantsFrom, parse.GetValue(variantsFile));
                    }
                });
                timings = timings.Select(t => !t.IsOurStep || !peaks.TryGetValue(t.Variant, out var m) ? t : t with { PeakRssBytes = m.PeakRssBytes }).ToList();
            }

            var table = new Table().Border(TableBorder.Rounded).Title("Per-step time relative to the base optimizer");
            // Columns that only --memory or --profile fill stay out of the console table otherwise (the CSV has them all),
            // so the ratios keep their room on an 80-column terminal.
            bool withMemory = parse.GetValue(memory), withProfile = parse.GetValue(profile);
            var columns = new List<(string Header, Func<StepTiming, string> Cell)>
            {
                ("Impl.", t => Markup.Escape(t.Implementation)),
                ("ms/step", t => t.MedianMs.ToString("F2", Inv)),
                ("p25–p75", t => string.Create(Inv, $"{t.P25Ms:F2}–{t.P75Ms:F2}")),
                ("SAM steps", t => t.ObservedSamShare.ToString("P0", Inv)),
                ("× base", t => t.Ratio.ToString("F2", Inv)),
                ("Ideal", t => t.IdealRatio.ToString("F2", Inv)),
                ("Overhead", t => t.Overhead.ToString("F2", Inv)),
            };
            if (withMemory) columns.Add(("Peak RSS MiB", t => t.PeakRssBytes is long peak ? Mib(peak) : "–"));
            columns.Add(("State B/param", t => !t.IsOurStep ? "–" : t.StateBytesPerParameter.ToString(Inv)));
            columns.Add(("Extra B/param", t => !t.IsOurStep ? "–" : t.ExtraStateBytesPerParameter.ToString(Inv)));
            if (withProfile)
            {
                columns.Add(("Managed B/step", t => t.ManagedBytesPerStep.ToString("F0", Inv)));
                columns.Add(("Host syncs/step", t => t.HostSyncsPerStep is double syncs ? syncs.ToString("0.##", Inv) : "–"));
            }
            table.AddColumn(new TableColumn("Variant").NoWrap());
            foreach (var (header, _) in columns)
                table.AddColumn(new TableColumn(header).RightAligned());
            foreach (var t in timings)
                table.AddRow([Markup.Escape(t.Variant), .. columns.Select(c => c.Cell(t))]);
            context.Console.Write(table);
            context.Console.WriteLine("Each step is timed alone; a switching variant's SAM and base steps are weighed by the schedule's expected share " +
                "(SAM steps = the share that ran). Ideal = the cost model's ratio (ALGORITHMS.md §10.2) at that share; overhead = measured ratio / ideal ratio " +
                "(1 = as cheap as the cost model allows). State = optimizer and SAM buffers beyond weights and gradients (fp32); extra = beyond the base optimizer's. " +
                (withProfile ? "Managed B/step = median managed bytes a timed step allocated on this thread (model forward included); host syncs/step = points where a GPU " +
                "step would wait for the device (device reads, blocking uploads), counted in the profiled steps." : "With --profile: managed bytes and host syncs per step."));
            if (options.Floor)
                context.Console.WriteLine("'<name> floor' = the base step plus one bare forward + backward on the micro-batch's rows (no perturbation, no second norm, " +
                    "no selection, no batch-norm bookkeeping): the least any implementation of that variant can cost on this framework; a target ratio below it is out of the step's reach.");
            if (parse.GetValue(memory))
                context.Console.WriteLine(string.Create(Inv, $"Peak RSS = VmHWM of a fresh process that built the model and ran {memoryStepCount} steps of that variant alone (runtime and libtorch included)."));
            BenchStepProfileOutput.Write(context.Console, timings);

            IReadOnlyList<PyTorchTiming> peer = [];
            if (parse.GetValue(pytorch))
            {
                var peerRun = PyTorchBaseline.Run(options);
                peer = peerRun.Timings;
                var peerTable = new Table().Border(TableBorder.Rounded).Title(Markup.Escape($"PyTorch {peerRun.TorchVersion} peer on {peerRun.Blas} (same model, batch, threads)"));
                peerTable.AddColumn("Variant");
                foreach (string c in new[] { "ms/step", "p25–p75", "× SGD", "TorchSharp / PyTorch" })
                    peerTable.AddColumn(new TableColumn(c).RightAligned());
                double peerBase = PeerBase(peer);
                foreach (var p in peer)
                {
                    var match = timings.FirstOrDefault(t => t.Variant == OurName(p.Variant) && t.IsOurStep);
                    peerTable.AddRow(Markup.Escape(p.Variant), p.MedianMs.ToString("F2", Inv), string.Create(Inv, $"{p.P25Ms:F2}–{p.P75Ms:F2}"),
                        (p.MedianMs / peerBase).ToString("F2", Inv),
                        match is null ? "–" : (match.MedianMs / p.MedianMs).ToString("F2", Inv));
                }
                context.Console.Write(peerTable);
            }

            if (parse.GetValue(output) is string file)
            {
                WriteCsv(file, timings, peer);
                context.Console.WriteLine($"Wrote {Path.GetFullPath(file)}");
                string stepsFile = BenchStepProfileOutput.SiblingPath(file, "steps");
                WriteStepsCsv(stepsFile, timings);
                context.Console.WriteLine($"Wrote {Path.GetFullPath(stepsFile)}");
                double peerBase = PeerBase(peer);
                var peerRatios = peer.GroupBy(p => OurName(p.Variant)).ToDictionary(g => g.Key, g => g.First().MedianMs / peerBase, StringComparer.Ordinal);
                string what = string.Create(Inv, $"{options.Model}, batch {options.BatchSize}, {options.Threads} thread(s)");
                foreach (string png in new[]
                {
                    BenchPlots.Ratios(Path.ChangeExtension(file, ".png"), timings, peerRatios, $"Step time relative to the base optimizer ({what})"),
                    BenchPlots.StepTimes(Path.ChangeExtension(stepsFile, ".png"), timings, $"Every timed step ({what})"),
                })
                    context.Console.WriteLine($"Wrote {Path.GetFullPath(png)}");
                if (options.ProfileRounds > 0)
                {
                    string profileFile = BenchStepProfileOutput.SiblingPath(file, "profile");
                    BenchStepProfileOutput.WriteCsv(profileFile, timings);
                    context.Console.WriteLine($"Wrote {Path.GetFullPath(profileFile)}");
                }
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>
    /// The hidden command a <c>--memory</c> run starts per variant: builds the model and the step,
    /// runs the steps, prints one JSON line with VmHWM and VmRSS.
    /// </summary>
    public static Command CreateMemoryChild(CliContext context)
    {
        var variant = new Option<string>("--variant") { Required = true };
        var model = CommonOptions.Model();
        var threads = CommonOptions.Threads();
        var device = CommonOptions.Device();
        var batch = CommonOptions.BatchSize();
        var steps = new Option<int>("--steps") { DefaultValueFactory = _ => 50 };
        var seed = new Option<long>("--seed");
        var from = CommonOptions.VariantsFrom();
        var variantsFile = CommonOptions.VariantsFile();
        var command = new Command(MemoryChildCommand, "Internal: one variant's peak RSS in this process (started by bench-step --memory).") { Hidden = true };
        foreach (var o in new Option[] { variant, model, threads, device, batch, steps, seed, from, variantsFile })
            command.Options.Add(o);
        command.SetAction(parse => CliApp.Guard(context, () =>
        {
            CommonOptions.LoadVariants(context, parse.GetValue(from));
            CommonOptions.LoadVariantsFile(context, parse.GetValue(variantsFile));
            var options = new StepBenchmarkOptions
            {
                Model = CommonOptions.ModelName(parse.GetValue(model)!),
                Threads = CommonOptions.ThreadCount(parse.GetValue(threads)),
                Device = CommonOptions.DeviceName(parse.GetValue(device)!),
                BatchSize = CommonOptions.Positive(parse.GetValue(batch), "--batch-size"),
                Seed = parse.GetValue(seed),
            };
            var usage = MemoryProbe.Measure(options, CommonOptions.Variant(parse.GetValue(variant)!), Math.Max(0, parse.GetValue(steps)));
            context.Console.Profile.Width = 4096;
            context.Console.WriteLine(JsonSerializer.Serialize(usage));
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The file's variants, after SGD when none of them is the base optimizer alone (each ratio needs that reference).</summary>
    private static IReadOnlyList<string> WithBaseline(IReadOnlyList<string> names) =>
        names.Any(n => SamVariantRegistry.TryGet(n, out var e) && e.Descriptor.Policy == Dsl.SchedulePolicy.Never) || !SamVariantRegistry.TryGet("SGD", out _)
            ? names
            : ["SGD", .. names];

    private static int TrackRss(CliContext context, StepBenchmarkOptions options, long steps, long every, string? file)
    {
        string variant = options.Variants[0];
        context.Console.WriteLine(string.Create(Inv,
            $"RSS of {variant} on {options.Model}, batch {options.BatchSize}, {options.Threads} thread(s), over {steps} steps (one sample every {every})."));
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape($"Resident memory of {variant}"));
        foreach (string c in new[] { "Step", "RSS MiB", "Δ since first MiB", "Peak MiB" })
            table.AddColumn(new TableColumn(c).RightAligned().NoWrap());
        var samples = MemoryProbe.Track(options, variant, steps, every, s => context.Cancel.ThrowIfCancellationRequested());
        // The first sample after warm-up steps is the reference: the allocator's pools fill during the first steps.
        long reference = samples.Count > 1 ? samples[1].RssBytes : samples[0].RssBytes;
        foreach (var s in samples)
            table.AddRow(s.Step.ToString(Inv), Mib(s.RssBytes), s.Step == 0 ? "–" : ((s.RssBytes - reference) / 1048576.0).ToString("+0.0;-0.0;0.0", Inv), Mib(s.PeakRssBytes));
        context.Console.Write(table);
        var after = samples.Skip(1).ToList();
        if (after.Count > 0)
            context.Console.WriteLine(string.Create(Inv,
                $"From step {after[0].Step} to {after[^1].Step}: RSS moved {(after[^1].RssBytes - after[0].RssBytes) / 1048576.0:+0.0;-0.0;0.0} MiB (range {(after.Max(s => s.RssBytes) - after.Min(s => s.RssBytes)) / 1048576.0:F1} MiB)."));
        if (file is not null)
        {
            CreateDirectoryFor(file);
            var csv = new StringBuilder("variant,model,step,rss_bytes,peak_rss_bytes\n");
            foreach (var s in samples)
                csv.AppendLine(string.Create(Inv, $"{variant},{options.Model},{s.Step},{s.RssBytes},{s.PeakRssBytes}"));
            AtomicFile.WriteAllText(file, csv.ToString());
            context.Console.WriteLine($"Wrote {Path.GetFullPath(file)}");
        }
        return ExitCodes.Success;
    }

    private static void WriteCsv(string file, IReadOnlyList<StepTiming> timings, IReadOnlyList<PyTorchTiming> peer)
    {
        CreateDirectoryFor(file);
        double peerBase = PeerBase(peer);
        var csv = new StringBuilder("variant,implementation,model,median_ms,p25_ms,p75_ms,ratio,ideal_ratio,overhead,parameters,state_buffers," +
            "state_bytes_per_param,extra_state_bytes_per_param,peak_rss_bytes,pytorch_median_ms,pytorch_ratio,torchsharp_over_pytorch,sam_share,priced_sam_share,expected_ideal_ratio," +
            "profile_step_ms,profile_ideal_ratio,excess_ms,excess_passes_ms,excess_parameters_ms,excess_host_ms,excess_selection_ms,excess_bookkeeping_ms,excess_unattributed_ms," +
            "managed_bytes_per_step,host_syncs_per_step\n");
        var baseline = timings.FirstOrDefault(t => t.IsBaseline)?.Profile;
        foreach (var t in timings)
        {
            var p = !t.IsOurStep ? null : peer.FirstOrDefault(q => OurName(q.Variant) == t.Variant);
            string peerColumns = p is null ? ",," : string.Create(Inv, $"{p.MedianMs:G6},{p.MedianMs / peerBase:G6},{t.MedianMs / p.MedianMs:G6}");
            csv.AppendLine(string.Create(Inv,
                $"{t.Variant},{t.Implementation},{t.Model},{t.MedianMs:G6},{t.P25Ms:G6},{t.P75Ms:G6},{t.Ratio:G6},{t.IdealRatio:G6},{t.Overhead:G6},{t.Parameters},{t.StateBuffers}," +
                $"{t.StateBytesPerParameter},{t.ExtraStateBytesPerParameter},{(t.PeakRssBytes is long peak ? peak.ToString(Inv) : "")},{peerColumns}," +
                $"{t.ObservedSamShare:G6},{t.SamShare:G6},{t.ExpectedIdealRatio:G6},{ProfileColumns(t, baseline)}," +
                $"{t.ManagedBytesPerStep:G6},{(t.HostSyncsPerStep is double syncs ? syncs.ToString("G6", Inv) : "")}"));
        }
        AtomicFile.WriteAllText(file, csv.ToString());
    }

    // Every timed step in run order: a plot of ms against sequence shows noise bursts and drift.
    private static void WriteStepsCsv(string file, IReadOnlyList<StepTiming> timings)
    {
        var csv = new StringBuilder("sequence,variant,implementation,model,round,sam_step,ms\n");
        foreach (var (t, step) in timings.SelectMany(t => t.Steps.Select(step => (t, step))).OrderBy(x => x.step.Sequence))
            csv.AppendLine(string.Create(Inv, $"{step.Sequence},{t.Variant},{t.Implementation},{t.Model},{step.Round},{(step.Perturbed ? 1 : 0)},{step.Ms:G6}"));
        AtomicFile.WriteAllText(file, csv.ToString());
    }

    // Where a profiled step's time over the cost model went (empty columns when not profiled).
    private static string ProfileColumns(StepTiming t, StepProfileSummary? baseline)
    {
        if (t.Profile is not { } p || baseline is null) return ",,,,,,,,";
        var b = OverheadBreakdown.Of(t.Variant, p, baseline);
        return string.Create(Inv, $"{p.StepMs:G6},{p.IdealRatio:G6},{b.ExcessMs:G6},{b.Passes:G6},{b.Parameters:G6},{b.Host:G6},{b.Selection:G6},{b.Bookkeeping:G6},{b.Unattributed:G6}");
    }

    // The peer script names micro-batch SAM "MBS f=<fraction>"; ours is the generated (or engine) MBS.
    private static string OurName(string peerVariant) => peerVariant.StartsWith("MBS", StringComparison.Ordinal) ? "MBS" : peerVariant;

    private static double PeerBase(IReadOnlyList<PyTorchTiming> peer) => peer.FirstOrDefault(p => p.Variant == "SGD")?.MedianMs ?? double.NaN;

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("F1", Inv);

    private static void CreateDirectoryFor(string file)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(file));
        if (dir is not null) Directory.CreateDirectory(dir);
    }
}
