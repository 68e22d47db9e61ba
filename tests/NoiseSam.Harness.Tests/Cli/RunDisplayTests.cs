using NoiseSam.Cli;
using NoiseSam.Cli.Commands;
using NoiseSam.Harness.Training;
using Spectre.Console;

namespace NoiseSam.Harness.Tests.Cli;

/// <summary>What the user reads while waiting: the live bars at 80 columns, and the plan's estimate on a shared machine.</summary>
public sealed class RunDisplayTests
{
    private static readonly TrainingProgress Midway = new("NI-MBS", 1, 12, 30, 7, 16, 183, 480, 0.51234, 0.8123, false, 2);

    [Theory]
    [InlineData(80)]
    [InlineData(100)]
    [InlineData(140)]
    public void TheLiveBarKeepsAUsableWidthAndTheLineFits(int width)
    {
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.Yes,   // the live renderer (without ANSI, Spectre prints "description: 38%" lines)
            ColorSystem = ColorSystemSupport.Standard,   // colours draw the bar's unfilled part too (stripped below)
            Interactive = InteractionSupport.Yes,
        });
        console.Profile.Width = width;
        console.Profile.Capabilities.Unicode = true;
        var context = new CliContext { Console = console, Error = TextWriter.Null };
        Assert.True(RunDisplay.IsLive(context));

        RunDisplay.Show(context, [new DisplayedRun("NI-MBS seed 1", 480)], display =>
        {
            var callbacks = display.Callbacks(0);
            callbacks.Progress!(Midway);
        });

        // The last frame without its escape sequences: the run's row, with its description, its bar and the times.
        string text = System.Text.RegularExpressions.Regex.Replace(writer.ToString(), @"\x1b\[[0-9;?]*[A-Za-z]", "");
        string row = text.Split('\n').Last(l => l.Contains("NI-MBS seed 1", StringComparison.Ordinal)).TrimEnd('\r');
        Assert.True(row.Length <= width, $"{row.Length} > {width}: '{row}'");
        int bar = row.Count(c => c is '━' or '╸' or '╺');
        Assert.True(bar >= 10, $"a bar of {bar} characters at {width} columns: '{row}'");
        Assert.Equal(RunDisplay.BarWidth(width), bar);
        Assert.Contains("skipped 2", row);   // skipped steps show while the run trains
    }

    // Spectre's auto-refresh draws from a thread of its own, which allocates while training is inside
    // libtorch; the live display is drawn by the caller instead, so a finished phase is on screen
    // before the caller goes on, and nothing is left to a background redraw.
    [Fact]
    public void TheLiveDisplayIsDrawnByTheCallingThread()
    {
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
        });
        console.Profile.Width = 100;
        var context = new CliContext { Console = console, Error = TextWriter.Null };
        int caller = Environment.CurrentManagedThreadId;
        PhaseDisplay.Show(context, display =>
        {
            var phase = display.Add("Hessian top eigenvalue", 10);
            Thread.Sleep(300);   // three of Spectre's auto-refresh periods: a background redraw would have drawn the phase by now
            Assert.DoesNotContain("Hessian", writer.ToString(), StringComparison.Ordinal);
            phase.Stop("Hessian top eigenvalue · λ ≈ 42");
            Assert.Equal(caller, Environment.CurrentManagedThreadId);
            Assert.Contains("λ ≈ 42", writer.ToString(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public void DescriptionsShowSkippedStepsAndCompactOnesAreShorter()
    {
        string wide = RunDisplay.Describe("NI-MBS seed 1", Midway, compact: false);
        string compact = RunDisplay.Describe("NI-MBS seed 1", Midway, compact: true);
        Assert.Equal("NI-MBS seed 1 · epoch 12/30 · step 7/16 · loss 0.512 · acc 81.2% · skipped 2", wide);
        Assert.True(compact.Length < wide.Length);
        Assert.Equal("NI-MBS seed 1 · e12/30 7/16 · skipped 2 · loss 0.512 · acc 81.2%", compact);
        Assert.DoesNotContain("skipped", RunDisplay.Describe("SGD seed 0", Midway with { SkippedInEpoch = 0 }, compact: false));
    }

    [Fact]
    public void TheEstimateOnASharedMachineScalesWithTheLoadAndSaysSo()
    {
        // The issue's case: 8.5 min estimated, load ≈ 13 on 2 cores, 75 min taken.
        string shared = CompareCommand.Estimate(8.5 * 60, 13, threads: 2, cores: 2);
        Assert.Contains("Estimated time ≈ 63.8 min", shared);   // 8.5 × (13 + 2) / 2
        Assert.Contains("the machine is shared (load average 13.0 on 2 core(s))", shared);
        Assert.Contains("8.5 min on a quiet machine", shared);
        Assert.Equal(7.5, MachineLoad.Slowdown(13, 2, 2), 12);

        string quiet = CompareCommand.Estimate(8.5 * 60, 0.2, threads: 2, cores: 2);
        Assert.Equal("Estimated time ≈ 8.5 min (cost model × measured small-CNN speed on 2 cores).", quiet);
        Assert.Equal(1, MachineLoad.Slowdown(double.NaN, 2, 2));
        Assert.Equal(1, MachineLoad.Slowdown(0, 2, 2));
    }
}
