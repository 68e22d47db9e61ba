using System.Globalization;
using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Models;

/// <summary>
/// The models of the study by name: "small-cnn", "resnet18", "wrn-28-2" (any "wrn-&lt;depth&gt;-&lt;k&gt;"),
/// and the small-model regime of the step benchmark: "tiny-cnn" and "mlp".
/// Construction is deterministic: the global torch generator is seeded before the layers are
/// built, and the weights are then drawn again from a private generator seeded with the same seed
/// (<see cref="ModelInit"/>), so that parallel users of the global generator cannot change them.
/// </summary>
public static partial class ModelZoo
{
    /// <summary>The small CNN.</summary>
    public const string SmallCnnName = "small-cnn";

    /// <summary>ResNet-18, CIFAR stem.</summary>
    public const string ResNet18Name = "resnet18";

    /// <summary>WideResNet-28-2 (other depths and widths by name: "wrn-16-4", "wrn-28-10" …).</summary>
    public const string Wrn28x2Name = "wrn-28-2";

    /// <summary>The tiny CNN (<see cref="TinyCnn"/>): fixed per-step work shows on it.</summary>
    public const string TinyCnnName = "tiny-cnn";

    /// <summary>The MLP 784–256–10 on the flattened image (<see cref="Mlp"/>).</summary>
    public const string MlpName = "mlp";

    /// <summary>The listed model names.</summary>
    public static IReadOnlyList<string> Names { get; } = [SmallCnnName, ResNet18Name, Wrn28x2Name, TinyCnnName, MlpName];

    /// <summary>
    /// True for the models sized for Fashion-MNIST (small CNN, tiny CNN, MLP): the step benchmark
    /// feeds them 1×28×28 inputs, the others 3×32×32.
    /// </summary>
    public static bool IsFashionMnistModel(string name) => Parse(name).Kind is Kind.SmallCnn or Kind.TinyCnn or Kind.Mlp;

    /// <summary>True when <paramref name="name"/> names a model <see cref="Create"/> builds.</summary>
    public static bool IsKnown(string name)
    {
        try
        {
            Parse(name);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// Builds a model on CPU in training mode; move it with <c>.to(device)</c>.
    /// </summary>
    /// <param name="name">one of <see cref="Names"/> or "wrn-&lt;depth&gt;-&lt;k&gt;" (case-insensitive).</param>
    /// <param name="inChannels">input channels (1 for (Fashion-)MNIST, 3 for CIFAR-10).</param>
    /// <param name="classes">output classes.</param>
    /// <param name="imageSize">input side (28 or 32; any ≥ 4 for the small CNN, the tiny CNN and the MLP).</param>
    /// <param name="seed">seeds <c>torch.random.manual_seed</c> before construction.</param>
    /// <exception cref="ArgumentException">an unknown name or bad size.</exception>
    public static nn.Module<Tensor, Tensor> Create(string name, int inChannels, int classes, int imageSize, long seed)
    {
        if (inChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "at least one input channel");
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "at least two classes");
        if (imageSize < 4) throw new ArgumentOutOfRangeException(nameof(imageSize), imageSize, "images of at least 4×4");
        var (kind, depth, widen) = Parse(name);
        nn.Module<Tensor, Tensor> model;
        lock (Gate)
        {
            torch.random.manual_seed(seed);
            model = kind switch
            {
                Kind.SmallCnn => new SmallCnn(inChannels, classes, imageSize),
                Kind.ResNet18 => new ResNet18(inChannels, classes),
                Kind.TinyCnn => new TinyCnn(inChannels, classes, imageSize),
                Kind.Mlp => new Mlp(inChannels, classes, imageSize),
                _ => new WideResNet(depth, widen, inChannels, classes),
            };
        }
        // The constructors drew from the global generator, which other threads may share: draw the
        // weights again from a private generator so that they depend on the seed alone.
        ModelInit.Reset(model, seed, kind is Kind.SmallCnn or Kind.TinyCnn or Kind.Mlp ? ModelInit.ConvInit.PyTorchDefault : ModelInit.ConvInit.KaimingNormalFanOut);
        return model;
    }

    private static readonly object Gate = new();

    private enum Kind { SmallCnn, ResNet18, Wrn, TinyCnn, Mlp }

    private static (Kind Kind, int Depth, int Widen) Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string n = name.Trim().ToLowerInvariant();
        if (n is SmallCnnName or "smallcnn" or "small_cnn" or "cnn") return (Kind.SmallCnn, 0, 0);
        if (n is ResNet18Name or "resnet-18" or "resnet_18") return (Kind.ResNet18, 0, 0);
        if (n is TinyCnnName or "tinycnn" or "tiny_cnn") return (Kind.TinyCnn, 0, 0);
        if (n is MlpName) return (Kind.Mlp, 0, 0);
        var m = WrnPattern().Match(n);
        if (m.Success
            && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int depth)
            && int.TryParse(m.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int widen))
        {
            if (depth < 10 || (depth - 4) % 6 != 0)
                throw new ArgumentException($"model '{name}': a WideResNet depth must be 6n + 4 (10, 16, 22, 28, 40 …), got {depth}", nameof(name));
            if (widen < 1)
                throw new ArgumentException($"model '{name}': the widening factor must be at least 1", nameof(name));
            return (Kind.Wrn, depth, widen);
        }
        throw new ArgumentException($"unknown model '{name}'; expected one of: {string.Join(", ", Names)} (or wrn-<depth>-<k>)", nameof(name));
    }

    [GeneratedRegex(@"^(?:wrn|wideresnet|wide-resnet)-?(\d{1,4})-(\d{1,3})$", RegexOptions.CultureInvariant)]
    private static partial Regex WrnPattern();
}
