using NoiseSam.Harness.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Tests.Data;

[Collection(TorchCollection.Name)]
public sealed class DataPreparationTests
{
    // 1,000 images whose first pixel is their index, so every sample can be traced through the split.
    private static DataSplit Indexed(int n = 1000, int classes = 10)
    {
        var images = torch.zeros(n, 1, 2, 2);
        images.view(n, 4).select(1, 0).copy_(torch.arange(n, dtype: ScalarType.Float32));
        var labels = torch.arange(n, dtype: ScalarType.Int64).remainder(classes);
        var train = new TensorDataset("toy/train", images, labels, classes);
        var test = new TensorDataset("toy/test", torch.ones(7, 1, 2, 2), torch.zeros(7, dtype: ScalarType.Int64), classes);
        return new DataSplit(train, test);
    }

    private static long[] Ids(TensorDataset d) => d.Images.view(d.Count, 4).select(1, 0).to_type(ScalarType.Int64).data<long>().ToArray();

    [Fact]
    public void SymmetricNoiseFlipsAboutPToAnotherClassUniformly()
    {
        var labels = Enumerable.Range(0, 20000).Select(i => (long)(i % 10)).ToArray();
        var (noisy, flipped) = DataPreparation.SymmetricNoise(labels, 10, 0.4, seed: 5);

        Assert.Equal(noisy.Zip(labels).Count(p => p.First != p.Second), flipped);
        // Binomial(20000, 0.4): sd ≈ 69; 5 sd either side.
        Assert.InRange(flipped, 8000 - 350, 8000 + 350);
        // Flipped labels land on the other nine classes evenly: each about 1/9 of the flips (sd ≈ 3 % of that).
        var counts = noisy.Zip(labels).Where(p => p.First != p.Second).GroupBy(p => (p.First - p.Second + 10) % 10).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(9, counts.Count);
        Assert.DoesNotContain(0L, counts.Keys);
        foreach (int c in counts.Values) Assert.InRange(c, flipped / 9 * 0.85, flipped / 9 * 1.15);
    }

    [Fact]
    public void NoiseIsDeterministicAndALargerProbabilityFlipsASuperset()
    {
        var labels = Enumerable.Range(0, 3000).Select(i => (long)(i % 7)).ToArray();
        var (a, _) = DataPreparation.SymmetricNoise(labels, 7, 0.2, seed: 9);
        var (again, _) = DataPreparation.SymmetricNoise(labels, 7, 0.2, seed: 9);
        var (more, _) = DataPreparation.SymmetricNoise(labels, 7, 0.5, seed: 9);
        var (other, _) = DataPreparation.SymmetricNoise(labels, 7, 0.2, seed: 10);
        Assert.Equal(a, again);
        Assert.NotEqual(a, other);
        for (int i = 0; i < labels.Length; i++)
            if (a[i] != labels[i]) Assert.Equal(a[i], more[i]);
    }

    [Fact]
    public void ValidationSplitHoldsOutTheFractionDisjointlyAndKeepsTheTestSplit()
    {
        var split = DataPreparation.Apply(Indexed(), new DataOptions { ValidationFraction = 0.2, DataSeed = 3 });
        using (split)
        {
            Assert.NotNull(split.Validation);
            Assert.Equal(200, split.Validation!.Count);
            Assert.Equal(800, split.Train.Count);
            var train = Ids(split.Train);
            var val = Ids(split.Validation);
            Assert.Empty(train.Intersect(val));
            Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), train.Concat(val).Order());
            // Each side keeps the data set's order; labels travel with their images.
            Assert.Equal(train.Order(), train);
            Assert.Equal(train.Select(i => i % 10), split.Train.Labels.data<long>().ToArray());
            Assert.Equal(7, split.Test.Count);
            Assert.Equal("toy/validation", split.Validation.Name);
            Assert.Same(split.Validation, split.Monitor);
        }
        using var first = DataPreparation.Apply(Indexed(), new DataOptions { ValidationFraction = 0.2, DataSeed = 3 });
        using var again = DataPreparation.Apply(Indexed(), new DataOptions { ValidationFraction = 0.2, DataSeed = 3 });
        using var otherSeed = DataPreparation.Apply(Indexed(), new DataOptions { ValidationFraction = 0.2, DataSeed = 4 });
        Assert.Equal(Ids(first.Validation!), Ids(again.Validation!));
        Assert.NotEqual(Ids(first.Validation!), Ids(otherSeed.Validation!));
    }

    [Fact]
    public void NoiseReachesTrainingAndValidationLabelsButNeverTheTestLabels()
    {
        using var split = DataPreparation.Apply(Indexed(), new DataOptions { ValidationFraction = 0.25, LabelNoise = 0.4, DataSeed = 1 });
        long Changed(TensorDataset d) => Ids(d).Zip(d.Labels.data<long>().ToArray()).Count(p => p.First % 10 != p.Second);
        long trainChanged = Changed(split.Train), valChanged = Changed(split.Validation!);
        Assert.Equal(split.FlippedLabels, trainChanged + valChanged);
        Assert.Equal(1000, split.LabelledSamples);
        Assert.InRange(split.FlippedFraction, 0.33, 0.47);
        Assert.InRange((double)valChanged / split.Validation!.Count, 0.25, 0.55);
        Assert.All(split.Test.Labels.data<long>().ToArray(), l => Assert.Equal(0, l));
        Assert.Contains("label noise 0.4", split.Describe());
    }

    [Theory]
    [InlineData(1.0, 0.0)]
    [InlineData(-0.1, 0.0)]
    [InlineData(0.0, 1.0)]
    [InlineData(0.0, double.NaN)]
    public void OutOfRangeOptionsAreRefused(double validation, double noise)
    {
        using var data = Indexed();
        Assert.Throws<ArgumentException>(() => DataPreparation.Apply(data, new DataOptions { ValidationFraction = validation, LabelNoise = noise }));
    }

    [Fact]
    public void AFractionThatLeavesASideEmptyIsRefused()
    {
        using var data = Indexed(n: 3);
        var e = Assert.Throws<ArgumentException>(() => DataPreparation.Apply(data, new DataOptions { ValidationFraction = 0.1 }));
        Assert.Contains("holds out 0", e.Message);
    }
}
