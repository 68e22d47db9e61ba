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
    /// Whether the means differ by Student's two-sample t-test (pooled variance) at the 5 % level,
    /// two-sided: |Δ| exceeds the pooled standard error s_p·√(1/n₁ + 1/n₂) times Student's t 0.975
    /// quantile for n₁ + n₂ − 2 degrees of freedom. With two seeds a side that is 4.3 combined
    /// standard errors, with three 2.8, with many 2: the normal 2-SE rule would call a difference of
    /// two-seed means real far more often than 5 % of the time. (Welch's unequal-variance version
    /// needs more seeds than these comparisons have: with two a side its degrees of freedom fall
    /// towards 1.) False with fewer than two values on either side.
    /// </summary>
    public bool DiffersFrom(Stat other)
    {
        if (N < 2 || other.N < 2) return false;
        int df = N + other.N - 2;
        double pooled = ((N - 1) * Std * Std + (other.N - 1) * other.Std * other.Std) / df;
        double se = Math.Sqrt(pooled * (1.0 / N + 1.0 / other.N));
        double difference = Math.Abs(Mean - other.Mean);
        return se == 0 ? difference > 0 : difference > StudentT975(df) * se;
    }

    // Student's t 0.975 quantiles for 1–30 degrees of freedom (standard tables).
    private static readonly double[] T975 =
    [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];

    /// <summary>Student's t 0.975 quantile for <paramref name="df"/> degrees of freedom, rounded down (conservative); 1.96 + 2.5/df above 30 (within 0.002 of the exact value).</summary>
    public static double StudentT975(double df)
    {
        int whole = (int)Math.Floor(df);
        if (whole < 1) return T975[0];
        return whole <= T975.Length ? T975[whole - 1] : 1.96 + 2.5 / df;
    }
}
