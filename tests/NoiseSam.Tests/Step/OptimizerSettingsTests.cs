using NoiseSam.Dsl;
using NoiseSam.Tests.Reference;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.optim;

namespace NoiseSam.Tests.Step;

/// <summary>
/// Gradient clipping (<c>MaxGradNorm</c>), parameter groups (<c>NoDecayOnBiasAndNorm</c>,
/// <c>[ParameterGroup]</c>) and frozen parameters, each against SAM written by hand with a clip
/// written by hand and torch.optim's optimizers with explicit parameter groups.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class OptimizerSettingsTests
{
    private const double Rho = 0.05, Lr = 0.1, Momentum = 0.9, WeightDecay = 5e-4;

    // Steps on both sides with the same batches: the step; textbook SAM (then beforeUpdate) and the
    // reference optimizer; the weights must agree after every step.
    private static void TrainAlongside(ISamStep step, TinyNet model, TinyNet reference, Optimizer optimizer, int steps, long firstBatch, Action? beforeUpdate = null)
    {
        for (int i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = TinyNet.Batch(firstBatch + i);
            step.Step(x, y);
            Textbook.SamGradient(reference, Textbook.CrossEntropy(reference, x, y), Rho);
            beforeUpdate?.Invoke();
            optimizer.step();
            Close.Assert(reference.FlatWeights(), model.FlatWeights(), 1e-9);
        }
    }

    [Theory]
    [InlineData(0.05)]   // below every step's SAM-gradient norm: every step is clipped
    [InlineData(1e6)]    // far above: never clipped
    public void MaxGradNormClipsTheSamGradientLikeClipGradNormByHand(double maxNorm)
    {
        var descriptor = new SamVariantDescriptor("SAM-clip") { Rho = Rho, BaseOptimizer = new(OptimizerKind.Sgd) { LearningRate = Lr, MaxGradNorm = maxNorm } };
        using var model = TinyNet.Create(4);
        using var reference = TinyNet.Create(4);
        using var step = SamEngine.Create(descriptor, model);
        using var sgd = SGD(reference.parameters(), Lr, momentum: Momentum, weight_decay: WeightDecay);
        TrainAlongside(step, model, reference, sgd, 4, 30, () =>
        {
            if (maxNorm < 1) Assert.True(Textbook.GlobalNorm(Textbook.Trainable(reference)) > maxNorm, "the test means to clip");
            Textbook.ClipGradNorm(reference, maxNorm);
        });
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.AdamW)]
    public void ParameterGroupsMatchTorchOptimParameterGroups(OptimizerKind kind)
    {
        // TinyNet: conv.weight, conv.bias, bn.weight, bn.bias, fc.weight, fc.bias. No decay on the
        // biases and BN parameters; the "fc." parameters at 0.5 × the learning rate.
        double lr = kind == OptimizerKind.Sgd ? Lr : 0.01, decay = kind == OptimizerKind.Sgd ? WeightDecay : 0.05;
        var descriptor = new SamVariantDescriptor("SAM-groups")
        {
            Rho = Rho,
            BaseOptimizer = new(kind) { LearningRate = lr, WeightDecay = decay, NoDecayOnBiasAndNorm = true },
            ParameterGroups = [new ParameterGroupSpec("fc.") { LearningRateScale = 0.5 }],
        };
        using var model = TinyNet.Create(4);
        using var reference = TinyNet.Create(4);
        using var step = SamEngine.Create(descriptor, model);
        var named = reference.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Parameter[] P(params string[] names) => names.Select(n => named[n]).ToArray();
        Optimizer optimizer = kind == OptimizerKind.Sgd
            ? SGD([
                new SGD.ParamGroup(P("conv.weight"), new SGD.Options { LearningRate = lr, momentum = Momentum, weight_decay = decay }),
                new SGD.ParamGroup(P("conv.bias", "bn.weight", "bn.bias"), new SGD.Options { LearningRate = lr, momentum = Momentum, weight_decay = 0 }),
                new SGD.ParamGroup(P("fc.weight"), new SGD.Options { LearningRate = lr * 0.5, momentum = Momentum, weight_decay = decay }),
                new SGD.ParamGroup(P("fc.bias"), new SGD.Options { LearningRate = lr * 0.5, momentum = Momentum, weight_decay = 0 }),
            ], lr)
            : AdamW([
                new AdamW.ParamGroup(P("conv.weight"), new AdamW.Options { LearningRate = lr, weight_decay = decay }),
                new AdamW.ParamGroup(P("conv.bias", "bn.weight", "bn.bias"), new AdamW.Options { LearningRate = lr, weight_decay = 0 }),
                new AdamW.ParamGroup(P("fc.weight"), new AdamW.Options { LearningRate = lr * 0.5, weight_decay = decay }),
                new AdamW.ParamGroup(P("fc.bias"), new AdamW.Options { LearningRate = lr * 0.5, weight_decay = 0 }),
            ], lr);
        using var _ = optimizer;
        TrainAlongside(step, model, reference, optimizer, 4, 30);
    }

    [Fact]
    public void AParameterGroupThatMatchesNothingIsAnError()
    {
        using var model = TinyNet.Create(4);
        var descriptor = new SamVariantDescriptor("SAM") { ParameterGroups = [new ParameterGroupSpec("backbone.") { LearningRateScale = 0.1 }] };
        var error = Assert.Throws<ArgumentException>(() => SamEngine.Create(descriptor, model));
        Assert.Contains("'backbone.'", error.Message.Replace("\"", "'"), StringComparison.Ordinal);
        Assert.Contains("conv.weight", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FrozenParametersStayPutAndTheOthersTrainLikeTextbookSam()
    {
        using var model = TinyNet.Create(6);
        using var reference = TinyNet.Create(6);
        foreach (var net in new[] { model, reference })
            foreach (var (name, p) in net.named_parameters())
                if (name.StartsWith("conv.", StringComparison.Ordinal)) p.requires_grad = false;
        var frozen = model.named_parameters().Where(p => !p.parameter.requires_grad).Select(p => p.parameter.detach().clone()).ToArray();
        using var step = SamEngine.Create(new SamVariantDescriptor("SAM") { Rho = Rho, BaseOptimizer = new(OptimizerKind.Sgd) { LearningRate = Lr } }, model);
        using var sgd = SGD(Textbook.Trainable(reference), Lr, momentum: Momentum, weight_decay: WeightDecay);
        TrainAlongside(step, model, reference, sgd, 3, 50);
        var after = model.named_parameters().Where(p => !p.parameter.requires_grad).Select(p => p.parameter).ToArray();
        Assert.Equal(2, after.Length);
        for (int i = 0; i < after.Length; i++) Assert.True(Close.Same(frozen[i], after[i].detach()));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ChangingTheTrainableSetAfterTheStepIsBuiltIsAClearError(bool unfreeze)
    {
        using var model = TinyNet.Create(6);
        var conv = model.named_parameters().First(p => p.name == "conv.weight").parameter;
        if (unfreeze) conv.requires_grad = false;
        using var step = SamEngine.Create(new SamVariantDescriptor("SAM"), model);
        var (x, y) = TinyNet.Batch(1);
        step.Step(x, y);
        conv.requires_grad = unfreeze;
        var error = Assert.Throws<InvalidOperationException>(() => step.Step(x, y));
        Assert.Contains("'conv.weight'", error.Message, StringComparison.Ordinal);
        Assert.Contains("trainable set is fixed when the step is built", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, step.StepCount);
    }

    [Fact]
    public void StateSavedWithAnotherTrainableSetIsRefusedByName()
    {
        using var model = TinyNet.Create(6);
        using var frozenModel = TinyNet.Create(6);
        frozenModel.named_parameters().First(p => p.name == "conv.bias").parameter.requires_grad = false;
        using var step = SamEngine.Create(new SamVariantDescriptor("SAM"), model);
        using var frozenStep = SamEngine.Create(new SamVariantDescriptor("SAM"), frozenModel);
        var (x, y) = TinyNet.Batch(1);
        step.Step(x, y);
        using var saved = new MemoryStream();
        step.SaveState(saved);
        saved.Position = 0;
        var error = Assert.Throws<InvalidDataException>(() => frozenStep.LoadState(saved));
        Assert.Contains("requires_grad = false", error.Message, StringComparison.Ordinal);
    }
}
