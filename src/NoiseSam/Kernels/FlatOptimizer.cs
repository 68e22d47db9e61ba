using TorchSharp;
using static NoiseSam.Kernels.KeptScalars;
using static TorchSharp.torch;

namespace NoiseSam.Kernels;

/// <summary>
/// A run of the flat buffers whose parameters share a learning-rate multiplier (<c>[ParameterGroup]</c>)
/// and whether weight decay applies to them (<c>NoDecayOnBiasAndNorm</c>): the flat form of a
/// <c>torch.optim</c> parameter group.
/// </summary>
/// <param name="Offset">First element in the flat buffers.</param>
/// <param name="Length">Number of elements.</param>
/// <param name="LearningRateScale">Multiplier of the base learning rate.</param>
/// <param name="Decay">Whether weight decay applies.</param>
public readonly record struct OptimizerSegment(long Offset, long Length, double LearningRateScale, bool Decay)
{
    /// <summary>
    /// The segments of a declaration over a model's flat buffers, adjacent parameters with the same
    /// settings merged; null when every parameter has multiplier 1 and weight decay (one fused update).
    /// A parameter's multiplier is that of the longest <c>[ParameterGroup]</c> prefix of its name;
    /// biases and normalisation parameters (0-D and 1-D tensors, names ending in "bias") get no decay
    /// when <c>NoDecayOnBiasAndNorm</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A group's prefix matches no trainable parameter.</exception>
    public static OptimizerSegment[]? Build(FlatParameters flat, SamVariantDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(flat);
        ArgumentNullException.ThrowIfNull(descriptor);
        var groups = descriptor.ParameterGroups ?? [];
        bool noDecay = descriptor.EffectiveBaseOptimizer.EffectiveNoDecayOnBiasAndNorm;
        if (groups.Count == 0 && !noDecay) return null;

        var matched = new bool[groups.Count];
        var segments = new List<OptimizerSegment>();
        for (int i = 0; i < flat.Slices.Count; i++)
        {
            var slice = flat.Slices[i];
            double scale = 1.0;
            int longest = -1;
            for (int g = 0; g < groups.Count; g++)
            {
                if (!slice.Name.StartsWith(groups[g].Prefix, StringComparison.Ordinal)) continue;
                matched[g] = true;
                if (groups[g].Prefix.Length <= longest) continue;
                longest = groups[g].Prefix.Length;
                scale = groups[g].EffectiveLearningRateScale;
            }
            bool decay = !(noDecay && (flat.Parameters[i].dim() <= 1 || slice.Name.EndsWith("bias", StringComparison.Ordinal)));
            if (segments.Count > 0 && segments[^1] is { } last && last.LearningRateScale == scale && last.Decay == decay && last.Offset + last.Length == slice.Offset)
                segments[^1] = last with { Length = last.Length + slice.Length };
            else
                segments.Add(new OptimizerSegment(slice.Offset, slice.Length, scale, decay));
        }
        for (int g = 0; g < groups.Count; g++)
            if (!matched[g])
                throw new ArgumentException(
                    $"Variant '{descriptor.Name}': [ParameterGroup(\"{groups[g].Prefix}\")] matches no trainable parameter of the model " +
                    $"(its trainable parameters are {string.Join(", ", flat.Slices.Take(8).Select(x => $"'{x.Name}'"))}{(flat.Slices.Count > 8 ? ", ..." : "")}).");
        return segments.TrueForAll(x => x.LearningRateScale == 1.0 && x.Decay) ? null : segments.ToArray();
    }
}

/// <summary>A base optimizer over the flat parameter and gradient buffers.</summary>
public abstract class FlatOptimizer : IDisposable
{
    private protected FlatOptimizer(OptimizerSegment[]? segments) => Segments = segments;

    /// <summary>The parameter groups (null: one group, multiplier 1, decay on every parameter).</summary>
    public IReadOnlyList<OptimizerSegment>? Segments { get; }

    /// <summary>Applies one update of <paramref name="values"/> from <paramref name="grad"/>; may overwrite <paramref name="grad"/>.</summary>
    public abstract void Step(Tensor values, Tensor grad, double learningRate);

    /// <summary>Parameter-sized buffers this optimizer keeps (for the memory report).</summary>
    public abstract int StateBuffers { get; }

    internal abstract void Save(BinaryWriter writer);
    internal abstract void Load(BinaryReader reader, Tensor like);

    public abstract void Dispose();

    // A segment's view of a flat buffer (belongs to the caller's dispose scope).
    private protected static Tensor Slice(Tensor flat, OptimizerSegment segment) => flat.narrow(0, segment.Offset, segment.Length);

    internal static void WriteTensor(BinaryWriter writer, Tensor? t)
    {
        writer.Write(t is not null);
        if (t is null) return;
        // Both tensors are held to the end: a temporary that is only the receiver of the next call
        // is unreachable once its handle is read, and a collection on another thread can finalise
        // it (freeing its native tensor) while libtorch still reads it. Checkpoint writes run
        // outside any dispose scope, where nothing else roots it.
        using var onCpu = t.to(CPU);
        using var cpu = onCpu.contiguous();
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
    private readonly double weightDecay;
    private readonly bool nesterov;
    private double momentum;
    private Tensor? buffer;

    public FlatSgd(double momentum, bool nesterov, double weightDecay, OptimizerSegment[]? segments = null) : base(segments)
    {
        if (nesterov && momentum <= 0) throw new ArgumentException("Nesterov momentum requires momentum > 0.");
        this.momentum = momentum;
        this.nesterov = nesterov;
        this.weightDecay = weightDecay;
    }

    /// <summary>Momentum μ ≥ 0, settable (schedulers such as OneCycleLR and CyclicLR cycle it); a buffer is kept from the first step with μ ≠ 0.</summary>
    public double Momentum
    {
        get => momentum;
        set
        {
            if (!(double.IsFinite(value) && value >= 0)) throw new ArgumentOutOfRangeException(nameof(value), value, "momentum must be a finite number >= 0");
            if (nesterov && value == 0) throw new ArgumentOutOfRangeException(nameof(value), value, "Nesterov momentum requires momentum > 0");
            momentum = value;
        }
    }

    public override int StateBuffers => momentum != 0 ? 1 : 0;

    /// <summary>The momentum buffer (null before the first step or without momentum).</summary>
    public Tensor? MomentumBuffer => buffer;

    public override void Step(Tensor values, Tensor grad, double learningRate)
    {
        using var _ = torch.no_grad();
        // Scalars are disposed explicitly: an implicit double→Scalar lives until the finaliser.
        using Scalar decay = weightDecay, mu = momentum, step = -learningRate;
        if (weightDecay != 0)
        {
            if (Segments is null) grad.add_(values, alpha: decay);
            else
                foreach (var segment in Segments)
                    if (segment.Decay) Slice(grad, segment).add_(Slice(values, segment), alpha: decay);
        }
        Tensor d = grad;
        if (momentum != 0)
        {
            if (buffer is null) buffer = grad.clone().DetachFromDisposeScope();
            else buffer.mul_(mu).add_(grad, One);
            if (nesterov) grad.add_(buffer, alpha: mu);
            else d = buffer;
        }
        if (Segments is null)
        {
            values.add_(d, alpha: step);
            return;
        }
        foreach (var segment in Segments)
        {
            using Scalar segmentStep = -learningRate * segment.LearningRateScale;
            Slice(values, segment).add_(Slice(d, segment), alpha: segmentStep);
        }
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
    private readonly double epsilon, weightDecay;
    private double beta1, beta2;
    private Tensor? expAvg, expAvgSq;
    private long step;

    public FlatAdamW(double beta1, double beta2, double epsilon, double weightDecay, OptimizerSegment[]? segments = null) : base(segments)
    {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
    }

    /// <summary>(β₁, β₂), each in [0, 1], settable (OneCycleLR cycles β₁ as its momentum).</summary>
    public (double Beta1, double Beta2) Betas
    {
        get => (beta1, beta2);
        set
        {
            if (!(value.Beta1 >= 0 && value.Beta1 <= 1)) throw new ArgumentOutOfRangeException(nameof(value), value.Beta1, "beta1 must be in [0, 1]");
            if (!(value.Beta2 >= 0 && value.Beta2 <= 1)) throw new ArgumentOutOfRangeException(nameof(value), value.Beta2, "beta2 must be in [0, 1]");
            (beta1, beta2) = value;
        }
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
        if (weightDecay != 0)
        {
            if (Segments is null) values.mul_(decay);
            else
                foreach (var segment in Segments)
                {
                    if (!segment.Decay) continue;
                    using Scalar segmentDecay = 1 - learningRate * segment.LearningRateScale * weightDecay;
                    Slice(values, segment).mul_(segmentDecay);
                }
        }
        expAvg.mul_(b1).add_(grad, alpha: oneMinusB1);
        expAvgSq.mul_(b2).addcmul_(grad, grad, value: oneMinusB2);
        // grad is free now: reuse it for the denominator instead of allocating.
        grad.copy_(expAvgSq).sqrt_();
        grad.div_(bc2).add_(eps, One);
        if (Segments is null)
        {
            values.addcdiv_(expAvg, grad, value: stepSize);
            return;
        }
        foreach (var segment in Segments)
        {
            using Scalar segmentStep = -learningRate * segment.LearningRateScale / biasCorrection1;
            Slice(values, segment).addcdiv_(Slice(expAvg, segment), Slice(grad, segment), value: segmentStep);
        }
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
