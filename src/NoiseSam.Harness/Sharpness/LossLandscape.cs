using System.Globalization;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Sharpness;

/// <summary>
/// 1-D and 2-D loss landscapes along filter-normalised random directions (Li, Xu, Taylor, Studer
/// &amp; Goldstein 2018, "Visualizing the Loss Landscape of Neural Nets"). For every weight tensor
/// with at least two dimensions the direction is a Gaussian draw rescaled, filter by filter
/// (dimension 0), to the norm of the model's filter; one-dimensional tensors (biases, batch-norm
/// weight and bias) get a zero direction ("ignore biasbn"). Batch-norm running statistics stay as
/// in the model (eval mode). The weights are restored bit-exactly afterwards.
/// </summary>
public static class LossLandscape
{
    /// <summary>Loss at w + α·d for α on the grid of <paramref name="options"/>.</summary>
    public static Landscape Line(nn.Module<Tensor, Tensor> model, LossProbe probe, LandscapeOptions options, CancellationToken cancel = default) =>
        Compute(model, probe, options, surface: false, progress: null, cancel);

    /// <summary><see cref="Line(nn.Module{Tensor, Tensor}, LossProbe, LandscapeOptions, CancellationToken)"/> with a callback (points done, points in all).</summary>
    public static Landscape Line(nn.Module<Tensor, Tensor> model, LossProbe probe, LandscapeOptions options, Action<int, int>? progress,
        CancellationToken cancel = default) =>
        Compute(model, probe, options, surface: false, progress, cancel);

    /// <summary>Loss at w + α·d₁ + β·d₂ for (α, β) on the square grid of <paramref name="options"/>; d₁ is the direction of <see cref="Line(nn.Module{Tensor, Tensor}, LossProbe, LandscapeOptions, CancellationToken)"/> with the same seed.</summary>
    public static Landscape Surface(nn.Module<Tensor, Tensor> model, LossProbe probe, LandscapeOptions options, CancellationToken cancel = default) =>
        Compute(model, probe, options, surface: true, progress: null, cancel);

    /// <summary><see cref="Surface(nn.Module{Tensor, Tensor}, LossProbe, LandscapeOptions, CancellationToken)"/> with a callback (points done, points in all).</summary>
    public static Landscape Surface(nn.Module<Tensor, Tensor> model, LossProbe probe, LandscapeOptions options, Action<int, int>? progress,
        CancellationToken cancel = default) =>
        Compute(model, probe, options, surface: true, progress, cancel);

    /// <summary>
    /// The <paramref name="count"/> filter-normalised directions that <see cref="Line(nn.Module{Tensor, Tensor}, LossProbe, LandscapeOptions, CancellationToken)"/>
    /// (the first) and <see cref="Surface(nn.Module{Tensor, Tensor}, LossProbe, LandscapeOptions, CancellationToken)"/> (the first two) use for
    /// <paramref name="model"/> and <see cref="LandscapeOptions.Seed"/>: one tensor per entry of
    /// <c>model.parameters()</c>, in order. The caller disposes them.
    /// </summary>
    public static IReadOnlyList<Tensor[]> Directions(nn.Module model, long seed, int count)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "at least one direction");
        var parameters = model.parameters().Cast<Tensor>().ToList();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var generator = new Generator(unchecked((ulong)seed) ^ 0xBB67AE8584CAA73BUL);
        var directions = new List<Tensor[]>();
        for (int k = 0; k < count; k++)
        {
            var d = new Tensor[parameters.Count];
            for (int i = 0; i < parameters.Count; i++)
                d[i] = FilterNormalized(parameters[i], generator).DetachFromDisposeScope();
            directions.Add(d);
        }
        return directions;
    }

    private static Tensor FilterNormalized(Tensor p, Generator generator)
    {
        if (p.dim() <= 1) return torch.zeros_like(p);
        var d = torch.randn(p.shape, p.dtype, generator: generator).to(p.device);
        long filters = p.shape[0];
        var w = p.detach().reshape(filters, -1);
        var r = d.reshape(filters, -1);
        var wNorm = w.square().sum(1, keepdim: true).sqrt();
        var rNorm = r.square().sum(1, keepdim: true).sqrt();
        return r.mul(wNorm.div(rNorm.add(1e-10))).reshape(p.shape);
    }

    private static Landscape Compute(nn.Module<Tensor, Tensor> model, LossProbe probe, LandscapeOptions options, bool surface,
        Action<int, int>? progress, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(options);
        var coordinates = options.Coordinates();
        var parameters = model.parameters().Cast<Tensor>().ToList();
        using var mode = EvalMode.Enter(model);
        double center = probe.LossInEvalMode(model);
        int n = coordinates.Count, columns = surface ? n : 1;
        var loss = new double[n, columns];
        var directions = Directions(model, options.Seed, surface ? 2 : 1);
        // Only tensors with a direction move; the others (1-D) keep their exact bits throughout.
        var moving = Enumerable.Range(0, parameters.Count).Where(i => parameters[i].dim() > 1).ToArray();
        using var backup = new WeightBackup(parameters);
        try
        {
            int done = 0, total = n * columns;
            for (int ix = 0; ix < n; ix++)
            {
                for (int iy = 0; iy < columns; iy++)
                {
                    cancel.ThrowIfCancellationRequested();
                    double a = coordinates[ix], b = surface ? coordinates[iy] : 0;
                    if (a == 0 && b == 0)
                        loss[ix, iy] = center; // w + 0·d = w: the model itself
                    else
                    {
                        using (var scope = torch.NewDisposeScope())
                        using (torch.no_grad())
                        {
                            using Scalar alphaA = a, alphaB = b;
                            foreach (int i in moving)
                            {
                                var moved = backup[i].add(directions[0][i], alpha: alphaA);
                                if (surface) moved = moved.add(directions[1][i], alpha: alphaB);
                                parameters[i].copy_(moved);
                            }
                        }
                        loss[ix, iy] = probe.LossInEvalMode(model);
                    }
                    progress?.Invoke(++done, total);
                }
            }
        }
        finally
        {
            backup.Restore();
            foreach (var d in directions)
                foreach (var t in d) t.Dispose();
        }
        return new Landscape(coordinates, surface ? coordinates : null, loss, center);
    }

    /// <summary>
    /// Writes <paramref name="landscape"/> as CSV (invariant culture, round-trip doubles): a line as
    /// "alpha,loss", a surface as "alpha,beta,loss" (α outer, β inner). The file is written to a
    /// temporary name beside <paramref name="path"/> and then moved over it.
    /// </summary>
    public static void WriteCsv(Landscape landscape, string path)
    {
        ArgumentNullException.ThrowIfNull(landscape);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        if (landscape.Y is { } ys)
        {
            sb.Append("alpha,beta,loss\n");
            for (int ix = 0; ix < landscape.X.Count; ix++)
                for (int iy = 0; iy < ys.Count; iy++)
                    sb.Append(inv, $"{landscape.X[ix]:R},{ys[iy]:R},{landscape.Loss[ix, iy]:R}\n");
        }
        else
        {
            sb.Append("alpha,loss\n");
            for (int ix = 0; ix < landscape.X.Count; ix++)
                sb.Append(inv, $"{landscape.X[ix]:R},{landscape.Loss[ix, 0]:R}\n");
        }
        IO.AtomicFile.WriteAllText(path, sb.ToString());
    }

    /// <summary>
    /// Reads a CSV written by <see cref="WriteCsv"/>: "alpha,loss" (a line) or "alpha,beta,loss"
    /// (a surface, α outer, β inner, a full grid). <see cref="Landscape.CenterLoss"/> is the loss at
    /// α = β = 0, NaN when the grid lacks that point.
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Another header, a malformed number, or rows that do not form a full grid.</exception>
    public static Landscape ReadCsv(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var rows = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        if (rows.Count < 2) throw new InvalidDataException($"{path}: no landscape rows");
        bool surface = rows[0] switch
        {
            "alpha,loss" => false,
            "alpha,beta,loss" => true,
            _ => throw new InvalidDataException($"{path}: the header must be 'alpha,loss' or 'alpha,beta,loss', not '{rows[0]}'"),
        };
        int width = surface ? 3 : 2;
        var cells = new List<double[]>();
        for (int r = 1; r < rows.Count; r++)
        {
            var parts = rows[r].Split(',');
            if (parts.Length != width) throw new InvalidDataException($"{path}: row {r + 1} has {parts.Length} cells, not {width}");
            var values = new double[width];
            for (int c = 0; c < width; c++)
                if (!double.TryParse(parts[c], NumberStyles.Float, CultureInfo.InvariantCulture, out values[c]))
                    throw new InvalidDataException($"{path}: row {r + 1}: '{parts[c]}' is not a number");
            cells.Add(values);
        }
        if (!surface)
        {
            var xs = cells.Select(v => v[0]).ToArray();
            var line = new double[xs.Length, 1];
            for (int i = 0; i < xs.Length; i++) line[i, 0] = cells[i][1];
            int center = Array.IndexOf(xs, 0.0);
            return new Landscape(xs, null, line, center < 0 ? double.NaN : line[center, 0]);
        }
        // β runs inside α: the first block of rows with the first α gives the β axis.
        int ny = cells.TakeWhile(v => v[0] == cells[0][0]).Count();
        if (cells.Count % ny != 0) throw new InvalidDataException($"{path}: {cells.Count} rows do not form a grid with {ny} β values");
        int nx = cells.Count / ny;
        var alphas = new double[nx];
        var betas = cells.Take(ny).Select(v => v[1]).ToArray();
        var loss = new double[nx, ny];
        for (int ix = 0; ix < nx; ix++)
        {
            alphas[ix] = cells[ix * ny][0];
            for (int iy = 0; iy < ny; iy++)
            {
                var v = cells[ix * ny + iy];
                if (v[0] != alphas[ix] || v[1] != betas[iy])
                    throw new InvalidDataException($"{path}: row {ix * ny + iy + 2} is ({v[0]}, {v[1]}), expected ({alphas[ix]}, {betas[iy]}) of an α-outer, β-inner grid");
                loss[ix, iy] = v[2];
            }
        }
        int cx = Array.IndexOf(alphas, 0.0), cy = Array.IndexOf(betas, 0.0);
        return new Landscape(alphas, betas, loss, cx < 0 || cy < 0 ? double.NaN : loss[cx, cy]);
    }
}
