using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Models;

/// <summary>
/// The small CNN of the Fashion-MNIST study: conv3×3 32 → BN → ReLU → max-pool 2 → conv3×3 64 →
/// BN → ReLU → max-pool 2 → flatten → linear 128 → ReLU → linear classes. Convolutions have no
/// bias (batch norm follows them).
/// </summary>
public sealed class SmallCnn : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Linear fc1;
    private readonly Linear fc2;

    /// <summary>Builds the network for square inputs of side <paramref name="imageSize"/> (≥ 4).</summary>
    public SmallCnn(int inChannels, int classes, int imageSize) : base("SmallCnn")
    {
        if (imageSize < 4) throw new ArgumentOutOfRangeException(nameof(imageSize), imageSize, "the small CNN needs images of at least 4×4");
        conv1 = nn.Conv2d(inChannels, 32, 3, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(32);
        conv2 = nn.Conv2d(32, 64, 3, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(64);
        long side = imageSize / 2 / 2;
        fc1 = nn.Linear(64 * side * side, 128);
        fc2 = nn.Linear(128, classes);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var a1 = conv1.forward(input);
        using var b1 = bn1.forward(a1);
        using var r1 = nn.functional.relu(b1);
        using var p1 = nn.functional.max_pool2d(r1, 2);
        using var a2 = conv2.forward(p1);
        using var b2 = bn2.forward(a2);
        using var r2 = nn.functional.relu(b2);
        using var p2 = nn.functional.max_pool2d(r2, 2);
        using var f = p2.flatten(1);
        using var h = fc1.forward(f);
        using var rh = nn.functional.relu(h);
        return fc2.forward(rh);
    }
}
