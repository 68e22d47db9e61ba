using NoiseSam.Harness.Study;

namespace NoiseSam.Harness.Tests.Study;

public sealed class StudyShardTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void TheShardsPartitionThePlanAndEachWorksThroughEveryRun(int count)
    {
        const int runs = 23;
        var owners = Enumerable.Range(0, runs).Select(i => Enumerable.Range(0, count).Single(s => new StudyShard(s, count).Owns(i))).ToList();
        for (int s = 0; s < count; s++)
        {
            var shard = new StudyShard(s, count);
            var order = shard.WorkOrder(runs);
            Assert.Equal(Enumerable.Range(0, runs), order.Order());
            int own = owners.Count(o => o == s);
            Assert.InRange(own, runs / count, runs / count + 1);
            Assert.All(order.Take(own), i => Assert.True(shard.Owns(i)));
            Assert.Equal(order.Take(own), order.Take(own).Order());                       // its own runs in plan order
            Assert.Equal(order.Skip(own), order.Skip(own).OrderDescending());             // then the others' from the end
        }
    }

    [Fact]
    public void EveryShardGetsAMixOfConfigurationsWhenTheirNumberIsAMultipleOfTheShards()
    {
        // 2 configurations × 2 seeds, seed-major: (A,0) (B,0) (A,1) (B,1).
        Assert.Equal([0, 3], Enumerable.Range(0, 4).Where(new StudyShard(0, 2).Owns));
        Assert.Equal([1, 2], Enumerable.Range(0, 4).Where(new StudyShard(1, 2).Owns));
    }

    [Theory]
    [InlineData("0/1", 0, 1)]
    [InlineData("3/4", 3, 4)]
    [InlineData(" 1 / 2 ", 1, 2)]
    public void ParseReadsIndexSlashCount(string text, int index, int count) =>
        Assert.Equal(new StudyShard(index, count), StudyShard.Parse(text));

    [Theory]
    [InlineData("2/2", "outside 0..1")]
    [InlineData("0/0", "at least one shard")]
    [InlineData("-1/2", "not a shard")]
    [InlineData("1", "not a shard")]
    [InlineData("a/b", "not a shard")]
    public void ParseRefusesWhatIsNotAShard(string text, string fragment) =>
        Assert.Contains(fragment, Assert.Throws<ArgumentException>(() => StudyShard.Parse(text)).Message, StringComparison.Ordinal);

    [Fact]
    public void ASlurmArrayTaskIsItsShardRelativeToTheArraysFirstIdAndStep()
    {
        Assert.Equal(new StudyShard(1, 4), Env(("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_COUNT", "4")));
        Assert.Equal(new StudyShard(2, 8), Env(("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_COUNT", "8"), ("SLURM_ARRAY_TASK_MIN", "1")));
        Assert.Equal(new StudyShard(3, 5), Env(("SLURM_ARRAY_TASK_ID", "6"), ("SLURM_ARRAY_TASK_COUNT", "5"), ("SLURM_ARRAY_TASK_MIN", "0"), ("SLURM_ARRAY_TASK_STEP", "2")));
    }

    [Fact]
    public void AKubernetesIndexedJobNeedsTheShardCountBesideItsIndex()
    {
        Assert.Equal(new StudyShard(2, 3), Env(("JOB_COMPLETION_INDEX", "2"), (StudyShard.CountVariable, "3")));
        var e = Assert.Throws<ArgumentException>(() => Env(("JOB_COMPLETION_INDEX", "2")));
        Assert.Contains(StudyShard.CountVariable, e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Env(("JOB_COMPLETION_INDEX", "3"), (StudyShard.CountVariable, "3")));
    }

    [Fact]
    public void OutsideAJobArrayThereIsNoShard() => Assert.Null(Env());

    private static StudyShard? Env(params (string Name, string Value)[] variables) =>
        StudyShard.FromEnvironment(name => variables.FirstOrDefault(v => v.Name == name).Value);
}
