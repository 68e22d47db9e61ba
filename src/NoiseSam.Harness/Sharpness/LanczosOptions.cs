namespace NoiseSam.Harness.Sharpness;

/// <summary>Settings of the Lanczos iteration in <see cref="HessianEigen"/>.</summary>
public sealed record LanczosOptions
{
    /// <summary>
    /// Lanczos steps at most: one Hessian-vector product each, and one basis vector of the model's
    /// size kept per step (60 vectors of the 0.42 M-parameter small CNN take 100 MB; of ResNet-18, 2.7 GB).
    /// </summary>
    public int MaxIterations { get; init; } = 60;

    /// <summary>
    /// Stop when the relative residual bound of the largest Ritz pair, |β_k · s_k| / |θ_max|, falls
    /// to this or below (H then has an eigenvalue within that fraction of θ_max).
    /// </summary>
    public double Tolerance { get; init; } = 1e-3;

    /// <summary>Seed of the random start vector.</summary>
    public long Seed { get; init; }

    /// <exception cref="ArgumentOutOfRangeException">MaxIterations &lt; 1, or Tolerance negative or not finite.</exception>
    internal void Validate()
    {
        if (MaxIterations < 1) throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "at least one iteration");
        if (!double.IsFinite(Tolerance) || Tolerance < 0)
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "the tolerance must be finite and ≥ 0");
    }
}
