using System.CommandLine;
using System.Globalization;
using NoiseSam.Cli.Commands;
using NoiseSam.Cli.Variants;
using NoiseSam.Harness.Checkpoints;
using NoiseSam.Harness.Data;
using Spectre.Console;

namespace NoiseSam.Cli;

/// <summary>Exit codes of <c>noisesam</c>.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>A run failed (bad data file, corrupt checkpoint, training error).</summary>
    public const int Failure = 1;
    /// <summary>A bad command line, or an output location that cannot be written (checked before any work).</summary>
    public const int Usage = 2;
    /// <summary>
    /// A run diverged: the share of skipped (non-finite) steps in an epoch reached the threshold
    /// (<c>--max-skipped</c>, default every step of an epoch). <c>train</c> stops at once;
    /// <c>compare</c> still writes the report of every run, the diverged ones marked.
    /// </summary>
    public const int Diverged = 3;
    /// <summary>An output or checkpoint folder is in use by another noisesam run (its lock file names the run).</summary>
    public const int InUse = 4;
    /// <summary>Interrupted with Ctrl+C (SIGINT).</summary>
    public const int Cancelled = 130;
    /// <summary>Stopped by SIGTERM: like Ctrl+C, what was finished is written first.</summary>
    public const int Terminated = 143;
}

/// <summary>Where a command writes: the Spectre console (stdout) and a plain error writer (stderr).</summary>
public sealed class CliContext
{
    public required IAnsiConsole Console { get; init; }
    public required TextWriter Error { get; init; }
    public CancellationToken Cancel { get; init; }

    /// <summary>When stdout is not a terminal: the most time between two progress lines within an epoch (epoch and run lines always print).</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Writes a one-line note to stderr.</summary>
    public void Note(string message) => Error.WriteLine($"noisesam: {message}");
}

/// <summary>The <c>noisesam</c> command line: entry point for the executable and for in-process tests.</summary>
public static class CliApp
{
    /// <summary>Runs the command line. <paramref name="stdout"/>/<paramref name="stderr"/> default to the console (tests pass writers).</summary>
    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        NoiseSam.Platform.NativeAllocator.Tune();
        var error = stderr ?? System.Console.Error;
        var console = stdout is null
            ? AnsiConsole.Create(new AnsiConsoleSettings())
            : AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(stdout),
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
            });
        // Tables and progress lines keep their layout in files and pipes (Spectre assumes 80 columns there).
        if (stdout is not null || System.Console.IsOutputRedirected) console.Profile.Width = 140;
        var context = new CliContext { Console = console, Error = error, Cancel = cancel };

        try
        {
            PaperVariants.EnsureRegistered();
        }
        catch (Exception e)
        {
            context.Note($"error: the paper's variants could not be registered: {OneLine(e.Message)}");
            return ExitCodes.Failure;
        }

        var root = BuildRoot(context);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            context.Note($"{string.Join("; ", parse.Errors.Select(e => ParseError(OneLine(e.Message))))} (see 'noisesam --help')");
            return ExitCodes.Usage;
        }
        var config = new InvocationConfiguration
        {
            Output = stdout ?? System.Console.Out,
            Error = error,
            EnableDefaultExceptionHandler = false,
        };
        return Guard(context, () => parse.Invoke(config));
    }

    /// <summary>The command's name in usage lines and messages, whatever the executable is called (NoiseSam.Cli.dll under ./noisesam).</summary>
    public const string Name = "noisesam";

    /// <summary>The command tree.</summary>
    public static Command BuildRoot(CliContext context)
    {
        // Not a RootCommand, which names itself after the executable ("NoiseSam.Cli"): a command
        // named noisesam with the root's help and version options.
        var root = new Command(Name,
            "noisesam: train, time and compare SAM variants declared with the NoiseSam DSL (Wei, Zhang & Tan 2025).");
        root.Options.Add(new System.CommandLine.Help.HelpOption());
        root.Options.Add(new VersionOption());
        root.Subcommands.Add(VariantsCommand.Create(context));
        root.Subcommands.Add(CompareCommand.Create(context));
        root.Subcommands.Add(TrainCommand.Create(context));
        root.Subcommands.Add(BenchStepCommand.Create(context));
        root.Subcommands.Add(SharpnessCommand.Create(context));
        root.Subcommands.Add(StudyCommand.Create(context));
        root.Subcommands.Add(TuneCommand.Create(context));
        root.Subcommands.Add(BenchStepCommand.CreateMemoryChild(context));
        return root;
    }

    /// <summary>Runs a command body, turning every expected failure into a one-line message and an exit code.</summary>
    public static int Guard(CliContext context, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (UsageException e)
        {
            context.Note(OneLine(e.Message));
            return ExitCodes.Usage;
        }
        catch (CheckpointException e)
        {
            context.Note($"checkpoint {OneLine(e.Message)}");
            return e.IsMismatch ? ExitCodes.Usage : ExitCodes.Failure;
        }
        catch (DataFormatException e)
        {
            context.Note($"data: {OneLine(e.Message)}");
            return ExitCodes.Failure;
        }
        catch (Harness.IO.RunLockedException e)
        {
            context.Note(OneLine(e.Message));
            return ExitCodes.InUse;
        }
        catch (OperationCanceledException)
        {
            context.Note("cancelled");
            return ExitCodes.Cancelled;
        }
        catch (SamDeclarationException e)
        {
            context.Note($"invalid variant: {OneLine(e.Message)}");
            return ExitCodes.Usage;
        }
        catch (Exception e)
        {
            context.Note($"error: {OneLine(e.Message)}");
            if (Environment.GetEnvironmentVariable("NOISESAM_DEBUG") == "1") context.Error.WriteLine(e);
            return ExitCodes.Failure;
        }
    }

    /// <summary>
    /// A parse error in the user's words: "Cannot parse argument 'x' for option '--epochs' as expected
    /// type 'System.Nullable`1[System.Int32]'" becomes "--epochs: 'x' is not a whole number".
    /// </summary>
    public static string ParseError(string message)
    {
        var m = System.Text.RegularExpressions.Regex.Match(message,
            @"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']*)' as expected type '(?<type>[^']*)'\.?$");
        if (!m.Success) return message;
        string type = m.Groups["type"].Value;
        var inner = System.Text.RegularExpressions.Regex.Match(type, @"^System\.Nullable`1\[(?<t>.*)\]$");
        if (inner.Success) type = inner.Groups["t"].Value;
        string expected = type switch
        {
            "System.Int32" or "System.Int64" => "a whole number",
            "System.Double" or "System.Single" => "a number",
            "System.Boolean" => "true or false",
            _ => "a " + type[(type.LastIndexOf('.') + 1)..],
        };
        return $"{m.Groups["option"].Value}: '{m.Groups["value"].Value}' is not {expected}";
    }

    /// <summary>Collapses a message onto one line.</summary>
    public static string OneLine(string message) =>
        string.Join(" ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
