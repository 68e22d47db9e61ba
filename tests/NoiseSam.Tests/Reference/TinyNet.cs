using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NoiseSam.Tests.Reference;

/// <summary>A small CNN with batch norm, built identically from a seed, in float64 so that a reference step written differently agrees to ~1e-12.</summary>
internal sealed class TinyNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly BatchNorm2d bn;
    private readonly Linear fc;

    private TinyNet() : base("TinyNet")
    {
        conv = nn.Conv2d(1, 4, 3, padding: 1);
        bn = nn.BatchNorm2d(4);
        fc = nn.Linear(4 * 4 * 4, 5);
        RegisterComponents();
    }

    public static TinyNet Create(long seed)
    {
        torch.random.manual_seed(seed);
        var net = new TinyNet();
        net.to(ScalarType.Float64);
        net.train();
        return net;
    }

    public override Tensor forward(Tensor x) =>
        fc.forward(nn.functional.max_pool2d(nn.functional.relu(bn.forward(conv.forward(x))), 2).flatten(1));

    public static (Tensor X, Tensor Y) Batch(long seed, int n = 16)
    {
        var g = new Generator((ulong)seed);
        return (torch.randn([n, 1, 8, 8], dtype: ScalarType.Float64, generator: g), torch.randint(0, 5, [n], generator: g));
    }

    public Tensor FlatWeights() => torch.cat(parameters().Select(p => p.detach().flatten()).ToArray());

    public Tensor FlatBuffers() => torch.cat(buffers().Select(b => b.detach().to(ScalarType.Float64).flatten()).ToArray());
}

/// <summary>Relative-error assertions on tensors.</summary>
internal static class Close
{
    /// <summary>Bit-identical: same shape and every element equal.</summary>
    public static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    public static void Assert(Tensor expected, Tensor actual, double relative = 1e-6)
    {
        double scale = expected.abs().max().item<double>() + 1e-12;
        double error = (expected - actual).abs().max().item<double>();
        Xunit.Assert.True(error <= relative * scale, $"max |difference| {error:G3} exceeds {relative:G1} × max |expected| ({scale:G3})");
    }
}
