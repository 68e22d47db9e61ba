using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Models;

/// <summary>
/// A tiny CNN for the small-model regime of the step benchmark (issue 18): conv3×3 8 → BN → ReLU →
/// max-pool 2 → flatten → linear 32 → ReLU → linear classes (50,626 parameters on 1×28×28). Its
/// passes take a few milliseconds, so the step's fixed work (host reads, index tensors, batch-norm
/// toggles, small allocations) shows instead of hiding behind the passes. The convolution has no
/// bias (batch norm follows it), as in <see cref="SmallCnn"/>.
/// </summary>
public sealed class TinyCnn : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Linear fc1;
    private readonly Linear fc2;

    /// <summary>Builds the network for square inputs of side <paramref name="imageSize"/> (≥ 2).</summary>
    public TinyCnn(int inChannels, int classes, int imageSize) : base("TinyCnn")
    {
        if (imageSize < 2) throw new ArgumentOutOfRangeException(nameof(imageSize), imageSize, "the tiny CNN needs images of at least 2×2");
        conv1 = nn.Conv2d(inChannels, 8, 3, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(8);
        long side = imageSize / 2;
        fc1 = nn.Linear(8 * side * side, 32);
        fc2 = nn.Linear(32, classes);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var a1 = conv1.forward(input);
        using var b1 = bn1.forward(a1);
        using var r1 = nn.functional.relu(b1);
        using var p1 = nn.functional.max_pool2d(r1, 2);
        using var f = p1.flatten(1);
        using var h = fc1.forward(f);
        using var rh = nn.functional.relu(h);
        return fc2.forward(rh);
    }
}

/// <summary>
/// A one-hidden-layer MLP on the flattened image: linear (channels·side²) 256 → ReLU → linear
/// classes (203,530 parameters on 1×28×28 Fashion-MNIST). It takes image batches
/// [n, c, side, side] like the other models and flattens them itself. No batch norm.
/// </summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly Linear fc2;

    /// <summary>Builds the network for square inputs of side <paramref name="imageSize"/>.</summary>
    public Mlp(int inChannels, int classes, int imageSize, int hidden = 256) : base("Mlp")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        fc1 = nn.Linear((long)inChannels * imageSize * imageSize, hidden);
        fc2 = nn.Linear(hidden, classes);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var f = input.flatten(1);
        using var h = fc1.forward(f);
        using var rh = nn.functional.relu(h);
        return fc2.forward(rh);
    }
}
