namespace NoiseSam.Harness.Sharpness;

/// <summary>The result of a power iteration or a Lanczos run (<see cref="Method"/>).</summary>
/// <param name="Eigenvalue">
/// Power iteration: the signed estimate of the eigenvalue of largest magnitude (the Rayleigh
/// quotient vᵀHv of the last unit vector v). Lanczos: the largest Ritz value, an estimate of the
/// largest algebraic eigenvalue λ_max (never above it in exact arithmetic).
/// </param>
/// <param name="Iterations">Hessian-vector products taken (for Lanczos also the Krylov dimension).</param>
/// <param name="Converged">
/// Power iteration: the relative change of the estimate fell below the tolerance within the cap.
/// Lanczos: the relative residual bound <see cref="RelativeResidual"/> fell to the tolerance or
/// below within the cap (or the Krylov space became invariant).
/// </param>
/// <param name="History">The estimate after each iteration (length <paramref name="Iterations"/>).</param>
public sealed record EigenEstimate(double Eigenvalue, int Iterations, bool Converged, IReadOnlyList<double> History)
{
    /// <summary>The method that produced the estimate.</summary>
    public EigenMethod Method { get; init; } = EigenMethod.Power;

    /// <summary>
    /// ‖Hy − θy‖ / |θ| for the unit vector y and the estimate θ = <see cref="Eigenvalue"/>: H has an
    /// eigenvalue within <c>RelativeResidual · |θ|</c> of θ. Power iteration: computed from the last
    /// Hv. Lanczos: the bound |β_k · s_k| / |θ| (last off-diagonal of T times the last component of the
    /// Ritz vector), which equals the true residual while the basis stays orthonormal. NaN when not known.
    /// </summary>
    public double RelativeResidual { get; init; } = double.NaN;

    /// <summary><see cref="RelativeResidual"/> after each iteration (empty when not recorded).</summary>
    public IReadOnlyList<double> ResidualHistory { get; init; } = [];

    /// <summary>
    /// Lanczos only: the smallest Ritz value, an estimate of the smallest (most negative)
    /// eigenvalue that comes at no extra cost. It converges more slowly than the top one and is not
    /// what the stopping rule looks at: read it with <see cref="SmallestRelativeResidual"/>.
    /// </summary>
    public double? Smallest { get; init; }

    /// <summary>Lanczos only: |β_k · s₁| / |θ_min|, the relative residual bound of <see cref="Smallest"/>.</summary>
    public double? SmallestRelativeResidual { get; init; }

    /// <summary>
    /// The signed eigenvalue of largest magnitude, the "top" of the power iteration: for Lanczos the
    /// end of the Ritz spectrum (<see cref="Eigenvalue"/> or <see cref="Smallest"/>) of larger
    /// magnitude; for power iteration <see cref="Eigenvalue"/> itself.
    /// </summary>
    public double Dominant => Smallest is double s && Math.Abs(s) > Math.Abs(Eigenvalue) ? s : Eigenvalue;
}
