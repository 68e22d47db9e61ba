using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Kernels;

/// <summary>A base optimizer over the flat parameter and gradient buffers.</summary>
public abstract class FlatOptimizer : IDisposable
{
    /// <summary>Applies one update of <paramref name="values"/> from <paramref name="grad"/>; may overwrite <paramref name="grad"/>.</summary>
    public abstract void Step(Tensor values, Tensor grad, double learningRate);

    /// <summary>Parameter-sized buffers this optimizer keeps (for the memory report).</summary>
    public abstract int StateBuffers { get; }

    internal abstract void Save(BinaryWriter writer);
    internal abstract void Load(BinaryReader reader, Tensor like);

    public abstract void Dispose();

    internal static void WriteTensor(BinaryWriter writer, Tensor? t)
    {
        writer.Write(t is not null);
        if (t is null) return;
        using var cpu = t.to(CPU).contiguous();
        writer.Write(cpu.numel());
        writer.Write(cpu.bytes);
    }

    internal static Tensor? ReadTensor(BinaryReader reader, Tensor like)
    {
        if (!reader.ReadBoolean()) return null;
        long n = reader.ReadInt64();
        if (n != like.numel())
            throw new InvalidDataException($"saved state has {n} elements per buffer, the model has {like.numel()}: the state belongs to another model");
        var t = torch.empty_like(like).DetachFromDisposeScope();
        using var cpu = torch.empty(n, dtype: like.dtype);
        byte[] bytes = reader.ReadBytes(checked((int)(n * like.ElementSize)));
        if (bytes.Length != n * like.ElementSize) throw new EndOfStreamException("saved state is truncated");
        cpu.bytes = bytes;
        t.copy_(cpu);
        return t;
    }
}

/// <summary>
/// torch.optim.SGD on flat buffers: d = g + λw; b = μb + d (b = d on the first step);
/// d = d + μb (Nesterov) or b; w = w − lr·d. Dampening is 0.
/// </summary>
public sealed class FlatSgd : FlatOptimizer
{
    private readonly double momentum, weightDecay;
    private readonly bool nesterov;
    private Tensor? buffer;

    public FlatSgd(double momentum, bool nesterov, double weightDecay)
    {
        if (nesterov && momentum <= 0) throw new ArgumentException("Nesterov momentum requires momentum > 0.");
        this.momentum = momentum;
        this.nesterov = nesterov;
        this.weightDecay = weightDecay;
    }

    public override int StateBuffers => momentum != 0 ? 1 : 0;

    /// <summary>The momentum buffer (null before the first step or without momentum).</summary>
    public Tensor? MomentumBuffer => buffer;

    public override void Step(Tensor values, Tensor grad, double learningRate)
    {
        using var _ = torch.no_grad();
        // Scalars are disposed explicitly: an implicit double→Scalar lives until the finaliser.
        using Scalar decay = weightDecay, mu = momentum, step = -learningRate;
        if (weightDecay != 0) grad.add_(values, alpha: decay);
        Tensor d = grad;
        if (momentum != 0)
        {
            if (buffer is null) buffer = grad.clone().DetachFromDisposeScope();
            else buffer.mul_(mu).add_(grad);
            if (nesterov) grad.add_(buffer, alpha: mu);
            else d = buffer;
        }
        values.add_(d, alpha: step);
    }

    internal override void Save(BinaryWriter writer) => WriteTensor(writer, buffer);

    internal override void Load(BinaryReader reader, Tensor like)
    {
        buffer?.Dispose();
        buffer = ReadTensor(reader, like);
    }

    public override void Dispose() => buffer?.Dispose();
}

/// <summary>
/// torch.optim.AdamW on flat buffers: w = w(1 − lr·λ); m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²;
/// w = w − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε).
/// </summary>
public sealed class FlatAdamW : FlatOptimizer
{
    private readonly double beta1, beta2, epsilon, weightDecay;
    private Tensor? expAvg, expAvgSq;
    private long step;

    public FlatAdamW(double beta1, double beta2, double epsilon, double weightDecay)
    {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
    }

    public override int StateBuffers => 2;

    public override void Step(Tensor values, Tensor grad, double learningRate)
    {
        using var _ = torch.no_grad();
        expAvg ??= torch.zeros_like(values).DetachFromDisposeScope();
        expAvgSq ??= torch.zeros_like(values).DetachFromDisposeScope();
        step++;
        double biasCorrection1 = 1 - Math.Pow(beta1, step);
        double biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(beta2, step));
        using Scalar decay = 1 - learningRate * weightDecay, b1 = beta1, oneMinusB1 = 1 - beta1, b2 = beta2,
            oneMinusB2 = 1 - beta2, bc2 = biasCorrection2Sqrt, eps = epsilon, stepSize = -learningRate / biasCorrection1;
        if (weightDecay != 0) values.mul_(decay);
        expAvg.mul_(b1).add_(grad, alpha: oneMinusB1);
        expAvgSq.mul_(b2).addcmul_(grad, grad, value: oneMinusB2);
        // grad is free now: reuse it for the denominator instead of allocating.
        grad.copy_(expAvgSq).sqrt_();
        grad.div_(bc2).add_(eps);
        values.addcdiv_(expAvg, grad, value: stepSize);
    }

    internal override void Save(BinaryWriter writer)
    {
        writer.Write(step);
        WriteTensor(writer, expAvg);
        WriteTensor(writer, expAvgSq);
    }

    internal override void Load(BinaryReader reader, Tensor like)
    {
        step = reader.ReadInt64();
        expAvg?.Dispose();
        expAvgSq?.Dispose();
        expAvg = ReadTensor(reader, like);
        expAvgSq = ReadTensor(reader, like);
    }

    public override void Dispose()
    {
        expAvg?.Dispose();
        expAvgSq?.Dispose();
    }
}
