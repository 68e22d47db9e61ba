// A Custom schedule policy: the variant's own ShouldPerturb decides, step by step, whether a step
// is a SAM step (ascent + descent) or a plain base-optimizer step.
// dotnet run -c Release -- [--steps N] [--data DIR]
using NoiseSam;
using NoiseSam.Dsl;
using NoiseSam.Samples;
using static TorchSharp.torch;

string dir = SampleData.Arg(args, "--data", SampleData.DefaultDirectory);
int steps = int.Parse(SampleData.Arg(args, "--steps", "300"));
var (trainX, trainY) = SampleData.Load(dir, "train");
var (testX, testY) = SampleData.Load(dir, "t10k");

var model = SampleData.SmallCnn(seed: 0);
using var sam = new WarmupThenSam(model, new SamStepOptions { Seed = 0, TotalSteps = steps });
var order = randperm(trainX.shape[0]);
int samSteps = 0;
for (int i = 0; i < steps; i++)
{
    using var scope = NewDisposeScope();
    var (x, y) = SampleData.Batch(trainX, trainY, order, i, 128);
    SamStepResult r = sam.Step(x, y);
    if (r.Perturbed) samSteps++;
    if (i % 25 == 0 || i == steps - 1) Console.WriteLine($"step {i,4}  loss {r.Loss:F4}  {(r.Perturbed ? "SAM" : "SGD")}");
}
Console.WriteLine($"SAM steps: {samSteps} of {steps}");
Console.WriteLine($"test accuracy (first 2,000): {SampleData.Accuracy(model, testX, testY, 2000):F2} %");

/// <summary>
/// Plain SGD while the loss falls fast (the first 20 % of the run), then SAM on every step whose
/// previous loss is below 0.8 — sharpness matters once the model fits the data.
/// </summary>
[SamVariant("Warmup-SAM", Rho = 0.05)]
[Schedule(SchedulePolicy.Custom)]
[BaseOptimizer(OptimizerKind.Sgd, LearningRate = 0.05)]
public partial class WarmupThenSam
{
    // Only the body: the generator writes the defining declaration of this partial method.
    private partial bool ShouldPerturb(in StepContext context) =>
        context.Step >= context.TotalSteps / 5 && context.PreviousLoss < 0.8f;
}
