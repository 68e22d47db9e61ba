using NoiseSam.Dsl;
using NoiseSam.Harness.Training;

namespace NoiseSam.Harness.Study;

/// <summary>
/// What <c>noisesam study</c> sweeps and how long each run trains. The defaults are the study of
/// docs/study.md: the paper's claim on Fashion-MNIST with the small CNN in the default regime
/// (<see cref="DefaultRegime"/>: label noise, small data, 30 epochs), sized so that the whole sweep
/// (40 configurations × 3 seeds) trains in about two hours on 2 quiet cores.
/// </summary>
public sealed record StudyOptions
{
    /// <summary>Ascent micro-batch fractions f; 1 is full-batch SAM.</summary>
    public IReadOnlyList<double> Fractions { get; init; } = [1, 0.5, 0.25, 0.125, 0.0625];

    /// <summary>Noise levels σ; 0 is the noise-free micro-batch SAM.</summary>
    public IReadOnlyList<double> Sigmas { get; init; } = [0, 0.25, 0.5, 1];

    /// <summary>How σ becomes a standard deviation (each non-zero σ runs with each scaling).</summary>
    public IReadOnlyList<NoiseScaling> Scalings { get; init; } = [NoiseScaling.GradientNorm, NoiseScaling.MicroBatch];

    /// <summary>
    /// Named baselines run next to the sweep (registered variant names, e.g. the paper's set). MBS and
    /// NI-MBS appear twice on purpose: in the sweep at SAM's ρ, and here with their own searched ρ.
    /// </summary>
    public IReadOnlyList<string> Baselines { get; init; } = ["SGD", "ASAM", "ESAM", "LookSAM-5", "AE-SAM", "SS-SAM", "K-SAM", "MBS", "NI-MBS"];

    public IReadOnlyList<long> Seeds { get; init; } = [0, 1, 2];

    /// <summary>SAM radius ρ of every sweep point (the paper's set uses 0.05 for SAM).</summary>
    public double Rho { get; init; } = 0.05;

    /// <summary>Base optimizer of every sweep point (the baselines keep their own).</summary>
    public BaseOptimizerSpec BaseOptimizer { get; init; } =
        new(OptimizerKind.Sgd) { LearningRate = 0.05, Momentum = 0.9, WeightDecay = 5e-4 };

    public string Model { get; init; } = "small-cnn";
    public int Epochs { get; init; } = DefaultRegime.Epochs;
    public int BatchSize { get; init; } = 128;
    public int Threads { get; init; }
    public string Device { get; init; } = ComputeDevice.Cpu;

    /// <summary>Random crop + flip of training batches; null decides by data set.</summary>
    public bool? Augment { get; init; }

    /// <summary>
    /// Measure each run's sharpness right after it trains, instead of in a phase after all runs:
    /// then a run's record and its sharpness figures exist together, and the model file can be
    /// deleted or left out of version control without losing anything.
    /// </summary>
    public bool MeasureEachRun { get; init; }

    /// <summary>Training samples the Hessian, landscape and m-sharpness figures are measured on.</summary>
    /// <remarks>
    /// 512 keeps the sharpness phase near 10 s per model on 2 cores (measured: one power iteration
    /// on 1024 samples takes 2.3 s, a 21×21 surface 176 s on a busy machine); the figures compare
    /// configurations on the same samples, so a smaller probe costs precision, not fairness.
    /// </remarks>
    public int ProbeSamples { get; init; } = 512;

    /// <summary>How the top Hessian eigenvalue is found (docs/sharpness.md): Lanczos, or power iteration as in earlier versions.</summary>
    public Sharpness.EigenMethod EigenMethod { get; init; } = Sharpness.EigenMethod.Lanczos;

    /// <summary>Cap on the Lanczos steps (or power iterations) for the top Hessian eigenvalue; one Hessian-vector product each.</summary>
    public int EigenIterations { get; init; } = 60;

    /// <summary>
    /// Lanczos: the relative residual bound of the top Ritz pair at which it stops (λ_max is then
    /// within 0.1 % of an eigenvalue). Power iteration: the relative change of the estimate.
    /// </summary>
    public double EigenTolerance { get; init; } = 1e-3;

    /// <summary>Radius and chunk size of the m-sharpness figure.</summary>
    public double SharpnessRho { get; init; } = 0.05;
    public int SharpnessM { get; init; } = 128;

    /// <summary>Grid points per axis of the 2-D landscapes (1-D lines use twice as many + 1).</summary>
    public int LandscapePoints { get; init; } = 15;

    /// <summary>Half-width of the landscape grid in filter-normalised units.</summary>
    public double LandscapeSpan { get; init; } = 1.0;

    /// <summary>Steps per timed sample × rounds of the interleaved step benchmark that gives the time ratios.</summary>
    public int TimingRounds { get; init; } = 6;

    /// <summary>Checks every value; throws <see cref="ArgumentException"/> with a one-line message naming the setting.</summary>
    public void Validate()
    {
        if (Fractions.Count == 0) throw new ArgumentException("the study needs at least one micro-batch fraction");
        foreach (double f in Fractions)
            if (!(f > 0 && f <= 1)) throw new ArgumentException($"micro-batch fractions must be in (0, 1] (got {f})");
        foreach (double s in Sigmas)
            if (!(double.IsFinite(s) && s >= 0)) throw new ArgumentException($"noise levels must be finite and >= 0 (got {s})");
        if (Sigmas.Any(s => s > 0) && Scalings.Count == 0) throw new ArgumentException("non-zero noise levels need at least one scaling");
        if (Seeds.Count == 0) throw new ArgumentException("the study needs at least one seed");
        if (!(Rho > 0 && double.IsFinite(Rho))) throw new ArgumentException($"rho must be a finite number > 0 (got {Rho})");
        if (Epochs < 1) throw new ArgumentException($"epochs must be at least 1 (got {Epochs})");
        if (BatchSize < 1) throw new ArgumentException($"the batch size must be at least 1 (got {BatchSize})");
        if (ProbeSamples < 1) throw new ArgumentException($"probe samples must be at least 1 (got {ProbeSamples})");
        if (EigenIterations < 1) throw new ArgumentException($"eigenvalue iterations must be at least 1 (got {EigenIterations})");
        if (!(EigenTolerance > 0 && EigenTolerance < 1)) throw new ArgumentException($"the eigenvalue tolerance must be in (0, 1) (got {EigenTolerance})");
        if (SharpnessM < 1) throw new ArgumentException($"m must be at least 1 (got {SharpnessM})");
        if (LandscapePoints < 3 || LandscapePoints % 2 == 0) throw new ArgumentException($"landscape points must be odd and at least 3 (got {LandscapePoints})");
        if (TimingRounds < 1) throw new ArgumentException($"timing rounds must be at least 1 (got {TimingRounds})");
        ComputeDevice.Parse(Device);
    }
}
