using NoiseSam.Harness.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Tests.Data;

public class AugmentationTests
{
    private static bool Same(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape)) return false;
        using var eq = a.eq(b);
        using var all = eq.all();
        return all.item<bool>();
    }

    /// <summary>Hand-computed crop + flip of one sample: padded pixel (r, c) → value or fill.</summary>
    private static float Expected(float[] x, int c, int h, int w, int sample, int ch, int i, int j, int pad, int oy, int ox, bool flip, float fill)
    {
        int pr = oy + i;
        int pc = ox + (flip ? w - 1 - j : j);
        int r = pr - pad, col = pc - pad;
        if (r < 0 || r >= h || col < 0 || col >= w) return fill;
        return x[((sample * c + ch) * h + r) * w + col];
    }

    [Fact]
    public void CropFlipMatchesAHandComputedWindow()
    {
        const int b = 4, c = 2, h = 5, w = 6, pad = 2;
        var values = Enumerable.Range(0, b * c * h * w).Select(v => (float)v + 1).ToArray();
        using var x = torch.tensor(values, [b, c, h, w]);
        long[] oy = [0, 4, 2, 1], ox = [4, 0, 2, 3];
        long[] flip = [0, 1, 1, 0];
        float[] fill = [-7f, -9f];
        using var toy = torch.tensor(oy);
        using var tox = torch.tensor(ox);
        using var tflip = torch.tensor(flip);

        using var y = Augmentation.CropFlip(x, pad, toy, tox, tflip, fill);

        Assert.Equal(new long[] { b, c, h, w }, y.shape);
        var got = y.data<float>().ToArray();
        for (int s = 0; s < b; s++)
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < w; j++)
                        Assert.Equal(Expected(values, c, h, w, s, ch, i, j, pad, (int)oy[s], (int)ox[s], flip[s] != 0, fill[ch]),
                            got[((s * c + ch) * h + i) * w + j]);
        // Sample 2 is centred and flipped: a pure mirror image.
        Assert.Equal(values[((2 * c) * h) * w + (w - 1)], got[((2 * c) * h) * w]);
    }

    [Fact]
    public void ZeroPaddingWithoutFill()
    {
        using var x = torch.ones(1, 1, 3, 3);
        using var oy = torch.tensor(new long[] { 0 });
        using var ox = torch.tensor(new long[] { 0 });
        using var flip = torch.tensor(new long[] { 0 });

        using var y = Augmentation.CropFlip(x, 1, oy, ox, flip);

        Assert.Equal(new float[] { 0, 0, 0, 0, 1, 1, 0, 1, 1 }, y.data<float>().ToArray());
    }

    [Fact]
    public void RandomCropFlipDrawsValidWindowsReproducibly()
    {
        const int b = 64, c = 3, side = 8, pad = 4;
        var values = Enumerable.Range(0, b * c * side * side).Select(v => (float)v + 1).ToArray();
        using var x = torch.tensor(values, [b, c, side, side]);
        float[] fill = [-1f, -2f, -3f];

        using var g1 = new Generator(99);
        using var y1 = Augmentation.RandomCropFlip(x, pad, g1, fill);
        using var g2 = new Generator(99);
        using var y2 = Augmentation.RandomCropFlip(x, pad, g2, fill);

        Assert.Equal(new long[] { b, c, side, side }, y1.shape);
        Assert.True(Same(y1, y2));
        var got = y1.data<float>().ToArray();
        int flipped = 0, shifted = 0;
        var offsets = new HashSet<(int, int)>();
        for (int s = 0; s < b; s++)
        {
            var match = FindWindow(values, got, s, c, side, pad, fill);
            Assert.True(match.HasValue, $"sample {s} is no crop/flip of its input");
            var (oy, ox, flip) = match.Value;
            if (flip) flipped++;
            if (oy != pad || ox != pad) shifted++;
            offsets.Add((oy, ox));
        }
        // 64 fair coins and 81 offsets: both really vary.
        Assert.InRange(flipped, 10, 54);
        Assert.True(shifted > 50);
        Assert.True(offsets.Count > 20);
    }

    private static (int, int, bool)? FindWindow(float[] x, float[] y, int s, int c, int side, int pad, float[] fill)
    {
        for (int oy = 0; oy <= 2 * pad; oy++)
            for (int ox = 0; ox <= 2 * pad; ox++)
                foreach (bool flip in new[] { false, true })
                {
                    bool ok = true;
                    for (int ch = 0; ch < c && ok; ch++)
                        for (int i = 0; i < side && ok; i++)
                            for (int j = 0; j < side && ok; j++)
                                ok = Expected(x, c, side, side, s, ch, i, j, pad, oy, ox, flip, fill[ch]) == y[((s * c + ch) * side + i) * side + j];
                    if (ok) return (oy, ox, flip);
                }
        return null;
    }

    [Fact]
    public void LoaderAugmentsReproduciblyPerEpochAndPadsWithBlack()
    {
        using var scope = torch.NewDisposeScope();
        const int n = 32, side = 8;
        using var g = new Generator(11);
        var images = torch.rand([n, 3, side, side], generator: g);
        var labels = torch.arange(0, n, 1, ScalarType.Int64).remainder(10L);
        using var data = new TensorDataset("rand", images, labels, 10, [0.5f, 0.4f, 0.3f], [0.25f, 0.2f, 0.1f]);
        var plain = new BatchLoader(data, n, shuffle: false, seed: 5);
        var aug = new BatchLoader(data, n, shuffle: false, seed: 5, augment: true);

        var (x0, _) = plain.Epoch(0).Single();
        var (a0, _) = aug.Epoch(0).Single();
        var (a0Again, _) = aug.Epoch(0).Single();
        var (a1, _) = aug.Epoch(1).Single();

        Assert.Equal(x0.shape, a0.shape);
        Assert.True(Same(a0, a0Again));
        Assert.False(Same(a0, a1));
        Assert.False(Same(a0, x0));
        // Every augmented sample is a window of its own image padded with −mean/std (a black pixel).
        var xs = x0.data<float>().ToArray();
        var ys = a0.data<float>().ToArray();
        float[] fill = [-0.5f / 0.25f, -0.4f / 0.2f, -0.3f / 0.1f];
        for (int s = 0; s < n; s++)
            Assert.NotNull(FindWindow(xs, ys, s, 3, side, BatchLoader.CropPadding, fill));
    }
}
