using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Data;

/// <summary>
/// Standard CIFAR augmentation — random crop with zero padding (of the raw image) and random
/// horizontal flip, independently per sample — vectorised over the batch: pad once, then two
/// gathers with per-sample row and column indices (the flip is folded into the column indices).
/// </summary>
public static class Augmentation
{
    /// <summary>
    /// Random crop (padding <paramref name="padding"/> on each side, crop back to the input size)
    /// and horizontal flip with probability ½, drawn per sample from <paramref name="generator"/>.
    /// </summary>
    /// <param name="batch">images (B, C, H, W) on any device.</param>
    /// <param name="padding">pixels of padding on each side.</param>
    /// <param name="generator">a CPU generator; the same generator state gives the same result.</param>
    /// <param name="fill">per-channel padding value (normalised value of a black pixel); null pads with 0.</param>
    public static Tensor RandomCropFlip(Tensor batch, int padding, Generator generator, IReadOnlyList<float>? fill = null)
    {
        long b = batch.shape[0];
        using var scope = torch.NewDisposeScope();
        var offY = torch.randint(0, 2 * padding + 1, [b], dtype: ScalarType.Int64, generator: generator);
        var offX = torch.randint(0, 2 * padding + 1, [b], dtype: ScalarType.Int64, generator: generator);
        var flip = torch.randint(0, 2, [b], dtype: ScalarType.Int64, generator: generator);
        return CropFlip(batch, padding, offY, offX, flip, fill).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The deterministic core of <see cref="RandomCropFlip"/>: sample i is the H×W window at
    /// (offsetY[i], offsetX[i]) of the padded image, mirrored left–right where flip[i] ≠ 0.
    /// </summary>
    /// <param name="batch">images (B, C, H, W).</param>
    /// <param name="padding">pixels of padding on each side.</param>
    /// <param name="offsetY">int64 (B), each in [0, 2·padding].</param>
    /// <param name="offsetX">int64 (B), each in [0, 2·padding].</param>
    /// <param name="flip">int64 or bool (B): non-zero flips the crop horizontally.</param>
    /// <param name="fill">per-channel padding value; null pads with 0.</param>
    public static Tensor CropFlip(Tensor batch, int padding, Tensor offsetY, Tensor offsetX, Tensor flip, IReadOnlyList<float>? fill = null)
    {
        if (batch.dim() != 4) throw new ArgumentException("batch must be (B, C, H, W)", nameof(batch));
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding));
        long b = batch.shape[0], c = batch.shape[1], h = batch.shape[2], w = batch.shape[3];
        var device = batch.device;
        using var scope = torch.NewDisposeScope();

        // Padded batch (B, C, H + 2p, W + 2p) filled with the per-channel padding value.
        Tensor padded;
        if (fill is null)
        {
            padded = torch.zeros([b, c, h + 2 * padding, w + 2 * padding], batch.dtype, device);
        }
        else
        {
            if (fill.Count != c) throw new ArgumentException($"fill needs {c} values (one per channel)", nameof(fill));
            var fillT = torch.tensor(fill.ToArray(), [1, c, 1, 1]).to(batch.dtype, device);
            padded = fillT.expand(b, c, h + 2 * padding, w + 2 * padding).contiguous();
        }
        padded.narrow(2, padding, h).narrow(3, padding, w).copy_(batch);

        var oy = offsetY.to(ScalarType.Int64, device).view(b, 1);
        var ox = offsetX.to(ScalarType.Int64, device).view(b, 1);
        var doFlip = flip.to(device).ne(torch.zeros(1, flip.dtype, device)).view(b, 1);
        var ar = torch.arange(0, h, 1, ScalarType.Int64, device).view(1, h);
        var ac = torch.arange(0, w, 1, ScalarType.Int64, device).view(1, w);
        var rows = oy + ar;                                       // (B, H)
        var cols = torch.where(doFlip, ox + ac.flip(1), ox + ac); // (B, W)

        var rowIndex = rows.view(b, 1, h, 1).expand(b, c, h, w + 2 * padding);
        var cropped = padded.gather(2, rowIndex);                 // (B, C, H, W + 2p)
        var colIndex = cols.view(b, 1, 1, w).expand(b, c, h, w);
        var result = cropped.gather(3, colIndex);                 // (B, C, H, W)
        return result.MoveToOuterDisposeScope();
    }
}
