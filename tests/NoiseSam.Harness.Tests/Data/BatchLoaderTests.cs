using NoiseSam.Harness.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Tests.Data;

public class BatchLoaderTests
{
    /// <summary>N samples whose every pixel holds the sample's index; label = index mod 10.</summary>
    private static TensorDataset Indexed(int n, int channels = 1, int side = 4)
    {
        using var scope = torch.NewDisposeScope();
        var ids = torch.arange(0, n, 1, ScalarType.Float32).view(n, 1, 1, 1).expand(n, channels, side, side).contiguous();
        var labels = torch.arange(0, n, 1, ScalarType.Int64).remainder(10L);
        return new TensorDataset("indexed", ids, labels, 10);
    }

    /// <summary>The sample ids of one epoch, batch by batch, checking image/label consistency.</summary>
    private static List<long[]> Ids(BatchLoader loader, int epoch)
    {
        var result = new List<long[]>();
        foreach (var (x, y) in loader.Epoch(epoch))
        {
            using (x)
            using (y)
            {
                var ids = x[.., 0, 0, 0].to_type(ScalarType.Int64).data<long>().ToArray();
                var labels = y.data<long>().ToArray();
                Assert.Equal(ids.Select(i => i % 10), labels);
                result.Add(ids);
            }
        }
        return result;
    }

    [Fact]
    public void EveryEpochCoversEverySampleExactlyOnce()
    {
        using var data = Indexed(103);
        var loader = new BatchLoader(data, 10, shuffle: true, seed: 7);

        Assert.Equal(11, loader.BatchesPerEpoch);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var batches = Ids(loader, epoch);
            Assert.Equal(11, batches.Count);
            Assert.All(batches.Take(10), b => Assert.Equal(10, b.Length));
            Assert.Equal(3, batches[^1].Length);
            Assert.Equal(Enumerable.Range(0, 103).Select(i => (long)i), batches.SelectMany(b => b).Order());
        }
    }

    [Fact]
    public void OrderDependsOnlyOnSeedAndEpoch()
    {
        using var data = Indexed(50);
        var a = new BatchLoader(data, 8, shuffle: true, seed: 123);
        var b = new BatchLoader(data, 8, shuffle: true, seed: 123);
        var other = new BatchLoader(data, 8, shuffle: true, seed: 124);

        var a2 = Ids(a, 2).SelectMany(x => x).ToArray();
        // A fresh loader jumping straight to epoch 2 (a resumed run) sees the same order ...
        Assert.Equal(a2, Ids(b, 2).SelectMany(x => x).ToArray());
        // ... also after other epochs were drawn in between.
        Ids(a, 0);
        Ids(a, 5);
        Assert.Equal(a2, Ids(a, 2).SelectMany(x => x).ToArray());
        // Another epoch or another seed shuffles differently, and the order is not the identity.
        Assert.NotEqual(a2, Ids(a, 3).SelectMany(x => x).ToArray());
        Assert.NotEqual(a2, Ids(other, 2).SelectMany(x => x).ToArray());
        Assert.NotEqual(Enumerable.Range(0, 50).Select(i => (long)i).ToArray(), a2);
    }

    [Fact]
    public void WithoutShuffleTheOrderIsTheDataSetOrder()
    {
        using var data = Indexed(25);
        var loader = new BatchLoader(data, 10, shuffle: false, seed: 1);

        Assert.Equal(Enumerable.Range(0, 25).Select(i => (long)i), Ids(loader, 4).SelectMany(x => x));
    }

    [Fact]
    public void DropLastYieldsOnlyFullBatchesOfDistinctSamples()
    {
        using var data = Indexed(103);
        var loader = new BatchLoader(data, 10, shuffle: true, seed: 3, dropLast: true);

        var batches = Ids(loader, 0);

        Assert.Equal(10, loader.BatchesPerEpoch);
        Assert.Equal(10, batches.Count);
        Assert.All(batches, b => Assert.Equal(10, b.Length));
        Assert.Equal(100, batches.SelectMany(b => b).Distinct().Count());
    }

    [Fact]
    public void BatchesBelongToTheCallersScope()
    {
        using var data = Indexed(40);
        var loader = new BatchLoader(data, 8, shuffle: true, seed: 1);
        using var e = loader.Epoch(0).GetEnumerator();

        Tensor inScope;
        using (torch.NewDisposeScope())
        {
            Assert.True(e.MoveNext());
            inScope = e.Current.Input;
            Assert.False(inScope.IsInvalid);
        }
        Assert.True(inScope.IsInvalid); // the caller's step scope disposed it

        // Outside any scope the batch lives until the caller disposes it, even while later batches are drawn.
        Assert.True(e.MoveNext());
        var (x, y) = e.Current;
        Assert.True(e.MoveNext());
        Assert.False(x.IsInvalid);
        Assert.Equal(new long[] { 8, 1, 4, 4 }, x.shape);
        x.Dispose();
        y.Dispose();
        e.Current.Input.Dispose();
        e.Current.Target.Dispose();
        // The data set itself is untouched by the scopes.
        Assert.False(data.Images.IsInvalid);
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        using var data = Indexed(5);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchLoader(data, 0, true, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchLoader(data, 6, true, 1, dropLast: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchLoader(data, 2, true, 1).Epoch(-1));
    }
}
