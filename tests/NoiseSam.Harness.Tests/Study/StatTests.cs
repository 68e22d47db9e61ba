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
    public void DifferenceCountsOnlyBeyondTwoCombinedStandardErrors()
    {
        var a = Stat.Of([0.80, 0.81, 0.82]); // SE = 0.01 / √3
        Assert.True(a.DiffersFrom(Stat.Of([0.85, 0.86, 0.87])));   // 0.05 apart, 2·SE·√2 ≈ 0.0163
        Assert.False(a.DiffersFrom(Stat.Of([0.81, 0.82, 0.83])));  // 0.01 apart
        Assert.False(Stat.Of([0.5]).DiffersFrom(Stat.Of([0.9])));  // one seed: no test
    }
}
