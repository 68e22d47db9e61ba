using System.CommandLine;
using System.Globalization;
using NoiseSam.Cli.Variants;
using NoiseSam.Harness.Data;
using NoiseSam.Harness.Models;
using NoiseSam.Harness.Training;
using Spectre.Console;

namespace NoiseSam.Cli.Commands;

/// <summary>Options and checks shared by the commands.</summary>
internal static class CommonOptions
{
    public static Option<string?> VariantsFrom() => new("--variants-from")
    {
        Description = "Load a .NET assembly of [SamVariant] classes; its module initializer registers them.",
        HelpName = "path.dll",
    };

    public static Option<string?> VariantsFile() => new("--variants-file")
    {
        Description = "Read variants as data from a JSON file (one variant object or an array; docs/scale-out.md) and register them; " +
                      "every problem is reported with its JSON path and NSAM id, and nothing runs (exit code 2).",
        HelpName = "variants.json",
    };

    /// <summary>Loads --variants-file if given; returns its variant names in file order (empty without the option).</summary>
    public static IReadOnlyList<string> LoadVariantsFile(CliContext context, string? path) =>
        path is null ? [] : Variants.VariantsFile.Load(path, context.Note);

    public static Option<string> Model() => new("--model", "-m")
    {
        Description = $"Model: {string.Join(", ", ModelZoo.Names)} (or wrn-<depth>-<k>).",
        DefaultValueFactory = _ => ModelZoo.SmallCnnName,
    };

    public static Option<string> Data() => new("--data", "-d")
    {
        Description = $"Data set: {string.Join(", ", DataSets.Names)}.",
        DefaultValueFactory = _ => DataSets.FashionMnist,
    };

    public static Option<string?> DataDir() => new("--data-dir")
    {
        Description = $"Directory of the data set's files (default for Fashion-MNIST: {DataSets.DefaultDirectory}).",
        HelpName = "dir",
    };

    public static Option<int> Threads() => new("--threads", "-t")
    {
        Description = "Intra-op CPU threads (default: all cores).",
        DefaultValueFactory = _ => Environment.ProcessorCount,
    };

    public static Option<string> Device() => new("--device")
    {
        Description = "Device for the model and batches: cpu, cuda or cuda:N (CUDA needs a CUDA build of TorchSharp, see docs/gpu.md).",
        DefaultValueFactory = _ => ComputeDevice.Cpu,
    };

    /// <summary>Checks --device once, before any data is loaded.</summary>
    public static string DeviceName(string value)
    {
        try
        {
            ComputeDevice.Parse(value);
            return value;
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--device: {e.Message}");
        }
    }

    public static Option<int> BatchSize() => new("--batch-size", "-b")
    {
        Description = "Samples per training batch.",
        DefaultValueFactory = _ => 128,
    };

    public static Option<int?> TrainLimit(string what) => new("--train-limit")
    {
        Description = $"Use only the first N training samples ({what}).",
        HelpName = "N",
    };

    public static Option<int?> TestLimit() => new("--test-limit")
    {
        Description = "Use only the first N test samples (default: all).",
        HelpName = "N",
    };

    /// <summary>--max-skipped: when a run counts as diverged (<see cref="TrainingOptions.DivergenceShare"/>).</summary>
    public static Option<string> MaxSkipped() => new("--max-skipped")
    {
        Description = "Stop a run as diverged (exit code 3) once the steps of one epoch skipped for a non-finite loss or gradient reach this share " +
                      "of the epoch's steps: a number in (0, 1] (1, the default: every step of an epoch; 0.1 stops early), or 'off' (every epoch runs). Either way a run whose final test loss is not finite exits as diverged. See docs/cli.md.",
        DefaultValueFactory = _ => "1",
        HelpName = "share|off",
    };

    /// <summary>Reads --max-skipped: a share in (0, 1], or null for 'off'.</summary>
    public static double? DivergenceShare(string? text)
    {
        text = text?.Trim();
        if (string.Equals(text, "off", StringComparison.OrdinalIgnoreCase)) return null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double share) && share > 0 && share <= 1) return share;
        throw new UsageException($"--max-skipped must be a share in (0, 1] or 'off' (got '{text}')");
    }

    /// <summary>Steps of one epoch: ⌈samples / batch⌉, without overflowing for any batch size.</summary>
    public static int StepsPerEpoch(int samples, int batchSize) => (int)(((long)samples + batchSize - 1) / batchSize);

    /// <summary>A note when the batch is larger than the training set: every epoch is then one smaller step.</summary>
    public static void NoteLargeBatch(CliContext context, int samples, int batchSize)
    {
        if (batchSize > samples)
            context.Note(string.Create(CultureInfo.InvariantCulture,
                $"--batch-size {batchSize} is larger than the {samples} training samples: every epoch is one step of {samples}"));
    }

    /// <summary>Loads --variants-from if given.</summary>
    public static void LoadVariants(CliContext context, string? path)
    {
        if (path is null) return;
        var added = VariantAssemblyLoader.Load(path);
        context.Note(added.Count == 0
            ? $"{path}: no new variants registered"
            : $"{path}: registered {string.Join(", ", added)}");
    }

    public static string Variant(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new UsageException($"a variant name is required; known variants: {string.Join(", ", SamVariantRegistry.Names)}");
        if (!SamVariantRegistry.TryGet(name.Trim(), out var entry))
            throw new UsageException($"unknown variant '{name.Trim()}'; known variants: {string.Join(", ", SamVariantRegistry.Names)}");
        return entry.Descriptor.Name;
    }

    public static string ModelName(string name)
    {
        if (!ModelZoo.IsKnown(name))
            throw new UsageException($"unknown model '{name}'; known models: {string.Join(", ", ModelZoo.Names)} (or wrn-<depth>-<k>)");
        return name.Trim().ToLowerInvariant();
    }

    public static string DataName(string name)
    {
        try
        {
            DataSets.Statistics(name);
        }
        catch (ArgumentException)
        {
            throw new UsageException($"unknown data set '{name}'; known data sets: {string.Join(", ", DataSets.Names)}");
        }
        return name.Trim().ToLowerInvariant();
    }

    public static void DataDirectory(string? dir)
    {
        if (dir is not null && !Directory.Exists(dir))
            throw new UsageException($"--data-dir: no such directory '{dir}'");
    }

    /// <summary>
    /// The progress display every long command uses: bars stay on screen, with elapsed and remaining
    /// time (<see cref="RunDisplay.Columns"/>), redrawn by the training thread (<see cref="ProgressRedraw"/>).
    /// </summary>
    public static Progress ProgressBars(CliContext context) => context.Console.Progress()
        .AutoRefresh(false)
        .AutoClear(false)
        .HideCompleted(false)
        .Columns(RunDisplay.Columns(context.Console.Profile.Width));

    /// <summary>--train-limit of commands with a default subset: unset = <paramref name="defaultLimit"/>, 0 = all samples.</summary>
    public static int? TrainLimitOrDefault(int? value, int defaultLimit)
    {
        if (value is < 0) throw new UsageException($"--train-limit must be at least 0 (got {value})");
        return value switch { null => defaultLimit, 0 => null, var n => n };
    }

    /// <summary>--train-limit of train, whose default is every sample: unset or 0 = all (as for compare, study and tune).</summary>
    public static int? TrainLimitOrAll(int? value) => value is null ? null : TrainLimitOrDefault(value, 0);

    public static int Positive(int value, string option)
    {
        if (value < 1) throw new UsageException($"{option} must be at least 1 (got {value.ToString(CultureInfo.InvariantCulture)})");
        return value;
    }

    public static int ThreadCount(int value)
    {
        if (value < 1 || value > 1024)
            throw new UsageException($"--threads must be between 1 and 1024 (got {value.ToString(CultureInfo.InvariantCulture)}); this machine has {Environment.ProcessorCount} cores");
        return value;
    }

    public static DataSplit LoadData(CliContext context, string data, string? dir, int? trainLimit, int? testLimit, DataOptions? options = null)
    {
        DataSplit? split = null;
        try
        {
            split = DataSets.Load(data, dir, trainLimit, testLimit);
            return options is null ? split : DataPreparation.Apply(split, options);
        }
        catch (ArgumentException e) when (e is not ArgumentNullException)
        {
            split?.Dispose();
            throw new UsageException(e.Message);
        }
    }

    /// <summary>Checks an output folder before any work (<see cref="Harness.IO.ReportFolder.CheckWritable"/>): exit 2 with one line if it cannot take the report.</summary>
    public static void OutputFolder(string? dir, string option)
    {
        if (dir is null) return;
        try
        {
            Harness.IO.ReportFolder.CheckWritable(dir);
        }
        catch (IOException e)
        {
            throw new UsageException($"{option}: {e.Message}");
        }
    }

    /// <summary>Checks an output file before any work: its folder takes a probe file and the path is not a folder.</summary>
    public static void OutputFile(string? file, string option)
    {
        if (file is null) return;
        try
        {
            Harness.IO.OutputProbe.CheckFile(file, file);
        }
        catch (IOException e)
        {
            throw new UsageException($"{option}: {e.Message}");
        }
    }

    /// <summary>
    /// Claims a report folder (<c>--out</c> of compare, train, sharpness) for this run, before any
    /// work: a second run on the same folder is refused in one line (exit <see cref="ExitCodes.InUse"/>).
    /// The lock file sits beside the folder, which is replaced as a whole when the report is written.
    /// </summary>
    public static Harness.IO.RunLock? LockReportFolder(CliContext context, string? dir, string option) =>
        dir is null ? null : Lock(context, Harness.IO.RunLock.Beside(dir), dir, option);

    /// <summary>Claims a folder of our own files (<c>--checkpoint-dir</c>) for this run, before any work; the lock file sits inside it.</summary>
    public static Harness.IO.RunLock? LockFolder(CliContext context, string? dir, string option) =>
        dir is null ? null : Lock(context, Harness.IO.RunLock.InFolder(dir), dir, option);

    private static Harness.IO.RunLock Lock(CliContext context, string lockPath, string dir, string option)
    {
        try
        {
            return Harness.IO.RunLock.Acquire(lockPath, dir, note => context.Note($"{option}: {note}"));
        }
        catch (Harness.IO.RunLockedException e)
        {
            throw new Harness.IO.RunLockedException($"{option}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{option}: cannot create the lock file {lockPath}: {e.Message}");
        }
    }

    /// <summary>
    /// Writes a report folder (<see cref="Harness.IO.ReportFolder.Replace"/>); a failure (a full disk)
    /// is one line saying that the folder was left as it was.
    /// </summary>
    public static IReadOnlyList<string> WriteReport(string dir, string option, Func<IReadOnlyList<string>> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        try
        {
            return write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{option}: the report could not be written to '{dir}' ({CliApp.OneLine(e.Message)}); " +
                                  (Directory.Exists(dir) ? "the report already there is unchanged" : "nothing was written"), e);
        }
    }

    /// <summary>Checks a folder that will receive files of our own (checkpoints) before any work.</summary>
    public static void WritableFolder(string? dir, string option)
    {
        if (dir is null) return;
        try
        {
            if (File.Exists(dir)) throw new IOException($"'{dir}' is a file, not a folder");
            Harness.IO.OutputProbe.Check(dir, dir);
        }
        catch (IOException e)
        {
            throw new UsageException($"{option}: {e.Message}");
        }
    }

    /// <summary>
    /// The command as the user could type it again: <c>./noisesam</c> and the parsed tokens, each
    /// quoted for a POSIX shell where needed, without the tokens in <paramref name="drop"/>.
    /// </summary>
    public static string CommandLine(ParseResult parse, params string[] drop) =>
        "./noisesam " + string.Join(" ", parse.Tokens.Select(t => t.Value).Where(v => !drop.Contains(v, StringComparer.Ordinal)).Select(ShellQuote));

    /// <summary>A word a POSIX shell reads back unchanged: as is when safe, else in single quotes.</summary>
    public static string ShellQuote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "._/:=,+-@%".Contains(c, StringComparison.Ordinal))
            ? word : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
