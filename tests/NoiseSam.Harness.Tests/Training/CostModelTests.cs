using NoiseSam.Cli.Variants;
using NoiseSam.Dsl;
using NoiseSam.Harness.Training;

namespace NoiseSam.Harness.Tests.Training;

public sealed class CostModelTests
{
    private static SamVariantDescriptor Paper(string name) => PaperVariants.Descriptors.Single(d => d.Name == name);

    [Theory]
    [InlineData("SGD", 1.0)]
    [InlineData("SAM", 2.0)]
    [InlineData("ASAM", 2.0)]
    [InlineData("LookSAM-5", 1.2)]
    [InlineData("AE-SAM", 1.5)]
    [InlineData("SS-SAM", 1.5)]
    [InlineData("MBS", 1.25)]
    [InlineData("NI-MBS", 1.25)]
    [InlineData("K-SAM", 1.0 / 3 + 2 * 0.5)]   // the selection forward, then both pass pairs on f = 0.5 (the searched fraction)
    public void MatchesTheTableOfAlgorithms102(string name, double expected) =>
        Assert.Equal(expected, CostModel.IdealRatio(Paper(name)), 12);

    [Fact]
    public void EsamPaysTheSelectionForwardAndSavesOnFrozenTensors()
    {
        // 1 + 1/3 + γ without SWP (β = 1); β = 0.6 saves (1 − β)/3 of the ascent pass pair.
        var esam = Paper("ESAM");
        Assert.Equal(1 + 1.0 / 3 + 0.5, CostModel.IdealRatio(esam with { Beta = 1.0 }), 12);
        Assert.Equal(1 - 0.4 / 3 + 1.0 / 3 + 0.5, CostModel.IdealRatio(esam), 12);
    }

    [Fact]
    public void GeneralFormulaForSwitchingAndMicroBatches()
    {
        var d = new SamVariantDescriptor("x")
        {
            MicroBatch = new MicroBatchSpec { Fraction = 0.5, Selection = MicroBatchSelection.TopLoss },
            Schedule = new ScheduleSpec(SchedulePolicy.Bernoulli) { Probability = 0.4 },
        };
        Assert.Equal(1 + 0.4 * (0.5 + 1.0 / 3), CostModel.IdealRatio(d), 12); // 1 + p·f + p/3
        var everyK = new SamVariantDescriptor("y") { Schedule = new ScheduleSpec(SchedulePolicy.EveryK) { K = 4 } };
        Assert.Equal(1.25, CostModel.IdealRatio(everyK), 12);
        var linear = new SamVariantDescriptor("z")
        {
            MicroBatch = new MicroBatchSpec { Fraction = 0.5, FinalFraction = 0.1, FractionSchedule = FractionSchedule.Linear },
        };
        Assert.Equal(1.3, CostModel.IdealRatio(linear), 12);
        Assert.Equal(2.0, CostModel.IdealRatio(new SamVariantDescriptor("defaults")), 12);
    }

    [Theory]
    [InlineData("SS-SAM", 0.3, 1.3)]      // 1 + q: a SAM step costs one pass pair more
    [InlineData("AE-SAM", 0.8, 1.8)]      // the full-batch gradient at w is always paid, SAM adds the descent
    [InlineData("LookSAM-5", 0.0, 1.0)]
    [InlineData("MBS", 1.0, 1.25)]
    [InlineData("SGD", 0.7, 1.0)]         // Never stays the base optimizer whatever the share
    public void AtAnObservedSamShareEachSamStepAddsItsExtraPasses(string name, double share, double expected) =>
        Assert.Equal(expected, CostModel.IdealRatio(Paper(name), share), 12);

    [Fact]
    public void TheExpectedShareGivesTheTableValue()
    {
        foreach (var d in PaperVariants.Descriptors)
            Assert.Equal(CostModel.IdealRatio(d), CostModel.IdealRatio(d, CostModel.SamShare(d)), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => CostModel.IdealRatio(Paper("SAM"), 1.5));
    }
}
