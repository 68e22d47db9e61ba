using System.Diagnostics;
using System.Globalization;
using NoiseSam.Harness.Training;
using Spectre.Console;

namespace NoiseSam.Cli.Commands;

/// <summary>One run of a display: its label (e.g. "SAM seed 0") and its weight in the overall bar (the cost model's ratio).</summary>
internal sealed record DisplayedRun(string Label, long Steps, double Weight = 1);

/// <summary>
/// What the user reads while runs train. On a terminal: Spectre's live bars, one per run (plus an
/// overall bar for several runs), sized so that the bar keeps a usable width at 80 columns. When
/// stdout is not a terminal (a file, a pipe, a test): plain lines, one per finished epoch and run,
/// and at most one progress line per <see cref="CliContext.ProgressInterval"/> within an epoch,
/// instead of a redraw for every step. Every skipped step shows in both.
/// </summary>
internal abstract class RunDisplay
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Columns below which the bars use the compact layout (shorter descriptions, no elapsed time).</summary>
    public const int WideColumns = 120;

    /// <summary>True when the display redraws live bars (stdout is an interactive terminal).</summary>
    public static bool IsLive(CliContext context) => context.Console.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="body"/> with the display that suits stdout.</summary>
    public static void Show(CliContext context, IReadOnlyList<DisplayedRun> runs, Action<RunDisplay> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!IsLive(context))
        {
            body(new Plain(context, runs));
            return;
        }
        CommonOptions.ProgressBars(context).Start(ctx => body(new Live(ctx, runs, context.Console.Profile.Width)));
    }

    /// <summary>The callbacks of the run at <paramref name="index"/>, chained with <paramref name="also"/> (TensorBoard, notes).</summary>
    public abstract TrainingCallbacks Callbacks(int index, TrainingCallbacks? also = null);

    /// <summary>The run at <paramref name="index"/> ended (finished, stopped or diverged).</summary>
    public abstract void Finished(int index, RunResult run);

    /// <summary>
    /// The progress columns for a console <paramref name="width"/> columns wide: the bar gets a fifth
    /// of the width (10 to 40 characters); below <see cref="WideColumns"/> the elapsed time is left out.
    /// </summary>
    public static ProgressColumn[] Columns(int width)
    {
        var columns = new List<ProgressColumn>
        {
            new TaskDescriptionColumn { Alignment = Justify.Left },
            new ProgressBarColumn { Width = BarWidth(width) },
            new PercentageColumn(),
        };
        if (width >= WideColumns) columns.Add(new ElapsedTimeColumn());
        columns.Add(new RemainingTimeColumn());
        columns.Add(new SpinnerColumn());
        return [.. columns];
    }

    /// <summary>The bar's width at a console of <paramref name="width"/> columns.</summary>
    public static int BarWidth(int width) => Math.Clamp(width / 5, 10, 40);

    /// <summary>
    /// The most characters a description may take at <paramref name="width"/> columns, so that the
    /// other columns (bar, percentage, times, spinner and the gaps between them) keep their room.
    /// </summary>
    public static int DescriptionWidth(int width) =>
        Math.Max(12, width - BarWidth(width) - 5 - 9 - (width >= WideColumns ? 9 : 0) - 2 - 6);

    /// <summary>A description for a live bar: markup-escaped and cut to <paramref name="room"/> characters (<see cref="DescriptionWidth"/>).</summary>
    public static string Fit(string text, int room) =>
        Markup.Escape(text.Length <= room ? text : text[..(room - 1)] + "…");

    /// <summary>A run's line while it trains: where it is, its loss, the last accuracy and the skipped steps.</summary>
    public static string Describe(string label, TrainingProgress p, bool compact)
    {
        string acc = double.IsNaN(p.LastAccuracy) ? "–" : (p.LastAccuracy * 100).ToString("F1", Inv) + "%";
        string skipped = p.SkippedInEpoch > 0 ? string.Create(Inv, $" · skipped {p.SkippedInEpoch}") : "";
        return compact
            // Compact: the skipped steps before the figures, so that a cut line still shows them.
            ? string.Create(Inv, $"{label} · e{p.Epoch}/{p.Epochs} {p.StepInEpoch}/{p.StepsPerEpoch}{(p.Evaluating ? " eval" : "")}{skipped} · loss {p.EpochLoss:F3} · acc {acc}")
            : string.Create(Inv, $"{label} · epoch {p.Epoch}/{p.Epochs} · step {p.StepInEpoch}/{p.StepsPerEpoch}{(p.Evaluating ? " · evaluating" : "")} · loss {p.EpochLoss:F3} · acc {acc}{skipped}");
    }

    /// <summary>A finished epoch, for the plain display.</summary>
    public static string DescribeEpoch(string label, EpochRecord r, int epochs)
    {
        bool validated = !double.IsNaN(r.ValidationAccuracy);
        double acc = validated ? r.ValidationAccuracy : r.TestAccuracy;
        return string.Create(Inv,
            $"{label} · epoch {r.Epoch}/{epochs} · {r.Steps} steps · loss {r.TrainLoss:F4} · {(validated ? "val." : "test")} acc {acc * 100:F2}%" +
            $"{(r.SkippedSteps > 0 ? $" · skipped {r.SkippedSteps}" : "")} · {r.TrainSeconds:F1} s");
    }

    /// <summary>How a run ended, in one line.</summary>
    public static string DescribeEnd(string label, RunResult run)
    {
        string skipped = run.SkippedSteps > 0 ? string.Create(Inv, $" · skipped {run.SkippedSteps}") : "";
        if (run.Diverged)
            return string.Create(Inv,
                $"{label} · DIVERGED in epoch {run.Records[^1].Epoch}/{run.Epochs} · skipped {run.Records[^1].SkippedSteps} of its {run.Records[^1].Steps} steps ({run.SkippedSteps} in all)");
        if (!run.Completed)
            return string.Create(Inv, $"{label} · stopped after {run.Records.Count} of {run.Epochs} epoch(s){skipped}");
        return string.Create(Inv, $"{label} · {run.Records.Count} epoch(s) · acc {run.FinalAccuracy * 100:F2}% · {run.TrainSeconds:F0} s{skipped}");
    }

    private static TrainingCallbacks Chain(TrainingCallbacks? also, Action<TrainingProgress> progress, Action<EpochRecord>? epoch) => new()
    {
        Progress = p =>
        {
            progress(p);
            also?.Progress?.Invoke(p);
        },
        StepCompleted = also?.StepCompleted,
        EpochCompleted = r =>
        {
            epoch?.Invoke(r);
            also?.EpochCompleted?.Invoke(r);
        },
        Message = also?.Message,
    };

    private sealed class Live : RunDisplay
    {
        private readonly IReadOnlyList<DisplayedRun> runs;
        private readonly List<ProgressTask> tasks;
        private readonly ProgressTask? overall;
        private readonly bool compact;
        private readonly int descriptionWidth;
        private readonly ProgressRedraw redraw;

        public Live(ProgressContext ctx, IReadOnlyList<DisplayedRun> runs, int width)
        {
            this.runs = runs;
            redraw = new ProgressRedraw(ctx);
            compact = width < WideColumns;
            descriptionWidth = DescriptionWidth(width);
            if (runs.Count > 1) overall = ctx.AddTask("all runs", maxValue: Math.Max(1, runs.Sum(r => r.Weight * r.Steps)));
            tasks = runs.Select(r => ctx.AddTask(Fit(r.Label), autoStart: false, maxValue: Math.Max(1, r.Steps))).ToList();
        }

        public override TrainingCallbacks Callbacks(int index, TrainingCallbacks? also = null)
        {
            var task = tasks[index];
            var run = runs[index];
            task.StartTask();
            return Chain(also, p =>
            {
                task.Value = p.Step;
                if (overall is not null && !p.Evaluating) overall.Value = Math.Min(overall.MaxValue, overall.Value + run.Weight);
                task.Description = Fit(Describe(run.Label, p, compact));
                redraw.Tick();
            }, null);
        }

        public override void Finished(int index, RunResult run)
        {
            var task = tasks[index];
            task.Description = Fit(DescribeEnd(runs[index].Label, run));
            if (run.Completed) task.Value = task.MaxValue;
            task.StopTask();
            redraw.Tick(now: true);
            if (overall is not null && index == runs.Count - 1)
            {
                overall.Value = overall.MaxValue;
                overall.StopTask();
            }
        }

        private string Fit(string text) => RunDisplay.Fit(text, descriptionWidth);
    }

    private sealed class Plain(CliContext context, IReadOnlyList<DisplayedRun> runs) : RunDisplay
    {
        private readonly Stopwatch sinceLine = Stopwatch.StartNew();

        public override TrainingCallbacks Callbacks(int index, TrainingCallbacks? also = null)
        {
            var run = runs[index];
            Write(runs.Count > 1 ? string.Create(Inv, $"[{index + 1}/{runs.Count}] {run.Label} · started") : $"{run.Label} · started");
            int epochs = 0;
            return Chain(also, p =>
            {
                epochs = p.Epochs;
                if (!p.Evaluating && sinceLine.Elapsed >= context.ProgressInterval) Write(Describe(run.Label, p, compact: false));
            }, r => Write(DescribeEpoch(run.Label, r, epochs)));
        }

        public override void Finished(int index, RunResult run) => Write(DescribeEnd(runs[index].Label, run));

        private void Write(string line)
        {
            context.Console.Profile.Out.Writer.WriteLine(line);
            sinceLine.Restart();
        }
    }
}
