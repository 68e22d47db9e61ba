using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Models;

/// <summary>
/// WideResNet-depth-k (Zagoruyko &amp; Komodakis 2016): a 3×3 convolution to 16 channels, three
/// groups of (depth − 4)/6 pre-activation blocks with 16k, 32k, 64k channels (strides 1, 2, 2),
/// then BN → ReLU → global average pooling → linear. No dropout.
/// </summary>
public sealed class WideResNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly Sequential block1;
    private readonly Sequential block2;
    private readonly Sequential block3;
    private readonly BatchNorm2d bn1;
    private readonly Linear fc;

    /// <summary>Builds WRN-<paramref name="depth"/>-<paramref name="widen"/>; depth must be 6n + 4 (n ≥ 1).</summary>
    public WideResNet(int depth, int widen, int inChannels, int classes) : base($"WideResNet{depth}x{widen}")
    {
        if (depth < 10 || (depth - 4) % 6 != 0)
            throw new ArgumentException($"a WideResNet depth must be 6n + 4 with n ≥ 1 (10, 16, 22, 28, 40 …), got {depth}", nameof(depth));
        if (widen < 1) throw new ArgumentException($"the widening factor must be at least 1, got {widen}", nameof(widen));
        Depth = depth;
        Widen = widen;
        int n = (depth - 4) / 6;
        int[] widths = [16, 16 * widen, 32 * widen, 64 * widen];
        conv1 = nn.Conv2d(inChannels, widths[0], 3, stride: 1, padding: 1, bias: false);
        block1 = Group(n, widths[0], widths[1], 1);
        block2 = Group(n, widths[1], widths[2], 2);
        block3 = Group(n, widths[2], widths[3], 2);
        bn1 = nn.BatchNorm2d(widths[3]);
        fc = nn.Linear(widths[3], classes);
        RegisterComponents();
    }

    /// <summary>Depth (6n + 4).</summary>
    public int Depth { get; }

    /// <summary>Widening factor k.</summary>
    public int Widen { get; }

    private static Sequential Group(int n, int inPlanes, int planes, int stride)
    {
        var blocks = new (string, nn.Module<Tensor, Tensor>)[n];
        for (int i = 0; i < n; i++)
            blocks[i] = (i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                new PreActBlock(i == 0 ? inPlanes : planes, planes, i == 0 ? stride : 1));
        return nn.Sequential(blocks);
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var x0 = conv1.forward(input);
        using var x1 = block1.forward(x0);
        using var x2 = block2.forward(x1);
        using var x3 = block3.forward(x2);
        using var b = bn1.forward(x3);
        using var r = nn.functional.relu(b);
        using var p = nn.functional.adaptive_avg_pool2d(r, [1, 1]);
        using var f = p.flatten(1);
        return fc.forward(f);
    }
}

/// <summary>
/// Pre-activation wide block: o = ReLU(BN(x)); y = conv3×3(stride s)(o) → BN → ReLU → conv3×3;
/// output y + x, or y + conv1×1(stride s)(o) when the shape changes.
/// </summary>
public sealed class PreActBlock : nn.Module<Tensor, Tensor>
{
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn2;
    private readonly Conv2d conv2;
    private readonly Conv2d? shortcut;

    /// <summary>Creates a block from <paramref name="inPlanes"/> to <paramref name="planes"/> channels.</summary>
    public PreActBlock(int inPlanes, int planes, int stride) : base("PreActBlock")
    {
        bn1 = nn.BatchNorm2d(inPlanes);
        conv1 = nn.Conv2d(inPlanes, planes, 3, stride: stride, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(planes);
        conv2 = nn.Conv2d(planes, planes, 3, stride: 1, padding: 1, bias: false);
        if (stride != 1 || inPlanes != planes)
            shortcut = nn.Conv2d(inPlanes, planes, 1, stride: stride, bias: false);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var b1 = bn1.forward(input);
        using var o = nn.functional.relu(b1);
        using var y1 = conv1.forward(o);
        using var b2 = bn2.forward(y1);
        using var r2 = nn.functional.relu(b2);
        using var y2 = conv2.forward(r2);
        using var sc = shortcut is null ? input.alias() : shortcut.forward(o);
        return y2 + sc;
    }
}
