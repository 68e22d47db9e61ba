using System.Runtime.CompilerServices;
using NoiseSam.Dsl;
using NoiseSam.Platform;
using NoiseSam.Tests.Reference;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Tests.Platform;

[Collection(TorchCollection.Name)]
public sealed class FinalizerPacerTests
{
    [Fact]
    public void CollectsOnTheFirstStepThenOnlyOnceTheLastCollectionIsOnePercentOfTheTimeSinceIt()
    {
        long now = 0;
        var pacer = new FinalizerPacer(() => now, () => now += 2);   // each collection takes 2 ticks

        Assert.True(pacer.AfterStep());                                // ends at 2
        now = 150;                                                     // 148 ticks later: 2 > 1 % of 148
        Assert.False(pacer.AfterStep());
        now = 201;                                                     // 199 ticks: still over 1 %
        Assert.False(pacer.AfterStep());
        now = 202;                                                     // 200 ticks: exactly 1 %
        Assert.True(pacer.AfterStep());
        Assert.Equal(2, pacer.Collections);
    }

    [Fact]
    public void ASlowerCollectionWidensTheGapBeforeTheNext()
    {
        long now = 0, cost = 1;
        var pacer = new FinalizerPacer(() => now, () => now += cost);
        pacer.AfterStep();
        cost = 10;
        now = 101;                                                     // 100 ticks after a 1-tick collection
        Assert.True(pacer.AfterStep());                                // ends at 111, took 10
        now = 111 + 999;
        Assert.False(pacer.AfterStep());
        now = 111 + 1000;
        Assert.True(pacer.AfterStep());
    }

    [Fact]
    public void AStepFreesTheScalarsTorchSharpLeavesToFinalisers()
    {
        torch.random.manual_seed(3);
        using var model = TinyNet.Create(3);
        using var step = SamEngine.Create(new SamVariantDescriptor("SAM"), model, new SamStepOptions { Seed = 3 });
        var (x, y) = TinyNet.Batch(3);
        step.Step(x, y);
        // Past the pacer's budget for whatever collection ran last (a gen-0 collection takes well under 10 ms).
        Thread.Sleep(1000);
        var scalar = ScalarNobodyDisposes();
        long before = FinalizerPacer.Process.Collections;

        step.Step(x, y);

        Assert.Equal(before + 1, FinalizerPacer.Process.Collections);
        Assert.False(scalar.IsAlive, "the Scalar made before the step is still reachable after it");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference ScalarNobodyDisposes()
    {
        Scalar s = 0.25;   // what `a + b` or Conv2d.forward make and drop
        return new WeakReference(s);
    }
}
