using System.Diagnostics;
using NoiseSam.Diagnostics;
using NoiseSam.Harness.Models;
using NoiseSam.Harness.Training;
using NoiseSam.Planning;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Benchmarks;

/// <summary>What to time.</summary>
public sealed record StepBenchmarkOptions
{
    public string Model { get; init; } = "small-cnn";
    public int BatchSize { get; init; } = 128;
    /// <summary>Intra-op threads; 0 = number of cores.</summary>
    public int Threads { get; init; }
    public int Warmup { get; init; } = 5;
    public int Rounds { get; init; } = 10;
    /// <summary>Steps per timed sample; a multiple of LookSAM's K keeps its SAM/reuse mix exact.</summary>
    public int StepsPerSample { get; init; } = 5;
    public IReadOnlyList<string> Variants { get; init; } = ["SGD", "SAM", "ASAM", "ESAM", "LookSAM-5", "AE-SAM", "K-SAM", "SS-SAM", "MBS", "NI-MBS"];
    /// <summary>Also time the reference engine on each variant's descriptor, and a hand-written TorchSharp SGD and SAM.</summary>
    public bool CompareImplementations { get; init; }
    /// <summary>
    /// Also time the floor of each micro-batch variant whose descent uses the whole batch
    /// (<see cref="MicroBatchFloor"/>: the base step plus one bare micro-batch pass), as "&lt;name&gt; floor".
    /// </summary>
    public bool Floor { get; init; }
    public long Seed { get; init; }
    /// <summary>Device of the models and the batch: cpu, cuda or cuda:N.</summary>
    public string Device { get; init; } = ComputeDevice.Cpu;
    /// <summary>
    /// Rounds of profiled steps after the timed rounds (0 = none): each variant's step runs under a
    /// <see cref="StepProfiler"/> to show where its time goes. Profiling never touches the timings.
    /// </summary>
    public int ProfileRounds { get; init; }
}

/// <summary>One timed step of a subject.</summary>
/// <param name="Sequence">Position among all timed steps of the run (every subject), 0 first.</param>
/// <param name="Round">The timed round it belongs to.</param>
/// <param name="Perturbed">Whether it was a SAM step.</param>
/// <param name="Ms">Its wall time in milliseconds.</param>
public readonly record struct TimedStep(int Sequence, int Round, bool Perturbed, double Ms);

/// <summary>
/// Per-step time of one implementation of one variant. Each timed step is filed as a SAM step or a
/// base step; <paramref name="MedianMs"/> and its quartiles weigh the two kinds by the schedule's
/// expected share (<see cref="SamShare"/>), and <paramref name="IdealRatio"/> is the cost model at
/// that share: a switching schedule over a few dozen steps on one batch rarely hits its expected
/// share, and a median over mixed samples would price whatever mix it happened to hold.
/// </summary>
public sealed record StepTiming(
    string Variant, string Implementation, string Model, double IdealRatio,
    double MedianMs, double P25Ms, double P75Ms, double Ratio, long Parameters, int StateBuffers)
{
    /// <summary>Measured ratio over the cost model's ideal ratio (1 = at the model's limit).</summary>
    public double Overhead => Ratio / IdealRatio;
    /// <summary>
    /// A NoiseSam step (generated, or the engine), as opposed to a yardstick timed beside them (the
    /// hand-written SAM, a micro-batch floor): only our steps are profiled, memory-probed and matched to the peer.
    /// </summary>
    public bool IsOurStep => StepImplementations.IsOurs(Implementation);
    /// <summary>
    /// The share of SAM steps the time and the ideal ratio are priced at: the schedule's expected
    /// share when the timed steps held both SAM and base steps (each kind's quantile weighted by its
    /// share), otherwise the share that ran (0 or 1).
    /// </summary>
    public double SamShare { get; init; } = 1;
    /// <summary>Share of the timed steps that were SAM steps (<see cref="SamStepResult.Perturbed"/>).</summary>
    public double ObservedSamShare { get; init; } = 1;
    /// <summary>Every timed step in the order it ran, to see noise and drift over the run.</summary>
    public IReadOnlyList<TimedStep> Steps { get; init; } = [];
    /// <summary>The cost model's ratio at the schedule's expected share of SAM steps (ALGORITHMS.md §10.2's table).</summary>
    public double ExpectedIdealRatio { get; init; }
    /// <summary>Optimizer and SAM state beyond the weights and gradients, in bytes per parameter (fp32).</summary>
    public int StateBytesPerParameter => StateBuffers * 4;
    /// <summary>Parameter-sized buffers of the base optimizer alone (SGD momentum: 1, AdamW: 2).</summary>
    public int OptimizerStateBuffers { get; init; }
    /// <summary>State beyond the base optimizer's (SAM's weight backup, LookSAM's direction), in bytes per parameter (fp32).</summary>
    public int ExtraStateBytesPerParameter => (StateBuffers - OptimizerStateBuffers) * 4;
    /// <summary>Peak RSS of a fresh process that ran this variant alone (<see cref="MemoryProbe"/>); null when not measured.</summary>
    public long? PeakRssBytes { get; init; }
    /// <summary>The step every ratio is relative to (the base optimizer's, or the first subject's when none was timed).</summary>
    public bool IsBaseline { get; init; }
    /// <summary>Where the step's time goes (<see cref="StepBenchmarkOptions.ProfileRounds"/>); null when not profiled or not profilable (hand-written SAM).</summary>
    public StepProfileSummary? Profile { get; init; }
    /// <summary>
    /// Median managed bytes a timed step allocated on the calling thread
    /// (<see cref="GC.GetAllocatedBytesForCurrentThread"/>): the model's forward and the step's
    /// kernels together (every TorchSharp tensor handle is a managed object).
    /// </summary>
    public double ManagedBytesPerStep { get; init; }
    /// <summary>
    /// Host synchronisations per profiled step (<see cref="StepPhaseKind.Host"/> phases, the points
    /// <see cref="HostSyncCounter"/> counts); null when not profiled.
    /// </summary>
    public double? HostSyncsPerStep => Profile?.Phases.Where(p => p.Kind == StepPhaseKind.Host).Sum(p => p.CallsPerStep);
}

/// <summary>
/// Times each variant's step on one fixed batch. Implementations are measured interleaved, in
/// rotating order, round after round, so that machine noise and thermal drift hit all of them
/// alike; each sample is the mean of a few consecutive steps, the result the median of samples.
/// </summary>
public static class StepBenchmark
{
    public static IReadOnlyList<StepTiming> Run(StepBenchmarkOptions options, Action<string>? progress = null)
    {
        torch.set_num_threads(options.Threads > 0 ? options.Threads : Environment.ProcessorCount);
        var (channels, size) = InputShape(options.Model);
        var generator = new Generator((ulong)options.Seed + 1);
        var device = ComputeDevice.Parse(options.Device);
        using var input = torch.randn([options.BatchSize, channels, size, size], generator: generator).to(device);
        using var target = torch.randint(0, 10, [options.BatchSize], generator: generator).to(device);

        var subjects = new List<Subject>();
        foreach (string name in options.Variants)
        {
            if (!SamVariantRegistry.TryGet(name, out var entry))
                throw new ArgumentException($"No SAM variant named '{name}'. Known variants: {string.Join(", ", SamVariantRegistry.Names)}.");
            subjects.Add(Subject.Create(name, entry.GeneratedType is null ? StepImplementations.Engine : StepImplementations.Generated, options,
                (m, o) => entry.Factory(m, o), channels, size, device));
            if (options.CompareImplementations && entry.GeneratedType is not null)
                subjects.Add(Subject.Create(name, StepImplementations.Engine, options, (m, o) => SamEngine.Create(entry.Descriptor, m, o), channels, size, device));
        }
        if (options.CompareImplementations)
        {
            subjects.Add(Subject.Create("SGD", StepImplementations.HandWritten, options, (m, _) => new HandWrittenSgd(m), channels, size, device));
            subjects.Add(Subject.Create("SAM", StepImplementations.HandWritten, options, (m, _) => new HandWrittenSam(m), channels, size, device));
        }
        if (options.Floor)
            foreach (string name in options.Variants)
                if (SamVariantRegistry.TryGet(name, out var entry) && MicroBatchFloor.Serves(entry.Descriptor))
                    subjects.Add(Subject.Create(name + " floor", StepImplementations.Floor, options,
                        (m, o) => new MicroBatchFloor(m, entry.Descriptor, o), channels, size, device));

        try
        {
            foreach (var s in subjects)
            {
                progress?.Invoke($"warm-up {s.Label}");
                for (int i = 0; i < options.Warmup; i++) s.Step.Step(input, target);
            }
            // Each step is timed on its own and filed as a SAM or a base step; the step ends with a
            // host read of its statistics, so on an accelerator its kernels are done when it returns.
            Action? synchronize = Synchronizer(device);
            int sequence = 0;
            for (int round = 0; round < options.Rounds; round++)
            {
                progress?.Invoke($"round {round + 1}/{options.Rounds}");
                for (int k = 0; k < subjects.Count; k++)
                {
                    var s = subjects[(k + round) % subjects.Count];
                    for (int i = 0; i < options.StepsPerSample; i++)
                    {
                        long allocated = GC.GetAllocatedBytesForCurrentThread();
                        long start = Stopwatch.GetTimestamp();
                        bool perturbed = s.Step.Step(input, target).Perturbed;
                        synchronize?.Invoke();
                        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                        s.AllocatedBytes.Add(GC.GetAllocatedBytesForCurrentThread() - allocated);
                        (perturbed ? s.SamStepMs : s.BaseStepMs).Add(ms);
                        s.Timed.Add(new TimedStep(sequence++, round, perturbed, ms));
                    }
                }
            }
            Profile(subjects.Where(s => StepImplementations.IsOurs(s.Implementation)).ToList(), options, synchronize, input, target, progress);

            var baseSubject = subjects.FirstOrDefault(s => s.Descriptor.Policy == Dsl.SchedulePolicy.Never && s.Implementation == StepImplementations.Generated)
                ?? subjects.FirstOrDefault(s => s.Descriptor.Policy == Dsl.SchedulePolicy.Never && s.Implementation != StepImplementations.Engine) ?? subjects[0];
            double baseline = baseSubject.At(0.5);
            return subjects.Select(s => new StepTiming(
                s.Name, s.Implementation, options.Model, CostModel.IdealRatio(s.Descriptor, s.PricedShare),
                s.At(0.5), s.At(0.25), s.At(0.75), s.At(0.5) / baseline,
                s.Parameters, StateBuffers(s.Descriptor))
            {
                SamShare = s.PricedShare,
                ObservedSamShare = s.ObservedShare,
                Steps = s.Timed,
                ExpectedIdealRatio = CostModel.IdealRatio(s.Descriptor),
                OptimizerStateBuffers = OptimizerStateBuffers(s.Descriptor),
                IsBaseline = ReferenceEquals(s, baseSubject),
                ManagedBytesPerStep = Quantile(s.AllocatedBytes.Select(b => (double)b).ToList(), 0.5),
                Profile = s.ProfiledSteps > 0 ? StepProfileSummary.From(s.ProfiledPhases.Values, s.ProfiledSteps, s.ProfiledMs) with
                {
                    // The profiled steps have a SAM share of their own: their excess is priced at it.
                    IdealRatio = CostModel.IdealRatio(s.Descriptor, s.ProfiledSamSteps / (double)s.ProfiledSteps),
                } : null,
            }).ToList();
        }
        finally
        {
            foreach (var s in subjects) s.Dispose();
        }
    }

    private static Action? Synchronizer(Device device) => device.type == DeviceType.CUDA ? () => torch.cuda.synchronize(device) : null;

    // Same rotation as the timed rounds; on an accelerator every phase boundary waits for the device.
    private static void Profile(List<Subject> subjects, StepBenchmarkOptions options, Action? synchronize, Tensor input, Tensor target, Action<string>? progress)
    {
        for (int round = 0; round < options.ProfileRounds; round++)
        {
            progress?.Invoke($"profile round {round + 1}/{options.ProfileRounds}");
            for (int k = 0; k < subjects.Count; k++)
            {
                var s = subjects[(k + round) % subjects.Count];
                using var profiler = StepProfiler.Start(synchronize);
                int perturbed = 0;
                var watch = Stopwatch.StartNew();
                for (int i = 0; i < options.StepsPerSample; i++)
                    if (s.Step.Step(input, target).Perturbed) perturbed++;
                synchronize?.Invoke();
                s.ProfiledMs += watch.Elapsed.TotalMilliseconds;
                s.ProfiledSteps += options.StepsPerSample;
                s.ProfiledSamSteps += perturbed;
                foreach (var phase in profiler.Phases)
                    s.ProfiledPhases[phase.Name] = s.ProfiledPhases.TryGetValue(phase.Name, out var seen)
                        ? seen with { Calls = seen.Calls + phase.Calls, Elapsed = seen.Elapsed + phase.Elapsed }
                        : phase;
            }
        }
    }

    /// <summary>Parameter-sized buffers beyond weights and gradients: optimizer state + SAM backup + LookSAM direction + m-SAM's accumulated gradient.</summary>
    public static int StateBuffers(SamVariantDescriptor descriptor)
    {
        var plan = new SamStepPlan(descriptor);
        return OptimizerStateBuffers(descriptor) + (plan.MayPerturb ? 1 : 0) + (plan.CachesDirection ? 1 : 0) + (plan.PerChunkAscent ? 1 : 0);
    }

    /// <summary>Parameter-sized buffers of the base optimizer alone: AdamW 2, SGD with momentum 1, plain SGD 0.</summary>
    public static int OptimizerStateBuffers(SamVariantDescriptor descriptor)
    {
        var optimizer = descriptor.EffectiveBaseOptimizer;
        return optimizer.Kind == Dsl.OptimizerKind.AdamW ? 2 : optimizer.EffectiveMomentum != 0 ? 1 : 0;
    }

    /// <summary>(channels, side) of the benchmark's random input: 1×28×28 for small-cnn, tiny-cnn and mlp (Fashion-MNIST size), 3×32×32 (CIFAR size) otherwise.</summary>
    public static (int Channels, int Size) InputShape(string model) => ModelZoo.IsFashionMnistModel(model) ? (1, 28) : (3, 32);

    private static double Quantile(List<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Round(q * (sorted.Length - 1)))];
    }

    private sealed class Subject : IDisposable
    {
        public required string Name { get; init; }
        public required string Implementation { get; init; }
        public required ISamStep Step { get; init; }
        public required nn.Module<Tensor, Tensor> Model { get; init; }
        public List<TimedStep> Timed { get; } = [];
        public List<double> SamStepMs { get; } = [];
        public List<double> BaseStepMs { get; } = [];
        // Managed bytes each timed step allocated on this thread (GC.GetAllocatedBytesForCurrentThread).
        public List<long> AllocatedBytes { get; } = [];
        // Insertion-ordered in practice (no removals): phases in the order they first ran.
        public Dictionary<string, StepPhase> ProfiledPhases { get; } = new(StringComparer.Ordinal);
        public long ProfiledSteps { get; set; }
        public long ProfiledSamSteps { get; set; }
        public double ObservedShare => SamStepMs.Count + BaseStepMs.Count is int n and > 0 ? SamStepMs.Count / (double)n : 0;

        // A schedule's expected share of SAM steps when both kinds of step were timed (a Custom
        // schedule has no expected share); otherwise the kind that ran.
        public double PricedShare => SamStepMs.Count > 0 && BaseStepMs.Count > 0 && Descriptor.Policy != Dsl.SchedulePolicy.Custom
            ? CostModel.SamShare(Descriptor)
            : ObservedShare;

        // The q-quantile of a step at the priced share: the SAM steps' quantile and the base steps'
        // weighted by their shares, so a switching variant's time does not hinge on how many SAM
        // steps a few dozen timed steps happened to hold.
        public double At(double q)
        {
            double share = PricedShare;
            return (share > 0 ? share * Quantile(SamStepMs, q) : 0) + (share < 1 ? (1 - share) * Quantile(BaseStepMs, q) : 0);
        }
        public double ProfiledMs { get; set; }
        public SamVariantDescriptor Descriptor => Step.Variant;
        public long Parameters => Model.parameters().Sum(p => p.numel());
        public string Label => $"{Name} ({Implementation})";

        public static Subject Create(string name, string implementation, StepBenchmarkOptions options,
            Func<nn.Module<Tensor, Tensor>, SamStepOptions, ISamStep> factory, int channels, int size, Device device)
        {
            var model = ModelZoo.Create(options.Model, channels, 10, size, options.Seed);
            model.to(device);
            model.train();
            var step = factory(model, new SamStepOptions { Seed = options.Seed, TotalSteps = options.Warmup + options.Rounds * options.StepsPerSample });
            return new Subject { Name = name, Implementation = implementation, Step = step, Model = model };
        }

        public void Dispose()
        {
            Step.Dispose();
            Model.Dispose();
        }
    }
}
