// Declare a SAM variant and train a small CNN on Fashion-MNIST with it.
// dotnet run -c Release -- [--steps N] [--data DIR]   (default: one epoch from /usr/share/datasets/fashion-mnist)
using System.IO.Compression;
using NoiseSam;
using NoiseSam.Dsl;
using TorchSharp;
using static TorchSharp.torch;

string Arg(string name, string fallback) => Array.IndexOf(args, name) is int i and >= 0 ? args[i + 1] : fallback;
string dir = Arg("--data", "/usr/share/datasets/fashion-mnist");
int steps = int.Parse(Arg("--steps", "468")), batch = 128;   // 468 batches of 128 = one epoch
var (trainX, trainY) = Load("train");
var (testX, testY) = Load("t10k");

NoiseSam.Platform.NativeAllocator.Tune();  // glibc allocator tuning: faster, steadier CPU steps
manual_seed(0);
var model = nn.Sequential(
    nn.Conv2d(1, 32, 3, padding: 1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, padding: 1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10));
using var sam = new NoiseInjectedMicroBatchSam(model, new SamStepOptions { Seed = 0, TotalSteps = steps });

var order = randperm(trainX.shape[0]);
for (int i = 0; i < steps; i++)
{
    using var scope = NewDisposeScope();
    var idx = order.narrow(0, i % (trainX.shape[0] / batch) * batch, batch);
    SamStepResult r = sam.Step(trainX.index_select(0, idx), trainY.index_select(0, idx));
    if (i % 50 == 0 || i == steps - 1) Console.WriteLine($"step {i,4}  loss {r.Loss:F4}  SAM step {r.Perturbed}");
}

model.eval();
long correct = 0;
using (no_grad())
    for (long s = 0; s < testX.shape[0]; s += 250)
    {
        using var scope = NewDisposeScope();
        correct += model.forward(testX.narrow(0, s, 250)).argmax(1).eq(testY.narrow(0, s, 250)).sum().item<long>();
    }
Console.WriteLine($"test accuracy {100.0 * correct / testX.shape[0]:F2} %");

// Fashion-MNIST IDX files (gzip): 16-byte image header, 8-byte label header.
(Tensor X, Tensor Y) Load(string split)
{
    byte[] Read(string name)
    {
        using var gz = new GZipStream(File.OpenRead(Path.Combine(dir, $"{split}-{name}-ubyte.gz")), CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        gz.CopyTo(bytes);
        return bytes.ToArray();
    }
    var x = tensor(Read("images-idx3")[16..]).reshape(-1, 1, 28, 28).to(ScalarType.Float32).div_(255.0).sub_(0.2860).div_(0.3530);
    return (x, tensor(Read("labels-idx1")[8..]).to(ScalarType.Int64));
}

// The variant: noise-injected micro-batch SAM (Wei, Zhang & Tan 2025).
[SamVariant("NI-MBS", Rho = 0.05)]
[MicroBatch(Fraction = 0.25, Selection = MicroBatchSelection.Random)]
[Noise(NoiseDistribution.Gaussian, Sigma = 0.5, Scaling = NoiseScaling.GradientNorm)]
[BaseOptimizer(OptimizerKind.Sgd, LearningRate = 0.05, Momentum = 0.9, WeightDecay = 5e-4)]
public partial class NoiseInjectedMicroBatchSam { }
