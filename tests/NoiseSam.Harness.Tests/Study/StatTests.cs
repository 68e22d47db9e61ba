using NoiseSam.Harness.Study;
using NoiseSam.Harness.Statistics;

namespace NoiseSam.Harness.Tests.Study;

public sealed class StatTests
{
    [Fact]
    public void MeanAndSampleStandardDeviationMatchTheTextbookValues()
    {
        var s = Stat.Of([2, 4, 4, 4, 5, 5, 7, 9]);
        Assert.Equal(5, s.Mean, 12);
        // Σ(x − 5)² = 32 over n − 1 = 7.
        Assert.Equal(Math.Sqrt(32.0 / 7), s.Std, 12);
        Assert.Equal(8, s.N);
        Assert.Equal(Math.Sqrt(32.0 / 7) / Math.Sqrt(8), s.StandardError, 12);
    }

    [Fact]
    public void NonFiniteValuesAreLeftOutAndNoValuesGiveNaN()
    {
        Assert.Equal(2, Stat.Of([1, double.NaN, 3]).N);
        Assert.True(double.IsNaN(Stat.Of([]).Mean));
        Assert.Equal(0, Stat.Of([0.9]).Std);
    }

    [Fact]
    public void DifferenceCountsOnlyWhenStudentsTTestRejectsEqualMeans()
    {
        var a = Stat.Of([0.80, 0.81, 0.82]); // pooled SE 0.01·√(2/3); df 4, t = 2.776: threshold 0.0227
        Assert.True(a.DiffersFrom(Stat.Of([0.85, 0.86, 0.87])));   // 0.05 apart
        Assert.False(a.DiffersFrom(Stat.Of([0.81, 0.82, 0.83])));  // 0.01 apart
        Assert.False(Stat.Of([0.5]).DiffersFrom(Stat.Of([0.9])));  // one seed: no test
        // Two seeds a side: pooled SE 0.0141, df 2, t = 4.303: threshold 0.0609. A gap
        // of 0.045 passes the normal 2-SE rule (0.0283) but not the t-test.
        var two = Stat.Of([0.70, 0.72]);
        Assert.False(two.DiffersFrom(Stat.Of([0.745, 0.765])));
        Assert.True(two.DiffersFrom(Stat.Of([0.775, 0.795])));     // 0.075 apart
    }

    [Fact]
    public void StudentQuantilesMatchTheTables()
    {
        // Published two-sided 95 % critical values (e.g. NIST/SEMATECH e-Handbook, Table 1.3.6.7.2).
        Assert.Equal(12.706, Stat.StudentT975(1), 3);
        Assert.Equal(4.303, Stat.StudentT975(2.9), 3);               // rounded down
        Assert.Equal(2.042, Stat.StudentT975(30), 3);
        Assert.Equal(2.000, Stat.StudentT975(60), 2);
        Assert.Equal(1.980, Stat.StudentT975(120), 2);
    }
}
