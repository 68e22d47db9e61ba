using NoiseSam.Dsl;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Benchmarks;

/// <summary>
/// The plainest TorchSharp training step: forward, backward, <c>torch.optim.SGD</c>, zero_grad, one
/// read of the loss. No non-finite check, no gradient norm, no batch-norm bookkeeping: the
/// framework's own floor for a base step, timed beside the generated SGD step so that what the
/// step adds for its guarantees is measured, not guessed.
/// </summary>
internal sealed class HandWrittenSgd(nn.Module<Tensor, Tensor> model, double learningRate = 0.05) : YardstickStep
{
    private readonly optim.Optimizer optimizer = optim.SGD(model.parameters(), learningRate, momentum: 0.9, weight_decay: 5e-4);

    public override SamVariantDescriptor Variant { get; } = new("SGD (hand-written)")
    {
        Schedule = new ScheduleSpec(SchedulePolicy.Never),
        BaseOptimizer = new BaseOptimizerSpec(OptimizerKind.Sgd) { LearningRate = learningRate },
    };

    public override optim.Optimizer AsOptimizer() => optimizer;

    public override SamStepResult Step(Tensor input, Tensor target)
    {
        using var scope = torch.NewDisposeScope();
        var loss = nn.functional.cross_entropy(model.call(input), target);
        loss.backward();
        optimizer.step();
        optimizer.zero_grad();
        StepCount++;
        return new SamStepResult(loss.item<float>(), false, 0, float.NaN, false);
    }

    public override void Dispose() => optimizer.Dispose();
}
