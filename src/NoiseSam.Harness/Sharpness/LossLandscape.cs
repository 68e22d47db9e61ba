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
                            foreach (int i in moving)
                            {
                                var moved = backup[i].add(directions[0][i], alpha: a);
                                if (surface) moved = moved.add(directions[1][i], alpha: b);
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
}
