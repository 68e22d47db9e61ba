using NoiseSam.Dsl;
using NoiseSam.Harness.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Tests.Training;

/// <summary>
/// The harness's schedule is TorchSharp's LambdaLR driving the step's AsOptimizer(); its per-step
/// learning rates are those of the hand-written formula the harness used before, bit for bit (from
/// the start and after a resume), which runs trained before the change depend on.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class LearningRateScheduleTests
{
    // The former LearningRateSchedule.At, verbatim: linear warm-up, then cosine to 0.
    private static double Formula(double peak, long totalSteps, double warmupFraction, long step)
    {
        long warmupSteps = (long)Math.Round(warmupFraction * totalSteps);
        if (step < warmupSteps) return peak * (step + 1) / warmupSteps;
        long decay = totalSteps - warmupSteps;
        if (decay <= 1) return peak;
        double progress = Math.Clamp((double)(step - warmupSteps) / decay, 0, 1);
        return peak * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }

    private static ISamStep Step(nn.Module<Tensor, Tensor> model) =>
        SamEngine.Create(new SamVariantDescriptor("SGD") { Schedule = new(SchedulePolicy.Never) }, model);

    [Theory]
    [InlineData(0.1, 1000, 0.05)]
    [InlineData(0.05, 2340, 0.05)]
    [InlineData(0.4, 937, 0.1)]
    [InlineData(0.003, 469, 0.2)]
    [InlineData(0.05, 10, 0)]
    [InlineData(0.05, 1, 0)]
    [InlineData(0.07, 2, 0.5)]
    public void PerStepRatesAreTheFormulasBitForBit(double peak, long totalSteps, double warmup)
    {
        using var model = nn.Linear(3, 2);
        using var step = Step(model);
        var scheduler = LearningRateSchedule.Create(step, peak, totalSteps, warmup);
        for (long t = 0; t < totalSteps; t++)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(Formula(peak, totalSteps, warmup, t)), BitConverter.DoubleToInt64Bits(step.LearningRate));
            scheduler.step();
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(17)]
    [InlineData(50)]
    [InlineData(700)]
    public void AResumedScheduleContinuesWithTheSameRates(long startStep)
    {
        using var model = nn.Linear(3, 2);
        using var step = Step(model);
        var scheduler = LearningRateSchedule.Create(step, 0.1, 1000, 0.05, startStep);
        for (long t = startStep; t < 1000; t++)
        {
            Assert.Equal(Formula(0.1, 1000, 0.05, t), step.LearningRate);
            scheduler.step();
        }
    }

    [Fact]
    public void WarmsUpLinearlyThenDecaysWithACosine()
    {
        using var model = nn.Linear(3, 2);
        using var step = Step(model);
        var scheduler = LearningRateSchedule.Create(step, 0.1, 1000, 0.05);
        var rates = new List<double>();
        for (int t = 0; t < 1000; t++)
        {
            rates.Add(step.LearningRate);
            scheduler.step();
        }
        Assert.Equal(50, LearningRateSchedule.WarmupSteps(1000, 0.05));
        Assert.Equal(0.1 / 50, rates[0], 15);
        Assert.Equal(0.1, rates[49], 15);
        Assert.Equal(0.1, rates[50], 15);
        Assert.Equal(0.05, rates[50 + 475], 12);
        Assert.True(rates[999] < 1e-5);
        for (int t = 51; t < 1000; t++) Assert.True(rates[t] <= rates[t - 1]);
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        using var model = nn.Linear(3, 2);
        using var step = Step(model);
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Create(step, 0, 10, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Create(step, 0.1, 10, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Create(step, 0.1, 0, 0));
    }
}
