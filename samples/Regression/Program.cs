// A regression model trained with SAM: a per-sample squared-error loss instead of cross entropy,
// AdamW with gradient clipping and no decay on biases, TorchSharp's CosineAnnealingLR driving the
// step through AsOptimizer(), and ρ decaying with the learning rate (a GSAM-style ρ schedule).
// dotnet run -c Release -- [--steps N]   (synthetic data: nothing to download)
using NoiseSam;
using NoiseSam.Dsl;
using TorchSharp;
using static TorchSharp.torch;

string Arg(string name, string fallback) => Array.IndexOf(args, name) is int i and >= 0 ? args[i + 1] : fallback;
int steps = int.Parse(Arg("--steps", "2000")), batch = 64;

NoiseSam.Platform.NativeAllocator.Tune();
manual_seed(0);
// y = sin(3·x₀) + x₁·x₂ − 0.5·x₃² + noise, from 8 features (4 of them irrelevant).
(Tensor X, Tensor Y) Make(long n)
{
    var x = randn(n, 8);
    var y = (x[.., 0] * 3).sin() + x[.., 1] * x[.., 2] - x[.., 3].square() * 0.5 + randn(n) * 0.1;
    return (x, y);
}
var (trainX, trainY) = Make(8192);
var (testX, testY) = Make(2048);

var model = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1), nn.Flatten(0));
var options = new SamStepOptions
{
    Seed = 0,
    TotalSteps = steps,
    Loss = (prediction, target) => (prediction - target).square(),   // one squared error per sample
};
using var sam = new RegressionSam(model, options);

// Every TorchSharp scheduler drives the step through its optimizer facade; ρ follows the learning rate.
double peak = sam.LearningRate;
var scheduler = optim.lr_scheduler.CosineAnnealingLR(sam.AsOptimizer(), steps, eta_min: peak * 0.01);

var order = randperm(trainX.shape[0]);
for (int i = 0; i < steps; i++)
{
    using var scope = NewDisposeScope();
    var idx = order.narrow(0, i % (trainX.shape[0] / batch) * batch, batch);
    sam.RhoScale = sam.LearningRate / peak;
    SamStepResult r = sam.Step(trainX.index_select(0, idx), trainY.index_select(0, idx));
    scheduler.step();
    if (i % 250 == 0 || i == steps - 1) Console.WriteLine($"step {i,5}  loss {r.Loss:F4}  lr {sam.LearningRate:G3}");
}

double testMse, baseline;
model.eval();
using (no_grad())
{
    testMse = (model.forward(testX) - testY).square().mean().item<float>();
    baseline = (testY - trainY.mean()).square().mean().item<float>();
}
Console.WriteLine($"test MSE {testMse:F4} (predicting the training mean: {baseline:F4})");

// The variant: SAM over AdamW, the final gradient clipped to norm 1, no weight decay on biases.
[SamVariant("SAM-Regression", Rho = 0.05)]
[BaseOptimizer(OptimizerKind.AdamW, LearningRate = 3e-3, WeightDecay = 1e-4, MaxGradNorm = 1.0, NoDecayOnBiasAndNorm = true)]
public partial class RegressionSam { }
