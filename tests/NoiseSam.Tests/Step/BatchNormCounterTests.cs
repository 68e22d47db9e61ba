using NoiseSam.Dsl;
using NoiseSam.Planning;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NoiseSam.Tests.Step;

/// <summary>
/// The step counts a batch-norm layer's batches itself: during its passes the forward must not
/// (TorchSharp's count is an add_ of finaliser-freed Scalars that a concurrent collection can free
/// mid-call), and after the step, or a step that threw, the layer counts its own forwards again.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class BatchNormCounterTests
{
    private static (Sequential Model, BatchNorm Bn) Net()
    {
        torch.manual_seed(5);
        var model = nn.Sequential(("bn", nn.BatchNorm1d(4)), ("fc", nn.Linear(4, 3)));
        return (model, model.modules().OfType<BatchNorm>().Single());
    }

    private static Func<Tensor?, Tensor> Loss(Sequential model, Tensor x, Tensor y, Action? duringForward = null) => rows =>
    {
        var (xs, ys) = rows is null ? (x, y) : (x.index_select(0, rows), y.index_select(0, rows));
        var losses = nn.functional.cross_entropy(model.forward(xs), ys, reduction: nn.Reduction.None);
        duringForward?.Invoke();
        return losses;
    };

    [Theory]
    [InlineData("SAM")]
    [InlineData("MBS")]
    public void ForwardsInsideAStepDoNotCountAndTheStepCountsOneBatch(string kind)
    {
        var (model, bn) = Net();
        using var _ = model;
        var descriptor = kind == "MBS"
            ? new SamVariantDescriptor(kind) { MicroBatch = new() { Fraction = 0.5, Selection = MicroBatchSelection.Random } }
            : new SamVariantDescriptor(kind);
        using var step = SamEngine.Create(descriptor, model);
        var counter = bn.num_batches_tracked!;
        var x = torch.randn(8, 4);
        var y = torch.randint(0, 3, 8);
        var seen = new List<long>();
        for (int i = 1; i <= 2; i++)
        {
            step.Step(new SamBatch(8, Loss(model, x, y, () => seen.Add(counter.item<long>()))));
            Assert.Equal(i, counter.item<long>());
        }
        // Two passes per step (ascent, descent), each seeing the count the step started from.
        Assert.Equal([0L, 0L, 1L, 1L], seen);
    }

    [Fact]
    public void AfterAStepTheLayerCountsItsOwnTrainingForwardsAgain()
    {
        var (model, bn) = Net();
        using var _ = model;
        var counter = bn.num_batches_tracked!;
        using var step = SamEngine.Create(new SamVariantDescriptor("SAM"), model);
        step.Step(torch.randn(8, 4), torch.randint(0, 3, 8));
        Assert.Same(counter, bn.num_batches_tracked);
        using (no_grad()) model.forward(torch.randn(8, 4));
        Assert.Equal(2, counter.item<long>());
        Assert.Equal(["bn.running_mean", "bn.running_var", "bn.num_batches_tracked"], model.named_buffers().Select(b => b.name));
    }

    [Fact]
    public void AStepWhosePassThrowsLeavesTheCounterOnTheLayerAndUnchanged()
    {
        var (model, bn) = Net();
        using var _ = model;
        var counter = bn.num_batches_tracked!;
        using var step = SamEngine.Create(new SamVariantDescriptor("SAM"), model);
        var x = torch.randn(8, 4);
        var y = torch.randint(0, 3, 8);
        Assert.Throws<InvalidOperationException>(() => step.Step(new SamBatch(8, Loss(model, x, y, () => throw new InvalidOperationException("user closure")))));
        Assert.Same(counter, bn.num_batches_tracked);
        Assert.Equal(0, counter.item<long>());
        using (no_grad()) model.forward(x);
        Assert.Equal(1, counter.item<long>());
    }
}
