using NoiseSam.Dsl;
using NoiseSam.Generators.Tests.Variants;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Generators.Tests;

/// <summary>
/// The generated classes (compiled into this project) against the reference engine: same model,
/// seed, thread count and batches; after 20 steps the weights, batch-norm buffers, step results and
/// saved state must be bit-identical.
/// </summary>
public class EquivalenceTests
{
    private const int Steps = 20;
    private const long Seed = 7;

    private static readonly Dictionary<string, (SamVariantDescriptor Descriptor, Func<nn.Module, SamStepOptions, ISamStep> Create, Type? Type)> Variants = new()
    {
        ["SGD"] = (Sgd.Descriptor, (m, o) => new Sgd(m, o), typeof(Sgd)),
        ["SAM"] = (Sam.Descriptor, (m, o) => new Sam(m, o), typeof(Sam)),
        ["ASAM"] = (Asam.Descriptor, (m, o) => new Asam(m, o), typeof(Asam)),
        ["ESAM"] = (Esam.Descriptor, (m, o) => new Esam(m, o), typeof(Esam)),
        ["LookSAM-5"] = (LookSam5.Descriptor, (m, o) => new LookSam5(m, o), typeof(LookSam5)),
        ["AE-SAM"] = (AeSam.Descriptor, (m, o) => new AeSam(m, o), typeof(AeSam)),
        ["K-SAM"] = (KSam.Descriptor, (m, o) => new KSam(m, o), typeof(KSam)),
        ["SS-SAM"] = (SsSam.Descriptor, (m, o) => new SsSam(m, o), typeof(SsSam)),
        ["MBS"] = (Mbs.Descriptor, (m, o) => new Mbs(m, o), typeof(Mbs)),
        ["NI-MBS"] = (NiMbs.Descriptor, (m, o) => new NiMbs(m, o), typeof(NiMbs)),
        ["Custom-SAM"] = (CustomSam.Descriptor, (m, o) => new CustomSam(m, o), typeof(CustomSam)),
        ["Custom-Hook-SAM"] = (CustomHookSam.Descriptor, (m, o) => new CustomHookSam(m, o), typeof(CustomHookSam)),
        ["AdamW-NI-MBS"] = (AdamWNiMbs.Descriptor, (m, o) => new AdamWNiMbs(m, o), typeof(AdamWNiMbs)),
        ["MBS-SameRows"] = (MbsSameRows.Descriptor, (m, o) => new MbsSameRows(m, o), typeof(MbsSameRows)),
        ["MBS-SDS"] = (MbsSds.Descriptor, (m, o) => new MbsSds(m, o), typeof(MbsSds)),
        ["SAM-Clip-Groups"] = (SamClipGroups.Descriptor, (m, o) => new SamClipGroups(m, o), typeof(SamClipGroups)),
        ["AdamW-Groups"] = (AdamWGroups.Descriptor, (m, o) => new AdamWGroups(m, o), typeof(AdamWGroups)),
        ["SAM-Acc-4"] = (SamAccumulated.Descriptor, (m, o) => new SamAccumulated(m, o), typeof(SamAccumulated)),
        ["LookSAM-Acc-2"] = (LookSamAccumulated.Descriptor, (m, o) => new LookSamAccumulated(m, o), typeof(LookSamAccumulated)),
        ["mSAM-4"] = (MSam.Descriptor, (m, o) => new MSam(m, o), typeof(MSam)),
        ["mASAM-2"] = (MAsam.Descriptor, (m, o) => new MAsam(m, o), typeof(MAsam)),
        ["Nested-EveryK"] = (Containers.NestedDescriptor, Containers.CreateNested, null),
    };

    public static TheoryData<string> Names => new(Variants.Keys);

    static EquivalenceTests() => torch.set_num_threads(1);

    [Theory]
    [MemberData(nameof(Names))]
    public void GeneratedStepMatchesEngineBitForBit(string name) => RunBoth(name, throughSamBatch: false);

    /// <summary>
    /// The same through <c>Step(SamBatch)</c> closures over each model, with the learning rate and
    /// <c>RhoScale</c> moved by TorchSharp schedulers on both steps' <c>AsOptimizer()</c> halfway.
    /// </summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void GeneratedStepMatchesEngineBitForBitThroughSamBatchAndSchedulers(string name) => RunBoth(name, throughSamBatch: true);

    private static SamBatch Closure(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y) => new(x.shape[0], rows => rows is null
        ? nn.functional.cross_entropy(model.forward(x), y, reduction: nn.Reduction.None)
        : nn.functional.cross_entropy(model.forward(x.index_select(0, rows)), y.index_select(0, rows), reduction: nn.Reduction.None));

    private static void RunBoth(string name, bool throughSamBatch)
    {
        var (descriptor, create, _) = Variants[name];
        var batches = MakeBatches();
        try
        {
            var options = new SamStepOptions { Seed = Seed, TotalSteps = Steps, ShouldPerturb = CustomSam.Decide };
            using var generatedModel = MakeModel();
            using var engineModel = MakeModel();
            using var generated = create(generatedModel, options);
            using var engine = SamEngine.Create(descriptor, engineModel, options);
            Assert.Same(descriptor, generated.Variant);
            var schedulers = throughSamBatch
                ? new[] { optim.lr_scheduler.StepLR(generated.AsOptimizer(), 3, 0.7), optim.lr_scheduler.StepLR(engine.AsOptimizer(), 3, 0.7) }
                : [];

            int perturbed = 0;
            for (int i = 0; i < Steps; i++)
            {
                var (x, y) = batches[i % batches.Count];
                if (throughSamBatch && i == Steps / 2) generated.RhoScale = engine.RhoScale = 0.5;
                var a = throughSamBatch ? generated.Step(Closure(generatedModel, x, y)) : generated.Step(x, y);
                var b = throughSamBatch ? engine.Step(Closure(engineModel, x, y)) : engine.Step(x, y);
                foreach (var scheduler in schedulers) scheduler.step();
                Assert.Equal(b, a);
                Assert.False(a.Skipped, $"step {i} was skipped");
                if (a.Perturbed) perturbed++;
            }
            Assert.Equal(Steps, generated.StepCount);

            if (descriptor.Policy == SchedulePolicy.Never) Assert.Equal(0, perturbed);
            else Assert.True(perturbed > 0, $"{name} never perturbed in {Steps} steps");
            if (descriptor.Policy is SchedulePolicy.Bernoulli or SchedulePolicy.Adaptive or SchedulePolicy.Custom or SchedulePolicy.LookSam)
                Assert.True(perturbed < Steps, $"{name}'s schedule never chose a base step");

            using (var w1 = FlatWeights(generatedModel))
            using (var w2 = FlatWeights(engineModel))
                Assert.True(BitEqual(w1, w2), $"{name}: weights differ");
            foreach (var ((n1, b1), (_, b2)) in generatedModel.named_buffers().Zip(engineModel.named_buffers()))
                Assert.True(BitEqual(b1, b2), $"{name}: buffer {n1} differs");

            using var s1 = new MemoryStream();
            using var s2 = new MemoryStream();
            generated.SaveState(s1);
            engine.SaveState(s2);
            Assert.Equal(s2.ToArray(), s1.ToArray());
        }
        finally
        {
            foreach (var (x, y) in batches) { x.Dispose(); y.Dispose(); }
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void GeneratedStepRunsTheEnginesKernelsInTheSameOrder(string name)
    {
        // What bench-step --profile shows for a generated class is what its kernels did: the same
        // phases, called as often, first seen in the same order as the engine's.
        var (descriptor, create, _) = Variants[name];
        var batches = MakeBatches();
        try
        {
            var options = new SamStepOptions { Seed = Seed, TotalSteps = Steps, ShouldPerturb = CustomSam.Decide };
            IReadOnlyList<(string, long)> Phases(ISamStep step)
            {
                using var profiler = NoiseSam.Diagnostics.StepProfiler.Start();
                for (int i = 0; i < 10; i++) step.Step(batches[i % batches.Count].X, batches[i % batches.Count].Y);
                return profiler.Phases.Select(p => (p.Name, p.Calls)).ToList();
            }
            using var generatedModel = MakeModel();
            using var engineModel = MakeModel();
            using var generated = create(generatedModel, options);
            using var engine = SamEngine.Create(descriptor, engineModel, options);
            var expected = Phases(engine);
            Assert.Contains(expected, p => p.Item1.StartsWith("forward ", StringComparison.Ordinal));
            Assert.Equal(expected, Phases(generated));
        }
        finally
        {
            foreach (var (x, y) in batches) { x.Dispose(); y.Dispose(); }
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void GeneratedVariantIsRegisteredByName(string name)
    {
        var (descriptor, _, type) = Variants[name];
        Assert.True(SamVariantRegistry.TryGet(name, out var entry), $"{name} is not registered");
        Assert.Same(descriptor, entry.Descriptor);
        if (type is not null) Assert.Equal(type, entry.GeneratedType);
        else Assert.NotNull(entry.GeneratedType);

        using var model = MakeModel();
        using var step = SamVariantRegistry.Create(name, model, new SamStepOptions { Seed = Seed });
        Assert.Equal(entry.GeneratedType, step.GetType());
    }

    [Fact]
    public void DescriptorEqualsTheHandBuiltOne()
    {
        var byHand = new SamVariantDescriptor("NI-MBS")
        {
            Rho = 0.05,
            MicroBatch = new MicroBatchSpec { Fraction = 0.25, Selection = MicroBatchSelection.Random },
            Noise = new NoiseSpec(NoiseDistribution.Gaussian) { Sigma = 0.5 },
        };
        Assert.Equal(byHand, NiMbs.Descriptor);
        Assert.Equal(new SamVariantDescriptor("SAM") { Rho = 0.05 }, Sam.Descriptor);
        Assert.Equal(
            new SamVariantDescriptor("LookSAM-5") { Rho = 0.1, Schedule = new ScheduleSpec(SchedulePolicy.LookSam) { K = 5, Alpha = 0.7 } },
            LookSam5.Descriptor);
        Assert.Equal(
            new SamVariantDescriptor("AdamW-NI-MBS")
            {
                Rho = 0.05,
                MicroBatch = new MicroBatchSpec { Fraction = 0.5, Selection = MicroBatchSelection.Head, FinalFraction = 0.25, FractionSchedule = FractionSchedule.Cosine },
                Noise = new NoiseSpec(NoiseDistribution.Rademacher) { Sigma = 0.1, Scaling = NoiseScaling.MicroBatch },
                BaseOptimizer = new BaseOptimizerSpec(OptimizerKind.AdamW) { LearningRate = 0.001, WeightDecay = 0.01 },
            },
            AdamWNiMbs.Descriptor);
    }

    [Fact]
    public void SaveStateLoadStateRoundTrips()
    {
        var batches = MakeBatches();
        try
        {
            var options = new SamStepOptions { Seed = Seed, TotalSteps = Steps };
            using var model = MakeModel();
            using var step = new LookSam5(model, options);
            for (int i = 0; i < 7; i++) step.Step(batches[i % batches.Count].X, batches[i % batches.Count].Y);
            using var saved = new MemoryStream();
            step.SaveState(saved);
            step.LearningRate = 0.5;

            saved.Position = 0;
            step.LoadState(saved);
            Assert.Equal(7, step.StepCount);
            Assert.Equal(0.1, step.LearningRate);
        }
        finally
        {
            foreach (var (x, y) in batches) { x.Dispose(); y.Dispose(); }
        }
    }

    // A small CNN with batch norm, built from a fixed torch seed.
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

    private static List<(Tensor X, Tensor Y)> MakeBatches()
    {
        torch.manual_seed(99);
        var batches = new List<(Tensor, Tensor)>();
        for (int i = 0; i < 4; i++)
            batches.Add((torch.randn(16, 1, 8, 8), torch.randint(0, 5, [16], dtype: ScalarType.Int64)));
        return batches;
    }

    // Same dtype, same shape, same bytes: bit-identical, stricter than torch.equal (-0 vs 0, NaN payloads).
    private static bool BitEqual(Tensor a, Tensor b)
    {
        if (a.dtype != b.dtype || !a.shape.SequenceEqual(b.shape)) return false;
        using var ca = a.detach().contiguous().cpu();
        using var cb = b.detach().contiguous().cpu();
        return ca.bytes.SequenceEqual(cb.bytes);
    }

    private static Tensor FlatWeights(nn.Module<Tensor, Tensor> model)
    {
        using var _ = torch.no_grad();
        return torch.cat(model.parameters().Select(p => p.detach().flatten()).ToList(), 0);
    }
}
