namespace NoiseSam.Harness.Sharpness;

/// <summary>The result of a power iteration.</summary>
/// <param name="Eigenvalue">The signed estimate of the eigenvalue of largest magnitude (the Rayleigh quotient vᵀHv of the last unit vector v).</param>
/// <param name="Iterations">Hessian-vector products taken.</param>
/// <param name="Converged">True when the relative change of the estimate fell below the tolerance within the cap.</param>
/// <param name="History">The estimate after each iteration (length <paramref name="Iterations"/>).</param>
public sealed record EigenEstimate(double Eigenvalue, int Iterations, bool Converged, IReadOnlyList<double> History);
