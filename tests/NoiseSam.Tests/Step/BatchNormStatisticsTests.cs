using NoiseSam.Dsl;
using NoiseSam.Tests.Reference;
using static TorchSharp.torch;

namespace NoiseSam.Tests.Step;

[Collection(TorchCollection.Name)]
public sealed class BatchNormStatisticsTests
{
    [Theory]
    [InlineData("SAM")]
    [InlineData("ESAM")]
    [InlineData("AE-SAM")]
    public void SamStepLeavesRunningStatisticsOfOnePlainForwardPass(string kind)
    {
        var descriptor = kind switch
        {
            "ESAM" => new SamVariantDescriptor(kind) { Perturbation = PerturbationKind.StochasticWeight, Beta = 0.6, DescentSelection = new(DescentSet.SharpnessSensitive) },
            "AE-SAM" => new SamVariantDescriptor(kind) { Schedule = new(SchedulePolicy.Adaptive) },
            _ => new SamVariantDescriptor(kind),
        };
        using var model = TinyNet.Create(3);
        using var plain = TinyNet.Create(3);
        using var step = SamEngine.Create(descriptor, model);
        var (x, y) = TinyNet.Batch(5);

        var result = step.Step(x, y);
        using (no_grad()) plain.forward(x);

        Assert.True(result.Perturbed || kind == "AE-SAM");
        Assert.True(Close.Same(plain.FlatBuffers(), model.FlatBuffers()),
            "running mean/var and num_batches_tracked must equal those of one train-mode forward pass at w");
    }

    [Fact]
    public void MicroBatchSamUpdatesRunningStatisticsOncePerStep()
    {
        var descriptor = new SamVariantDescriptor("MBS") { MicroBatch = new() { Fraction = 0.25, Selection = MicroBatchSelection.Head } };
        using var model = TinyNet.Create(3);
        using var step = SamEngine.Create(descriptor, model);
        var tracked = model.named_buffers().Where(b => b.name.EndsWith("num_batches_tracked")).Select(b => b.buffer).Single();
        for (int i = 1; i <= 3; i++)
        {
            var (x, y) = TinyNet.Batch(i);
            step.Step(x, y);
            Assert.Equal(i, tracked.item<long>());
        }
    }
}
