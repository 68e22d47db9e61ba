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
internal sealed class HandWrittenSgd(nn.Module<Tensor, Tensor> model, double learningRate = 0.05) : ISamStep
{
    private readonly optim.Optimizer optimizer = optim.SGD(model.parameters(), learningRate, momentum: 0.9, weight_decay: 5e-4);

    public SamVariantDescriptor Variant { get; } = new("SGD (hand-written)")
    {
        Schedule = new ScheduleSpec(SchedulePolicy.Never),
        BaseOptimizer = new BaseOptimizerSpec(OptimizerKind.Sgd) { LearningRate = learningRate },
    };

    public double LearningRate { get; set; } = learningRate;

    public double RhoScale { get; set; } = 1.0;

    public long StepCount { get; private set; }

    public optim.Optimizer AsOptimizer() => optimizer;

    public SamStepResult Step(SamBatch batch) => throw new NotSupportedException("The hand-written benchmark step takes (input, target) batches only.");

    public SamStepResult Step(Tensor input, Tensor target)
    {
        using var scope = torch.NewDisposeScope();
        var loss = nn.functional.cross_entropy(model.call(input), target);
        loss.backward();
        optimizer.step();
        optimizer.zero_grad();
        StepCount++;
        return new SamStepResult(loss.item<float>(), false, 0, float.NaN, false);
    }

    public void SaveState(Stream stream) => throw new NotSupportedException("The hand-written benchmark step keeps no resumable state.");

    public void LoadState(Stream stream) => throw new NotSupportedException("The hand-written benchmark step keeps no resumable state.");

    public void Dispose() => optimizer.Dispose();
}
