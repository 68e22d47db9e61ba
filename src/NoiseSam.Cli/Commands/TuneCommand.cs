using System.CommandLine;
using System.Globalization;
using NoiseSam.Harness.Study;
using NoiseSam.Harness.Tuning;
using Spectre.Console;

namespace NoiseSam.Cli.Commands;

/// <summary>
/// <c>noisesam tune</c>: a small hyper-parameter search per variant, judged on a validation split
/// held out of the training set; resumable, with a markdown report and the choices as JSON.
/// </summary>
internal static class TuneCommand
{
    public const string DefaultDirectory = "runs/tune";

    /// <summary>The variants searched by default: the base optimizer and every paper variant with a setting of its own to choose.</summary>
    public static IReadOnlyList<string> DefaultVariants { get; } = ["SGD", "SAM", "ASAM", "ESAM", "LookSAM-5", "K-SAM", "MBS"];

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create(CliContext context)
    {
        var variants = new Option<string>("--variants", "-v")
        {
            Description = "Comma-separated variants to tune.",
            DefaultValueFactory = _ => string.Join(",", DefaultVariants),
            HelpName = "list",
        };
        var grid = new Option<string[]>("--grid")
        {
            Description = "A variant's search instead of its default: VARIANT:param=v1,v2[;param=v1,v2] (params: " +
                          string.Join(", ", TuningAxis.Names) + "); repeat for several variants.",
            HelpName = "spec",
            AllowMultipleArgumentsPerToken = false,
        };
        var seeds = new Option<string>("--seeds", "-s") { Description = "Seeds of every candidate: a count N (0..N-1) or a comma list.", DefaultValueFactory = _ => "2" };
        var epochs = new Option<int>("--epochs", "-e") { Description = "Epochs per run.", DefaultValueFactory = _ => DefaultRegime.Epochs };
        var output = new Option<string>("--out", "-o") { Description = "Search directory (finished runs are reused from here).", DefaultValueFactory = _ => DefaultDirectory, HelpName = "dir" };
        var report = new Option<string?>("--report") { Description = "Markdown report (default <out>/tuning.md); the choices go to the same name with .json.", HelpName = "file.md" };
        var reportOnly = new Option<bool>("--report-only") { Description = "Write the report from the runs already in --out, train nothing." };
        var title = new Option<string>("--title") { Description = "Heading of the markdown report.", DefaultValueFactory = _ => "Hyper-parameter search on the validation split" };
        var model = CommonOptions.Model();
        var data = CommonOptions.Data();
        var dataDir = CommonOptions.DataDir();
        var threads = CommonOptions.Threads();
        var device = CommonOptions.Device();
        var batch = CommonOptions.BatchSize();
        var trainLimit = CommonOptions.TrainLimit($"default {DefaultRegime.TrainLimit}, 0 = all");
        var testLimit = CommonOptions.TestLimit();
        var from = CommonOptions.VariantsFrom();
        var dataArgs = new DataArguments(DefaultRegime.ValidationFraction, DefaultRegime.LabelNoise);
        var sharding = new ShardArguments();

        var command = new Command("tune",
            "Search each variant's settings (ρ, α, f, learning rate, …) on a validation split; writes tuning.md and tuning.json with the choices.");
        foreach (var o in new Option[] { variants, grid, seeds, epochs, output, report, reportOnly, title, model, data, dataDir, threads, device, batch, trainLimit, testLimit, from }.Concat(dataArgs.All).Concat(sharding.All))
            command.Options.Add(o);

        command.SetAction(parse => CliApp.Guard(context, () =>
        {
            CommonOptions.LoadVariants(context, parse.GetValue(from));
            var names = CompareCommand.ParseVariants(parse.GetValue(variants));
            var grids = ParseGrids(parse.GetValue(grid) ?? []);
            foreach (string g in grids.Keys)
                if (!names.Contains(g, StringComparer.OrdinalIgnoreCase))
                    throw new UsageException($"--grid: '{g}' is not among --variants ({string.Join(", ", names)})");
            var seedList = CompareCommand.ParseSeeds(parse.GetValue(seeds));
            var dataOptions = dataArgs.Read(parse);
            if (dataOptions.ValidationFraction <= 0)
                throw new UsageException("tune chooses on a validation split: --val-fraction must be > 0 (e.g. 0.2)");
            var options = new StudyOptions
            {
                Seeds = seedList,
                Epochs = CommonOptions.Positive(parse.GetValue(epochs), "--epochs"),
                Model = CommonOptions.ModelName(parse.GetValue(model)!),
                BatchSize = CommonOptions.Positive(parse.GetValue(batch), "--batch-size"),
                Threads = CommonOptions.ThreadCount(parse.GetValue(threads)),
                Device = CommonOptions.DeviceName(parse.GetValue(device)!),
                Augment = dataArgs.ReadAugment(parse),
                Baselines = [],
            };
            var configs = new List<StudyConfig>();
            foreach (string name in names)
            {
                SamVariantRegistry.TryGet(name, out var entry);
                var descriptor = entry!.Descriptor;
                try
                {
                    var axes = grids.TryGetValue(name, out var given) ? given : TuningPlan.DefaultAxes(descriptor);
                    configs.AddRange(TuningPlan.Candidates(descriptor, axes));
                }
                catch (ArgumentException e)
                {
                    throw new UsageException($"--grid: {e.Message}");
                }
            }
            string dataName = CommonOptions.DataName(parse.GetValue(data)!);
            string? dir = parse.GetValue(dataDir);
            CommonOptions.DataDirectory(dir);
            int? trainN = CommonOptions.TrainLimitOrDefault(parse.GetValue(trainLimit), DefaultRegime.TrainLimit);
            int? testN = parse.GetValue(testLimit);
            if (testN is < 1) throw new UsageException($"--test-limit must be at least 1 (got {testN})");
            string outDir = parse.GetValue(output)!;
            string reportPath = parse.GetValue(report) ?? Path.Combine(outDir, "tuning.md");
            CommonOptions.WritableFolder(outDir, "--out");
            CommonOptions.OutputFile(reportPath, "--report");

            using var split = CommonOptions.LoadData(context, dataName, dir, trainN, testN, dataOptions);
            var shard = sharding.ReadShard(parse);
            if (!shard.IsWhole && parse.GetValue(reportOnly)) throw new UsageException($"--shard {shard}: --report-only needs every run: run it once without --shard when the shards are done");
            var runner = new StudyRunner(options, configs, split, outDir, new StudyCallbacks { Message = m => context.Console.WriteLine(m) })
            {
                Shard = shard,
                ClaimTimeout = sharding.ReadClaimTimeout(parse),
            };
            if (!parse.GetValue(reportOnly))
            {
                context.Console.WriteLine(string.Create(Inv,
                    $"Search: {configs.Count} candidates of {names.Count} variant(s) × {seedList.Count} seed(s) = {runner.Runs.Count} runs of {options.Epochs} epoch(s); " +
                    $"data: {runner.DataDescription}; model {options.Model}, {options.Threads} thread(s). Directory: {runner.Store.Root}"));
                if (!StudyCommand.TrainWithProgress(context, runner))
                {
                    context.Note($"stopped; run the same command again to continue (finished runs are kept in {runner.Store.Root})");
                    return ExitCodes.Cancelled;
                }
                if (!shard.IsWhole)
                {
                    context.Console.WriteLine(string.Create(Inv,
                        $"Shard {shard} done: {runner.FinishedRuns().Count} of {runner.Runs.Count} runs finished in {runner.Store.Root}; the same command without --shard writes the report."));
                    return ExitCodes.Success;
                }
            }
            var results = TuningResult.Compute(runner.Configs, runner.FinishedRuns(), seedList.Count);
            string shown = CommonOptions.CommandLine(parse, "--report-only");
            string jsonPath = Path.ChangeExtension(reportPath, ".json");
            TuningReport.Write(reportPath, jsonPath, new TuningInfo(runner.DataDescription, options.Model, options.Epochs, seedList, shown, parse.GetValue(title)!), results);
            var table = new Table().Border(TableBorder.Rounded).Title("Choices (best mean validation accuracy)");
            foreach (string c in new[] { "Variant", "Chosen", "Val. %", "Test %", "Within noise" }) table.AddColumn(c);
            foreach (var r in results)
            {
                var choice = r.Choice;
                table.AddRow(Markup.Escape(r.Variant + (r.Complete ? "" : " (incomplete)")), Markup.Escape(choice?.Setting ?? "–"),
                    choice is null ? "–" : (choice.Validation.Mean * 100).ToString("F2", Inv),
                    choice is null ? "–" : (choice.Test.Mean * 100).ToString("F2", Inv),
                    Markup.Escape(string.Join(", ", r.Candidates.Where(c => c.WithinNoiseOfChosen).Select(c => c.Setting))));
            }
            context.Console.Write(table);
            context.Console.WriteLine($"Report: {Path.GetFullPath(reportPath)}; choices: {Path.GetFullPath(jsonPath)}");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>"SAM:rho=0.02,0.05" items → axes by variant name.</summary>
    internal static Dictionary<string, IReadOnlyList<TuningAxis>> ParseGrids(IEnumerable<string> specs)
    {
        var grids = new Dictionary<string, IReadOnlyList<TuningAxis>>(StringComparer.OrdinalIgnoreCase);
        foreach (string spec in specs)
        {
            int colon = spec.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) throw new UsageException($"--grid: '{spec}' is not VARIANT:param=v1,v2 (e.g. SAM:rho=0.02,0.05,0.1)");
            string name = CommonOptions.Variant(spec[..colon]);
            if (grids.ContainsKey(name)) throw new UsageException($"--grid: {name} is given twice; put its axes in one spec separated by ';'");
            try
            {
                grids[name] = TuningAxis.Parse(spec[(colon + 1)..]);
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"--grid {name}: {e.Message}");
            }
        }
        return grids;
    }
}
