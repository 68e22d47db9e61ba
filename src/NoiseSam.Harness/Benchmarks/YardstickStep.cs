using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Benchmarks;

/// <summary>
/// What the benchmark's yardsticks (hand-written SGD and SAM, a micro-batch floor) share: they are
/// timed on (input, target) batches only and keep no resumable state, so the rest of
/// <see cref="ISamStep"/> is answered once here.
/// </summary>
internal abstract class YardstickStep : ISamStep
{
    public abstract SamVariantDescriptor Variant { get; }

    public virtual double LearningRate { get; set; } = 0.05;

    public double RhoScale { get; set; } = 1.0;

    public virtual long StepCount { get; protected set; }

    public abstract optim.Optimizer AsOptimizer();

    public abstract SamStepResult Step(Tensor input, Tensor target);

    public SamStepResult Step(SamBatch batch) => throw new NotSupportedException($"The benchmark's {Variant.Name} takes (input, target) batches only.");

    public void SaveState(Stream stream) => throw new NotSupportedException($"The benchmark's {Variant.Name} keeps no resumable state.");

    public void LoadState(Stream stream) => throw new NotSupportedException($"The benchmark's {Variant.Name} keeps no resumable state.");

    public abstract void Dispose();
}
