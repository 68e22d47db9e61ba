using System.CommandLine;
using System.Globalization;
using NoiseSam.Harness.Reports;
using NoiseSam.Harness.Training;
using Spectre.Console;
using TorchSharp;

namespace NoiseSam.Cli.Commands;

/// <summary><c>noisesam train</c>: one variant, with checkpoints, resume and TensorBoard logs.</summary>
internal static class TrainCommand
{
    /// <summary>Default epochs of a single run on the whole training set (unlike compare, train has no default regime).</summary>
    public const int DefaultEpochs = 4;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create(CliContext context)
    {
        var variant = new Option<string>("--variant", "-v") { Description = "Variant name (see 'noisesam variants'); optional with a --variants-file of one variant." };
        var epochs = new Option<int>("--epochs", "-e") { Description = "Epochs.", DefaultValueFactory = _ => DefaultEpochs };
        var seed = new Option<long>("--seed", "-s") { Description = "Seed of the initialisation, data order and step randomness.", DefaultValueFactory = _ => 0 };
        var model = CommonOptions.Model();
        var data = CommonOptions.Data();
        var dataDir = CommonOptions.DataDir();
        var threads = CommonOptions.Threads();
        var device = CommonOptions.Device();
        var batch = CommonOptions.BatchSize();
        var trainLimit = CommonOptions.TrainLimit("unset or 0 = all");
        var testLimit = CommonOptions.TestLimit();
        var checkpointDir = new Option<string?>("--checkpoint-dir")
        {
            Description = "Write last.ckpt / previous.ckpt here after every epoch (atomically). One run at a time: a second run on the folder is refused (exit code 4).",
            HelpName = "dir",
        };
        var resume = new Option<bool>("--resume") { Description = "Continue from the newest valid checkpoint in --checkpoint-dir." };
        var tensorboard = new Option<string?>("--tensorboard") { Description = "Write TensorBoard event files to this directory.", HelpName = "dir" };
        var maxSteps = new Option<long?>("--max-steps")
        {
            Description = "Stop after this many steps of the run, as if killed: no checkpoint for the unfinished epoch, no --save-model; --out reports the finished epochs, marked incomplete.",
            HelpName = "N",
        };
        var saveModel = new Option<string?>("--save-model") { Description = "Write the final model state (TorchSharp module.save) to this file once every epoch ran.", HelpName = "file" };
        var output = new Option<string?>("--out", "-o") { Description = "Also write summary.md, summary.csv, runs.json and plots of this run here.", HelpName = "dir" };
        var maxSkipped = CommonOptions.MaxSkipped();
        var from = CommonOptions.VariantsFrom();
        var variantsFile = CommonOptions.VariantsFile();
        var resultJson = new Option<string?>("--result-json")
        {
            Description = "Write the final metrics (accuracy, loss, step-time ratio, skipped steps, λ_max with --lambda-max) to this JSON file, atomically, " +
                          "for a search tool running this command (docs/scale-out.md); exit code 0 completed, 2 bad input, 3 diverged.",
            HelpName = "r.json",
        };
        var lambdaMax = new Option<bool>("--lambda-max") { Description = "Also measure the top Hessian eigenvalue of the final model (Lanczos on 512 training samples) for --result-json." };
        var timingRounds = new Option<int>("--timing-rounds") { Description = "Rounds of 5 steps of the variant and SGD timed interleaved after training, for --result-json's step-time ratio (0: none).", DefaultValueFactory = _ => 3, HelpName = "N" };
        var dataArgs = new DataArguments();

        var command = new Command("train", "Train one variant; checkpoints every epoch with --checkpoint-dir, --resume continues bit-identically.");
        foreach (var o in new Option[] { variant, epochs, seed, model, data, dataDir, threads, device, batch, trainLimit, testLimit, checkpointDir, resume, tensorboard, maxSteps, saveModel, output, maxSkipped, from, variantsFile, resultJson, lambdaMax, timingRounds }.Concat(dataArgs.All))
            command.Options.Add(o);

        command.SetAction(parse => CliApp.Guard(context, () =>
        {
            CommonOptions.LoadVariants(context, parse.GetValue(from));
            var fromFile = CommonOptions.LoadVariantsFile(context, parse.GetValue(variantsFile));
            string name = CommonOptions.Variant(parse.GetValue(variant) ?? (fromFile.Count == 1 ? fromFile[0]
                : throw new UsageException("--variant is required (or a --variants-file of exactly one variant)")));
            string? resultPath = parse.GetValue(resultJson);
            CommonOptions.OutputFile(resultPath, "--result-json");
            if (parse.GetValue(timingRounds) < 0) throw new UsageException($"--timing-rounds must be at least 0 (got {parse.GetValue(timingRounds)})");
            int epochCount = CommonOptions.Positive(parse.GetValue(epochs), "--epochs");
            string modelName = CommonOptions.ModelName(parse.GetValue(model)!);
            string dataName = CommonOptions.DataName(parse.GetValue(data)!);
            string? dir = parse.GetValue(dataDir);
            CommonOptions.DataDirectory(dir);
            int threadCount = CommonOptions.ThreadCount(parse.GetValue(threads));
            string deviceName = CommonOptions.DeviceName(parse.GetValue(device)!);
            int batchSize = CommonOptions.Positive(parse.GetValue(batch), "--batch-size");
            int? trainN = CommonOptions.TrainLimitOrAll(parse.GetValue(trainLimit));
            int? testN = parse.GetValue(testLimit);
            if (testN is < 1) throw new UsageException($"--test-limit must be at least 1 (got {testN})");
            long? max = parse.GetValue(maxSteps);
            if (max is < 1) throw new UsageException($"--max-steps must be at least 1 (got {max})");
            double? divergence = CommonOptions.DivergenceShare(parse.GetValue(maxSkipped));
            string? ckpt = parse.GetValue(checkpointDir);
            bool resuming = parse.GetValue(resume);
            if (resuming && ckpt is null) throw new UsageException("--resume needs --checkpoint-dir");
            string? tbDir = parse.GetValue(tensorboard);
            long seedValue = parse.GetValue(seed);
            string? outDir = parse.GetValue(output);
            string? modelPath = parse.GetValue(saveModel);
            // Every output location is proven writable and claimed for this run before any work.
            CommonOptions.OutputFolder(outDir, "--out");
            CommonOptions.OutputFile(modelPath, "--save-model");
            CommonOptions.WritableFolder(ckpt, "--checkpoint-dir");
            CommonOptions.WritableFolder(tbDir, "--tensorboard");
            using var checkpointLock = CommonOptions.LockFolder(context, ckpt, "--checkpoint-dir");
            using var outLock = CommonOptions.LockReportFolder(context, outDir, "--out");

            var dataOptions = dataArgs.Read(parse);
            using var split = CommonOptions.LoadData(context, dataName, dir, trainN, testN, dataOptions);
            var options = new TrainingOptions
            {
                Variant = name, Model = modelName, Epochs = epochCount, BatchSize = batchSize, Seed = seedValue, Threads = threadCount, Device = deviceName,
                Augment = dataArgs.ReadAugment(parse), DivergenceShare = divergence,
                MaxSteps = max, CheckpointDirectory = ckpt, Resume = resuming, FinalModelPath = modelPath,
            };
            // λ_max needs the final weights: written to a temporary file when --save-model does not ask for them.
            string? lambdaModel = parse.GetValue(lambdaMax) && resultPath is not null ? options.FinalModelPath ?? Path.Combine(Path.GetTempPath(), $"noisesam-{Guid.NewGuid():N}.bin") : null;
            if (lambdaModel is not null) options = options with { FinalModelPath = lambdaModel };
            int stepsPerEpoch = CommonOptions.StepsPerEpoch(split.Train.Count, batchSize);
            CommonOptions.NoteLargeBatch(context, split.Train.Count, batchSize);
            context.Console.WriteLine(string.Create(Inv,
                $"Training {name} on {split.Train.Count} {dataName} samples ({stepsPerEpoch} steps of {Math.Min(batchSize, split.Train.Count)} per epoch, {epochCount} epoch(s)), " +
                $"test on {split.Test.Count}, model {modelName}, seed {seedValue}, {threadCount} thread(s).") + DataArguments.Describe(split));

            var writer = tbDir is null ? null : OpenTensorBoard(context, tbDir);
            var started = DateTimeOffset.UtcNow;
            RunResult run = null!;
            RunDisplay.Show(context, [new DisplayedRun(name, (long)stepsPerEpoch * epochCount)], display =>
            {
                run = Trainer.Run(options, split, display.Callbacks(0, new TrainingCallbacks
                {
                    StepCompleted = writer is null ? null : (step, result, lr) =>
                    {
                        if (result.Skipped) return;
                        writer.add_scalar("train/step_loss", result.Loss, (int)step);
                        writer.add_scalar("train/learning_rate", (float)lr, (int)step);
                        writer.add_scalar("train/gradient_norm", result.GradientNorm, (int)step);
                    },
                    EpochCompleted = writer is null ? null : r =>
                    {
                        writer.add_scalar("epoch/train_loss", (float)r.TrainLoss, r.Epoch);
                        writer.add_scalar("epoch/test_loss", (float)r.TestLoss, r.Epoch);
                        writer.add_scalar("epoch/test_accuracy", (float)r.TestAccuracy, r.Epoch);
                        writer.add_scalar("epoch/sam_step_share", (float)r.SamStepShare, r.Epoch);
                        writer.add_scalar("epoch/skipped_steps", r.SkippedSteps, r.Epoch);
                        writer.add_scalar("epoch/train_seconds", (float)r.TrainSeconds, r.Epoch);
                    },
                    Message = context.Note,
                }), context.Cancel);
                display.Finished(0, run);
            });

            var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape($"{run.Variant}: {run.Declaration}"));
            foreach (string c in new[] { "Epoch", "Train loss", "Test loss", "Test acc. %", "s", "SAM steps", "Skipped" })
                table.AddColumn(new TableColumn(c).RightAligned());
            foreach (var r in run.Records)
                table.AddRow(r.Epoch.ToString(Inv), r.TrainLoss.ToString("F4", Inv), r.TestLoss.ToString("F4", Inv),
                    (r.TestAccuracy * 100).ToString("F2", Inv), r.TrainSeconds.ToString("F1", Inv),
                    (r.SamStepShare * 100).ToString("F0", Inv) + " %", r.SkippedSteps.ToString(Inv));
            context.Console.Write(table);
            int? resultCode = resultPath is null ? null
                : WriteResult(context, resultPath, run, lambdaModel, parse.GetValue(saveModel), split, parse.GetValue(timingRounds), options);

            string? incomplete = Incomplete(context, run);
            if (outDir is not null)
            {
                if (run.Records.Count > 0)
                {
                    var files = CommonOptions.WriteReport(outDir, "--out", () => ReportWriter.Write(outDir, new ComparisonInfo
                    {
                        Data = dataName, Model = modelName, Epochs = epochCount, Seeds = [seedValue], BatchSize = batchSize, Threads = threadCount,
                        TrainSamples = split.Train.Count, TestSamples = split.Test.Count, DataNotes = DataArguments.Describe(split).Trim(),
                        Started = started, Incomplete = incomplete,
                    }, [run]));
                    context.Console.WriteLine($"Wrote {string.Join(", ", files.Select(Path.GetFileName))} to {Path.GetFullPath(outDir)}" +
                                              (incomplete is null ? "" : " (marked incomplete)"));
                }
                else context.Note($"--out: nothing written to {Path.GetFullPath(outDir)}: {incomplete}");
            }
            if (modelPath is not null && !run.Completed)
                context.Note($"--save-model: {modelPath} not written: {incomplete}; the final model is only written once every epoch ran");
            if (writer is not null) context.Console.WriteLine($"TensorBoard events in {Path.GetFullPath(tbDir!)}");
            if (resultCode is int code) return code;
            if (run.Diverged) return ExitCodes.Diverged;
            if (!run.Completed && context.Cancel.IsCancellationRequested) return ExitCodes.Cancelled;
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>Why a run did not finish, as a clause ("the run stopped at --max-steps after 6 steps (…)"); null when it finished.</summary>
    private static string? Incomplete(CliContext context, RunResult run)
    {
        if (run.Completed) return null;
        string epochs = string.Create(Inv, $"{run.Records.Count - run.ResumedEpochs} of {run.Epochs - run.ResumedEpochs} epoch(s)");
        if (run.Diverged)
            return string.Create(Inv,
                $"the run diverged in epoch {run.Records[^1].Epoch}: {run.Records[^1].SkippedSteps} of its {run.Records[^1].Steps} steps were skipped for a non-finite loss or gradient");
        return context.Cancel.IsCancellationRequested
            ? string.Create(Inv, $"the run was interrupted after {run.Steps} steps ({epochs} finished)")
            : string.Create(Inv, $"the run stopped at --max-steps after {run.Steps} steps ({epochs} finished)");
    }

    /// <summary>Measures what --result-json asks for beyond the run, writes the file and returns the exit code it records.</summary>
    private static int WriteResult(CliContext context, string path, RunResult run, string? lambdaModel, string? savedModel, Harness.Data.DataSplit split,
        int timingRounds, TrainingOptions options)
    {
        int code = run.Completed ? ExitCodes.Success : context.Cancel.IsCancellationRequested ? ExitCodes.Cancelled : ExitCodes.Success;
        if (run.Diverged) code = ExitCodes.Diverged;
        double? ratio = null;
        Harness.Sharpness.EigenEstimate? eigen = null;
        try
        {
            if (code == ExitCodes.Success && run.Completed)
            {
                ratio = TrainResult.MeasureStepTimeRatio(run.Variant, options.Model, options.BatchSize, options.Threads, options.Device, timingRounds);
                if (lambdaModel is not null && File.Exists(lambdaModel))
                    eigen = TrainResult.MeasureLambdaMax(lambdaModel, options.Model, split, options.Seed, options.Device, context.Cancel);
            }
        }
        finally
        {
            if (lambdaModel is not null && lambdaModel != savedModel) File.Delete(lambdaModel);
        }
        var result = TrainResult.From(run, code, ratio, eigen);
        TrainResult.Write(path, result);
        context.Console.WriteLine(Markup.Escape($"{result.Describe()}; written to {Path.GetFullPath(path)}"));
        return code;
    }

    private static TorchSharp.Modules.SummaryWriter OpenTensorBoard(CliContext context, string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            return torch.utils.tensorboard.SummaryWriter(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--tensorboard: cannot write to '{dir}': {e.Message}");
        }
    }
}
