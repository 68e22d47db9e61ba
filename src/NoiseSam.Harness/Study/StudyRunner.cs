using NoiseSam.Harness.Benchmarks;
using NoiseSam.Harness.Data;
using NoiseSam.Harness.Training;

namespace NoiseSam.Harness.Study;

/// <summary>Where a study is, for progress bars and <c>progress.json</c>.</summary>
/// <param name="Phase">train, sharpness, landscapes, timing or done.</param>
/// <param name="Done">Finished units of the phase (runs, models, landscapes).</param>
/// <param name="Total">Units of the phase.</param>
/// <param name="Current">What is being worked on.</param>
/// <param name="Skipped">Units found finished on disk (never recomputed).</param>
public sealed record StudyProgress(string Phase, int Done, int Total, string Current, int Skipped, DateTimeOffset Updated);

/// <summary>Hooks for a caller (all optional).</summary>
public sealed class StudyCallbacks
{
    public Action<StudyProgress>? Progress { get; init; }
    /// <summary>Training hooks for one (configuration, seed) run.</summary>
    public Func<StudyConfig, long, TrainingCallbacks>? Training { get; init; }
    public Action<string>? Message { get; init; }
}

/// <summary>
/// Runs a study: trains every (configuration, seed) — seed-major, so that a partial study already
/// has every configuration with the first seed — then measures the sharpness of every trained
/// model, draws the landscapes of a few configurations and times every configuration's step.
/// Each result is saved as soon as it exists; anything found on disk is reused, so a killed study
/// continues where it stopped with the same command.
/// </summary>
public sealed partial class StudyRunner
{
    private readonly StudyOptions _options;
    private readonly DataSplit _data;
    private readonly StudyCallbacks _callbacks;

    public StudyRunner(StudyOptions options, DataSplit data, string directory, StudyCallbacks? callbacks = null)
        : this(options, StudyPlan.Build(options, name => SamVariantRegistry.TryGet(name, out var e) ? e.Descriptor : null), data, directory, callbacks)
    {
    }

    /// <summary>
    /// A runner over explicit configurations (a hyper-parameter search, a hand-made plan); every
    /// configuration that is not a baseline is registered under its id for the trainer.
    /// </summary>
    public StudyRunner(StudyOptions options, IReadOnlyList<StudyConfig> configs, DataSplit data, string directory, StudyCallbacks? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configs);
        ArgumentNullException.ThrowIfNull(data);
        options.Validate();
        _options = options;
        _data = data;
        _callbacks = callbacks ?? new StudyCallbacks();
        Store = new StudyStore(directory);
        Configs = configs;
        foreach (var c in Configs)
            if (c.Group != StudyGroup.Baseline && !SamVariantRegistry.TryGet(c.Id, out _))
                SamVariantRegistry.Register(c.Descriptor);
    }

    public StudyStore Store { get; }

    /// <summary>The share of the runs this process works on first (<see cref="StudyShard.Whole"/>: all of them); it then helps with the others.</summary>
    public StudyShard Shard { get; init; } = StudyShard.Whole;

    /// <summary>How long a claim of a process on another machine lives without a sign of life before it is taken over (<see cref="StudyClaim"/>).</summary>
    public TimeSpan ClaimTimeout { get; init; } = StudyClaim.DefaultTimeout;

    /// <summary>How often a held claim is touched: a quarter of <see cref="ClaimTimeout"/>, at most a minute.</summary>
    private TimeSpan KeepAliveInterval => TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, Math.Min(ClaimTimeout.Ticks / 4, TimeSpan.TicksPerMinute)));

    /// <summary>The same study reporting to other callbacks.</summary>
    public StudyRunner WithCallbacks(StudyCallbacks callbacks) =>
        new(_options, Configs, _data, Store.Root, callbacks) { Shard = Shard, ClaimTimeout = ClaimTimeout };
    public IReadOnlyList<StudyConfig> Configs { get; }

    /// <summary>(configuration, seed) pairs in training order.</summary>
    public IReadOnlyList<(StudyConfig Config, long Seed)> Runs =>
        _options.Seeds.SelectMany(seed => Configs.Select(c => (c, seed))).ToList();

    /// <summary>What must match for a run on disk to count as this study's run.</summary>
    public string Fingerprint(StudyConfig config) =>
        $"{config.Descriptor.Summary()} | {_options.Model} | {Trainer.DataFingerprint(_data, Augmented)} | " +
        $"{_options.Epochs} epochs | batch {_options.BatchSize}";

    /// <summary>Whether the runs augment their training batches (the option, or the data set's default).</summary>
    public bool Augmented => _options.Augment ?? DataSets.UsesAugmentation(Trainer.DataName(_data.Train.Name));

    /// <summary>The data the runs train on, in one line (sizes, label noise, validation split, augmentation).</summary>
    public string DataDescription => Trainer.DataFingerprint(_data, Augmented);

    /// <summary>The phases in order: train, sharpness, landscapes, timing.</summary>
    public static IReadOnlyList<string> PhaseNames { get; } = ["train", "sharpness", "landscapes", "timing"];

    /// <summary>
    /// Runs the phases (all by default) in order; returns false when cancelled before the end.
    /// Each phase works on what is on disk, so a second process can measure the runs a first one
    /// has already trained.
    /// </summary>
    public bool Run(CancellationToken cancel = default, IReadOnlyCollection<string>? phases = null)
    {
        bool On(string phase) => phases is null || phases.Contains(phase, StringComparer.OrdinalIgnoreCase);
        if (On("train") && !TrainAll(cancel)) return false;
        if (On("sharpness") && !MeasureAll(cancel)) return false;
        if (On("landscapes") && !DrawLandscapes(cancel)) return false;
        if (On("timing") && !TimeAll(cancel)) return false;
        Report("done", 1, 1, "", 0);
        return true;
    }

    /// <summary>
    /// Trains every run that has no record yet and that no other live process has claimed
    /// (<see cref="StudyClaim"/>): this <see cref="Shard"/>'s runs first, then any other run still
    /// unclaimed. Runs held by other processes are left to them; a run whose claim another process
    /// takes over (this one was thought dead) is dropped at the next check. Returns false when cancelled.
    /// </summary>
    public bool TrainAll(CancellationToken cancel = default)
    {
        var runs = Runs;
        int done = 0, skipped = 0;
        var heldElsewhere = new List<string>();
        foreach (int index in Shard.WorkOrder(runs.Count))
        {
            var (config, seed) = runs[index];
            if (cancel.IsCancellationRequested) return false;
            string fingerprint = Fingerprint(config);
            if (Store.LoadRun(config.Id, seed, fingerprint) is not null)
            {
                done++;
                skipped++;
                continue;
            }
            using var claim = Store.TryClaim(config.Id, seed, ClaimTimeout, Shard, out var holder);
            if (claim is null)
            {
                heldElsewhere.Add($"{config.Label} seed {seed}{(holder is null ? "" : $" ({holder})")}");
                continue;
            }
            // Finished by another process between the first look and the claim: its record is written before its claim goes.
            if (Store.LoadRun(config.Id, seed, fingerprint) is not null)
            {
                claim.Complete();
                done++;
                skipped++;
                continue;
            }
            Report("train", done, runs.Count, $"{config.Label} seed {seed}", skipped);
            using var lost = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            var heartbeat = claim.Heartbeat(KeepAliveInterval, lost.Cancel);
            var run = Trainer.Run(new TrainingOptions
            {
                Variant = config.Descriptor.Name,
                Model = _options.Model,
                Epochs = _options.Epochs,
                BatchSize = _options.BatchSize,
                Seed = seed,
                Threads = _options.Threads,
                Device = _options.Device,
                Augment = _options.Augment,
                CheckpointDirectory = Store.CheckpointDirectory(config.Id, seed),
                Resume = true,
                FinalModelPath = Store.ModelPath(config.Id, seed),
            }, _data, WithHeartbeat(_callbacks.Training?.Invoke(config, seed), heartbeat), lost.Token);
            if (!run.Completed && !run.Diverged)
            {
                if (cancel.IsCancellationRequested || claim.IsHeld) return false;
                _callbacks.Message?.Invoke($"{config.Label} seed {seed}: another process took this run over (this one was thought dead); leaving it to that process");
                continue;
            }
            // A diverged run is a result (recorded, with NaN accuracies and no model), not a reason to stop the sweep.
            Store.SaveRun(new StudyRunRecord(config.Id, seed, fingerprint, run));
            // The final weights and the record are on disk: the per-epoch checkpoints are only for resuming.
            TryDelete(Store.CheckpointDirectory(config.Id, seed));
            done++;
            _callbacks.Message?.Invoke(run.Diverged ? $"{config.Label} seed {seed}: diverged in epoch {run.Records[^1].Epoch} ({done}/{runs.Count})"
                : run.ValidationSamples > 0
                ? $"{config.Label} seed {seed}: validation {run.FinalValidationAccuracy * 100:F2}%, test {run.FinalAccuracy * 100:F2}% in {run.TrainSeconds:F0} s ({done}/{runs.Count})"
                : $"{config.Label} seed {seed}: {run.FinalAccuracy * 100:F2}% in {run.TrainSeconds:F0} s ({done}/{runs.Count})");
            // Measured while the model is at hand and the run is still claimed: a store whose run
            // records are committed without their (large) model files stays complete.
            if (_options.MeasureEachRun && !Measure([(config, seed)], cancel, claim: false, heartbeat)) return false;
            claim.Complete();
        }
        if (heldElsewhere.Count > 0)
            _callbacks.Message?.Invoke($"{heldElsewhere.Count} run(s) are being trained by other processes and were left to them: " +
                                       string.Join("; ", heldElsewhere.Take(5)) + (heldElsewhere.Count > 5 ? "; …" : ""));
        Report("train", done, runs.Count, "", skipped);
        return true;
    }

    // The caller's hooks, with the claim's heartbeat after every step and before each evaluation.
    private static TrainingCallbacks WithHeartbeat(TrainingCallbacks? inner, ClaimHeartbeat heartbeat) => new()
    {
        Progress = p =>
        {
            heartbeat.Beat();
            inner?.Progress?.Invoke(p);
        },
        StepCompleted = inner?.StepCompleted,
        EpochCompleted = inner?.EpochCompleted,
        Message = inner?.Message,
    };

    /// <summary>Every finished run's record (in plan order); runs not trained yet are left out.</summary>
    public IReadOnlyList<StudyRunRecord> FinishedRuns()
    {
        var list = new List<StudyRunRecord>();
        foreach (var (config, seed) in Runs)
            if (Store.LoadRun(config.Id, seed, Fingerprint(config)) is { } r) list.Add(r);
        return list;
    }

    /// <summary>
    /// Times one step of every configuration on one fixed batch, all interleaved in one process
    /// (the <c>bench-step</c> method), so the ratios to SGD do not depend on what else the machine
    /// did while each run trained.
    /// </summary>
    public bool TimeAll(CancellationToken cancel = default)
    {
        var names = Configs.Select(c => c.Descriptor.Name).ToList();
        var existing = StudyStore.Read<List<StepTiming>>(Store.TimingPath);
        if (existing is not null && names.All(n => existing.Any(t => t.Variant == n))) return true;
        if (cancel.IsCancellationRequested) return false;
        if (!names.Contains("SGD", StringComparer.OrdinalIgnoreCase) && SamVariantRegistry.TryGet("SGD", out _)) names.Insert(0, "SGD");
        Report("timing", 0, 1, $"{names.Count} configurations interleaved", 0);
        var timings = StepBenchmark.Run(new StepBenchmarkOptions
        {
            Model = _options.Model,
            BatchSize = _options.BatchSize,
            Threads = _options.Threads,
            Warmup = 2,
            Rounds = _options.TimingRounds,
            Variants = names,
            Device = _options.Device,
        }, message => Report("timing", 0, 1, message, 0));
        StudyStore.Write(Store.TimingPath, timings);
        Report("timing", 1, 1, "", 0);
        return true;
    }

    /// <summary>Every measured sharpness record of a finished run (in plan order).</summary>
    public IReadOnlyList<StudySharpness> MeasuredSharpness() =>
        Runs.Select(r => Store.LoadSharpness(r.Config.Id, r.Seed)).OfType<StudySharpness>().ToList();

    /// <summary>Summaries of everything finished so far.</summary>
    public IReadOnlyList<StudySummary> Summarise() => Summarise(FinishedRuns());

    private IReadOnlyList<StudySummary> Summarise(IReadOnlyList<StudyRunRecord> runs) =>
        StudySummary.Compute(Configs, runs, MeasuredSharpness(), StudyStore.Read<List<StepTiming>>(Store.TimingPath));

    /// <summary>
    /// Writes the markdown report (and its folder of plots and CSV) from what is on disk; returns
    /// the files written and the summaries they were made from.
    /// </summary>
    public (IReadOnlyList<string> Files, IReadOnlyList<StudySummary> Summary) WriteReport(string markdownPath, string command)
    {
        var runs = FinishedRuns();
        var summary = Summarise(runs);
        // A resumed study may have trained with different thread counts: report what the runs used.
        var threads = runs.Select(r => r.Run.Threads).Distinct().Order().ToList();
        string threadText = threads.Count == 0 ? _options.Threads.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Join(" or ", threads);
        var files = StudyReport.Write(markdownPath, new StudyReportInfo(
            Trainer.DataName(_data.Train.Name), _data.Train.Count, _data.Test.Count, _options.Model, _options.Epochs, _options.BatchSize,
            threadText, _options.Seeds, _options.ProbeSamples, _options.SharpnessRho, _options.SharpnessM, command,
            DataNotes(), SweepSettings()) { FinishedRuns = runs.Count, PlannedRuns = Runs.Count },
            summary, Store.LandscapeDirectory);
        return (files, summary);
    }

    private string DataNotes()
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var parts = new List<string>();
        if (_data.LabelNoise > 0)
            parts.Add(string.Create(inv, $"{_data.LabelNoise:P0} symmetric label noise on the training labels ({_data.FlippedLabels} of {_data.LabelledSamples} changed; test labels clean)"));
        if (_data.Validation is { } v)
            parts.Add(string.Create(inv, $"{v.Count} of the labelled training samples held out for validation (same noise), on which every choice below is made"));
        parts.Add(Augmented ? "random crop + flip augmentation" : "no augmentation");
        return string.Join("; ", parts) + ".";
    }

    private string SweepSettings()
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var b = _options.BaseOptimizer;
        return string.Create(inv,
            $"ρ = {_options.Rho} and {b.Kind} (lr {b.EffectiveLearningRate}, momentum {b.EffectiveMomentum}, wd {b.EffectiveWeightDecay}, warm-up + cosine)");
    }

    private void Report(string phase, int done, int total, string current, int skipped)
    {
        var progress = new StudyProgress(phase, done, total, current, skipped, DateTimeOffset.UtcNow);
        StudyStore.Write(Store.ProgressPath, progress);
        _callbacks.Progress?.Invoke(progress);
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover checkpoint only costs disk space; the run's result is already saved.
        }
    }
}
