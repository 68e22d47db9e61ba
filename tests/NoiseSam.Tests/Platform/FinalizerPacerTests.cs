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
    public void OneSlowCollectionDoesNotStretchTheGapButTwoInARowDo()
    {
        long now = 0, cost = 1;
        var pacer = new FinalizerPacer(() => now, () => now += cost);
        pacer.AfterStep();                                             // ends at 1, took 1
        cost = 10;
        now = 101;                                                     // 100 ticks after a 1-tick collection
        Assert.True(pacer.AfterStep());                                // ends at 111, took 10 (descheduled, say)
        now = 111 + 100;                                               // priced at min(1, 10): due again
        Assert.True(pacer.AfterStep());                                // ends at 221, took 10 again
        now = 221 + 999;                                               // now both last costs are 10
        Assert.False(pacer.AfterStep());
        now = 221 + 1000;
        Assert.True(pacer.AfterStep());
    }

    [Fact]
    public void StepsFreeTheScalarsTorchSharpLeavesToFinalisers()
    {
        torch.random.manual_seed(3);
        using var model = TinyNet.Create(3);
        using var step = SamEngine.Create(new SamVariantDescriptor("SAM"), model, new SamStepOptions { Seed = 3 });
        var (x, y) = TinyNet.Batch(3);
        step.Step(x, y);
        var scalar = ScalarNobodyDisposes();
        long before = FinalizerPacer.Process.Collections;

        // The pacer may skip steps (its 1 % budget after the last collection, wherever that ran,
        // and however slowly a loaded machine ran it); it always collects once enough time has
        // passed, so the loop ends without a wall-clock limit of its own. Nothing else here counts
        // as one of its collections.
        Assert.True(FinalizerPacer.Process.Enabled);
        while (FinalizerPacer.Process.Collections == before)
            step.Step(x, y);

        Assert.False(scalar.IsAlive, "the Scalar made before the steps is still reachable after a paced collection");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference ScalarNobodyDisposes()
    {
        Scalar s = 0.25;   // what `a + b` or Conv2d.forward make and drop
        return new WeakReference(s);
    }
}
