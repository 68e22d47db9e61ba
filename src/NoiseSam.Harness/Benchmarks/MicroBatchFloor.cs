using NoiseSam.Dsl;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Benchmarks;

/// <summary>
/// The least a micro-batch variant's step can cost on this framework: its base optimizer's step plus
/// one forward + backward on the micro-batch's rows (a <c>narrow</c> view: no selection, no copy),
/// without the perturbation's O(d) work, the second gradient norm or any batch-norm bookkeeping.
/// Timed beside the variant (<c>bench-step --floor</c>), its ratio to the base step is the lowest
/// ratio any implementation of that variant could reach here, so a target below it is out of reach
/// of the step and only a faster small pass (the framework's per-op cost) would meet it.
/// </summary>
internal sealed class MicroBatchFloor : YardstickStep
{
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly ISamStep baseStep;
    private readonly double fraction;

    /// <summary>
    /// The floor of <paramref name="variant"/> on <paramref name="model"/>: the reference engine's step
    /// of the variant's base optimizer alone (schedule Never), plus the bare micro-batch pass.
    /// </summary>
    /// <exception cref="ArgumentException">The variant has no floor (<see cref="Serves"/> is false).</exception>
    public MicroBatchFloor(nn.Module<Tensor, Tensor> model, SamVariantDescriptor variant, SamStepOptions options)
    {
        if (!Serves(variant))
            throw new ArgumentException($"Variant '{variant.Name}' has no micro-batch floor: it needs a micro-batch fraction below 1 and a descent on the whole batch.", nameof(variant));
        this.model = model;
        Variant = variant;
        fraction = variant.MicroBatch!.EffectiveFraction;
        var baseOnly = new SamVariantDescriptor(variant.Name + " base") { Schedule = new ScheduleSpec(SchedulePolicy.Never), BaseOptimizer = variant.BaseOptimizer };
        baseStep = SamEngine.Create(baseOnly, model, options);
    }

    /// <summary>
    /// True for the variants whose step is "ascent on a micro-batch, descent on the whole batch" (MBS,
    /// NI-MBS): their floor is the base step plus the micro-batch pass. K-SAM's and ESAM's descents
    /// use a subset, so this floor would not bound them.
    /// </summary>
    public static bool Serves(SamVariantDescriptor variant) =>
        variant.MicroBatch is { EffectiveFraction: < 1 } && (variant.DescentSelection?.Set ?? DescentSet.All) == DescentSet.All;

    public override SamVariantDescriptor Variant { get; }

    public override double LearningRate { get => baseStep.LearningRate; set => baseStep.LearningRate = value; }

    public override long StepCount => baseStep.StepCount;

    public override SamStepResult Step(Tensor input, Tensor target)
    {
        long rows = Math.Max(1, (long)Math.Ceiling(fraction * input.shape[0]));
        using (var scope = torch.NewDisposeScope())
            nn.functional.cross_entropy(model.call(input.narrow(0, 0, rows)), target.narrow(0, 0, rows)).backward();
        // The base step zeroes the gradient before its own pass, so the extra pass changes nothing it computes.
        return baseStep.Step(input, target) with { Perturbed = true, AscentSamples = (int)rows };
    }

    public override optim.Optimizer AsOptimizer() => baseStep.AsOptimizer();

    public override void Dispose() => baseStep.Dispose();
}
