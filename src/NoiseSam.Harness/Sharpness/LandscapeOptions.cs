namespace NoiseSam.Harness.Sharpness;

/// <summary>The grid of <see cref="LossLandscape"/>.</summary>
public sealed record LandscapeOptions
{
    /// <summary>Coordinates run over [−Span, Span] along each direction.</summary>
    public double Span { get; init; } = 1.0;

    /// <summary>Grid points per axis; odd, so that 0 (the model itself) is on the grid.</summary>
    public int Points { get; init; } = 21;

    /// <summary>Seed of the random directions.</summary>
    public long Seed { get; init; }

    /// <summary>The coordinates of the grid along one axis: −Span + 2·Span·i/(Points − 1), with 0 exactly in the middle.</summary>
    public IReadOnlyList<double> Coordinates()
    {
        Validate();
        int half = Points / 2;
        return Enumerable.Range(0, Points).Select(i => i == half ? 0.0 : Span * (i - half) / half).ToArray();
    }

    /// <exception cref="ArgumentOutOfRangeException">Span not positive and finite, or Points even or below 3.</exception>
    internal void Validate()
    {
        if (!double.IsFinite(Span) || Span <= 0) throw new ArgumentOutOfRangeException(nameof(Span), Span, "the span must be positive and finite");
        if (Points < 3 || Points % 2 == 0) throw new ArgumentOutOfRangeException(nameof(Points), Points, "an odd number of points, at least 3");
    }
}
