using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NoiseSam.Harness.Checkpoints;
using NoiseSam.Harness.IO;
using NoiseSam.Harness.Models;
using NoiseSam.Harness.Reports;
using NoiseSam.Harness.Sharpness;
using NoiseSam.Harness.Training;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Cli.Commands;

/// <summary>
/// <c>noisesam sharpness</c>: the Hessian's top eigenvalue, m-sharpness and filter-normalised
/// loss landscapes of a saved model (docs/sharpness.md).
/// </summary>
internal static class SharpnessCommand
{
    public const string JsonName = "sharpness.json";
    public const string LineCsv = "landscape_1d.csv";
    public const string LinePng = "landscape_1d.png";
    public const string SurfaceCsv = "landscape_2d.csv";
    public const string SurfacePng = "landscape_2d.png";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly string[] LandscapeKinds = ["none", "1d", "2d", "both"];
    private static readonly string[] EigenMethods = ["lanczos", "power"];

    public static Command Create(CliContext context)
    {
        var modelFile = new Option<string>("--model-file", "-f")
        {
            Description = "The model: a file written by 'noisesam train --save-model' (TorchSharp module.save) or a checkpoint (last.ckpt).",
            HelpName = "path",
            Required = true,
        };
        var model = CommonOptions.Model();
        var data = CommonOptions.Data();
        var dataDir = CommonOptions.DataDir();
        var samples = new Option<int>("--samples", "-n") { Description = "Training samples of the probe (the first N of the training split).", DefaultValueFactory = _ => 1024 };
        var batch = new Option<int>("--batch-size", "-b") { Description = "Samples per forward pass.", DefaultValueFactory = _ => 256 };
        var eigenMethod = new Option<string>("--eigen-method")
        {
            Description = "How λ_max is found: lanczos (largest algebraic eigenvalue, stopped on its residual bound; also the smallest Ritz value) " +
                          "or power (power iteration: the eigenvalue of largest magnitude, stopped when it changes little).",
            DefaultValueFactory = _ => "lanczos",
        };
        var iterations = new Option<int>("--iterations")
        {
            Description = "Lanczos steps or power iterations at most (one Hessian-vector product each; Lanczos keeps one model-sized vector per step).",
            DefaultValueFactory = _ => 60,
        };
        var tolerance = new Option<double>("--tolerance")
        {
            Description = "Lanczos: stop when the residual bound |β·s| of the top Ritz pair is at most this times |λ|. Power: stop when λ changes by less than this, relatively.",
            DefaultValueFactory = _ => 1e-3,
        };
        var landscape = new Option<string>("--landscape") { Description = "Loss landscapes to draw: none, 1d, 2d or both.", DefaultValueFactory = _ => "both" };
        var span = new Option<double>("--span") { Description = "Landscape coordinates run over [-span, span].", DefaultValueFactory = _ => 1.0 };
        var points = new Option<int>("--points") { Description = "Landscape points per axis (odd; the 2-D grid has points² evaluations).", DefaultValueFactory = _ => 21 };
        var rho = new Option<double>("--rho") { Description = "Radius of the m-sharpness ascent step.", DefaultValueFactory = _ => 0.05 };
        var m = new Option<int>("--m") { Description = "Samples per m-sharpness chunk.", DefaultValueFactory = _ => 128 };
        var seed = new Option<long>("--seed", "-s") { Description = "Seed of the eigenvalue method's start vector and the landscape directions.", DefaultValueFactory = _ => 0 };
        var threads = CommonOptions.Threads();
        var device = CommonOptions.Device();
        var output = new Option<string?>("--out", "-o") { Description = "Output directory (default ./runs/sharpness-<timestamp>).", HelpName = "dir" };

        var command = new Command("sharpness",
            "Sharpness of a saved model: Hessian top eigenvalue (Lanczos or power iteration), m-sharpness and filter-normalised 1-D/2-D loss landscapes (CSV, PNG).");
        foreach (var o in new Option[] { modelFile, model, data, dataDir, samples, batch, eigenMethod, iterations, tolerance, landscape, span, points, rho, m, seed, threads, device, output })
            command.Options.Add(o);

        command.SetAction(parse => CliApp.Guard(context, () =>
        {
            string file = parse.GetValue(modelFile)!;
            if (!File.Exists(file)) throw new UsageException($"--model-file: no such file '{file}'");
            string modelName = CommonOptions.ModelName(parse.GetValue(model)!);
            string dataName = CommonOptions.DataName(parse.GetValue(data)!);
            string? dir = parse.GetValue(dataDir);
            CommonOptions.DataDirectory(dir);
            int sampleCount = CommonOptions.Positive(parse.GetValue(samples), "--samples");
            int batchSize = CommonOptions.Positive(parse.GetValue(batch), "--batch-size");
            string methodName = (parse.GetValue(eigenMethod) ?? "").Trim().ToLowerInvariant();
            if (!EigenMethods.Contains(methodName))
                throw new UsageException($"--eigen-method must be one of {string.Join(", ", EigenMethods)} (got '{parse.GetValue(eigenMethod)}')");
            var eigenSettings = new EigenSettings(
                methodName == "power" ? EigenMethod.Power : EigenMethod.Lanczos,
                CommonOptions.Positive(parse.GetValue(iterations), "--iterations"),
                NonNegative(parse.GetValue(tolerance), "--tolerance"),
                parse.GetValue(seed));
            string kind = (parse.GetValue(landscape) ?? "").Trim().ToLowerInvariant();
            if (!LandscapeKinds.Contains(kind))
                throw new UsageException($"--landscape must be one of {string.Join(", ", LandscapeKinds)} (got '{parse.GetValue(landscape)}')");
            double spanValue = parse.GetValue(span);
            if (!double.IsFinite(spanValue) || spanValue <= 0)
                throw new UsageException($"--span must be a positive number (got {spanValue.ToString(Inv)})");
            int pointCount = parse.GetValue(points);
            if (pointCount < 3 || pointCount % 2 == 0)
                throw new UsageException($"--points must be odd and at least 3, so that the model itself is on the grid (got {pointCount.ToString(Inv)})");
            var grid = new LandscapeOptions { Span = spanValue, Points = pointCount, Seed = parse.GetValue(seed) };
            double rhoValue = NonNegative(parse.GetValue(rho), "--rho");
            int chunk = CommonOptions.Positive(parse.GetValue(m), "--m");
            int threadCount = CommonOptions.ThreadCount(parse.GetValue(threads));
            string deviceName = CommonOptions.DeviceName(parse.GetValue(device)!);
            string outDir = parse.GetValue(output) ?? Path.Combine("runs", $"sharpness-{DateTime.Now.ToString("yyyyMMdd-HHmmss", Inv)}");
            CommonOptions.OutputFolder(outDir, "--out");
            using var outLock = CommonOptions.LockReportFolder(context, outDir, "--out");

            torch.set_num_threads(threadCount);
            var target = ComputeDevice.Parse(deviceName);
            using var split = CommonOptions.LoadData(context, dataName, dir, sampleCount, 1);
            var train = split.Train;
            using var net = LoadModel(file, modelName, train.Channels, train.Classes, train.ImageSize);
            net.to(target);
            using var probe = LossProbe.FromDataset(train, sampleCount, batchSize, target);
            context.Console.WriteLine(string.Create(Inv,
                $"Sharpness of {Path.GetFileName(file)} ({modelName}) on the first {probe.Samples} {dataName} training samples " +
                $"(batches of {batchSize}), {threadCount} thread(s), device {deviceName}. Output: {Path.GetFullPath(outDir)}"));

            var report = Measure(context, net, probe, eigenSettings, rhoValue, chunk, kind, grid);

            // Written into a staging folder and swapped in whole: never one run's JSON next to another's plots.
            context.Console.Write(ResultTable(report, eigenSettings, rhoValue, chunk));
            var files = CommonOptions.WriteReport(outDir, "--out", () => ReportFolder.Replace(outDir, staging =>
            {
                if (report.Line is { } line)
                {
                    LossLandscape.WriteCsv(line, Path.Combine(staging, LineCsv));
                    LandscapePlots.WriteLines(Path.Combine(staging, LinePng), [(Path.GetFileName(file), line)],
                        $"Loss along a filter-normalised direction ({modelName}, {probe.Samples} samples)");
                }
                if (report.Surface is { } surface)
                {
                    LossLandscape.WriteCsv(surface, Path.Combine(staging, SurfaceCsv));
                    LandscapePlots.WriteSurface(Path.Combine(staging, SurfacePng), surface,
                        $"Loss surface, filter-normalised directions ({modelName}, {probe.Samples} samples)");
                }
                WriteJson(Path.Combine(staging, JsonName), new
                {
                    modelFile = Path.GetFullPath(file),
                    model = modelName,
                    data = dataName,
                    samples = probe.Samples,
                    batchSize,
                    device = deviceName,
                    threads = threadCount,
                    seed = eigenSettings.Seed,
                    probeLoss = report.ProbeLoss,
                    hessian = new
                    {
                        method = MethodName(report.Eigen.Method),
                        topEigenvalue = report.Eigen.Eigenvalue,
                        iterations = report.Eigen.Iterations,
                        converged = report.Eigen.Converged,
                        relativeResidual = report.Eigen.RelativeResidual,
                        smallestEigenvalue = report.Eigen.Smallest,
                        smallestRelativeResidual = report.Eigen.SmallestRelativeResidual,
                        dominantEigenvalue = report.Eigen.Dominant,
                        maxIterations = eigenSettings.MaxIterations,
                        tolerance = eigenSettings.Tolerance,
                        history = report.Eigen.History,
                        residualHistory = report.Eigen.ResidualHistory,
                        seconds = report.EigenSeconds,
                        secondsPerIteration = report.EigenSeconds / report.Eigen.Iterations,
                    },
                    mSharpness = new { value = report.MSharpness, rho = rhoValue, m = chunk, seconds = report.MSharpnessSeconds },
                    landscape = kind == "none" ? null : new
                    {
                        span = grid.Span,
                        points = grid.Points,
                        line = report.Line is null ? null : new { csv = LineCsv, png = LinePng, seconds = report.LineSeconds },
                        surface = report.Surface is null ? null : new { csv = SurfaceCsv, png = SurfacePng, seconds = report.SurfaceSeconds },
                    },
                });
            })).Select(Path.GetFileName).OrderBy(f => f == JsonName ? 0 : 1).ToList();

            if (!report.Eigen.Converged)
                context.Note(string.Create(Inv,
                    $"warning: λ_max did not converge: {MethodName(report.Eigen.Method)} stopped at its cap of {eigenSettings.MaxIterations} iterations with a relative residual of " +
                    $"{report.Eigen.RelativeResidual:G3} (tolerance {eigenSettings.Tolerance:G3}); the estimate {report.Eigen.Eigenvalue:G6} is then only a lower bound (in magnitude). " +
                    $"Raise --iterations."));
            context.Console.WriteLine($"Wrote {string.Join(", ", files)} to {Path.GetFullPath(outDir)}");
            return ExitCodes.Success;
        }));
        return command;
    }

    private sealed record Report(double ProbeLoss, EigenEstimate Eigen, double EigenSeconds, double MSharpness, double MSharpnessSeconds,
        Landscape? Line, double LineSeconds, Landscape? Surface, double SurfaceSeconds);

    /// <summary>The eigenvalue method and its cap, tolerance and seed.</summary>
    private sealed record EigenSettings(EigenMethod Method, int MaxIterations, double Tolerance, long Seed);

    private static string MethodName(EigenMethod method) => method == EigenMethod.Power ? "power" : "lanczos";

    private static Report Measure(CliContext context, nn.Module<Tensor, Tensor> net, LossProbe probe, EigenSettings eigenSettings,
        double rho, int chunk, string kind, LandscapeOptions grid)
    {
        var cancel = context.Cancel;
        double probeLoss = probe.Loss(net);
        EigenEstimate eigen = null!;
        double mSharpness = 0, eigenSeconds = 0, mSeconds = 0, lineSeconds = 0, surfaceSeconds = 0;
        Landscape? line = null, surface = null;
        bool wantLine = kind is "1d" or "both", wantSurface = kind is "2d" or "both";
        int chunks = (probe.Samples + chunk - 1) / chunk;
        PhaseDisplay.Show(context, display =>
        {
            var eigenTask = display.Add($"Hessian top eigenvalue ({MethodName(eigenSettings.Method)})", eigenSettings.MaxIterations);
            var mTask = display.Add(string.Create(Inv, $"m-sharpness (ρ = {rho}, m = {chunk})"), chunks, start: false);
            var lineTask = wantLine ? display.Add(string.Create(Inv, $"1-D landscape ({grid.Points} points)"), grid.Points, start: false) : null;
            var surfaceTask = wantSurface ? display.Add(string.Create(Inv, $"2-D landscape ({grid.Points}×{grid.Points} points)"), grid.Points * grid.Points, start: false) : null;

            eigenTask.Start();
            var watch = Stopwatch.StartNew();
            eigen = HessianEigen.Estimate(net, probe, eigenSettings.Method, eigenSettings.MaxIterations, eigenSettings.Tolerance, eigenSettings.Seed,
                (k, lambda) => eigenTask.Update(k, string.Create(Inv, $"Hessian top eigenvalue · iteration {k} · λ ≈ {lambda:G5}")), cancel);
            eigenSeconds = watch.Elapsed.TotalSeconds;
            eigenTask.Stop(string.Create(Inv,
                $"Hessian top eigenvalue · λ = {eigen.Eigenvalue:G5} after {eigen.Iterations} iteration(s){(eigen.Converged ? "" : ", not converged")}"));

            mTask.Start();
            watch.Restart();
            mSharpness = MSharpness.Compute(net, probe, rho, chunk, (done, _) => mTask.Update(done), cancel);
            mSeconds = watch.Elapsed.TotalSeconds;
            mTask.Stop();

            if (lineTask is not null)
            {
                lineTask.Start();
                watch.Restart();
                line = LossLandscape.Line(net, probe, grid, (done, _) => lineTask.Update(done), cancel);
                lineSeconds = watch.Elapsed.TotalSeconds;
                lineTask.Stop();
            }
            if (surfaceTask is not null)
            {
                surfaceTask.Start();
                watch.Restart();
                surface = LossLandscape.Surface(net, probe, grid, (done, _) => surfaceTask.Update(done), cancel);
                surfaceSeconds = watch.Elapsed.TotalSeconds;
                surfaceTask.Stop();
            }
        });
        return new Report(probeLoss, eigen, eigenSeconds, mSharpness, mSeconds, line, lineSeconds, surface, surfaceSeconds);
    }

    /// <summary>
    /// Builds <paramref name="modelName"/> for the data's shape and loads the file into it: a
    /// checkpoint (magic "NSAMCKPT") or a <c>module.save</c> file.
    /// </summary>
    private static nn.Module<Tensor, Tensor> LoadModel(string file, string modelName, int channels, int classes, int imageSize)
    {
        byte[]? state = null;
        if (IsCheckpoint(file))
        {
            var (header, payload) = CheckpointFile.Read(file);
            if (!string.Equals(header.Model, modelName, StringComparison.OrdinalIgnoreCase))
                throw new UsageException($"--model-file: the checkpoint '{file}' holds a {header.Model} model, not {modelName}; pass --model {header.Model}");
            state = payload.ModelState;
        }
        var net = ModelZoo.Create(modelName, channels, classes, imageSize, seed: 0);
        try
        {
            if (state is null) net.load(file);
            else
            {
                using var ms = new MemoryStream(state, writable: false);
                net.load(ms);
            }
            return net;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            net.Dispose();
            throw new InvalidDataException(
                $"model file '{file}' does not load into {modelName} ({channels}×{imageSize}×{imageSize} input, {classes} classes): {CliApp.OneLine(e.Message)}");
        }
    }

    private static bool IsCheckpoint(string file)
    {
        using var stream = File.OpenRead(file);
        Span<byte> magic = stackalloc byte[8];
        return stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false) == magic.Length && magic.SequenceEqual(CheckpointFile.Magic);
    }

    private static double NonNegative(double value, string option)
    {
        if (!double.IsFinite(value) || value < 0) throw new UsageException($"{option} must be a finite number ≥ 0 (got {value.ToString(Inv)})");
        return value;
    }

    private static void WriteJson(string path, object value)
    {
        var options = new JsonSerializerOptions
        {
            WriteIndented = true,
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        };
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(value, options) + "\n");
    }

    private static Table ResultTable(Report r, EigenSettings eigenSettings, double rho, int chunk)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("Sharpness");
        table.AddColumn("Figure");
        table.AddColumn(new TableColumn("Value").RightAligned());
        table.AddColumn(new TableColumn("s").RightAligned());
        table.AddRow("probe loss (mean cross-entropy)", r.ProbeLoss.ToString("F5", Inv), "");
        table.AddRow("Hessian top eigenvalue λ_max", r.Eigen.Eigenvalue.ToString("G6", Inv), r.EigenSeconds.ToString("F1", Inv));
        table.AddRow(r.Eigen.Method == EigenMethod.Power ? "power iterations" : "Lanczos steps", string.Create(Inv,
            $"{r.Eigen.Iterations} of {eigenSettings.MaxIterations}, {(r.Eigen.Converged ? "converged" : "NOT converged")}"), "");
        table.AddRow("relative residual ‖Hy − λy‖/|λ|", r.Eigen.RelativeResidual.ToString("G3", Inv), "");
        if (r.Eigen.Smallest is double smallest)
            table.AddRow("smallest Ritz value (most negative end)", string.Create(Inv,
                $"{smallest:G6} (residual {r.Eigen.SmallestRelativeResidual ?? double.NaN:G3})"), "");
        table.AddRow(Markup.Escape(string.Create(Inv, $"m-sharpness (ρ = {rho}, m = {chunk})")), r.MSharpness.ToString("G6", Inv),
            r.MSharpnessSeconds.ToString("F1", Inv));
        if (r.Line is { } line)
            table.AddRow("1-D landscape: max loss − center", (Max(line.Loss) - line.CenterLoss).ToString("G6", Inv), r.LineSeconds.ToString("F1", Inv));
        if (r.Surface is { } surface)
            table.AddRow("2-D landscape: max loss − center", (Max(surface.Loss) - surface.CenterLoss).ToString("G6", Inv), r.SurfaceSeconds.ToString("F1", Inv));
        return table;
    }

    private static double Max(double[,] values) => values.Cast<double>().Max();
}
