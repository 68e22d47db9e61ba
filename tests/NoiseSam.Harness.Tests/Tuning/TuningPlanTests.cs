using NoiseSam.Dsl;
using NoiseSam.Harness.Statistics;
using NoiseSam.Harness.Study;
using NoiseSam.Harness.Training;
using NoiseSam.Harness.Tuning;

namespace NoiseSam.Harness.Tests.Tuning;

public sealed class TuningPlanTests
{
    private static readonly SamVariantDescriptor KSam = new("K-SAM")
    {
        MicroBatch = new MicroBatchSpec { Fraction = 0.25, Selection = MicroBatchSelection.TopLoss },
        DescentSelection = new DescentSelectionSpec(DescentSet.SameAsAscent),
        BaseOptimizer = new BaseOptimizerSpec(OptimizerKind.Sgd) { LearningRate = 0.01, Momentum = 0.9, WeightDecay = 5e-4 },
    };

    [Fact]
    public void CandidatesAreTheCartesianProductAppliedToTheDeclaration()
    {
        var axes = TuningAxis.Parse("rho=0.01,0.05; f=0.25,0.5 ;lr=0.01,0.05");
        var candidates = TuningPlan.Candidates(KSam, axes);
        Assert.Equal(8, candidates.Count);
        Assert.Equal(8, candidates.Select(c => c.Id).Distinct().Count());
        var c = candidates.Single(x => x.Setting == "rho=0.05 f=0.5 lr=0.05");
        Assert.Equal(0.05, c.Descriptor.Rho);
        Assert.Equal(0.5, c.Descriptor.MicroBatch!.Fraction);
        Assert.Equal(MicroBatchSelection.TopLoss, c.Descriptor.MicroBatch.Selection);
        Assert.Equal(0.05, c.Descriptor.BaseOptimizer!.LearningRate);
        Assert.Equal(0.9, c.Descriptor.BaseOptimizer.Momentum);
        Assert.Equal(c.Id, c.Descriptor.Name);
        Assert.Equal("K-SAM rho=0.05 f=0.5 lr=0.05", c.Label);
        Assert.Equal(StudyGroup.Tuning, c.Group);
    }

    [Fact]
    public void TheDeclaredValueIsAlwaysACandidate()
    {
        var look = new SamVariantDescriptor("LookSAM-5") { Schedule = new ScheduleSpec(SchedulePolicy.LookSam) { K = 5, Alpha = 0.5 } };
        Assert.Equal([0.1, 0.3, 0.5, 0.7], TuningPlan.DefaultAxes(look).Single(a => a.Parameter == "alpha").Values);
        var sgd = new SamVariantDescriptor("SGD") { Schedule = new ScheduleSpec(SchedulePolicy.Never) };
        Assert.Equal("lr", TuningPlan.DefaultAxes(sgd).Single().Parameter);
        Assert.Equal(["rho", "f", "lr"], TuningPlan.DefaultAxes(KSam).Select(a => a.Parameter));
    }

    [Theory]
    [InlineData("rho", "is not parameter=value")]
    [InlineData("speed=1,2", "unknown tuning parameter 'speed'")]
    [InlineData("rho=0.1,fast", "'fast' in 'rho=0.1,fast' is not a number")]
    [InlineData("rho=0.1;rho=0.2", "'rho' is given twice")]
    public void MalformedGridsAreRefusedWithTheReason(string text, string fragment) =>
        Assert.Contains(fragment, Assert.Throws<ArgumentException>(() => TuningAxis.Parse(text)).Message);

    [Fact]
    public void ACandidateTheRulesRejectNamesTheRule()
    {
        var e = Assert.Throws<ArgumentException>(() => TuningPlan.Candidates(KSam, TuningAxis.Parse("f=1.5")));
        Assert.Contains("NSAM004", e.Message);
        Assert.Contains("f=1.5", e.Message);
        var sam = new SamVariantDescriptor("SAM");
        Assert.Contains("needs a [MicroBatch]", Assert.Throws<ArgumentException>(() => TuningPlan.Candidates(sam, TuningAxis.Parse("f=0.5"))).Message);
    }

    private static StudyRunRecord Run(string id, long seed, double validation, double test) => new(id, seed, "fp", new RunResult
    {
        Variant = id, Declaration = "", Model = "m", Data = "d", Seed = seed, Epochs = 1, BatchSize = 1, Threads = 1, TrainSamples = 1,
        TestSamples = 1, TotalSteps = 1, IdealRatio = 1, Steps = 1, Completed = true, ValidationSamples = 10,
        Records = [new EpochRecord(1, 1, 1, test, 1, 1, 1, 1, 0, double.NaN, 0, 0.1, 1, validation)],
    });

    [Fact]
    public void TheChoiceIsTheBestMeanValidationAccuracyNeverTheTestAccuracy()
    {
        var configs = TuningPlan.Candidates(new SamVariantDescriptor("SAM"), TuningAxis.Parse("rho=0.02,0.05,0.1"));
        string a = configs[0].Id, b = configs[1].Id, c = configs[2].Id;
        var runs = new[]
        {
            Run(a, 0, 0.60, 0.95), Run(a, 1, 0.62, 0.95),   // best on test, not on validation
            Run(b, 0, 0.70, 0.80), Run(b, 1, 0.72, 0.80),   // mean 0.71
            Run(c, 0, 0.66, 0.80), Run(c, 1, 0.78, 0.80),   // mean 0.72, wide spread
        };
        // c has the best mean validation accuracy and is chosen; b is within noise of it.
        var result = TuningResult.Compute(configs, runs, seedsPerCandidate: 2).Single();
        Assert.True(result.Complete);
        Assert.Equal("rho=0.1", result.Choice!.Setting);
        Assert.Equal(0.72, result.Choice.Validation.Mean, 12);
        var rowB = result.Candidates.Single(x => x.Id == b);
        Assert.True(rowB.WithinNoiseOfChosen);
        // a: 0.61 ± 0.01 vs c: 0.72 ± 0.06 → difference 0.11 < 2·√(0.01² + 0.06²) ≈ 0.122: within noise as well.
        Assert.True(result.Candidates.Single(x => x.Id == a).WithinNoiseOfChosen);
        Assert.False(TuningResult.Compute(configs, runs.Take(5).ToList(), 2).Single().Complete);
    }

    [Fact]
    public void StatDiffersOnlyWhenStudentsTestSaysSo()
    {
        var x = Stat.Of([0.70, 0.72]);
        Assert.True(x.DiffersFrom(Stat.Of([0.60, 0.62])));
        Assert.False(x.DiffersFrom(Stat.Of([0.66, 0.78])));
    }
}
