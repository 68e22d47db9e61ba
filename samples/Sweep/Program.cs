// Variants built at run time: a sweep over the noise level σ of noise-injected micro-batch SAM,
// each descriptor run by SamEngine (the reference engine: the same kernels as generated code).
// dotnet run -c Release -- [--steps N] [--data DIR]
using NoiseSam;
using NoiseSam.Dsl;
using NoiseSam.Samples;
using static TorchSharp.torch;

string dir = SampleData.Arg(args, "--data", SampleData.DefaultDirectory);
int steps = int.Parse(SampleData.Arg(args, "--steps", "200"));
var (trainX, trainY) = SampleData.Load(dir, "train");
var (testX, testY) = SampleData.Load(dir, "t10k");

// A descriptor is validated with the same rules the analyzers apply at compile time.
var broken = new SamVariantDescriptor("broken") { MicroBatch = new MicroBatchSpec { Fraction = 1.5 } };
foreach (var v in broken.Validate()) Console.WriteLine($"rejected {broken.Name}: {v.Id} {v.Message}");

Console.WriteLine($"{"variant",-22} {"final loss",10} {"test acc. %",11}");
foreach (double sigma in new[] { 0.0, 0.25, 0.5, 1.0 })
{
    var descriptor = new SamVariantDescriptor($"MBS f=0.25 sigma={sigma}")
    {
        Rho = 0.05,
        MicroBatch = new MicroBatchSpec { Fraction = 0.25, Selection = MicroBatchSelection.Random },
        Noise = sigma > 0 ? new NoiseSpec(NoiseDistribution.Gaussian) { Sigma = sigma, Scaling = NoiseScaling.GradientNorm } : null,
        BaseOptimizer = new BaseOptimizerSpec(OptimizerKind.Sgd) { LearningRate = 0.05 },
    };
    var model = SampleData.SmallCnn(seed: 0);                  // same initial weights for every variant
    using var step = SamEngine.Create(descriptor, model, new SamStepOptions { Seed = 0, TotalSteps = steps });
    var order = randperm(trainX.shape[0], generator: new Generator(0)); // same batches for every variant
    float loss = float.NaN;
    for (int i = 0; i < steps; i++)
    {
        using var scope = NewDisposeScope();
        var (x, y) = SampleData.Batch(trainX, trainY, order, i, 128);
        loss = step.Step(x, y).Loss;
    }
    Console.WriteLine($"{descriptor.Name,-22} {loss,10:F4} {SampleData.Accuracy(model, testX, testY, 2000),11:F2}");
}
