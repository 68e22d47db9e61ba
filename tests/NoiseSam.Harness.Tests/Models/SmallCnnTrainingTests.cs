using System.Diagnostics;
using NoiseSam.Harness.Data;
using NoiseSam.Harness.Models;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Tests.Models;

public class SmallCnnTrainingTests(ITestOutputHelper output)
{
    /// <summary>
    /// Plain SGD on a few thousand Fashion-MNIST images: the small CNN learns (test accuracy well
    /// above chance) — data, loader and model fit together.
    /// </summary>
    [Fact]
    public void LearnsFashionMnistQuickly()
    {
        Assert.True(Directory.Exists(DataSets.DefaultDirectory),
            $"Fashion-MNIST is not installed at {DataSets.DefaultDirectory}: run `{DataSets.InstallCommand}`");
        using var split = DataSets.Load("fashion-mnist", limitTrain: 4096, limitTest: 1000);
        double acc = Train(split, epochs: 1, batch: 64, out _);
        output.WriteLine($"test accuracy after one epoch of 4096 samples: {acc:P1}");
        Assert.True(acc > 0.65, $"accuracy {acc:P1}");
    }

    /// <summary>One full epoch (60 000 images, batch 128, SGD): accuracy and time per epoch.</summary>
    [Fact]
    [Trait("Category", "Slow")]
    public void OneFullEpoch()
    {
        Assert.True(Directory.Exists(DataSets.DefaultDirectory),
            $"Fashion-MNIST is not installed at {DataSets.DefaultDirectory}: run `{DataSets.InstallCommand}`");
        NoiseSam.Platform.NativeAllocator.Tune(); // as the harness does at start-up (DESIGN.md §5)
        using var split = DataSets.Load("fashion-mnist");
        double acc = Train(split, epochs: 1, batch: 128, out var seconds);
        output.WriteLine($"one epoch: {seconds:F1} s on {torch.get_num_threads()} threads, test accuracy {acc:P2}");
        Assert.True(acc > 0.85, $"accuracy {acc:P1}");
    }

    private static double Train(DataSplit split, int epochs, int batch, out double trainSeconds)
    {
        using var model = ModelZoo.Create("small-cnn", 1, 10, 28, 0);
        using var opt = torch.optim.SGD(model.parameters(), 0.05, momentum: 0.9);
        var loader = new BatchLoader(split.Train, batch, shuffle: true, seed: 0);
        var watch = Stopwatch.StartNew();
        model.train();
        for (int e = 0; e < epochs; e++)
        {
            foreach (var (x, y) in loader.Epoch(e))
            {
                using var input = x; // drawn outside the step's scope: dispose the batch ourselves
                using var target = y;
                using var scope = torch.NewDisposeScope();
                opt.zero_grad();
                var loss = nn.functional.cross_entropy(model.forward(x), y);
                loss.backward();
                opt.step();
            }
        }
        trainSeconds = watch.Elapsed.TotalSeconds;
        model.eval();
        long correct = 0;
        using (torch.no_grad())
            foreach (var (x, y) in new BatchLoader(split.Test, 500, shuffle: false, seed: 0).Epoch(0))
            {
                using var input = x;
                using var target = y;
                using var scope = torch.NewDisposeScope();
                correct += model.forward(x).argmax(1).eq(y).sum().item<long>();
            }
        return (double)correct / split.Test.Count;
    }
}
