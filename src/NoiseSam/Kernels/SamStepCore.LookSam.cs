using NoiseSam.Diagnostics;
using TorchSharp;
using static NoiseSam.Kernels.KeptScalars;
using static TorchSharp.torch;

namespace NoiseSam.Kernels;

// LookSAM: the cached orthogonal direction g_v and its reuse on base steps.
public sealed partial class SamStepCore
{
    private readonly Tensor? direction;
    // LookSAM: 1 / (‖g_v‖ + 1e-12), refreshed when g_v is (g_v is constant between SAM steps).
    private readonly Tensor? inverseDirectionNorm;
    private bool hasDirection;

    /// <summary>LookSAM, SAM step: keeps the clean ascent gradient g (before noise) for the projection in <see cref="Finish"/>.</summary>
    public void KeepAscentGradient()
    {
        using var _ = torch.no_grad();
        using var phase = StepProfiler.Measure("LookSAM keep g", StepPhaseKind.Parameters);
        direction!.copy_(Flat.Grad);
    }

    /// <summary>LookSAM reuse step: g += α (‖g‖ / ‖g_v‖) g_v. A no-op before the first SAM step.</summary>
    /// <remarks>1 / (‖g_v‖ + 1e-12) is kept from the SAM step that cached g_v, not recomputed: one pass over the parameters fewer per reuse step.</remarks>
    public void ReuseDirection(double alpha, Tensor gradientNorm)
    {
        if (!hasDirection) return;
        using var _ = torch.no_grad();
        using var phase = StepProfiler.Measure("LookSAM reuse", StepPhaseKind.Parameters);
        using Scalar a = alpha;
        var scale = inverseDirectionNorm!.mul(gradientNorm).mul_(a);
        Flat.Grad.addcmul_(direction!, scale, One);
    }

    // g_v = g_s − (g·g_s / ‖g‖²) g: the part of the SAM gradient orthogonal to the ascent gradient.
    private void CacheOrthogonalDirection()
    {
        using var phase = StepProfiler.Measure("LookSAM direction", StepPhaseKind.Parameters);
        var g = direction!;
        var coefficient = g.dot(Flat.Grad).div_(g.dot(g).clamp_min_(Tiny)).neg_();
        g.mul_(coefficient).add_(Flat.Grad, One);
        RefreshDirectionNorm();
        hasDirection = true;
    }

    private void RefreshDirectionNorm()
    {
        using var inverse = direction!.norm().add_(SamEpsilon, One).reciprocal_();
        inverseDirectionNorm!.copy_(inverse);
    }
}
