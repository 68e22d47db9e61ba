// A model with two inputs trained with noise-injected micro-batch SAM through Step(SamBatch): the
// step selects the micro-batch rows, the closure takes them from both inputs and returns one loss
// per row. Here the two inputs are the upper and the lower half of each Fashion-MNIST image, each
// through its own tower (a stand-in for any two-modality, masked or distillation model).
// dotnet run -c Release -- [--steps N] [--data DIR]
using NoiseSam;
using NoiseSam.Dsl;
using NoiseSam.Samples;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

string dir = SampleData.Arg(args, "--data", SampleData.DefaultDirectory);
int steps = int.Parse(SampleData.Arg(args, "--steps", "468")), batch = 128;
var (trainX, trainY) = SampleData.Load(dir, "train");
var (testX, testY) = SampleData.Load(dir, "t10k");
NoiseSam.Platform.NativeAllocator.Tune();

var model = TwoTowerNet.Create(seed: 0);
using var sam = new TwoViewNiMbs(model, new SamStepOptions { Seed = 0, TotalSteps = steps });
var scheduler = optim.lr_scheduler.StepLR(sam.AsOptimizer(), step_size: Math.Max(1, steps / 3), gamma: 0.5);

var order = randperm(trainX.shape[0]);
for (int i = 0; i < steps; i++)
{
    using var scope = NewDisposeScope();
    var (x, y) = SampleData.Batch(trainX, trainY, order, i, batch);
    var (upper, lower) = TwoTowerNet.Split(x);
    // null: every row; else the rows the step selected (here the ascent micro-batch).
    var samBatch = new SamBatch(batch, rows =>
    {
        var (u, l, t) = rows is null ? (upper, lower, y) : (upper.index_select(0, rows), lower.index_select(0, rows), y.index_select(0, rows));
        return nn.functional.cross_entropy(model.forward(u, l), t, reduction: nn.Reduction.None);
    });
    SamStepResult r = sam.Step(samBatch);
    scheduler.step();
    if (i % 50 == 0 || i == steps - 1) Console.WriteLine($"step {i,4}  loss {r.Loss:F4}  ascent rows {r.AscentSamples}");
}

model.eval();
long correct = 0;
using (no_grad())
    for (long s = 0; s < testX.shape[0]; s += 250)
    {
        using var scope = NewDisposeScope();
        var (u, l) = TwoTowerNet.Split(testX.narrow(0, s, 250));
        correct += model.forward(u, l).argmax(1).eq(testY.narrow(0, s, 250)).sum().item<long>();
    }
Console.WriteLine($"test accuracy {100.0 * correct / testX.shape[0]:F2} %");

// NI-MBS: the ascent gradient from a random quarter of the batch, with Gaussian noise.
[SamVariant("NI-MBS-TwoView", Rho = 0.05)]
[MicroBatch(Fraction = 0.25, Selection = MicroBatchSelection.Random)]
[Noise(NoiseDistribution.Gaussian, Sigma = 0.5)]
[BaseOptimizer(OptimizerKind.Sgd, LearningRate = 0.05)]
public partial class TwoViewNiMbs { }

/// <summary>Two inputs, two towers, one head: not a Module&lt;Tensor, Tensor&gt;, so it trains through SamBatch.</summary>
public sealed class TwoTowerNet : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Sequential upperTower, lowerTower, head;

    private TwoTowerNet() : base(nameof(TwoTowerNet))
    {
        upperTower = Tower();
        lowerTower = Tower();
        head = nn.Sequential(nn.Linear(2 * 32 * 7 * 14, 128), nn.ReLU(), nn.Linear(128, 10));
        RegisterComponents();
    }

    public static TwoTowerNet Create(long seed)
    {
        manual_seed(seed);
        return new TwoTowerNet();
    }

    /// <summary>Rows 0–13 and 14–27 of each 28×28 image.</summary>
    public static (Tensor Upper, Tensor Lower) Split(Tensor images) => (images.narrow(2, 0, 14), images.narrow(2, 14, 14));

    public override Tensor forward(Tensor upper, Tensor lower) =>
        head.forward(cat([upperTower.forward(upper), lowerTower.forward(lower)], 1));

    // 1×14×28 → conv 32 → BN → ReLU → pool → 32·7·14 features.
    private static Sequential Tower() => nn.Sequential(
        nn.Conv2d(1, 32, 3, padding: 1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten());
}
