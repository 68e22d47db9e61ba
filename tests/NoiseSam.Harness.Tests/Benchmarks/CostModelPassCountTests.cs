using NoiseSam.Cli.Variants;
using NoiseSam.Diagnostics;
using NoiseSam.Harness.Models;
using NoiseSam.Harness.Training;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Tests.Benchmarks;

/// <summary>
/// ALGORITHMS.md §10.4: "cost counters (forward/backward sample counts) match the 10.2 formulas".
/// The profiler counts the rows every pass of a paper variant's generated step saw; weighted as
/// the cost model weighs them (forward 1/3, backward 2/3 of a full-batch pass pair) they must add
/// up to <see cref="CostModel.IdealRatio(NoiseSam.SamVariantDescriptor, double)"/> at the share of
/// SAM steps that ran.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class CostModelPassCountTests
{
    private const int Batch = 16, Steps = 20;

    public static TheoryData<string> Names => new(PaperVariants.Names);

    [Theory]
    [MemberData(nameof(Names))]
    public void PassesWeightedByRowsAddUpToTheIdealRatio(string name)
    {
        var descriptor = PaperVariants.Descriptors.Single(d => d.Name == name);
        using var model = ModelZoo.Create(ModelZoo.SmallCnnName, 1, 10, 8, seed: 3);
        model.train();
        using var step = SamVariantRegistry.Create(name, model, new SamStepOptions { Seed = 5, TotalSteps = Steps });
        var g = new Generator(11);
        using var x = randn([Batch, 1, 8, 8], generator: g);
        using var y = randint(0, 10, [Batch], generator: g);

        int perturbed = 0;
        using var profiler = StepProfiler.Start();
        for (int i = 0; i < Steps; i++)
            if (step.Step(x, y).Perturbed) perturbed++;

        double pairs = 0;
        foreach (var p in profiler.Phases.Where(p => p.Kind == StepPhaseKind.Pass))
        {
            int space = p.Name.LastIndexOf(' ');
            double rows = long.Parse(p.Name[(space + 1)..], System.Globalization.CultureInfo.InvariantCulture) * p.Calls;
            double weight = p.Name.StartsWith("backward", StringComparison.Ordinal) ? 1 - CostModel.Forward : CostModel.Forward;
            pairs += weight * rows / Batch;
        }
        // ESAM-SWP's saving is in the weight gradients autograd skips, not in rows: count it as SAM's perturbation.
        var rowsOnly = descriptor.Perturbation == NoiseSam.Dsl.PerturbationKind.StochasticWeight ? descriptor with { Beta = 1.0 } : descriptor;
        Assert.Equal(CostModel.IdealRatio(rowsOnly, perturbed / (double)Steps), pairs / Steps, 9);
    }
}
