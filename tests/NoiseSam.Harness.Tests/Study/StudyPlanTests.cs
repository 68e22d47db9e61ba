using NoiseSam.Cli.Variants;
using NoiseSam.Dsl;
using NoiseSam.Harness.Study;

namespace NoiseSam.Harness.Tests.Study;

public sealed class StudyPlanTests
{
    static StudyPlanTests() => PaperVariants.EnsureRegistered();

    private static IReadOnlyList<StudyConfig> Default() =>
        StudyPlan.Build(new StudyOptions(), name => SamVariantRegistry.TryGet(name, out var e) ? e.Descriptor : null);

    [Fact]
    public void DefaultPlanCoversEveryFractionNoiseAndScalingOnceAndTheBaselines()
    {
        var plan = Default();
        var sweep = plan.Where(c => c.Group == StudyGroup.Sweep).ToList();
        // σ = 0: 5 fractions; σ ∈ {0.25, 0.5, 1} × gnorm: 5 fractions; × mb: 4 (mb noise is zero at f = 1, i.e. SAM again).
        Assert.Equal(5 + 3 * 5 + 3 * 4, sweep.Count);
        Assert.Equal(["SGD", "ASAM", "ESAM", "LookSAM-5", "AE-SAM", "SS-SAM", "K-SAM", "MBS", "NI-MBS"], plan.Where(c => c.Group == StudyGroup.Baseline).Select(c => c.Descriptor.Name));
        Assert.Equal(plan.Count, plan.Select(c => c.Id.ToLowerInvariant()).Distinct().Count());
        Assert.DoesNotContain(sweep, c => c.Fraction == 1 && c.Scaling == NoiseScaling.MicroBatch);
        foreach (double f in new[] { 1, 0.5, 0.25, 0.125, 0.0625 })
            Assert.Single(sweep, c => c.Fraction == f && c.Sigma == 0);
    }

    [Fact]
    public void SweepPointsDeclareExactlyTheirFractionAndNoise()
    {
        foreach (var c in Default().Where(c => c.Group == StudyGroup.Sweep))
        {
            var d = c.Descriptor;
            Assert.DoesNotContain(d.Validate(), v => v.IsError);
            Assert.Equal(0.05, d.EffectiveRho);
            Assert.Equal(SchedulePolicy.Always, d.Policy);
            if (c.Fraction == 1) Assert.Null(d.MicroBatch);
            else
            {
                Assert.Equal(c.Fraction, d.MicroBatch!.EffectiveFraction);
                Assert.Equal(MicroBatchSelection.Random, d.MicroBatch.EffectiveSelection);
            }
            if (c.Sigma == 0) Assert.Null(d.Noise);
            else
            {
                Assert.Equal(NoiseDistribution.Gaussian, d.Noise!.Distribution);
                Assert.Equal(c.Sigma, d.Noise.EffectiveSigma);
                Assert.Equal(c.Scaling, d.Noise.EffectiveScaling);
            }
            Assert.StartsWith(StudyPlan.IdPrefix, c.Id, StringComparison.Ordinal);
            Assert.Equal(c.Id, d.Name);
        }
    }

    [Fact]
    public void LabelsNameTheAlgorithm()
    {
        var plan = Default();
        Assert.Equal("SAM", plan.Single(c => c.Group == StudyGroup.Sweep && c.Fraction == 1 && c.Sigma == 0).Label);
        Assert.Equal("MBS f=0.25", plan.Single(c => c.Fraction == 0.25 && c.Sigma == 0 && c.Group == StudyGroup.Sweep).Label);
        Assert.Equal("NI-MBS f=0.0625 σ=0.5 mb",
            plan.Single(c => c.Fraction == 0.0625 && c.Sigma == 0.5 && c.Scaling == NoiseScaling.MicroBatch).Label);
    }

    [Fact]
    public void AnUnknownBaselineOrABadSettingIsRefusedWithItsName()
    {
        var e = Assert.Throws<ArgumentException>(() => StudyPlan.Build(new StudyOptions { Baselines = ["NoSuchSam"] }, _ => null));
        Assert.Contains("NoSuchSam", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => StudyPlan.Build(new StudyOptions { Fractions = [1.5] }, _ => null));
        Assert.Contains("1.5", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => StudyPlan.Build(new StudyOptions { Sigmas = [-1] }, _ => null));
        Assert.Contains("-1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SafeIdsKeepOnlyPathAndRegistrySafeCharacters()
    {
        Assert.Equal("LookSAM-5", StudyPlan.SafeId("LookSAM-5"));
        Assert.Equal("a_b_c", StudyPlan.SafeId("a/b c"));
    }
    [Fact]
    public void ThePlanHasTheBaseOptimizerAloneAtTheSweepsSettings()
    {
        var options = new StudyOptions { Rho = 0.07, BaseOptimizer = new BaseOptimizerSpec(OptimizerKind.Sgd) { LearningRate = 0.01, Momentum = 0.9, WeightDecay = 5e-4 } };
        var plan = StudyPlan.Build(options, name => new SamVariantDescriptor(name) { Schedule = new ScheduleSpec(SchedulePolicy.Never) });
        var base_ = Assert.Single(plan, c => c.Group == StudyGroup.Base);
        Assert.Equal(SchedulePolicy.Never, base_.Descriptor.Policy);
        Assert.Equal(options.BaseOptimizer, base_.Descriptor.BaseOptimizer);
        Assert.Equal("SGD alone, lr 0.01 (the sweep's)", base_.Label);
        Assert.All(plan.Where(c => c.Group == StudyGroup.Sweep), c => Assert.Equal(options.BaseOptimizer, c.Descriptor.BaseOptimizer));
    }
}
