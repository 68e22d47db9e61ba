using NoiseSam.Harness.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Tests.Models;

public class ModelZooTests
{
    private static long Parameters(nn.Module m) => m.parameters().Sum(p => p.numel());

    // ---- hand-computed parameter counts (conv weights c_in·c_out·k², no conv bias; BN 2·c; linear in·out + out) ----

    private static long SmallCnnCount(int inChannels, int side, int classes)
    {
        long s = side / 4;
        return inChannels * 32 * 9 + 2 * 32          // conv1 + bn1
             + 32 * 64 * 9 + 2 * 64                  // conv2 + bn2
             + 64 * s * s * 128 + 128                // fc1
             + 128 * classes + classes;              // fc2
    }

    private static long BasicBlockCount(long cin, long cout, bool downsample) =>
        9 * cin * cout + 2 * cout + 9 * cout * cout + 2 * cout + (downsample ? cin * cout + 2 * cout : 0);

    private static long ResNet18Count(int inChannels, int classes) =>
        inChannels * 64 * 9 + 2 * 64
        + 2 * BasicBlockCount(64, 64, false)
        + BasicBlockCount(64, 128, true) + BasicBlockCount(128, 128, false)
        + BasicBlockCount(128, 256, true) + BasicBlockCount(256, 256, false)
        + BasicBlockCount(256, 512, true) + BasicBlockCount(512, 512, false)
        + 512 * classes + classes;

    private static long WrnCount(int depth, int k, int inChannels, int classes)
    {
        int n = (depth - 4) / 6;
        long[] w = [16, 16 * k, 32 * k, 64 * k];
        long total = inChannels * 16 * 9;
        for (int g = 0; g < 3; g++)
            for (int b = 0; b < n; b++)
            {
                long cin = b == 0 ? w[g] : w[g + 1], cout = w[g + 1];
                bool projection = b == 0 && (cin != cout || g > 0);
                total += 2 * cin + 9 * cin * cout + 2 * cout + 9 * cout * cout + (projection ? cin * cout : 0);
            }
        return total + 2 * w[3] + w[3] * classes + classes;
    }

    [Theory]
    [InlineData(1, 28, 10, 421_738)]
    [InlineData(3, 32, 10, 545_194)]
    public void SmallCnnParameterCount(int channels, int side, int classes, long expected)
    {
        using var m = ModelZoo.Create("small-cnn", channels, classes, side, 1);
        Assert.Equal(expected, SmallCnnCount(channels, side, classes));
        Assert.Equal(expected, Parameters(m));
    }

    [Theory]
    [InlineData(1, 28, 10, 8 * 9 + 2 * 8 + 1568 * 32 + 32 + 32 * 10 + 10)] // 50,626
    [InlineData(3, 32, 10, 3 * 8 * 9 + 2 * 8 + 2048 * 32 + 32 + 32 * 10 + 10)]
    public void TinyCnnParameterCount(int channels, int side, int classes, long expected)
    {
        using var m = ModelZoo.Create("tiny-cnn", channels, classes, side, 1);
        Assert.Equal(expected, Parameters(m));
        Assert.Equal(1, m.modules().Count(x => x is BatchNorm2d));
    }

    [Fact]
    public void MlpIs784x256x10OnFlattenedFashionMnist()
    {
        using var m = ModelZoo.Create("mlp", 1, 10, 28, 1);
        Assert.Equal(784 * 256 + 256 + 256 * 10 + 10, Parameters(m));
        Assert.Equal(new[] { "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias" }, m.named_parameters().Select(p => p.name));
        Assert.DoesNotContain(m.modules(), x => x is BatchNorm2d);
    }

    [Fact]
    public void ResNet18ParameterCount()
    {
        using var m = ModelZoo.Create("resnet18", 3, 10, 32, 1);
        Assert.Equal(11_173_962, ResNet18Count(3, 10));
        Assert.Equal(11_173_962, Parameters(m));
        using var m100 = ModelZoo.Create("resnet18", 1, 100, 28, 1);
        Assert.Equal(ResNet18Count(1, 100), Parameters(m100));
    }

    [Theory]
    [InlineData(28, 2, 3, 10, 1_467_610)]   // the published WRN-28-2 size
    [InlineData(28, 10, 3, 10, 36_479_194)] // the published WRN-28-10 size (36.5 M)
    [InlineData(16, 1, 1, 10, 174_778)]
    public void WideResNetParameterCount(int depth, int k, int channels, int classes, long expected)
    {
        using var m = ModelZoo.Create($"wrn-{depth}-{k}", channels, classes, 32, 1);
        Assert.Equal(expected, WrnCount(depth, k, channels, classes));
        Assert.Equal(expected, Parameters(m));
    }

    [Theory]
    [InlineData("small-cnn", 1, 28)]
    [InlineData("small-cnn", 3, 32)]
    [InlineData("resnet18", 3, 32)]
    [InlineData("resnet18", 1, 28)]
    [InlineData("wrn-28-2", 3, 32)]
    [InlineData("wrn-16-1", 1, 28)]
    [InlineData("tiny-cnn", 1, 28)]
    [InlineData("mlp", 1, 28)]
    [InlineData("mlp", 3, 32)]
    public void ForwardGivesLogitsAndBackwardReachesEveryParameter(string name, int channels, int side)
    {
        using var scope = torch.NewDisposeScope();
        const int n = 3, classes = 7;
        var model = ModelZoo.Create(name, channels, classes, side, 42);
        using var g = new Generator(1);
        var x = torch.randn([n, channels, side, side], generator: g);
        var y = torch.tensor(new long[] { 0, 3, 6 });

        var logits = model.forward(x);
        Assert.Equal(new long[] { n, classes }, logits.shape);
        var loss = nn.functional.cross_entropy(logits, y);
        loss.backward();

        foreach (var (pname, p) in model.named_parameters())
        {
            Assert.True(p.grad is not null, $"{name}: no gradient for {pname}");
            Assert.Equal(p.shape, p.grad!.shape);
            Assert.True(p.grad.isfinite().all().item<bool>(), $"{name}: non-finite gradient for {pname}");
        }
        double gradNorm = model.parameters().Sum(p => p.grad!.square().sum().item<float>());
        Assert.True(gradNorm > 0);

        model.eval();
        var evalLogits = model.forward(x);
        Assert.Equal(new long[] { n, classes }, evalLogits.shape);
        model.Dispose();
    }

    [Theory]
    [InlineData("small-cnn")]
    [InlineData("resnet18")]
    [InlineData("wrn-16-2")]
    [InlineData("tiny-cnn")]
    [InlineData("mlp")]
    public void SameSeedSameWeightsOtherSeedOtherWeights(string name)
    {
        using var scope = torch.NewDisposeScope();
        using var a = ModelZoo.Create(name, 3, 10, 32, 5);
        torch.rand(100); // draws from the global generator in between change nothing
        using var b = ModelZoo.Create(name, 3, 10, 32, 5);
        using var c = ModelZoo.Create(name, 3, 10, 32, 6);

        var pa = a.parameters().ToArray();
        var pb = b.parameters().ToArray();
        var pc = c.parameters().ToArray();
        Assert.Equal(pa.Length, pb.Length);
        for (int i = 0; i < pa.Length; i++)
            Assert.True(pa[i].eq(pb[i]).all().item<bool>(), $"{name}: parameter {i} differs for the same seed");
        Assert.Contains(Enumerable.Range(0, pa.Length), i => !pa[i].eq(pc[i]).all().item<bool>());
    }

    [Fact]
    public void InitialisationFollowsTheDocumentedDistributions()
    {
        using var scope = torch.NewDisposeScope();
        using var resnet = ModelZoo.Create("resnet18", 3, 10, 32, 3);
        var named = resnet.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        // He normal, fan-out: std √(2 / (512·9)) for a 512→512 3×3 convolution.
        var w = named["layer4.1.conv2.weight"];
        Assert.Equal(Math.Sqrt(2.0 / (512 * 9)), w.std().item<float>(), 2e-4);
        // BN: weight 1, bias 0. Linear: U(±1/√512).
        Assert.True(named["bn1.weight"].eq(1f).all().item<bool>());
        Assert.True(named["bn1.bias"].eq(0f).all().item<bool>());
        Assert.True(named["fc.weight"].abs().max().item<float>() <= 1 / Math.Sqrt(512));
        using var cnn = ModelZoo.Create("small-cnn", 1, 10, 28, 3);
        var conv1 = cnn.named_parameters().First(p => p.name == "conv1.weight").parameter;
        // PyTorch default: U(±1/√fan_in), fan_in = 9: std = bound/√3.
        Assert.True(conv1.abs().max().item<float>() <= 1 / 3.0);
        Assert.Equal(1 / 3.0 / Math.Sqrt(3), conv1.std().item<float>(), 0.02);
    }

    [Fact]
    public void ParameterNamesFollowPyTorch()
    {
        using var resnet = ModelZoo.Create("resnet18", 3, 10, 32, 1);
        var names = resnet.named_parameters().Select(p => p.name).ToHashSet();
        Assert.All(names, n => Assert.True(n.EndsWith(".weight") || n.EndsWith(".bias"), n));
        Assert.Contains("conv1.weight", names);
        Assert.Contains("bn1.bias", names);
        Assert.Contains("layer1.0.conv1.weight", names);
        Assert.Contains("layer2.0.downsample.0.weight", names);
        Assert.Contains("layer2.0.downsample.1.bias", names);
        Assert.Contains("fc.bias", names);
        Assert.Contains("layer4.1.bn2.running_mean", resnet.named_buffers().Select(b => b.name));

        using var cnn = ModelZoo.Create("small-cnn", 1, 10, 28, 1);
        Assert.Equal(new[] { "conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight", "bn2.weight", "bn2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias" },
            cnn.named_parameters().Select(p => p.name));

        using var wrn = ModelZoo.Create("wrn-28-2", 3, 10, 32, 1);
        var wnames = wrn.named_parameters().Select(p => p.name).ToHashSet();
        Assert.Contains("block1.0.shortcut.weight", wnames); // 16 → 32 channels
        Assert.DoesNotContain("block1.1.shortcut.weight", wnames);
        Assert.Contains("block3.3.conv2.weight", wnames);    // (28 − 4)/6 = 4 blocks per group
        Assert.DoesNotContain("block3.4.conv2.weight", wnames);
    }

    [Theory]
    [InlineData("small-cnn", 2)]
    [InlineData("resnet18", 20)]
    [InlineData("wrn-28-2", 25)]
    public void BatchNormLayersAreBatchNorm2d(string name, int expected)
    {
        using var m = ModelZoo.Create(name, 3, 10, 32, 1);
        Assert.Equal(expected, m.modules().Count(x => x is BatchNorm2d));
    }

    [Theory]
    [InlineData("small-cnn")]
    [InlineData("wrn-10-1")]
    public void ModelOutlivesTheScopeItWasCreatedIn(string name)
    {
        nn.Module<Tensor, Tensor> model;
        using (torch.NewDisposeScope())
            model = ModelZoo.Create(name, 1, 10, 28, 1);

        using (model)
        using (torch.NewDisposeScope())
        {
            Assert.All(model.parameters(), p => Assert.False(p.IsInvalid));
            Assert.All(model.buffers(), b => Assert.False(b.IsInvalid));
            var logits = model.forward(torch.zeros(2, 1, 28, 28));
            Assert.Equal(new long[] { 2, 10 }, logits.shape);
        }
    }

    [Fact]
    public void NamesAndErrors()
    {
        Assert.Equal(new[] { "small-cnn", "resnet18", "wrn-28-2", "tiny-cnn", "mlp" }, ModelZoo.Names);
        Assert.True(ModelZoo.IsFashionMnistModel("Tiny-CNN"));
        Assert.True(ModelZoo.IsFashionMnistModel("mlp"));
        Assert.False(ModelZoo.IsFashionMnistModel("resnet18"));
        Assert.True(ModelZoo.IsKnown("WRN-40-4"));
        Assert.False(ModelZoo.IsKnown("vgg16"));
        var e = Assert.Throws<ArgumentException>(() => ModelZoo.Create("vgg16", 3, 10, 32, 1));
        Assert.Contains("small-cnn, resnet18, wrn-28-2", e.Message);
        var depth = Assert.Throws<ArgumentException>(() => ModelZoo.Create("wrn-27-2", 3, 10, 32, 1));
        Assert.Contains("6n + 4", depth.Message);
        Assert.Throws<ArgumentException>(() => ModelZoo.Create("wrn-28-0", 3, 10, 32, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelZoo.Create("small-cnn", 0, 10, 32, 1));
    }
}
