// Times the step of one NoiseSam build against another in one process, so that machine load hits
// both alike: each NoiseSam.dll is loaded into its own AssemblyLoadContext (sharing this process's
// TorchSharp), and their SamEngine steps run on identical models of the harness's zoo (the small
// CNN unless MODEL names another: resnet18, tiny-cnn, mlp, wrn-28-2), one step of each arm per
// round, in rotating order. The third arm is the second build's Step(SamBatch) with a closure that
// does what Step(input, target) does. The ratios are medians of the rounds' own ratios.
//
//   dotnet run -c Release --project bench/StepAB -- OLD_DIR NEW_DIR [ROUNDS] [VARIANTS] [MODEL]
//   (OLD_DIR, NEW_DIR: folders holding a NoiseSam.dll, e.g. src/NoiseSam/bin/Release/net10.0 of two checkouts)
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using NoiseSam.Harness.Models;
using TorchSharp;
using static TorchSharp.torch;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: StepAB OLD_DIR NEW_DIR [ROUNDS=50] [VARIANTS=SGD,SAM,MBS,NI-MBS,K-SAM,LookSAM-5] [MODEL=small-cnn]");
    return 2;
}
int rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 50;
string[] variants = args.Length > 3 ? args[3].Split(',') : ["SGD", "SAM", "MBS", "NI-MBS", "K-SAM", "LookSAM-5"];
string modelName = args.Length > 4 ? args[4] : ModelZoo.SmallCnnName;
if (!ModelZoo.IsKnown(modelName))
{
    Console.Error.WriteLine($"StepAB: unknown model '{modelName}' (known: {string.Join(", ", ModelZoo.Names)})");
    return 2;
}
// Both builds run in this process, so the allocator setting bench-step and the CLI make applies to both alike.
NoiseSam.Platform.NativeAllocator.Tune();
torch.set_num_threads(2);

// The inputs bench-step feeds the model: Fashion-MNIST-sized for the small models, CIFAR-sized otherwise.
int channels = ModelZoo.IsFashionMnistModel(modelName) ? 1 : 3, side = channels == 1 ? 28 : 32;
var older = new Build(args[0], () => ModelZoo.Create(modelName, channels, 10, side, seed: 1));
var newer = new Build(args[1], () => ModelZoo.Create(modelName, channels, 10, side, seed: 1));
torch.manual_seed(0);
var x = randn(128, channels, side, side);
var y = randint(0, 10, 128);
Console.WriteLine($"model {modelName}, batch 128×{channels}×{side}×{side}");

Console.WriteLine($"{"variant",-10} {"old ms",8} {"new ms",8} {"closure",8} {"new/old",8} [{"p25",5}, {"p75",5}] {"closure/new",11} [{"p25",5}, {"p75",5}]");
Console.WriteLine($"  ({rounds} rounds, after 3 warm-up steps; load before {Load()})");
foreach (string variant in variants)
{
    Action<Tensor, Tensor>[] arms = [older.Step(variant, closure: false), newer.Step(variant, closure: false), newer.Step(variant, closure: true)];
    for (int w = 0; w < 3; w++)
        foreach (var arm in arms) arm(x, y);
    var times = arms.Select(_ => new List<double>()).ToArray();
    for (int r = 0; r < rounds; r++)
        for (int k = 0; k < arms.Length; k++)
        {
            int i = (r + k) % arms.Length;
            var watch = Stopwatch.StartNew();
            arms[i](x, y);
            times[i].Add(watch.Elapsed.TotalMilliseconds);
        }
    var newOld = Ratios(times[1], times[0]);
    var closureNew = Ratios(times[2], times[1]);
    Console.WriteLine($"{variant,-10} {Median(times[0]),8:F1} {Median(times[1]),8:F1} {Median(times[2]),8:F1} " +
        $"{Median(newOld),8:F3} [{newOld[rounds / 4],5:F2}, {newOld[3 * rounds / 4],5:F2}] {Median(closureNew),11:F3} [{closureNew[rounds / 4],5:F2}, {closureNew[3 * rounds / 4],5:F2}]");
}
Console.WriteLine($"load after {Load()}");
return 0;

static string Load() => File.ReadAllText("/proc/loadavg").Trim();

static List<double> Ratios(List<double> a, List<double> b) => a.Zip(b, (p, q) => p / q).Order().ToList();

static double Median(List<double> values)
{
    var v = values.Order().ToList();
    return v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
}

/// <summary>One NoiseSam build, loaded into its own context; its types are reached by name.</summary>
internal sealed class Build(string folder, Func<nn.Module<Tensor, Tensor>> createModel)
{
    private readonly Assembly runtime = new Context(folder).LoadFromAssemblyPath(Path.Combine(Path.GetFullPath(folder), "NoiseSam.dll"));

    /// <summary>
    /// A SamEngine step of the paper's declaration named <paramref name="variant"/> (SGD, SAM, MBS,
    /// NI-MBS, K-SAM, LookSAM-5) on a fresh model (seed 1): through Step(input, target), or
    /// through Step(SamBatch) with the equivalent closure.
    /// </summary>
    public Action<Tensor, Tensor> Step(string variant, bool closure)
    {
        var model = createModel();
        object step = Type("NoiseSam.SamEngine").GetMethod("Create")!.Invoke(null, [Declaration(variant), model, null])!;
        if (!closure)
        {
            var shorthand = Type("NoiseSam.ISamStep").GetMethod("Step", [typeof(Tensor), typeof(Tensor)])!;
            return (input, target) => shorthand.Invoke(step, [input, target]);
        }
        var batchType = Type("NoiseSam.SamBatch");
        var withBatch = Type("NoiseSam.ISamStep").GetMethod("Step", [batchType])!;
        return (input, target) =>
        {
            Func<Tensor?, Tensor> loss = rows => rows is null
                ? nn.functional.cross_entropy(model.forward(input), target, reduction: nn.Reduction.None)
                : nn.functional.cross_entropy(model.forward(input.index_select(0, rows)), target.index_select(0, rows), reduction: nn.Reduction.None);
            withBatch.Invoke(step, [Activator.CreateInstance(batchType, [input.shape[0], loss])]);
        };
    }

    private object Declaration(string variant)
    {
        object d = New("NoiseSam.SamVariantDescriptor", variant);
        switch (variant)
        {
            case "SGD":
                Set(d, "Schedule", New("NoiseSam.ScheduleSpec", Enum("SchedulePolicy", "Never")));
                break;
            case "MBS" or "NI-MBS" or "K-SAM":
                object microBatch = New("NoiseSam.MicroBatchSpec");
                Set(microBatch, "Fraction", 0.25);
                Set(microBatch, "Selection", Enum("MicroBatchSelection", variant == "K-SAM" ? "TopLoss" : "Random"));
                Set(d, "MicroBatch", microBatch);
                if (variant == "K-SAM") Set(d, "DescentSelection", New("NoiseSam.DescentSelectionSpec", Enum("DescentSet", "SameAsAscent")));
                if (variant == "NI-MBS")
                {
                    object noise = New("NoiseSam.NoiseSpec", Enum("NoiseDistribution", "Gaussian"));
                    Set(noise, "Sigma", 0.5);
                    Set(d, "Noise", noise);
                }
                break;
            case "LookSAM-5":
                object schedule = New("NoiseSam.ScheduleSpec", Enum("SchedulePolicy", "LookSam"));
                Set(schedule, "K", 5);
                Set(d, "Schedule", schedule);
                Set(d, "Rho", 0.1);
                break;
            case "SAM":
                break;
            default:
                throw new ArgumentException($"unknown variant '{variant}'");
        }
        return d;
    }

    private Type Type(string name) => runtime.GetType(name, throwOnError: true)!;

    private object New(string type, params object[] arguments) => Activator.CreateInstance(Type(type), arguments)!;

    private object Enum(string type, string value) => System.Enum.Parse(Type("NoiseSam.Dsl." + type), value);

    // Init-only properties have a setter that reflection can call.
    private static void Set(object target, string property, object value) => target.GetType().GetProperty(property)!.SetValue(target, value);

    /// <summary>Loads the build's NoiseSam.dll; TorchSharp and everything else come from the default context.</summary>
    private sealed class Context(string folder) : AssemblyLoadContext(isCollectible: false)
    {
        protected override Assembly? Load(AssemblyName name) =>
            name.Name == "NoiseSam" ? LoadFromAssemblyPath(Path.Combine(Path.GetFullPath(folder), "NoiseSam.dll")) : null;
    }
}
