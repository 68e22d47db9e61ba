using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using NoiseSam.Dsl;
using NoiseSam.Harness.Study;
using NoiseSam.Harness.Training;
using Spectre.Console;

namespace NoiseSam.Cli.Commands;

/// <summary>
/// <c>noisesam study</c>: the paper's claim as a resumable sweep (micro-batch fraction × noise ×
/// scaling + baselines, several seeds), with sharpness figures and a markdown report.
/// </summary>
internal static class StudyCommand
{
    /// <summary>Default labelled training samples (train + validation): the default regime's (<see cref="DefaultRegime"/>).</summary>
    public const int DefaultTrainLimit = DefaultRegime.TrainLimit;

    public const string DefaultDirectory = "runs/study";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create(CliContext context)
    {
        var defaults = new StudyOptions();
        var output = new Option<string>("--out", "-o") { Description = "Study directory (results are reused from here).", DefaultValueFactory = _ => DefaultDirectory, HelpName = "dir" };
        var report = new Option<string?>("--report") { Description = "Where to write the markdown report (default <out>/study.md); its plots go to a folder next to it.", HelpName = "file.md" };
        var epochs = new Option<int>("--epochs", "-e") { Description = "Epochs per run.", DefaultValueFactory = _ => defaults.Epochs };
        var seeds = new Option<string>("--seeds", "-s") { Description = "Seeds: a count N (seeds 0..N-1) or a comma list.", DefaultValueFactory = _ => "3" };
        var fractions = new Option<string>("--fractions") { Description = "Micro-batch fractions f in (0, 1].", DefaultValueFactory = _ => List(defaults.Fractions) };
        var sigmas = new Option<string>("--sigmas") { Description = "Noise levels σ >= 0 (0 = no noise).", DefaultValueFactory = _ => List(defaults.Sigmas) };
        var scalings = new Option<string>("--scalings") { Description = "Noise scalings: gnorm (s = σ‖g‖/√d), mb (× √(1/f − 1)), abs (s = σ).", DefaultValueFactory = _ => "gnorm,mb" };
        var baselines = new Option<string>("--baselines") { Description = "Baseline variants run next to the sweep ('none' for none).", DefaultValueFactory = _ => string.Join(",", defaults.Baselines) };
        var model = CommonOptions.Model();
        var data = CommonOptions.Data();
        var dataDir = CommonOptions.DataDir();
        var threads = CommonOptions.Threads();
        var device = CommonOptions.Device();
        var batch = CommonOptions.BatchSize();
        var trainLimit = CommonOptions.TrainLimit($"default {DefaultTrainLimit}, 0 = all");
        var testLimit = CommonOptions.TestLimit();
        var probe = new Option<int>("--probe-samples") { Description = "Training samples the sharpness figures are measured on.", DefaultValueFactory = _ => defaults.ProbeSamples };
        var eigenIterations = new Option<int>("--eigen-iterations") { Description = "Power-iteration cap for the top Hessian eigenvalue.", DefaultValueFactory = _ => defaults.EigenIterations };
        var landscapePoints = new Option<int>("--landscape-points") { Description = "Grid points per axis of the 2-D landscapes (odd; 1-D lines get 2N − 1).", DefaultValueFactory = _ => defaults.LandscapePoints };
        var detach = new Option<bool>("--detach") { Description = "Run in the background (log in <out>/study.log); follow with --status." };
        var status = new Option<bool>("--status") { Description = "Print how far the study in --out is, and exit." };
        var reportOnly = new Option<bool>("--report-only") { Description = "Write the report from the results already in --out, train nothing." };
        var phases = new Option<string>("--phases")
        {
            Description = $"Phases to run, in order: {string.Join(",", StudyRunner.PhaseNames)} (e.g. 'sharpness' in a second process measures the runs already trained).",
            DefaultValueFactory = _ => string.Join(",", StudyRunner.PhaseNames),
        };

        var dataArgs = new DataArguments(DefaultRegime.ValidationFraction, DefaultRegime.LabelNoise);
        var rho = new Option<double?>("--rho") { Description = "ρ of every sweep point (default: the registered SAM variant's).", HelpName = "ρ" };
        var lr = new Option<double?>("--lr") { Description = "Learning rate of every sweep point (default: the registered SAM variant's; its base optimizer otherwise).", HelpName = "lr" };
        var plan = new Option<string?>("--plan") { Description = "Read the study's settings (sweep, seeds, data, model, epochs, extra variants) from a JSON plan; flags override it (docs/scale-out.md).", HelpName = "plan.json" };
        var variantsFile = CommonOptions.VariantsFile();
        var sharding = new ShardArguments();

        var command = new Command("study",
            "Sweep micro-batch fraction × noise σ × scaling plus baselines over several seeds; resumable; writes a markdown report with tables and plots.");
        foreach (var o in new Option[] { output, report, epochs, seeds, fractions, sigmas, scalings, baselines, model, data, dataDir, threads, device, batch, trainLimit, testLimit, probe, eigenIterations, landscapePoints, phases, detach, status, reportOnly, rho, lr, plan, variantsFile }.Concat(dataArgs.All).Concat(sharding.All))
            command.Options.Add(o);

        command.SetAction(parse => CliApp.Guard(context, () =>
        {
            string outDir = parse.GetValue(output)!;
            if (parse.GetValue(status)) return PrintStatus(context, outDir);
            // Variants as data are registered first: --baselines may name them; they also run as baselines.
            parse = StudyPlanArguments.Apply(context, parse, plan, out var planVariants);
            var extraVariants = planVariants.Concat(CommonOptions.LoadVariantsFile(context, parse.GetValue(variantsFile))).ToList();
            var shard = sharding.ReadShard(parse);
            var claimTimeout = sharding.ReadClaimTimeout(parse);
            var options = new StudyOptions
            {
                Epochs = CommonOptions.Positive(parse.GetValue(epochs), "--epochs"),
                Seeds = CompareCommand.ParseSeeds(parse.GetValue(seeds)),
                Fractions = Numbers(parse.GetValue(fractions)!, "--fractions"),
                Sigmas = Numbers(parse.GetValue(sigmas)!, "--sigmas"),
                Scalings = Scalings(parse.GetValue(scalings)!),
                Baselines = Baselines(parse.GetValue(baselines)!),
                Model = CommonOptions.ModelName(parse.GetValue(model)!),
                BatchSize = CommonOptions.Positive(parse.GetValue(batch), "--batch-size"),
                Threads = CommonOptions.ThreadCount(parse.GetValue(threads)),
                Device = CommonOptions.DeviceName(parse.GetValue(device)!),
                ProbeSamples = CommonOptions.Positive(parse.GetValue(probe), "--probe-samples"),
                EigenIterations = CommonOptions.Positive(parse.GetValue(eigenIterations), "--eigen-iterations"),
                LandscapePoints = parse.GetValue(landscapePoints),
                Augment = dataArgs.ReadAugment(parse),
            };
            // The sweep is SAM with a micro-batch and noise: by default it shares SAM's declared ρ and base optimizer.
            var sam = SamVariantRegistry.TryGet("SAM", out var samEntry) ? samEntry.Descriptor : null;
            var baseOptimizer = sam?.BaseOptimizer ?? options.BaseOptimizer;
            if (parse.GetValue(lr) is double rate) baseOptimizer = baseOptimizer with { LearningRate = rate };
            options = options with { Rho = parse.GetValue(rho) ?? sam?.EffectiveRho ?? options.Rho, BaseOptimizer = baseOptimizer };
            options = options with { Baselines = [.. options.Baselines, .. extraVariants.Where(v => !options.Baselines.Contains(v, StringComparer.OrdinalIgnoreCase))] };
            var dataOptions = dataArgs.Read(parse);
            try
            {
                options.Validate();
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"study: {e.Message}");
            }
            string dataName = CommonOptions.DataName(parse.GetValue(data)!);
            string? dir = parse.GetValue(dataDir);
            CommonOptions.DataDirectory(dir);
            int? trainN = CommonOptions.TrainLimitOrDefault(parse.GetValue(trainLimit), DefaultTrainLimit);
            int? testN = parse.GetValue(testLimit);
            if (testN is < 1) throw new UsageException($"--test-limit must be at least 1 (got {testN})");

            var phaseList = parse.GetValue(phases)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
            foreach (string p in phaseList)
                if (!StudyRunner.PhaseNames.Contains(p, StringComparer.OrdinalIgnoreCase))
                    throw new UsageException($"--phases: unknown phase '{p}'; use any of {string.Join(", ", StudyRunner.PhaseNames)}");
            if (phaseList.Count == 0) throw new UsageException($"--phases needs at least one of {string.Join(", ", StudyRunner.PhaseNames)}");
            if (!shard.IsWhole)
            {
                // A shard trains and measures its runs; the landscapes, the timing and the report need every run: once, at the end.
                if (parse.GetResult(phases) is not { Implicit: false }) phaseList = ["train", "sharpness"];
                var once = phaseList.Where(p => p is "landscapes" or "timing").ToList();
                if (once.Count > 0 || parse.GetValue(reportOnly))
                    throw new UsageException($"--shard {shard}: {(once.Count > 0 ? "--phases " + string.Join(",", once) : "--report-only")} needs every run: " +
                                             "run it once without --shard when the shards are done (e.g. a job with --dependency=afterok)");
            }

            // Each run's sharpness right after it trains, when this process measures at all.
            options = options with { MeasureEachRun = phaseList.Contains("sharpness", StringComparer.OrdinalIgnoreCase) };
            // Checked before any work. The folder is shared by the study's cooperating processes, so
            // it is not locked as a whole: each run's checkpoint folder is, while that run trains.
            CommonOptions.WritableFolder(outDir, "--out");
            CommonOptions.OutputFile(parse.GetValue(report), "--report");
            if (parse.GetValue(detach)) return Detach(context, outDir);

            using var split = CommonOptions.LoadData(context, dataName, dir, trainN, testN, dataOptions);
            var runner = new StudyRunner(options, split, outDir, new StudyCallbacks { Message = m => context.Console.WriteLine(m) })
            {
                Shard = shard,
                ClaimTimeout = claimTimeout,
            };
            string reportPath = parse.GetValue(report) ?? Path.Combine(runner.Store.Root, "study.md");
            if (!parse.GetValue(reportOnly))
            {
                context.Console.WriteLine(string.Create(Inv,
                    $"Study: {runner.Configs.Count} configurations × {options.Seeds.Count} seed(s) = {runner.Runs.Count} runs of {options.Epochs} epoch(s) on " +
                    $"{split.Train.Count} {dataName} samples (test {split.Test.Count}), model {options.Model}, {options.Threads} thread(s). Directory: {runner.Store.Root}") +
                    DataArguments.Describe(split) + (shard.IsWhole ? "" : $" Shard {shard}: its {Enumerable.Range(0, runner.Runs.Count).Count(shard.Owns)} runs first, then any run nobody has claimed."));
                if (!RunWithProgress(context, runner, phaseList))
                {
                    context.Note($"stopped; run the same command again to continue (finished runs are kept in {runner.Store.Root})");
                    return ExitCodes.Cancelled;
                }
            }
            if (!shard.IsWhole)
            {
                int finished = runner.FinishedRuns().Count;
                context.Console.WriteLine(string.Create(Inv,
                    $"Shard {shard} done: {finished} of {runner.Runs.Count} runs finished in {runner.Store.Root}. " +
                    $"When every shard is done, the same command without --shard (--shard off in a job array) measures what is left, draws the landscapes, times the steps and writes the report."));
                return ExitCodes.Success;
            }
            string shown = CommonOptions.CommandLine(parse, "--report-only", "--detach");
            var (files, summary) = runner.WriteReport(reportPath, shown);
            context.Console.WriteLine(string.Create(Inv,
                $"Report: {files[0]} ({summary.Sum(s => s.Accuracy.N)} finished runs of {runner.Runs.Count}; plots and results.csv in {Path.GetDirectoryName(files[^1])})"));
            foreach (string line in StudyReport.Verdict(summary))
                context.Console.WriteLine(line);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>Trains every run of <paramref name="runner"/> that has no record yet, with the study's progress display.</summary>
    internal static bool TrainWithProgress(CliContext context, StudyRunner runner) => RunWithProgress(context, runner, ["train"]);

    internal static bool RunWithProgress(CliContext context, StudyRunner runner, IReadOnlyCollection<string> phases)
    {
        if (!context.Console.Profile.Capabilities.Interactive) return runner.Run(context.Cancel, phases);
        bool finished = false;
        int room = RunDisplay.DescriptionWidth(context.Console.Profile.Width);
        CommonOptions.ProgressBars(context)
            .Start(ctx =>
            {
                var redraw = new ProgressRedraw(ctx);
                var overall = ctx.AddTask("study", maxValue: runner.Runs.Count);
                var current = ctx.AddTask("run", maxValue: 1);
                var inner = runner.WithCallbacks(new StudyCallbacks
                {
                    Progress = p =>
                    {
                        overall.MaxValue = Math.Max(1, p.Total);
                        overall.Value = p.Done;
                        overall.Description = RunDisplay.Fit($"{p.Phase} {p.Done}/{p.Total}{(p.Skipped > 0 ? $" ({p.Skipped} found on disk)" : "")}", room);
                        redraw.Tick(now: true);
                    },
                    Training = (config, seed) => new TrainingCallbacks
                    {
                        Progress = p =>
                        {
                            current.MaxValue = p.TotalSteps;
                            current.Value = p.Step;
                            current.Description = RunDisplay.Fit(string.Create(Inv,
                                $"{config.Label} seed {seed} · epoch {p.Epoch}/{p.Epochs}{(p.SkippedInEpoch > 0 ? $" · skipped {p.SkippedInEpoch}" : "")}" +
                                $"{(p.Evaluating ? " · evaluating" : "")} · loss {p.EpochLoss:F3}"), room);
                            redraw.Tick();
                        },
                        Message = context.Note,
                    },
                    Message = m => context.Console.MarkupLine(Markup.Escape(m)),
                });
                finished = inner.Run(context.Cancel, phases);
            });
        return finished;
    }

    private static int Detach(CliContext context, string outDir)
    {
        Directory.CreateDirectory(outDir);
        string log = Path.Combine(Path.GetFullPath(outDir), StudyStore.LogFile);
        var args = Environment.GetCommandLineArgs().Skip(1).Where(a => a != "--detach").ToList();
        string process = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find this program's path to start it in the background");
        // Under `dotnet NoiseSam.Cli.dll` the first argument must be the assembly again.
        if (Path.GetFileNameWithoutExtension(process) == "dotnet") args.Insert(0, Assembly.GetEntryAssembly()!.Location);
        // The child writes its own log and lives in its own session (setsid), so neither closing
        // the terminal nor this process exiting stops it.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("command -v setsid >/dev/null && s=setsid; exec $s \"$0\" \"$@\" >>\"$NOISESAM_STUDY_LOG\" 2>&1 </dev/null");
        start.ArgumentList.Add(process);
        foreach (string a in args) start.ArgumentList.Add(a);
        start.Environment["NOISESAM_STUDY_LOG"] = log;
        var child = Process.Start(start) ?? throw new InvalidOperationException("could not start the background study");
        context.Console.WriteLine($"Study running in the background (pid {child.Id}); log: {log}");
        context.Console.WriteLine($"Follow it with: noisesam study --status --out {outDir}   (the same command without --detach continues a stopped study)");
        return ExitCodes.Success;
    }

    private static int PrintStatus(CliContext context, string outDir)
    {
        var store = new StudyStore(outDir);
        var progress = StudyStore.Read<StudyProgress>(store.ProgressPath);
        if (progress is null)
        {
            context.Note($"no study in {store.Root} (no {StudyStore.ProgressFile}); start one with 'noisesam study --out {outDir}'");
            return ExitCodes.Failure;
        }
        // A file of another shape (e.g. "{}") parses into empty fields: say so instead of failing on them.
        if (string.IsNullOrEmpty(progress.Phase) || progress.Current is null || progress.Total < 0 || progress.Done < 0)
        {
            context.Note($"{store.ProgressPath} is not a study progress file (no phase or counts); run the study again to rewrite it");
            return ExitCodes.Failure;
        }
        int trained = Directory.Exists(Path.Combine(store.Root, "runs"))
            ? Directory.EnumerateFiles(Path.Combine(store.Root, "runs"), StudyStore.TrainFile, SearchOption.AllDirectories).Count() : 0;
        int measured = Directory.Exists(Path.Combine(store.Root, "runs"))
            ? Directory.EnumerateFiles(Path.Combine(store.Root, "runs"), StudyStore.SharpnessFile, SearchOption.AllDirectories).Count() : 0;
        int claimed = Directory.Exists(Path.Combine(store.Root, "runs"))
            ? Directory.EnumerateFiles(Path.Combine(store.Root, "runs"), StudyClaim.FilePrefix + "*" + StudyClaim.FileExtension, SearchOption.AllDirectories)
                .Select(Path.GetDirectoryName).Distinct().Count() : 0;
        var age = DateTimeOffset.UtcNow - progress.Updated;
        context.Console.WriteLine(string.Create(Inv,
            $"{store.Root}: phase {progress.Phase} {progress.Done}/{progress.Total}{(progress.Current.Length > 0 ? $", now: {progress.Current}" : "")}; " +
            $"{trained} run(s) trained, {measured} measured{(claimed > 0 ? $", {claimed} claimed by a process now (or left by a dead one)" : "")}; last update {age.TotalMinutes:F0} min ago."));
        return ExitCodes.Success;
    }

    private static string List(IEnumerable<double> values) => string.Join(",", values.Select(v => v.ToString(Inv)));

    private static IReadOnlyList<double> Numbers(string text, string option)
    {
        var list = new List<double>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, Inv, out double v))
                throw new UsageException($"{option}: '{part}' is not a number");
            list.Add(v);
        }
        if (list.Count == 0) throw new UsageException($"{option} needs at least one value");
        return list;
    }

    private static IReadOnlyList<NoiseScaling> Scalings(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => s.ToLowerInvariant() switch
        {
            "gnorm" or "gradientnorm" => NoiseScaling.GradientNorm,
            "mb" or "microbatch" => NoiseScaling.MicroBatch,
            "abs" or "absolute" => NoiseScaling.Absolute,
            _ => throw new UsageException($"--scalings: unknown scaling '{s}'; use gnorm, mb or abs"),
        }).Distinct().ToList();

    private static IReadOnlyList<string> Baselines(string text)
    {
        if (text.Trim().Equals("none", StringComparison.OrdinalIgnoreCase)) return [];
        return text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(CommonOptions.Variant).ToList();
    }
}
