using System.CommandLine;
using System.Globalization;
using NoiseSam.Cli.Variants;
using NoiseSam.Harness.Reports;
using NoiseSam.Harness.Study;
using NoiseSam.Harness.Training;
using Spectre.Console;

namespace NoiseSam.Cli.Commands;

/// <summary><c>noisesam compare</c>: trains each variant with each seed on the same data and writes the reports.</summary>
internal static class CompareCommand
{
    /// <summary>Default epochs: those of the default regime (<see cref="DefaultRegime"/>).</summary>
    public const int DefaultEpochs = DefaultRegime.Epochs;

    /// <summary>Default labelled training samples (train + validation) of Fashion-MNIST's 60,000.</summary>
    public const int DefaultTrainLimit = DefaultRegime.TrainLimit;

    /// <summary>Default seeds: two, so that every accuracy comes with a spread and a collapsed seed shows.</summary>
    public const string DefaultSeeds = "2";

    /// <summary>
    /// The default variants: the paper's comparison set (DESIGN.md §4). ASAM is declared too but is
    /// not one of the efficient variants the paper compares; name it with --variants.
    /// </summary>
    public static IReadOnlyList<string> DefaultVariants { get; } = ["SGD", "SAM", "ESAM", "LookSAM-5", "AE-SAM", "K-SAM", "SS-SAM", "MBS", "NI-MBS"];

    /// <summary>
    /// Measured training time of one SGD sample-step of the small CNN with 2 threads (batch 128),
    /// for the plan's time estimate; the other variants scale by the cost model.
    /// </summary>
    public const double SgdSecondsPerSample = 0.000375;

    /// <summary>Measured evaluation time per sample (small CNN, 2 threads, batches of 64).</summary>
    public const double EvalSecondsPerSample = 0.0002;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create(CliContext context)
    {
        var epochs = new Option<int>("--epochs", "-e") { Description = "Epochs per run.", DefaultValueFactory = _ => DefaultEpochs };
        var seeds = new Option<string>("--seeds", "-s")
        {
            Description = "Seeds: a count N (seeds 0..N-1) or a comma list (e.g. 1,7,42).",
            DefaultValueFactory = _ => DefaultSeeds,
        };
        var variants = new Option<string?>("--variants", "-v")
        {
            Description = $"Comma-separated variant names (default: the paper's set {string.Join(",", DefaultVariants)}).",
            HelpName = "list",
        };
        var model = CommonOptions.Model();
        var data = CommonOptions.Data();
        var dataDir = CommonOptions.DataDir();
        var threads = CommonOptions.Threads();
        var device = CommonOptions.Device();
        var batch = CommonOptions.BatchSize();
        var trainLimit = CommonOptions.TrainLimit($"default {DefaultTrainLimit} for the default plan, 0 = all");
        var testLimit = CommonOptions.TestLimit();
        var output = new Option<string?>("--out", "-o")
        {
            Description = "Output directory (default ./runs/compare-<timestamp>), replaced as a whole by the report; one run at a time (a second is refused, exit code 4).",
            HelpName = "dir",
        };
        var maxSkipped = CommonOptions.MaxSkipped();
        var from = CommonOptions.VariantsFrom();
        var variantsFile = CommonOptions.VariantsFile();
        var dataArgs = new DataArguments(DefaultRegime.ValidationFraction, DefaultRegime.LabelNoise);
        var reportOnly = new Option<bool>("--report-only")
        {
            Description = "Train nothing: rewrite the report in --out from its runs.json (after an upgrade that changed the tables, the tests or the plots).",
        };

        var command = new Command("compare", "Train each variant with each seed on the same data; write summary.md, summary.csv, runs.json and PNG plots.");
        foreach (var o in new Option[] { epochs, seeds, variants, model, data, dataDir, threads, device, batch, trainLimit, testLimit, output, maxSkipped, from, variantsFile, reportOnly }.Concat(dataArgs.All))
            command.Options.Add(o);

        command.SetAction(parse => CliApp.Guard(context, () =>
        {
            if (parse.GetValue(reportOnly)) return Rewrite(context, parse.GetValue(output));
            CommonOptions.LoadVariants(context, parse.GetValue(from));
            var fromFile = CommonOptions.LoadVariantsFile(context, parse.GetValue(variantsFile));
            int epochCount = CommonOptions.Positive(parse.GetValue(epochs), "--epochs");
            var seedList = ParseSeeds(parse.GetValue(seeds));
            // The file's variants by default; --variants may name them and registered ones.
            var names = parse.GetValue(variants) is null && fromFile.Count > 0 ? fromFile : ParseVariants(parse.GetValue(variants));
            string modelName = CommonOptions.ModelName(parse.GetValue(model)!);
            string dataName = CommonOptions.DataName(parse.GetValue(data)!);
            string? dir = parse.GetValue(dataDir);
            CommonOptions.DataDirectory(dir);
            int threadCount = CommonOptions.ThreadCount(parse.GetValue(threads));
            string deviceName = CommonOptions.DeviceName(parse.GetValue(device)!);
            int batchSize = CommonOptions.Positive(parse.GetValue(batch), "--batch-size");
            int? trainN = CommonOptions.TrainLimitOrDefault(parse.GetValue(trainLimit), DefaultTrainLimit);
            int? testN = parse.GetValue(testLimit);
            if (testN is < 1) throw new UsageException($"--test-limit must be at least 1 (got {testN})");
            double? divergence = CommonOptions.DivergenceShare(parse.GetValue(maxSkipped));
            string outDir = parse.GetValue(output) ?? Path.Combine("runs", $"compare-{DateTime.Now.ToString("yyyyMMdd-HHmmss", Inv)}");
            CommonOptions.OutputFolder(outDir, "--out");
            using var outLock = CommonOptions.LockReportFolder(context, outDir, "--out");

            var dataOptions = dataArgs.Read(parse);
            bool? augment = dataArgs.ReadAugment(parse);

            using var split = CommonOptions.LoadData(context, dataName, dir, trainN, testN, dataOptions);
            var options = new ComparisonOptions
            {
                Variants = names, Seeds = seedList, Model = modelName, Epochs = epochCount, BatchSize = batchSize, Threads = threadCount,
                Device = deviceName, Augment = augment, DivergenceShare = divergence,
            };
            int stepsPerEpoch = CommonOptions.StepsPerEpoch(split.Train.Count, batchSize);
            CommonOptions.NoteLargeBatch(context, split.Train.Count, batchSize);
            double units = names.Sum(n => SamVariantRegistry.TryGet(n, out var e) ? CostModel.IdealRatio(e.Descriptor) : 1) * seedList.Count;
            double threadFactor = 2.0 / Math.Clamp(threadCount, 1, 2);
            // Evaluation: the monitored split every epoch, plus the test split once when that is the validation split.
            long evaluated = (long)epochCount * split.Monitor.Count + (split.Validation is null ? 0 : split.Test.Count);
            double estimate = threadFactor * (units * epochCount * split.Train.Count * SgdSecondsPerSample
                              + names.Count * seedList.Count * evaluated * EvalSecondsPerSample);
            context.Console.WriteLine(string.Create(Inv,
                $"Plan: {names.Count} variant(s) × {seedList.Count} seed(s) × {epochCount} epoch(s) of {split.Train.Count} {dataName} training samples " +
                $"({stepsPerEpoch} steps of {Math.Min(batchSize, split.Train.Count)}), test on {split.Test.Count}, model {modelName}, {threadCount} thread(s).") + DataArguments.Describe(split));
            context.Console.WriteLine(string.Create(Inv,
                $"Variants: {string.Join(", ", names)}. {Estimate(estimate, MachineLoad.ReadLoadAverage(), threadCount, Environment.ProcessorCount)} Output: {Path.GetFullPath(outDir)}"));

            var info = new ComparisonInfo
            {
                Data = dataName, Model = modelName, Epochs = epochCount, Seeds = seedList, BatchSize = batchSize, Threads = threadCount,
                TrainSamples = split.Train.Count, TestSamples = split.Test.Count, DataNotes = DataArguments.Describe(split).Trim(),
            };
            var runs = RunWithProgress(context, options, split, stepsPerEpoch);
            if (runs.Count == 0)
            {
                context.Note($"no run finished; nothing written to {Path.GetFullPath(outDir)}");
                return context.Cancel.IsCancellationRequested ? ExitCodes.Cancelled : ExitCodes.Failure;
            }
            int planned = names.Count * seedList.Count;
            if (context.Cancel.IsCancellationRequested)
                info = info with { Incomplete = string.Create(Inv, $"interrupted; {runs.Count(r => r.Completed)} of the {planned} planned runs finished and are reported") };
            // The table first: if the report cannot be written (a full disk), the results are still on screen.
            var summary = VariantSummary.Compute(runs);
            context.Console.Write(SummaryTable(summary));
            foreach (string note in ReportWriter.Notes(summary)) context.Console.WriteLine(note);
            var files = CommonOptions.WriteReport(outDir, "--out", () => ReportWriter.Write(outDir, info, runs));
            context.Console.WriteLine($"Wrote {string.Join(", ", files.Select(Path.GetFileName))} to {Path.GetFullPath(outDir)}" +
                                      (info.Incomplete is null ? "" : " (marked incomplete)"));
            if (context.Cancel.IsCancellationRequested)
            {
                context.Note("cancelled: the reports cover the runs that finished");
                return ExitCodes.Cancelled;
            }
            var diverged = runs.Where(r => r.Diverged).Select(r => $"{r.Variant} seed {r.Seed}").ToList();
            if (diverged.Count > 0)
            {
                context.Note($"diverged: {string.Join(", ", diverged)} (marked in the report; the other runs are reported as usual)");
                return ExitCodes.Diverged;
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private static IReadOnlyList<RunResult> RunWithProgress(CliContext context, ComparisonOptions options, Harness.Data.DataSplit split, int stepsPerEpoch)
    {
        var plan = Comparison.Plan(options);
        var shown = plan.Select(p => new DisplayedRun($"{p.Variant} seed {p.Seed}", (long)stepsPerEpoch * options.Epochs,
            SamVariantRegistry.TryGet(p.Variant, out var e) ? CostModel.IdealRatio(e.Descriptor) : 1.0)).ToList();
        IReadOnlyList<RunResult> results = [];
        RunDisplay.Show(context, shown, display =>
        {
            int index = 0;
            results = Comparison.Run(options, split,
                (_, _) => display.Callbacks(index, new TrainingCallbacks { Message = context.Note }),
                run => display.Finished(index++, run), context.Cancel);
        });
        return results;
    }

    /// <summary>
    /// The plan's time estimate. On a shared machine the run gets only its share of the cores, so
    /// the estimate is scaled by <see cref="MachineLoad.Slowdown"/> ((load + threads) / cores) and
    /// says so, next to the quiet-machine figure.
    /// </summary>
    public static string Estimate(double quietSeconds, double loadAverage, int threads, int cores)
    {
        string quiet = string.Create(Inv, $"{quietSeconds / 60:F1} min");
        double slowdown = MachineLoad.Slowdown(loadAverage, threads, cores);
        if (slowdown < 1.25)
            return $"Estimated time ≈ {quiet} (cost model × measured small-CNN speed on 2 cores).";
        return string.Create(Inv,
            $"Estimated time ≈ {quietSeconds * slowdown / 60:F1} min: the machine is shared (load average {loadAverage:F1} on {cores} core(s)), " +
            $"so this run gets about 1/{slowdown:F1} of the speed it has alone ({quiet} on a quiet machine); wall-time ratios to SGD will be marked ~ (unreliable).");
    }

    /// <summary>The console's final table (the columns of summary.md, compact enough for 80 columns).</summary>
    public static Table SummaryTable(IReadOnlyList<VariantSummary> summary)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("Test accuracy after the last epoch (mean ± SE over seeds)");
        table.AddColumn(new TableColumn("Variant").NoWrap());
        foreach (string c in new[] { "Acc. %", "n", "ΔSGD", "ΔSAM", "×SGD", "Ideal", "SAM", "Skip" })
            table.AddColumn(new TableColumn(c).RightAligned().NoWrap().PadLeft(0));
        var sgd = summary.FirstOrDefault(s => string.Equals(s.Variant, VariantSummary.Baseline, StringComparison.OrdinalIgnoreCase));
        var sam = summary.FirstOrDefault(s => string.Equals(s.Variant, VariantSummary.SamReference, StringComparison.OrdinalIgnoreCase));
        foreach (var s in summary)
        {
            table.AddRow(
                Markup.Escape(s.Variant),
                s.Accuracy.N == 0 && s.Diverged.Count > 0 ? "[red]diverged[/]"
                    : s.Accuracy.N > 1 ? string.Create(Inv, $"{s.Accuracy.Mean * 100:F2}±{s.Accuracy.StandardError * 100:F2}") : (s.Accuracy.Mean * 100).ToString("F2", Inv),
                s.Accuracy.N.ToString(Inv) + (s.Collapsed.Count > 0 ? $"[red]+{s.Collapsed.Count}✗[/]" : "") + (s.Diverged.Count > 0 ? $"[red]+{s.Diverged.Count}↯[/]" : ""),
                Delta(s, sgd), Delta(s, sam),
                s.TimeRatio is double r ? (s.TimeRatioContended ? "~" : "") + r.ToString("F2", Inv) : "–",
                s.IdealRatio.ToString("F2", Inv),
                (s.SamStepShare * 100).ToString("F0", Inv) + "%",
                s.SkippedSteps.ToString(Inv));
        }
        table.Caption("ΔSGD/ΔSAM: points; [bold]bold[/] = Student's t-test at 5 %. ✗: collapsed seeds, left out of the mean; ↯: diverged seeds. " +
                      "×SGD: time per epoch (~: machine shared, unreliable); Ideal: cost model; SAM: share of SAM steps");
        return table;
    }

    private static string Delta(VariantSummary s, VariantSummary? reference)
    {
        if (reference is null || ReferenceEquals(s, reference) || s.Accuracy.N == 0 || reference.Accuracy.N == 0) return "–";
        var (difference, real) = s.Versus(reference);
        string text = (difference * 100).ToString("+0.00;-0.00;0.00", Inv);
        return real ? $"[bold]{text}[/]" : text;
    }

    internal static IReadOnlyList<long> ParseSeeds(string? text)
    {
        text = text?.Trim();
        if (string.IsNullOrEmpty(text)) throw new UsageException("--seeds needs a count or a comma list of seeds");
        if (!text.Contains(',', StringComparison.Ordinal))
        {
            if (!int.TryParse(text, NumberStyles.Integer, Inv, out int count) || count < 1 || count > 1000)
                throw new UsageException($"--seeds must be a count between 1 and 1000 or a comma list of seeds (got '{text}')");
            return Enumerable.Range(0, count).Select(i => (long)i).ToList();
        }
        var seeds = new List<long>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!long.TryParse(part, NumberStyles.Integer, Inv, out long seed))
                throw new UsageException($"--seeds: '{part}' is not an integer seed");
            if (!seeds.Contains(seed)) seeds.Add(seed);
        }
        return seeds;
    }

    /// <summary><c>compare --report-only</c>: the report of --out rewritten from its runs.json, nothing trained.</summary>
    private static int Rewrite(CliContext context, string? outDir)
    {
        if (outDir is null) throw new UsageException("--report-only needs --out, the folder of an earlier comparison");
        string path = Path.Combine(outDir, ReportWriter.RunsJson);
        if (!File.Exists(path)) throw new UsageException($"--report-only: no {ReportWriter.RunsJson} in '{outDir}' (a folder written by noisesam compare)");
        ReportWriter.RunsDocument doc;
        try
        {
            doc = ReportWriter.ReadRuns(path) ?? throw new InvalidDataException("empty document");
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException or NotSupportedException)
        {
            throw new InvalidDataException($"--report-only: '{path}' is not a runs.json of noisesam compare ({CliApp.OneLine(e.Message)}); nothing was changed", e);
        }
        using var folder = CommonOptions.LockReportFolder(context, outDir, "--out");
        var files = CommonOptions.WriteReport(outDir, "--out", () => ReportWriter.Write(outDir, doc.Comparison, doc.Runs));
        context.Console.WriteLine(Markup.Escape($"Rewrote {string.Join(", ", files.Select(Path.GetFileName))} in {Path.GetFullPath(outDir)} from {doc.Runs.Count} run(s)"));
        return ExitCodes.Success;
    }

    internal static IReadOnlyList<string> ParseVariants(string? text)
    {
        if (text is null) return DefaultVariants;
        var names = new List<string>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string name = CommonOptions.Variant(part);
            if (!names.Contains(name, StringComparer.OrdinalIgnoreCase)) names.Add(name);
        }
        if (names.Count == 0) throw new UsageException($"--variants needs at least one name; known variants: {string.Join(", ", SamVariantRegistry.Names)}");
        return names;
    }
}
