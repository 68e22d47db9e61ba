using System.Globalization;
using NoiseSam.Harness.Models;
using NoiseSam.Harness.Reports;
using NoiseSam.Harness.Sharpness;
using NoiseSam.Harness.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Study;

// The sharpness phases: every trained model's figures, and the landscapes of a few configurations.
public sealed partial class StudyRunner
{
    /// <summary>Samples per probe batch: large batches are cheaper per sample for the no-grad passes.</summary>
    private const int ProbeBatchSize = 256;

    /// <summary>The Lanczos (or power-iteration) record of a run's λ_max, next to its sharpness.json.</summary>
    public const string EigenFile = "eigen.json";

    /// <summary>The colour scale shared by the study's 2-D landscapes, in the landscape directory.</summary>
    public const string SurfaceScaleFile = "surface_scale.json";

    /// <summary>Where <see cref="EigenFile"/> of a run lives.</summary>
    public string EigenPath(string configId, long seed) => Path.Combine(Store.RunDirectory(configId, seed), EigenFile);

    /// <summary>The λ_max record of a run, or null when it has none (measured before eigen.json existed, or not measured).</summary>
    public StudyEigen? LoadEigen(string configId, long seed) => StudyStore.Read<StudyEigen>(EigenPath(configId, seed));

    /// <summary>
    /// Measures the top Hessian eigenvalue and m-sharpness of every trained model that has none yet,
    /// or whose λ_max was measured otherwise than the options now say (another method, cap or
    /// tolerance, or before <see cref="EigenFile"/> recorded it: e.g. by the power iteration of
    /// earlier versions). A λ_max that does not converge is reported loudly, here and in the report.
    /// Each run is claimed while it is measured (<see cref="StudyClaim"/>), this <see cref="Shard"/>'s
    /// first, so processes sharing the folder never measure the same model twice.
    /// </summary>
    public bool MeasureAll(CancellationToken cancel = default)
    {
        var runs = Runs;
        var finished = Shard.WorkOrder(runs.Count).Select(i => runs[i])
            .Where(r => Store.LoadRun(r.Config.Id, r.Seed, Fingerprint(r.Config)) is { Run.Diverged: false }).ToList();
        return Measure(finished, cancel, claim: true);
    }

    /// <summary>
    /// Measures <paramref name="pending"/> (trained) that need it; with <paramref name="claim"/>, only those this
    /// process can claim. <paramref name="heartbeat"/>: the claim the caller already holds (a run measured right
    /// after training), kept alive while Lanczos and m-sharpness run, as a claim taken here is.
    /// </summary>
    private bool Measure(IReadOnlyList<(StudyConfig Config, long Seed)> pending, CancellationToken cancel, bool claim, ClaimHeartbeat? heartbeat = null)
    {
        int done = 0, skipped = 0, heldElsewhere = 0;
        var notConverged = new List<string>();
        LossProbe? probe = null;
        try
        {
            foreach (var (config, seed) in pending)
            {
                if (cancel.IsCancellationRequested) return false;
                var stored = Store.LoadSharpness(config.Id, seed);
                var storedEigen = LoadEigen(config.Id, seed);
                if (stored is not null && storedEigen is not null && storedEigen.Matches(_options))
                {
                    if (!storedEigen.Converged) notConverged.Add($"{config.Label} seed {seed}");
                    done++;
                    skipped++;
                    continue;
                }
                using var held = claim ? Store.TryClaim(config.Id, seed, ClaimTimeout, Shard, out _) : null;
                if (claim && held is null)
                {
                    heldElsewhere++;
                    continue;
                }
                if (held is not null && Store.LoadSharpness(config.Id, seed) is not null && LoadEigen(config.Id, seed)?.Matches(_options) == true)
                {
                    held.Complete(); // measured by another process between the first look and the claim
                    done++;
                    skipped++;
                    continue;
                }
                Report("sharpness", done, pending.Count, $"{config.Label} seed {seed}", skipped);
                var watch = System.Diagnostics.Stopwatch.StartNew();
                using var model = LoadModel(config, seed);
                probe ??= LossProbe.FromDataset(_data.Train, _options.ProbeSamples, ProbeBatchSize, Device(model));
                var beat = heartbeat ?? held?.Heartbeat(KeepAliveInterval, () => { });
                var eigen = HessianEigen.Estimate(model, probe, _options.EigenMethod, _options.EigenIterations, _options.EigenTolerance, seed,
                    (_, _) => beat?.Beat(), cancel);
                double eigenSeconds = watch.Elapsed.TotalSeconds;
                if (cancel.IsCancellationRequested) return false;
                double sharp = MSharpness.Compute(model, probe, _options.SharpnessRho, _options.SharpnessM, (_, _) => beat?.Beat(), cancel);
                double loss = probe.Loss(model);
                // eigen.json first: a sharpness.json without a matching eigen.json is measured again.
                StudyStore.Write(EigenPath(config.Id, seed), StudyEigen.From(config.Id, seed, _options, eigen, eigenSeconds));
                Store.SaveSharpness(new StudySharpness(config.Id, seed, eigen.Eigenvalue, eigen.Iterations, eigen.Converged,
                    sharp, loss, watch.Elapsed.TotalSeconds));
                done++;
                string method = eigen.Method == EigenMethod.Lanczos ? "Lanczos steps" : "power it.";
                _callbacks.Message?.Invoke(string.Create(CultureInfo.InvariantCulture,
                    $"{config.Label} seed {seed}: λ_max {eigen.Eigenvalue:F2} ({eigen.Iterations} {method}, residual {eigen.RelativeResidual:G2}" +
                    $"{(eigen.Converged ? "" : $", NOT CONVERGED at the cap of {_options.EigenIterations}: a lower bound")}), " +
                    $"m-sharpness {sharp:F4}, probe loss {loss:F4} ({done}/{pending.Count})"));
                if (eigen.Smallest is double smallest && Math.Abs(smallest) > Math.Abs(eigen.Eigenvalue))
                    _callbacks.Message?.Invoke(string.Create(CultureInfo.InvariantCulture,
                        $"{config.Label} seed {seed}: the smallest Ritz value {smallest:F2} exceeds λ_max in magnitude (a saddle, not a minimum)"));
                if (!eigen.Converged) notConverged.Add($"{config.Label} seed {seed}");
                held?.Complete();
            }
        }
        finally
        {
            probe?.Dispose();
        }
        if (notConverged.Count > 0)
            _callbacks.Message?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"WARNING: λ_max did not converge for {notConverged.Count} run(s) within {_options.EigenIterations} iterations " +
                $"(tolerance {_options.EigenTolerance:G3}): {string.Join(", ", notConverged)}. Their λ_max is a lower bound, marked * in the report; " +
                $"measure them again with a larger cap (noisesam study --phases sharpness --eigen-iterations N)."));
        if (heldElsewhere > 0)
            _callbacks.Message?.Invoke($"{heldElsewhere} trained run(s) are being measured or trained by other processes and were left to them");
        Report("sharpness", done, pending.Count, "", skipped);
        return true;
    }

    /// <summary>
    /// The configurations whose landscapes are drawn (first seed): SGD, SAM, MBS at the smallest
    /// fraction, and the noisy run with the best validation accuracy at that fraction, where they have finished.
    /// </summary>
    public IReadOnlyList<StudyConfig> LandscapeConfigs()
    {
        var summary = Summarise();
        var picks = new List<StudyConfig>();
        void Add(StudyConfig? c)
        {
            if (c is not null && !picks.Contains(c)) picks.Add(c);
        }
        Add((summary.FirstOrDefault(s => s.Config.Group == StudyGroup.Base)
             ?? summary.FirstOrDefault(s => s.Config.Group == StudyGroup.Baseline && s.Config.Descriptor.Policy == Dsl.SchedulePolicy.Never))?.Config);
        var sweep = summary.Where(s => s.Config.Group == StudyGroup.Sweep).ToList();
        Add(sweep.FirstOrDefault(s => s.Config.Fraction == 1 && s.Config.Sigma == 0)?.Config);
        if (sweep.Where(s => s.Config.Fraction < 1).Select(s => s.Config.Fraction).DefaultIfEmpty(1).Min() is double fmin && fmin < 1)
        {
            Add(sweep.FirstOrDefault(s => s.Config.Fraction == fmin && s.Config.Sigma == 0)?.Config);
            Add(sweep.Where(s => s.Config.Fraction == fmin && s.Config.Sigma > 0)
                .OrderByDescending(s => s.Validation.N > 0 ? s.Validation.Mean : s.Accuracy.Mean).FirstOrDefault()?.Config);
        }
        return picks;
    }

    /// <summary>
    /// 1-D and 2-D filter-normalised landscapes of <see cref="LandscapeConfigs"/>, as CSV and PNG;
    /// CSVs computed earlier are reused. Every 2-D PNG is redrawn each time from all the surface CSVs
    /// with one colour scale (<see cref="SurfaceScale.Over"/>: log scale from the smallest loss to the
    /// 95th percentile of all their losses, the same contour levels), written to <see cref="SurfaceScaleFile"/>; 2-D PNGs
    /// of configurations no longer drawn are deleted, so that the report only shows plots of one scale.
    /// </summary>
    public bool DrawLandscapes(CancellationToken cancel = default)
    {
        var configs = LandscapeConfigs();
        if (configs.Count == 0) return true;
        long seed = _options.Seeds[0];
        Directory.CreateDirectory(Store.LandscapeDirectory);
        var lines = new List<(string Label, Landscape Line)>();
        var surfaces = new List<(StudyConfig Config, Landscape Surface)>();
        LossProbe? probe = null;
        int done = 0;
        try
        {
            foreach (var config in configs)
            {
                if (cancel.IsCancellationRequested) return false;
                string linePath = Path.Combine(Store.LandscapeDirectory, $"{config.Id}.line.csv");
                string surfacePath = Path.Combine(Store.LandscapeDirectory, $"{config.Id}.surface.csv");
                var line = ReadLandscape(linePath, surface: false);
                var surface = ReadLandscape(surfacePath, surface: true);
                if ((line is null || surface is null) && !File.Exists(Store.ModelPath(config.Id, seed))) continue;   // no model: that run diverged
                if (line is null || surface is null)
                {
                    Report("landscapes", done, configs.Count, $"{config.Label} seed {seed}", 0);
                    using var model = LoadModel(config, seed);
                    probe ??= LossProbe.FromDataset(_data.Train, _options.ProbeSamples, ProbeBatchSize, Device(model));
                    // Same direction seed for every model: the directions differ only by each model's filter norms.
                    var options = new LandscapeOptions { Span = _options.LandscapeSpan, Points = 2 * _options.LandscapePoints - 1, Seed = 0 };
                    if (line is null)
                    {
                        line = LossLandscape.Line(model, probe, options, cancel);
                        if (cancel.IsCancellationRequested) return false;
                        LossLandscape.WriteCsv(line, linePath);
                    }
                    if (surface is null)
                    {
                        surface = LossLandscape.Surface(model, probe, options with { Points = _options.LandscapePoints }, cancel);
                        if (cancel.IsCancellationRequested) return false;
                        LossLandscape.WriteCsv(surface, surfacePath);
                    }
                }
                lines.Add((config.Label, line));
                surfaces.Add((config, surface));
                done++;
            }
        }
        finally
        {
            probe?.Dispose();
        }

        // One colour range and one set of contour levels for every surface, recomputed over all of them.
        var scale = SurfaceScale.Over(surfaces.Select(s => s.Surface));
        var drawn = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (config, surface) in surfaces)
        {
            string png = $"landscape_2d_{config.Id}.png";
            LandscapePlots.WriteSurface(Path.Combine(Store.LandscapeDirectory, png), surface,
                $"{config.Label}: training loss around the final weights (seed {seed})", scale);
            drawn.Add(png);
        }
        foreach (string stale in Directory.EnumerateFiles(Store.LandscapeDirectory, "landscape_2d_*.png").ToList())
            if (!drawn.Contains(Path.GetFileName(stale))) File.Delete(stale);
        StudyStore.Write(Path.Combine(Store.LandscapeDirectory, SurfaceScaleFile), scale);
        LandscapePlots.WriteLines(Path.Combine(Store.LandscapeDirectory, "landscape_1d.png"), lines,
            "Training loss along one filter-normalised random direction (seed " + seed.ToString(CultureInfo.InvariantCulture) + ")");
        Report("landscapes", done, configs.Count, "", 0);
        return true;
    }

    private nn.Module<Tensor, Tensor> LoadModel(StudyConfig config, long seed)
    {
        var train = _data.Train;
        var model = ModelZoo.Create(_options.Model, train.Channels, train.Classes, train.ImageSize, seed);
        try
        {
            model.load(Store.ModelPath(config.Id, seed));
            model.to(ComputeDevice.Parse(_options.Device));
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static Device Device(nn.Module<Tensor, Tensor> model) => model.parameters().First().device;

    /// <summary>A landscape CSV written earlier, or null when absent, unreadable or of the other kind (then it is recomputed).</summary>
    private static Landscape? ReadLandscape(string path, bool surface)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var landscape = LossLandscape.ReadCsv(path);
            return landscape.IsSurface == surface ? landscape : null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }
}

/// <summary>
/// How a run's λ_max was measured (<see cref="StudyRunner.EigenFile"/>, next to sharpness.json):
/// the method and its settings, so that a study re-measures runs measured otherwise, and the
/// convergence figures of <see cref="EigenEstimate"/>.
/// </summary>
public sealed record StudyEigen(
    string ConfigId, long Seed, EigenMethod Method, int MaxIterations, double Tolerance,
    double Eigenvalue, int Iterations, bool Converged, double RelativeResidual,
    double? Smallest, double? SmallestRelativeResidual, IReadOnlyList<double> History, double Seconds)
{
    public static StudyEigen From(string configId, long seed, StudyOptions options, EigenEstimate e, double seconds) =>
        new(configId, seed, e.Method, options.EigenIterations, options.EigenTolerance, e.Eigenvalue, e.Iterations, e.Converged,
            e.RelativeResidual, e.Smallest, e.SmallestRelativeResidual, e.History, seconds);

    /// <summary>Measured with the method, cap and tolerance of <paramref name="options"/>.</summary>
    public bool Matches(StudyOptions options) =>
        Method == options.EigenMethod && MaxIterations == options.EigenIterations && Tolerance == options.EigenTolerance;
}
