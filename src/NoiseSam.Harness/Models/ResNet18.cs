using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Models;

/// <summary>
/// ResNet-18 with the CIFAR stem (He et al. 2016; the common CIFAR variant): 3×3 convolution with
/// stride 1 and no max-pool, four stages of two <see cref="BasicBlock"/>s with 64, 128, 256, 512
/// channels (stride 2 from the second stage on), global average pooling and a linear classifier.
/// 11,173,962 parameters for 3 channels and 10 classes. Parameter names follow torchvision
/// (conv1, bn1, layer1.0.conv1.weight, layer2.0.downsample.0.weight, fc.bias …).
/// </summary>
public sealed class ResNet18 : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly AdaptiveAvgPool2d avgpool;
    private readonly Linear fc;

    /// <summary>Builds the network; any input side of at least 8 works (32 is the design size).</summary>
    public ResNet18(int inChannels, int classes) : base("ResNet18")
    {
        conv1 = nn.Conv2d(inChannels, 64, 3, stride: 1, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(64);
        layer1 = Stage(64, 64, 1);
        layer2 = Stage(64, 128, 2);
        layer3 = Stage(128, 256, 2);
        layer4 = Stage(256, 512, 2);
        avgpool = nn.AdaptiveAvgPool2d(1);
        fc = nn.Linear(512, classes);
        RegisterComponents();
    }

    private static Sequential Stage(int inPlanes, int planes, int stride) =>
        nn.Sequential(("0", new BasicBlock(inPlanes, planes, stride)), ("1", new BasicBlock(planes, planes, 1)));

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var a = conv1.forward(input);
        using var b = bn1.forward(a);
        using var x0 = nn.functional.relu(b);
        using var x1 = layer1.forward(x0);
        using var x2 = layer2.forward(x1);
        using var x3 = layer3.forward(x2);
        using var x4 = layer4.forward(x3);
        using var p = avgpool.forward(x4);
        using var f = p.flatten(1);
        return fc.forward(f);
    }
}

/// <summary>
/// The ResNet basic block: conv3×3 (stride s) → BN → ReLU → conv3×3 → BN, plus the identity or, when
/// the shape changes, a 1×1 convolution with stride s and BN; ReLU after the sum.
/// </summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Sequential? downsample;

    /// <summary>Creates a block from <paramref name="inPlanes"/> to <paramref name="planes"/> channels.</summary>
    public BasicBlock(int inPlanes, int planes, int stride) : base("BasicBlock")
    {
        conv1 = nn.Conv2d(inPlanes, planes, 3, stride: stride, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(planes);
        conv2 = nn.Conv2d(planes, planes, 3, stride: 1, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(planes);
        if (stride != 1 || inPlanes != planes)
            downsample = nn.Sequential(
                ("0", nn.Conv2d(inPlanes, planes, 1, stride: stride, bias: false)),
                ("1", nn.BatchNorm2d(planes)));
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var a = conv1.forward(input);
        using var b = bn1.forward(a);
        using var r = nn.functional.relu(b);
        using var c = conv2.forward(r);
        using var d = bn2.forward(c);
        using var shortcut = downsample is null ? input.alias() : downsample.forward(input);
        using var sum = d + shortcut;
        return nn.functional.relu(sum);
    }
}
