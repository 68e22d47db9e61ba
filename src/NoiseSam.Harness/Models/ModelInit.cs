using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Models;

/// <summary>
/// Seeded weight initialisation from a private <see cref="Generator"/>, so that a model's initial
/// weights depend only on its seed — not on what else draws from torch's global generator at the
/// same time (parallel tests, other runs in one process).
/// </summary>
public static class ModelInit
{
    /// <summary>How convolution weights are drawn.</summary>
    public enum ConvInit
    {
        /// <summary>PyTorch's default: U(−1/√fan_in, 1/√fan_in) (kaiming_uniform with a = √5).</summary>
        PyTorchDefault,

        /// <summary>He normal, fan-out, ReLU gain: N(0, 2/fan_out) (torchvision ResNet, reference WideResNet).</summary>
        KaimingNormalFanOut,
    }

    /// <summary>
    /// Re-initialises every parameter of <paramref name="model"/> in module order: convolutions by
    /// <paramref name="conv"/> (bias as PyTorch's default), linear layers as PyTorch's default
    /// (weight and bias U(−1/√fan_in, 1/√fan_in)), batch norm weight 1 and bias 0 with fresh running
    /// statistics.
    /// </summary>
    public static void Reset(nn.Module model, long seed, ConvInit conv)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var g = new Generator(unchecked((ulong)seed) ^ 0x6A09E667F3BCC909UL);
        foreach (var (_, m) in model.named_modules())
        {
            switch (m)
            {
                case Conv2d c:
                    {
                        var w = c.weight!;
                        long receptive = w.shape[2] * w.shape[3];
                        long fanIn = w.shape[1] * receptive, fanOut = w.shape[0] * receptive;
                        if (conv == ConvInit.KaimingNormalFanOut) Normal(w, Math.Sqrt(2.0 / fanOut), g);
                        else Uniform(w, 1.0 / Math.Sqrt(fanIn), g);
                        if (c.bias is { } b) Uniform(b, 1.0 / Math.Sqrt(fanIn), g);
                        break;
                    }
                case Linear l:
                    {
                        var w = l.weight!;
                        double bound = 1.0 / Math.Sqrt(w.shape[1]);
                        Uniform(w, bound, g);
                        if (l.bias is { } b) Uniform(b, bound, g);
                        break;
                    }
                case BatchNorm2d bn:
                    using (var one = 1.0.ToScalar()) bn.weight?.fill_(one);
                    bn.bias?.zero_();
                    bn.reset_running_stats();
                    break;
            }
        }
    }

    private static void Uniform(Tensor p, double bound, Generator g)
    {
        using var r = torch.rand(p.shape, p.dtype, generator: g);
        using var width = (2 * bound).ToScalar();
        using var low = bound.ToScalar();
        using var stretched = r.mul(width);
        using var scaled = stretched.sub(low);
        p.copy_(scaled);
    }

    private static void Normal(Tensor p, double std, Generator g)
    {
        using var r = torch.randn(p.shape, p.dtype, generator: g);
        using var s = std.ToScalar();
        using var scaled = r.mul(s);
        p.copy_(scaled);
    }
}
