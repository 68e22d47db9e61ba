using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam;

/// <summary>The reference engine: interprets a descriptor at run time with the same kernels as generated code.</summary>
public static class SamEngine
{
    /// <summary>Creates a step object for <paramref name="descriptor"/> over <paramref name="model"/>.</summary>
    /// <exception cref="SamDeclarationException">The descriptor breaks a declaration rule.</exception>
    public static ISamStep Create(SamVariantDescriptor descriptor, nn.Module<Tensor, Tensor> model, SamStepOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(model);
        descriptor.EnsureValid();
        throw new PlatformNotSupportedException("engine under construction");
    }
}
