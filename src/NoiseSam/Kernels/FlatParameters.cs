using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NoiseSam.Kernels;

/// <summary>One trainable tensor's place in the flat buffers.</summary>
/// <param name="Name">Name from <c>named_parameters()</c>.</param>
/// <param name="Offset">First element in the flat buffers.</param>
/// <param name="Length">Number of elements.</param>
/// <param name="IsWeight">Name contains "weight" (ASAM normalises these, as the official ASAM code does).</param>
public readonly record struct ParameterSlice(string Name, long Offset, long Length, bool IsWeight);

/// <summary>
/// All trainable parameters of a model as views of one flat buffer, and their gradients as views
/// of a second one, so every kernel is one fused op over the whole model instead of one op per
/// tensor. The views are bit-identical to normal training (DESIGN.md §5). Zero <see cref="Grad"/>
/// rather than calling <c>Module.zero_grad()</c>, which would replace the views with null.
/// </summary>
public sealed class FlatParameters : IDisposable
{
    private readonly Parameter[] parameters;

    private FlatParameters(Parameter[] parameters, ParameterSlice[] slices, Tensor values, Tensor grad)
    {
        this.parameters = parameters;
        Slices = slices;
        Values = values;
        Grad = grad;
    }

    /// <summary>Every trainable parameter, concatenated (1-D).</summary>
    public Tensor Values { get; }

    /// <summary>Every gradient, concatenated (1-D); backward accumulates into it.</summary>
    public Tensor Grad { get; }

    /// <summary>Where each parameter lives in the flat buffers, in <c>named_parameters()</c> order.</summary>
    public IReadOnlyList<ParameterSlice> Slices { get; }

    /// <summary>Total number of trainable elements d.</summary>
    public long Length => Values.shape[0];

    /// <summary>The model's parameters (views of <see cref="Values"/>).</summary>
    public IReadOnlyList<Parameter> Parameters => parameters;

    /// <summary>Moves every trainable parameter of <paramref name="model"/> into flat buffers.</summary>
    /// <exception cref="ArgumentException">No trainable parameters, or mixed dtypes/devices.</exception>
    public static FlatParameters Attach(nn.Module model)
    {
        var named = model.named_parameters().Where(p => p.parameter.requires_grad).ToArray();
        if (named.Length == 0)
            throw new ArgumentException("The model has no trainable parameters.", nameof(model));
        var dtype = named[0].parameter.dtype;
        var device = named[0].parameter.device;
        foreach (var (name, p) in named)
            if (p.dtype != dtype || p.device.ToString() != device.ToString())
                throw new ArgumentException(
                    $"Parameter '{name}' is {p.dtype} on {p.device}, but '{named[0].name}' is {dtype} on {device}; all trainable parameters must share dtype and device.",
                    nameof(model));

        long total = named.Sum(p => p.parameter.numel());
        var values = torch.empty(total, dtype: dtype, device: device).DetachFromDisposeScope();
        var grad = torch.zeros(total, dtype: dtype, device: device).DetachFromDisposeScope();
        var slices = new ParameterSlice[named.Length];
        long offset = 0;
        using (torch.no_grad())
        {
            for (int i = 0; i < named.Length; i++)
            {
                var (name, p) = named[i];
                long n = p.numel();
                var shape = p.shape;
                // Every temporary is disposed here, not left to the GC: a view of the old
                // parameter (detach, reshape) keeps its storage alive, so a model's worth of dead
                // weights would otherwise stay resident until some later collection.
                using (var slot = values.narrow(0, offset, n))
                {
                    using (var old = p.detach())
                    using (var oldFlat = old.reshape(n))
                        slot.copy_(oldFlat);
                    // set_ keeps the Parameter object (and so the module's references) but points
                    // its storage at the flat buffer.
                    using var shaped = slot.view(shape);
                    p.set_(shaped);
                }
                using (var gradSlot = grad.narrow(0, offset, n))
                using (var gradShaped = gradSlot.view(shape))
                    p.grad = gradShaped;
                slices[i] = new ParameterSlice(name, offset, n, name.Contains("weight", StringComparison.Ordinal));
                offset += n;
            }
        }
        return new FlatParameters(named.Select(p => p.parameter).ToArray(), slices, values, grad);
    }

    /// <summary>Sets every gradient to zero without replacing the views.</summary>
    public void ZeroGrad() => Grad.zero_();

    public void Dispose()
    {
        Values.Dispose();
        Grad.Dispose();
    }
}
