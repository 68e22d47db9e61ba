using NoiseSam.Kernels;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.optim;

namespace NoiseSam;

/// <summary>
/// What <see cref="ISamStep.AsOptimizer"/> returns: a <c>torch.optim.Optimizer</c> with one parameter
/// group whose learning rate is the step's (<see cref="ISamStep.LearningRate"/>), and whose momentum
/// (SGD, <see cref="IMomentum"/>) or betas (AdamW, <see cref="IBetas"/>) are the base optimizer's, so
/// that TorchSharp's learning-rate schedulers drive the step unchanged:
/// <c>lr_scheduler.StepLR(step.AsOptimizer(), 30, 0.1)</c>, then <c>scheduler.step()</c> once per
/// epoch or per step as with any optimizer. The group's <c>InitialLearningRate</c> (a scheduler's base
/// learning rate) is the step's learning rate when the facade was created. It holds no state of its
/// own: the step does the update, so <c>step()</c> throws and <c>zero_grad()</c> zeroes the step's
/// gradient buffer.
/// </summary>
internal abstract class SamStepOptimizer : Optimizer
{
    private readonly SamStepCore core;
    private readonly ILearningRateController[] groups;

    private SamStepOptimizer(SamStepCore core, ILearningRateController group) : base(IntPtr.Zero)
    {
        this.core = core;
        groups = [group];
    }

    /// <summary>The facade of <paramref name="core"/>'s step: SGD (with <see cref="IMomentum"/>) or AdamW (with <see cref="IBetas"/>).</summary>
    public static Optimizer Create(SamStepCore core) => core.Optimizer switch
    {
        FlatSgd sgd => new Sgd(core, sgd),
        FlatAdamW adamW => new AdamW(core, adamW),
        _ => throw new InvalidOperationException($"no optimizer facade for {core.Optimizer.GetType().Name}"),
    };

    /// <inheritdoc/>
    public override IEnumerable<ILearningRateController> ParamGroups => groups;

    /// <summary>The step's trainable parameters (views of its flat buffer).</summary>
    public override IEnumerable<Parameter> parameters() => core.Flat.Parameters;

    /// <summary>Zeroes the step's gradient buffer (the step does this itself before every pass).</summary>
    public override void zero_grad() => core.Flat.ZeroGrad();

    /// <summary>Not supported: <c>ISamStep.Step</c> runs the passes and the update.</summary>
    public override Tensor step(Func<Tensor>? closure = null) => throw new NotSupportedException(
        "This optimizer is a SAM step's facade for learning-rate schedulers: call ISamStep.Step(batch) to train, and scheduler.step() to move the learning rate.");

    /// <summary>Not supported: declare parameter groups with [ParameterGroup] (the trainable set is fixed when the step is built).</summary>
    public override void add_param_group(ParamGroup param_group) => throw new NotSupportedException(
        "A SAM step's parameter groups are declared with [ParameterGroup(prefix, LearningRateScale = ...)]; the trainable set is fixed when the step is built.");

    // The one group: the learning rate is the step's.
    private class Group(SamStepCore core) : ILearningRateController
    {
        public double LearningRate { get => core.LearningRate; set => core.LearningRate = value; }
        public double InitialLearningRate { get; set; } = core.LearningRate;
    }

    private sealed class SgdGroup(SamStepCore core, FlatSgd sgd) : Group(core), IMomentum
    {
        public double Momentum { get => sgd.Momentum; set => sgd.Momentum = value; }
    }

    private sealed class AdamWGroup(SamStepCore core, FlatAdamW adamW) : Group(core), IBetas
    {
        public (double, double) Betas { get => adamW.Betas; set => adamW.Betas = value; }
    }

    // Schedulers that cycle momentum (OneCycleLR, CyclicLR) also ask the optimizer itself.
    private sealed class Sgd(SamStepCore core, FlatSgd sgd) : SamStepOptimizer(core, new SgdGroup(core, sgd)), IMomentum
    {
        public double Momentum { get => sgd.Momentum; set => sgd.Momentum = value; }
    }

    private sealed class AdamW(SamStepCore core, FlatAdamW adamW) : SamStepOptimizer(core, new AdamWGroup(core, adamW)), IBetas
    {
        public (double, double) Betas { get => adamW.Betas; set => adamW.Betas = value; }
    }
}
