using NoiseSam.Dsl;
using NoiseSam.Kernels;
using NoiseSam.Tests.Reference;
using static TorchSharp.torch;

namespace NoiseSam.Tests.Kernels;

/// <summary>Reusing the ascent pass's ‖g‖ in the SAM perturbation is the same reduction: bit-identical to taking it again.</summary>
[Collection(TorchCollection.Name)]
public sealed class PerturbationNormTests
{
    [Fact]
    public void PerturbSamWithTheAscentNormEqualsPerturbSamTakingTheNormAgain()
    {
        var descriptor = new SamVariantDescriptor("SAM") { Rho = 0.3 };
        using var a = TinyNet.Create(21);
        using var b = TinyNet.Create(21);
        using var reused = new SamStepCore(a, null, descriptor);
        using var again = new SamStepCore(b, null, descriptor);
        for (int i = 0; i < 4; i++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = TinyNet.Batch(70 + i);
            reused.BeginStep(x, y);
            again.BeginStep(x, y);
            reused.ForwardBackward(null, updateBatchNorm: true);
            again.ForwardBackward(null, updateBatchNorm: true);
            var norm = reused.GradNorm();
            var before = norm.clone();
            var w0 = reused.Flat.Values.clone();
            reused.PerturbSam(0.3, norm);
            again.PerturbSam(0.3, null);
            Assert.True(Close.Same(again.Flat.Values, reused.Flat.Values), $"step {i}: w + ε differs");
            Assert.True(Close.Same(before, norm), "PerturbSam changed the caller's norm tensor");
            Assert.False(Close.Same(w0, reused.Flat.Values), "no perturbation applied");
            reused.Restore();
            again.Restore();
        }
    }
}
