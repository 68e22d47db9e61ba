using NoiseSam.Harness.Statistics;

namespace NoiseSam.Harness.Tests.Reports;

public sealed class CollapseTests
{
    [Fact]
    public void TheKSamSeedThatDiedIsFlaggedAndItsHealthySeedsAreNot() =>
        Assert.Equal([0], Collapse.Find([0.306, 0.861, 0.857, 0.866], classes: 10));

    [Fact]
    public void SeedNoiseWithinTheMarginIsNotACollapse() =>
        Assert.Empty(Collapse.Find([0.78, 0.72, 0.80], classes: 10));

    [Fact]
    public void NearChanceAndNonFiniteRunsCollapseEvenAlone()
    {
        Assert.Equal([0], Collapse.Find([0.19], classes: 10));
        Assert.Equal([1], Collapse.Find([0.7, double.NaN], classes: 10));
        Assert.Empty(Collapse.Find([0.5], classes: 10));
    }
}
