using NoiseSam.Harness.Training;

namespace NoiseSam.Harness.Tests.Training;

public sealed class LearningRateScheduleTests
{
    [Fact]
    public void WarmsUpLinearlyThenDecaysWithACosine()
    {
        var s = new LearningRateSchedule(0.1, 1000, 0.05);
        Assert.Equal(50, s.WarmupSteps);
        Assert.Equal(0.1 / 50, s.At(0), 15);
        Assert.Equal(0.1 * 25 / 50, s.At(24), 15);
        Assert.Equal(0.1, s.At(49), 15);
        Assert.Equal(0.1, s.At(50), 15);
        Assert.Equal(0.05, s.At(50 + 475), 12);
        Assert.True(s.At(999) < 1e-5);
        for (long t = 51; t < 1000; t++) Assert.True(s.At(t) <= s.At(t - 1));
    }

    [Fact]
    public void NoWarmupAndTinyRuns()
    {
        var s = new LearningRateSchedule(0.05, 10, 0);
        Assert.Equal(0.05, s.At(0), 15);
        Assert.True(s.At(9) < s.At(1));
        Assert.Equal(0.05, new LearningRateSchedule(0.05, 1, 0).At(0), 15);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule(0, 10, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule(0.1, 10, 1));
    }
}
