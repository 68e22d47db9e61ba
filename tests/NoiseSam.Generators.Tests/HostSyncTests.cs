using NoiseSam.Diagnostics;
using NoiseSam.Generators.Tests.Variants;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Generators.Tests;

/// <summary>
/// How often each paper variant's step makes the host wait for the device (a device-to-host read
/// or a blocking host-to-device copy), counted by <see cref="HostSyncCounter"/> on the generated
/// class and on the engine, per SAM step and per base step. docs/gpu.md quotes this table.
/// </summary>
public class HostSyncTests
{
    private const int Steps = 12;

    private static readonly Dictionary<string, Func<nn.Module<Tensor, Tensor>, SamStepOptions, ISamStep>> Generated = new()
    {
        ["SGD"] = (m, o) => new Sgd(m, o),
        ["SAM"] = (m, o) => new Sam(m, o),
        ["ASAM"] = (m, o) => new Asam(m, o),
        ["ESAM"] = (m, o) => new Esam(m, o),
        ["LookSAM-5"] = (m, o) => new LookSam5(m, o),
        ["AE-SAM"] = (m, o) => new AeSam(m, o),
        ["K-SAM"] = (m, o) => new KSam(m, o),
        ["SS-SAM"] = (m, o) => new SsSam(m, o),
        ["MBS"] = (m, o) => new Mbs(m, o),
        ["NI-MBS"] = (m, o) => new NiMbs(m, o),
    };

    /// <summary>
    /// Host synchronisations per SAM step and per base step (−1: that kind of step never runs), and
    /// where they happen: "host read" is the step's statistics (loss, ‖g‖, final norm), read once at
    /// the end of every step; "host read (AE-SAM decision)" AE-SAM's ‖g‖ for its SAM/base decision;
    /// the random micro-batch indices go up with a non-blocking copy from page-locked memory (no wait).
    /// </summary>
    public static TheoryData<string, int, int, string> Expected => new()
    {
        { "SGD", -1, 1, "host read" },
        { "SAM", 1, -1, "host read" },
        { "ASAM", 1, -1, "host read" },
        { "ESAM", 1, -1, "host read" },
        { "LookSAM-5", 1, 1, "host read" },
        { "AE-SAM", 2, 2, "host read, host read (AE-SAM decision)" },
        { "K-SAM", 1, -1, "host read" },
        { "SS-SAM", 1, 1, "host read" },
        { "MBS", 1, -1, "host read" },
        { "NI-MBS", 1, -1, "host read" },
    };

    [Theory]
    [MemberData(nameof(Expected))]
    public void CountsTheHostSynchronisationsOfEachPaperVariant(string name, int perSamStep, int perBaseStep, string points)
    {
        Assert.True(SamVariantRegistry.TryGet(name, out var entry));
        var generated = Count(m => Generated[name](m, Options));
        var engine = Count(m => SamEngine.Create(entry.Descriptor, m, Options));
        Assert.Equal((engine.Sam, engine.Base), (generated.Sam, generated.Base));
        Assert.Equal(engine.Points.Order(StringComparer.Ordinal), generated.Points.Order(StringComparer.Ordinal));

        var (sam, @base, seen) = generated;
        Assert.Equal(perSamStep, sam);
        Assert.Equal(perBaseStep, @base);
        Assert.Equal(points, string.Join(", ", seen.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void CountsOnlyWhileActiveAndOnlyTheInnermostCounter()
    {
        using var model = MakeModel();
        using var step = new Sam(model, Options);
        using var x = torch.randn(16, 1, 8, 8);
        using var y = torch.randint(0, 5, [16], dtype: ScalarType.Int64);
        step.Step(x, y);
        using var outer = HostSyncCounter.Start();
        step.Step(x, y);
        using (var inner = HostSyncCounter.Start())
        {
            step.Step(x, y);
            step.Step(x, y);
            Assert.Equal(2, inner.Count);
            Assert.Equal(2, inner.ByPoint["host read"]);
        }
        step.Step(x, y);
        Assert.Equal(2, outer.Count);
        outer.Reset();
        Assert.Equal(0, outer.Count);
        Assert.Empty(outer.ByPoint);
    }

    private static SamStepOptions Options => new() { Seed = 3, TotalSteps = Steps };

    // Syncs per SAM step and per base step (−1 when none of that kind ran; every step of a kind
    // must sync equally often), and every point seen.
    private static (int Sam, int Base, HashSet<string> Points) Count(Func<nn.Module<Tensor, Tensor>, ISamStep> create)
    {
        using var model = MakeModel();
        using var step = create(model);
        torch.manual_seed(5);
        using var x = torch.randn(16, 1, 8, 8);
        using var y = torch.randint(0, 5, [16], dtype: ScalarType.Int64);
        var perKind = new Dictionary<bool, HashSet<long>>();
        var points = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Steps; i++)
        {
            using var counter = HostSyncCounter.Start();
            var result = step.Step(x, y);
            Assert.False(result.Skipped);
            if (!perKind.TryGetValue(result.Perturbed, out var counts)) perKind[result.Perturbed] = counts = [];
            counts.Add(counter.Count);
            points.UnionWith(counter.ByPoint.Keys);
        }
        int Of(bool perturbed) => perKind.TryGetValue(perturbed, out var c) ? (int)Assert.Single(c) : -1;
        return (Of(true), Of(false), points);
    }

    private static nn.Module<Tensor, Tensor> MakeModel()
    {
        torch.manual_seed(1234);
        return nn.Sequential(
            ("conv", nn.Conv2d(1, 4, 3, padding: 1)),
            ("bn", nn.BatchNorm2d(4)),
            ("relu", nn.ReLU()),
            ("pool", nn.AvgPool2d(2)),
            ("flat", nn.Flatten()),
            ("fc", nn.Linear(4 * 4 * 4, 5)));
    }
}
