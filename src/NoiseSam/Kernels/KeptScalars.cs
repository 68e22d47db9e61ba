using TorchSharp;

namespace NoiseSam.Kernels;

/// <summary>
/// Every constant the kernels pass to a tensor op as a <see cref="Scalar"/>, made once for the
/// process. An implicit <c>double → Scalar</c> is a native handle that only its finaliser frees, and
/// a collection started by another thread can run that finaliser while libtorch still reads the
/// Scalar (see <see cref="BatchNormSlot"/>). Ops on the hot path also pass these instead of relying
/// on an overload's default alpha, which is such a Scalar made per call.
/// </summary>
internal static class KeptScalars
{
    public static readonly Scalar One = 1.0, Two = 2.0, OneHalf = 0.5, Sqrt3 = Math.Sqrt(3),
        SamEpsilon = 1e-12, AsamEpsilon = 1e-16, EsamEpsilon = 1e-7, Tiny = 1e-30, ClipEpsilon = 1e-6;

    /// <summary>The integer 1 that counts a batch in <c>num_batches_tracked</c> (a long tensor).</summary>
    public static readonly Scalar OneBatch = 1L;
}
