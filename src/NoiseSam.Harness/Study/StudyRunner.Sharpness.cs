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

    /// <summary>Measures the top Hessian eigenvalue and m-sharpness of every trained model that has none yet.</summary>
    public bool MeasureAll(CancellationToken cancel = default)
    {
        var pending = Runs.Where(r => Store.LoadRun(r.Config.Id, r.Seed, Fingerprint(r.Config)) is not null).ToList();
        int done = 0, skipped = 0;
        LossProbe? probe = null;
        try
        {
            foreach (var (config, seed) in pending)
            {
                if (cancel.IsCancellationRequested) return false;
                if (Store.LoadSharpness(config.Id, seed) is not null)
                {
                    done++;
                    skipped++;
                    continue;
                }
                Report("sharpness", done, pending.Count, $"{config.Label} seed {seed}", skipped);
                var watch = System.Diagnostics.Stopwatch.StartNew();
                using var model = LoadModel(config, seed);
                probe ??= LossProbe.FromDataset(_data.Train, _options.ProbeSamples, ProbeBatchSize, Device(model));
                var eigen = HessianEigen.TopEigenvalue(model, probe,
                    new PowerIterationOptions { MaxIterations = _options.EigenIterations, Tolerance = _options.EigenTolerance, Seed = seed }, cancel);
                if (cancel.IsCancellationRequested) return false;
                double sharp = MSharpness.Compute(model, probe, _options.SharpnessRho, _options.SharpnessM, cancel);
                double loss = probe.Loss(model);
                Store.SaveSharpness(new StudySharpness(config.Id, seed, eigen.Eigenvalue, eigen.Iterations, eigen.Converged,
                    sharp, loss, watch.Elapsed.TotalSeconds));
                done++;
                _callbacks.Message?.Invoke(string.Create(CultureInfo.InvariantCulture,
                    $"{config.Label} seed {seed}: λ_max {eigen.Eigenvalue:F2} ({eigen.Iterations} it.{(eigen.Converged ? "" : ", not converged")}), " +
                    $"m-sharpness {sharp:F4}, probe loss {loss:F4} ({done}/{pending.Count})"));
            }
        }
        finally
        {
            probe?.Dispose();
        }
        Report("sharpness", done, pending.Count, "", skipped);
        return true;
    }

    /// <summary>
    /// The configurations whose landscapes are drawn (first seed): SGD, SAM, MBS at the smallest
    /// fraction, and the most accurate noisy run at that fraction, where they have finished.
    /// </summary>
    public IReadOnlyList<StudyConfig> LandscapeConfigs()
    {
        var summary = Summarise();
        var picks = new List<StudyConfig>();
        void Add(StudyConfig? c)
        {
            if (c is not null && !picks.Contains(c)) picks.Add(c);
        }
        Add(summary.FirstOrDefault(s => s.Config.Group == StudyGroup.Baseline && s.Config.Descriptor.Policy == Dsl.SchedulePolicy.Never)?.Config);
        var sweep = summary.Where(s => s.Config.Group == StudyGroup.Sweep).ToList();
        Add(sweep.FirstOrDefault(s => s.Config.Fraction == 1 && s.Config.Sigma == 0)?.Config);
        if (sweep.Where(s => s.Config.Fraction < 1).Select(s => s.Config.Fraction).DefaultIfEmpty(1).Min() is double fmin && fmin < 1)
        {
            Add(sweep.FirstOrDefault(s => s.Config.Fraction == fmin && s.Config.Sigma == 0)?.Config);
            Add(sweep.Where(s => s.Config.Fraction == fmin && s.Config.Sigma > 0).OrderByDescending(s => s.Accuracy.Mean).FirstOrDefault()?.Config);
        }
        return picks;
    }

    /// <summary>1-D and 2-D filter-normalised landscapes of <see cref="LandscapeConfigs"/>, as CSV and PNG; finished ones are reused.</summary>
    public bool DrawLandscapes(CancellationToken cancel = default)
    {
        var configs = LandscapeConfigs();
        if (configs.Count == 0) return true;
        long seed = _options.Seeds[0];
        Directory.CreateDirectory(Store.LandscapeDirectory);
        var lines = new List<(string Label, Landscape Line)>();
        LossProbe? probe = null;
        int done = 0;
        try
        {
            foreach (var config in configs)
            {
                if (cancel.IsCancellationRequested) return false;
                string linePath = Path.Combine(Store.LandscapeDirectory, $"{config.Id}.line.csv");
                string surfacePath = Path.Combine(Store.LandscapeDirectory, $"{config.Id}.surface.csv");
                string surfacePng = Path.Combine(Store.LandscapeDirectory, $"landscape_2d_{config.Id}.png");
                var line = ReadLine(linePath);
                if (line is null || !File.Exists(surfacePath) || !File.Exists(surfacePng))
                {
                    Report("landscapes", done, configs.Count, $"{config.Label} seed {seed}", 0);
                    using var model = LoadModel(config, seed);
                    probe ??= LossProbe.FromDataset(_data.Train, _options.ProbeSamples, ProbeBatchSize, Device(model));
                    // Same direction seed for every model: the directions differ only by each model's filter norms.
                    var options = new LandscapeOptions { Span = _options.LandscapeSpan, Points = 2 * _options.LandscapePoints - 1, Seed = 0 };
                    line = LossLandscape.Line(model, probe, options, cancel);
                    if (cancel.IsCancellationRequested) return false;
                    LossLandscape.WriteCsv(line, linePath);
                    var surface = LossLandscape.Surface(model, probe, options with { Points = _options.LandscapePoints }, cancel);
                    if (cancel.IsCancellationRequested) return false;
                    LossLandscape.WriteCsv(surface, surfacePath);
                    LandscapePlots.WriteSurface(surfacePng, surface, $"{config.Label}: training loss around the final weights (seed {seed})");
                }
                lines.Add((config.Label, line));
                done++;
            }
            LandscapePlots.WriteLines(Path.Combine(Store.LandscapeDirectory, "landscape_1d.png"), lines,
                "Training loss along one filter-normalised random direction (seed " + seed.ToString(CultureInfo.InvariantCulture) + ")");
        }
        finally
        {
            probe?.Dispose();
        }
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

    /// <summary>A 1-D landscape CSV ("alpha,loss") written earlier, or null when absent or unreadable (then it is recomputed).</summary>
    private static Landscape? ReadLine(string path)
    {
        if (!File.Exists(path)) return null;
        var xs = new List<double>();
        var ys = new List<double>();
        foreach (string row in File.ReadLines(path).Skip(1))
        {
            var cells = row.Split(',');
            if (cells.Length != 2
                || !double.TryParse(cells[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double x)
                || !double.TryParse(cells[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double y)) return null;
            xs.Add(x);
            ys.Add(y);
        }
        if (xs.Count == 0) return null;
        var loss = new double[xs.Count, 1];
        for (int i = 0; i < xs.Count; i++) loss[i, 0] = ys[i];
        int center = xs.FindIndex(x => x == 0);
        return new Landscape(xs, null, loss, center < 0 ? double.NaN : ys[center]);
    }
}
