using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace NoiseSam.Cli.Commands;

/// <summary>
/// The progress of a command made of phases (sharpness: eigenvalue, m-sharpness, landscapes): live
/// bars on a terminal; otherwise plain lines, one when a phase ends and at most one per
/// <see cref="CliContext.ProgressInterval"/> while it runs (like <see cref="RunDisplay"/>).
/// </summary>
internal abstract class PhaseDisplay
{
    /// <summary>Runs <paramref name="body"/> with the display that suits stdout.</summary>
    public static void Show(CliContext context, Action<PhaseDisplay> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (RunDisplay.IsLive(context)) CommonOptions.ProgressBars(context).Start(ctx => body(new Live(ctx)));
        else body(new Plain(context));
    }

    /// <summary>A phase of <paramref name="steps"/> steps, started now or by <see cref="Phase.Start"/>.</summary>
    public abstract Phase Add(string description, double steps, bool start = true);

    /// <summary>One phase: its progress and the line that describes it.</summary>
    internal abstract class Phase
    {
        public abstract void Start();
        public abstract void Update(double done, string? description = null);
        public abstract void Stop(string? description = null);
    }

    private sealed class Live(ProgressContext ctx) : PhaseDisplay
    {
        private readonly ProgressRedraw redraw = new(ctx);

        public override Phase Add(string description, double steps, bool start = true) =>
            new Task(ctx.AddTask(Markup.Escape(description), autoStart: start, maxValue: Math.Max(1, steps)), redraw);

        private sealed class Task(ProgressTask task, ProgressRedraw redraw) : Phase
        {
            public override void Start()
            {
                task.StartTask();
                redraw.Tick(now: true);
            }

            public override void Update(double done, string? description = null)
            {
                task.Value = done;
                if (description is not null) task.Description = Markup.Escape(description);
                redraw.Tick();
            }

            public override void Stop(string? description = null)
            {
                if (description is not null) task.Description = Markup.Escape(description);
                task.Value = task.MaxValue;
                task.StopTask();
                redraw.Tick(now: true);
            }
        }
    }

    private sealed class Plain(CliContext context) : PhaseDisplay
    {
        private readonly Stopwatch sinceLine = Stopwatch.StartNew();

        private bool LineDue => sinceLine.Elapsed >= context.ProgressInterval;

        public override Phase Add(string description, double steps, bool start = true)
        {
            var line = new Line(this, description, steps);
            if (start) line.Start();
            return line;
        }

        private void Write(string line)
        {
            context.Console.Profile.Out.Writer.WriteLine(line);
            sinceLine.Restart();
        }

        private sealed class Line(Plain owner, string description, double steps) : Phase
        {
            private readonly Stopwatch watch = new();

            public override void Start() => watch.Start();

            public override void Update(double done, string? text = null)
            {
                if (text is not null) description = text;
                if (owner.LineDue)
                    owner.Write(string.Create(CultureInfo.InvariantCulture, $"{description} · {done}/{steps}"));
            }

            public override void Stop(string? text = null) =>
                owner.Write(string.Create(CultureInfo.InvariantCulture, $"{text ?? description} · {watch.Elapsed.TotalSeconds:F1} s"));
        }
    }
}
