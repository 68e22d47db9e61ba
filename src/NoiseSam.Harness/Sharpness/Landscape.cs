namespace NoiseSam.Harness.Sharpness;

/// <summary>A 1-D or 2-D loss landscape: the probe loss at w + α·d₁ (+ β·d₂).</summary>
/// <param name="X">The α coordinates.</param>
/// <param name="Y">The β coordinates of a surface; null for a line.</param>
/// <param name="Loss">Loss[ix, iy] at (X[ix], Y[iy]); a line has Loss[ix, 0].</param>
/// <param name="CenterLoss">The probe loss of the unperturbed model (α = β = 0).</param>
public sealed record Landscape(IReadOnlyList<double> X, IReadOnlyList<double>? Y, double[,] Loss, double CenterLoss)
{
    /// <summary>True for a 2-D landscape.</summary>
    public bool IsSurface => Y is not null;
}
