using NoiseSam.Dsl;
using NoiseSam.Tests.Reference;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.optim;

namespace NoiseSam.Tests.Step;

/// <summary>
/// <c>AsOptimizer()</c>: TorchSharp's learning-rate schedulers drive a step exactly as they drive
/// <c>torch.optim.SGD</c> / <c>AdamW</c>: the same learning rate (and momentum or β₁) at every step,
/// and, on the base optimizer, the same weights.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class SchedulerTests
{
    private const double Lr = 0.1;
    private const int Steps = 12;

    [Fact]
    public void StepLRHalvesTheStepsLearningRate()
    {
        using var model = TinyNet.Create(1);
        using var step = SamEngine.Create(new SamVariantDescriptor("SAM") { BaseOptimizer = new(OptimizerKind.Sgd) { LearningRate = 0.2 } }, model);
        var scheduler = lr_scheduler.StepLR(step.AsOptimizer(), 1, 0.5);
        Assert.Equal(0.2, step.LearningRate);
        scheduler.step();
        Assert.Equal(0.1, step.LearningRate);
        Assert.Same(step.AsOptimizer(), step.AsOptimizer());
        Assert.Throws<NotSupportedException>(() => step.AsOptimizer().step());
    }

    public static TheoryData<string> Schedulers => new() { "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR", "LinearLR", "SequentialLR", "OneCycleLR", "CyclicLR" };

    private static lr_scheduler.LRScheduler Make(string name, Optimizer optimizer) => name switch
    {
        "StepLR" => lr_scheduler.StepLR(optimizer, 3, 0.5),
        "MultiStepLR" => lr_scheduler.MultiStepLR(optimizer, [2, 5, 9], 0.3),
        "ExponentialLR" => lr_scheduler.ExponentialLR(optimizer, 0.8),
        "CosineAnnealingLR" => lr_scheduler.CosineAnnealingLR(optimizer, Steps, 0.001),
        "LambdaLR" => lr_scheduler.LambdaLR(optimizer, epoch => 1.0 / (1 + epoch)),
        "LinearLR" => lr_scheduler.LinearLR(optimizer, 0.25, 1.0, 4),
        "SequentialLR" => lr_scheduler.SequentialLR(optimizer,
            [lr_scheduler.LinearLR(optimizer, 0.1, 1.0, 3), lr_scheduler.CosineAnnealingLR(optimizer, Steps - 3)], [3]),
        "OneCycleLR" => lr_scheduler.OneCycleLR(optimizer, Lr * 2, total_steps: Steps + 1),
        "CyclicLR" => lr_scheduler.CyclicLR(optimizer, 0.01, Lr, step_size_up: 3),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Schedulers))]
    public void SchedulerDrivesTheStepAsItDrivesTorchOptimSgd(string name)
    {
        var descriptor = new SamVariantDescriptor("SGD") { Schedule = new(SchedulePolicy.Never), BaseOptimizer = new(OptimizerKind.Sgd) { LearningRate = Lr } };
        using var model = TinyNet.Create(2);
        using var reference = TinyNet.Create(2);
        using var step = SamEngine.Create(descriptor, model);
        using var sgd = SGD(reference.parameters(), Lr, momentum: 0.9, weight_decay: 5e-4);
        var ours = Make(name, step.AsOptimizer());
        var theirs = Make(name, sgd);
        var group = (IMomentum)step.AsOptimizer().ParamGroups.Single();
        var referenceGroup = (IMomentum)sgd.ParamGroups.Single();
        DriveAlongside(step, model, reference, sgd, ours, theirs, () => Assert.Equal(referenceGroup.Momentum, group.Momentum));
        Assert.Equal(theirs.get_last_lr(), ours.get_last_lr());
    }

    // Plain steps on both sides with the same batches, each optimizer under its own scheduler: the
    // learning rate (and what checkHyperparameters compares) before every step, the weights after.
    private static void DriveAlongside(ISamStep step, TinyNet model, TinyNet reference, Optimizer optimizer,
        lr_scheduler.LRScheduler ours, lr_scheduler.LRScheduler theirs, Action checkHyperparameters)
    {
        for (int i = 0; i < Steps; i++)
        {
            using var scope = NewDisposeScope();
            Assert.Equal(optimizer.ParamGroups.Single().LearningRate, step.LearningRate);
            checkHyperparameters();
            var (x, y) = TinyNet.Batch(20 + i);
            step.Step(x, y);
            Textbook.PlainGradient(reference, rows => nn.functional.cross_entropy(reference.forward(x), y, reduction: nn.Reduction.None));
            optimizer.step();
            ours.step();
            theirs.step();
            Close.Assert(reference.FlatWeights(), model.FlatWeights(), 1e-9);
        }
    }

    [Fact]
    public void OneCycleLRCyclesAdamWsBeta1AsItDoesTorchOptimAdamWs()
    {
        var descriptor = new SamVariantDescriptor("AdamW") { Schedule = new(SchedulePolicy.Never), BaseOptimizer = new(OptimizerKind.AdamW) { LearningRate = 0.01, WeightDecay = 0.05 } };
        using var model = TinyNet.Create(2);
        using var reference = TinyNet.Create(2);
        using var step = SamEngine.Create(descriptor, model);
        using var adamW = AdamW(reference.parameters(), 0.01, 0.9, 0.999, 1e-8, weight_decay: 0.05);
        var ours = lr_scheduler.OneCycleLR(step.AsOptimizer(), 0.02, total_steps: Steps + 1);
        var theirs = lr_scheduler.OneCycleLR(adamW, 0.02, total_steps: Steps + 1);
        var betas = (IBetas)step.AsOptimizer().ParamGroups.Single();
        DriveAlongside(step, model, reference, adamW, ours, theirs, () => Assert.Equal(((IBetas)adamW.ParamGroups.Single()).Betas, betas.Betas));
    }

    [Fact]
    public void RhoScaleScalesTheRadiusAndIsSavedWithTheState()
    {
        // ρ = 0.1 at RhoScale 0.5 is ρ = 0.05 (0.1 · 0.5 is exactly 0.05 in binary64): the same steps, bit for bit.
        using var halfModel = TinyNet.Create(3);
        using var plainModel = TinyNet.Create(3);
        using var half = SamEngine.Create(new SamVariantDescriptor("SAM") { Rho = 0.1 }, halfModel);
        using var plain = SamEngine.Create(new SamVariantDescriptor("SAM") { Rho = 0.05 }, plainModel);
        half.RhoScale = 0.5;
        for (int i = 0; i < 3; i++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = TinyNet.Batch(70 + i);
            Assert.Equal(plain.Step(x, y), half.Step(x, y));
        }
        Assert.True(Close.Same(plainModel.FlatWeights(), halfModel.FlatWeights()));

        using var saved = new MemoryStream();
        half.SaveState(saved);
        half.RhoScale = 1;
        saved.Position = 0;
        half.LoadState(saved);
        Assert.Equal(0.5, half.RhoScale);
        Assert.Throws<ArgumentOutOfRangeException>(() => half.RhoScale = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => half.RhoScale = double.NaN);
    }

    [Fact]
    public void RhoScaleZeroMakesASamStepAPlainStep()
    {
        using var samModel = TinyNet.Create(3);
        using var sgdModel = TinyNet.Create(3);
        using var sam = SamEngine.Create(new SamVariantDescriptor("SAM"), samModel);
        using var sgd = SamEngine.Create(new SamVariantDescriptor("SGD") { Schedule = new(SchedulePolicy.Never) }, sgdModel);
        sam.RhoScale = 0;
        for (int i = 0; i < 3; i++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = TinyNet.Batch(80 + i);
            sam.Step(x, y);
            sgd.Step(x, y);
        }
        Assert.True(Close.Same(sgdModel.FlatWeights(), samModel.FlatWeights()));
        Assert.True(Close.Same(sgdModel.FlatBuffers(), samModel.FlatBuffers()));
    }
}
