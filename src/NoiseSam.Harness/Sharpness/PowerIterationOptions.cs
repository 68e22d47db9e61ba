namespace NoiseSam.Harness.Sharpness;

/// <summary>Settings of the power iteration in <see cref="HessianEigen"/>.</summary>
public sealed record PowerIterationOptions
{
    /// <summary>Hessian-vector products at most (one per iteration).</summary>
    public int MaxIterations { get; init; } = 20;

    /// <summary>Stop when the relative change of the eigenvalue estimate, |λₖ − λₖ₋₁| / |λₖ₋₁|, falls below this.</summary>
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
