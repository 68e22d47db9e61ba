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
internal sealed class MicroBatchFloor(nn.Module<Tensor, Tensor> model, ISamStep baseStep, SamVariantDescriptor variant) : YardstickStep
{
    private readonly double fraction = variant.MicroBatch?.EffectiveFraction ?? 1.0;

    public override SamVariantDescriptor Variant => variant;

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
