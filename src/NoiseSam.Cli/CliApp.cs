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
    /// <summary>A bad command line.</summary>
    public const int Usage = 2;
    /// <summary>A run diverged: every step of an epoch was skipped for a non-finite loss or gradient.</summary>
    public const int Diverged = 3;
    /// <summary>Interrupted with Ctrl+C.</summary>
    public const int Cancelled = 130;
}

/// <summary>Where a command writes: the Spectre console (stdout) and a plain error writer (stderr).</summary>
public sealed class CliContext
{
    public required IAnsiConsole Console { get; init; }
    public required TextWriter Error { get; init; }
    public CancellationToken Cancel { get; init; }

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
            context.Note($"{string.Join("; ", parse.Errors.Select(e => OneLine(e.Message)))} (see 'noisesam --help')");
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

    /// <summary>The command tree.</summary>
    public static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand(
            "noisesam: train, time and compare SAM variants declared with the NoiseSam DSL (Wei, Zhang & Tan 2025).");
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

    /// <summary>Collapses a message onto one line.</summary>
    public static string OneLine(string message) =>
        string.Join(" ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
