using Xunit.Abstractions;
using NoiseSam.Dsl;
using NoiseSam.Tests.Reference;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Tests.Step;

[Collection(TorchCollection.Name)]
public sealed class MemoryTests(ITestOutputHelper output)
{
    [Fact]
    public void TwoThousandStepsKeepResidentMemoryFlat()
    {
        var descriptor = new SamVariantDescriptor("NI-MBS") { MicroBatch = new() { Fraction = 0.5 }, Noise = new(NoiseDistribution.Gaussian) };
        NoiseSam.Platform.NativeAllocator.Tune();   // the allocator settings the CLI runs with (no mmap, no trim)
        // ~72k parameters (0.6 MB per float64 buffer): leaking even one parameter-sized tensor
        // per step would grow RSS by over a gigabyte during the run, far past the bound.
        torch.random.manual_seed(1);
        using var model = nn.Sequential(nn.Flatten(), nn.Linear(64, 1024), nn.BatchNorm1d(1024), nn.ReLU(), nn.Linear(1024, 5));
        model.to(ScalarType.Float64).train();
        using var step = SamEngine.Create(descriptor, model, new SamStepOptions { Seed = 1 });
        var (x, y) = TinyNet.Batch(1);
        for (int i = 0; i < 300; i++) step.Step(x, y);
        long warm = ResidentBytes();
        for (int i = 0; i < 2000; i++) step.Step(x, y);
        long after = ResidentBytes();
        Assert.True(after - warm < 50L << 20, $"RSS grew by {(after - warm) >> 20} MiB over 2,000 steps");
    }

    /// <summary>Issue 6's target, "RSS flat over 10,000 steps": VmRSS every 1,000 steps, each within 50 MiB of the first.</summary>
    [Fact]
    [Trait("Category", "Slow")]
    public void TenThousandStepsKeepResidentMemoryFlat()
    {
        var descriptor = new SamVariantDescriptor("NI-MBS") { MicroBatch = new() { Fraction = 0.5 }, Noise = new(NoiseDistribution.Gaussian) };
        // One intra-op thread: on a shared machine, thread-pool barriers of tiny ops dominate 10,000 steps.
        int threads = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            TenThousandSteps(descriptor);
        }
        finally
        {
            torch.set_num_threads(threads);
        }
    }

    private void TenThousandSteps(SamVariantDescriptor descriptor)
    {
        NoiseSam.Platform.NativeAllocator.Tune();   // the allocator settings the CLI runs with (no mmap, no trim)
        torch.random.manual_seed(1);
        using var model = nn.Sequential(nn.Flatten(), nn.Linear(64, 1024), nn.BatchNorm1d(1024), nn.ReLU(), nn.Linear(1024, 5));
        model.to(ScalarType.Float64).train();
        using var step = SamEngine.Create(descriptor, model, new SamStepOptions { Seed = 1 });
        var (x, y) = TinyNet.Batch(1);
        for (int i = 0; i < 300; i++) step.Step(x, y);
        var samples = new List<long> { ResidentBytes() };
        for (int i = 1; i <= 10_000; i++)
        {
            step.Step(x, y);
            if (i % 1000 == 0) samples.Add(ResidentBytes());
        }
        output.WriteLine("RSS MiB every 1,000 steps: " + string.Join(", ", samples.Select(b => (b / 1048576.0).ToString("F1", System.Globalization.CultureInfo.InvariantCulture))));
        Assert.Equal(11, samples.Count);
        Assert.All(samples, b => Assert.True(b - samples[0] < 50L << 20, $"RSS grew by {(b - samples[0]) >> 20} MiB"));
    }

    private static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
