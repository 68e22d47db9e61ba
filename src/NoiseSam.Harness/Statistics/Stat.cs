namespace NoiseSam.Harness.Statistics;

/// <summary>Mean, sample standard deviation and count of one figure over seeds.</summary>
public readonly record struct Stat(double Mean, double Std, int N)
{
    public static Stat Of(IEnumerable<double> values)
    {
        var list = values.Where(double.IsFinite).ToList();
        if (list.Count == 0) return new Stat(double.NaN, double.NaN, 0);
        double mean = list.Average();
        double std = list.Count < 2 ? 0 : Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1));
        return new Stat(mean, std, list.Count);
    }

    /// <summary>Standard error of the mean (0 with one value).</summary>
    public double StandardError => N < 2 ? 0 : Std / Math.Sqrt(N);

    /// <summary>
    /// Whether <c>this − other</c> is at least two combined standard errors from zero (≈ a 95 %
    /// two-sided test for normal means); false with fewer than two values on either side.
    /// </summary>
    public bool DiffersFrom(Stat other) =>
        N >= 2 && other.N >= 2 && Math.Abs(Mean - other.Mean) > 2 * Math.Sqrt(StandardError * StandardError + other.StandardError * other.StandardError);
}
