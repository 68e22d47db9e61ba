using NoiseSam.Dsl;
using NoiseSam.Platform;
using NoiseSam.Tests.Reference;

namespace NoiseSam.Tests.Declarations;

[Collection(TorchCollection.Name)]   // two tests build TinyNet models (global RNG seed)
public sealed class ValidateTests
{
    public static TheoryData<string, SamVariantDescriptor, bool> Invalid => new()
    {
        { "NSAM003", new("v") { Rho = 0 }, true },
        { "NSAM003", new("v") { Rho = double.NaN }, true },
        { "NSAM003", new("v") { Rho = double.MaxValue }, true },   // accepted before, then skipped every step
        { "NSAM003", new("v") { Perturbation = PerturbationKind.StochasticWeight, Beta = 1.5 }, true },
        { "NSAM004", new("v") { MicroBatch = new() { Fraction = 1.5 } }, true },
        { "NSAM004", new("v") { MicroBatch = new() { Fraction = 0 } }, true },
        { "NSAM004", new("v") { DescentSelection = new(DescentSet.SharpnessSensitive) { Fraction = -0.1 } }, true },
        { "NSAM005", new("v") { Noise = new(NoiseDistribution.Gaussian) { Sigma = -1 } }, true },
        { "NSAM005", new("v") { Noise = new(NoiseDistribution.Gaussian) { Sigma = double.PositiveInfinity } }, true },
        { "NSAM006", new("v") { Noise = new(NoiseDistribution.Gaussian) { Sigma = 0 } }, false },
        { "NSAM007", new("v") { Schedule = new(SchedulePolicy.EveryK) { K = 0 } }, true },
        { "NSAM007", new("v") { Schedule = new(SchedulePolicy.Bernoulli) { Probability = 1.01 } }, true },
        { "NSAM007", new("v") { Schedule = new(SchedulePolicy.Always) { K = 3 } }, true },
        { "NSAM007", new("v") { Schedule = new(SchedulePolicy.Adaptive) { Delta = 1 } }, true },
        { "NSAM009", new("v") { MicroBatch = new() { Fraction = 1, Selection = MicroBatchSelection.TopLoss } }, false },
        { "NSAM010", new("v") { Schedule = new(SchedulePolicy.Never), Noise = new(NoiseDistribution.Gaussian) }, false },
        { "NSAM011", new("v") { Eta = 0.01 }, true },
        { "NSAM011", new("v") { Beta = 0.5 }, true },
        { "NSAM014", new("v") { Schedule = new(SchedulePolicy.LookSam), DescentSelection = new(DescentSet.SharpnessSensitive) }, true },
        { "NSAM014", new("v") { Schedule = new((SchedulePolicy)42) }, true },
        { "NSAM015", new("v") { BaseOptimizer = new(OptimizerKind.Sgd) { LearningRate = -0.1 } }, true },
        { "NSAM015", new("v") { BaseOptimizer = new(OptimizerKind.Sgd) { Momentum = 1 } }, true },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void ValidateReportsTheRuleWithItsIdAndSeverity(string id, SamVariantDescriptor descriptor, bool isError)
    {
        var found = descriptor.Validate();
        Assert.Contains(found, v => v.Id == id && v.IsError == isError);
        if (isError)
        {
            var error = Assert.Throws<SamDeclarationException>(() => descriptor.EnsureValid());
            Assert.Contains(id, error.Message);
            Assert.Contains("'v'", error.Message);
        }
        else
        {
            descriptor.EnsureValid();   // warnings never stop a run
        }
    }

    [Fact]
    public void MessagesNameTheAttributeArgumentValueAndRange()
    {
        var v = Assert.Single(new SamVariantDescriptor("NI-MBS") { MicroBatch = new() { Fraction = 1.5 } }.Validate());
        Assert.Equal("Variant 'NI-MBS': [MicroBatch(Fraction = 1.5)] must be in (0, 1]; use a value such as 0.25", v.Message);
        Assert.Equal(("MicroBatch", "Fraction"), (v.Attribute, v.Argument));
    }

    [Fact]
    public void DefaultsAndThePapersVariantsAreValid()
    {
        Assert.Empty(new SamVariantDescriptor("SAM").Validate());
        Assert.Empty(new SamVariantDescriptor("NI-MBS")
        {
            MicroBatch = new() { Fraction = 0.25, Selection = MicroBatchSelection.Random },
            Noise = new(NoiseDistribution.Gaussian) { Sigma = 0.5, Scaling = NoiseScaling.GradientNorm },
            BaseOptimizer = new(OptimizerKind.Sgd) { LearningRate = 0.05, Momentum = 0.9, WeightDecay = 5e-4 },
        }.Validate());
    }

    [Fact]
    [Trait("Uses", "TorchSharp")]
    public void EngineRefusesInvalidDescriptorsAndCustomScheduleWithoutDecision()
    {
        using var model = TinyNet.Create(1);
        Assert.Throws<SamDeclarationException>(() => SamEngine.Create(new SamVariantDescriptor("bad") { Rho = -1 }, model));
        var custom = Assert.Throws<ArgumentException>(() => SamEngine.Create(new SamVariantDescriptor("c") { Schedule = new(SchedulePolicy.Custom) }, model));
        Assert.Contains("ShouldPerturb", custom.Message);
    }

    [Fact]
    public void RegistryKeepsAClashOfGeneratedVariantsForTheLookupAndRefusesARunTimeDuplicate()
    {
        var first = new SamVariantDescriptor("registry-test-" + Guid.NewGuid().ToString("N")[..8]);
        SamVariantRegistry.Register(first, (_, _) => throw new InvalidOperationException(), typeof(ValidateTests));
        SamVariantRegistry.Register(first, (_, _) => throw new InvalidOperationException(), typeof(ValidateTests));   // same type: ignored
        Assert.True(SamVariantRegistry.TryGet(first.Name.ToUpperInvariant(), out var entry));
        Assert.Equal(typeof(ValidateTests), entry.GeneratedType);

        // A module initializer never throws: the second generated type is kept, and the lookup names both.
        SamVariantRegistry.Register(first with { Rho = 0.1 }, (_, _) => throw new InvalidOperationException(), typeof(string));
        var clash = Assert.Throws<SamVariantNameClashException>(() => SamVariantRegistry.TryGet(first.Name, out _));
        Assert.Contains($"{typeof(ValidateTests).FullName} (assembly NoiseSam.Tests)", clash.Message);
        Assert.Contains("System.String (assembly System.Private.CoreLib)", clash.Message);
        Assert.Equal(2, clash.Entries.Count);
        Assert.Single(SamVariantRegistry.Names, n => n == first.Name);
        Assert.Equal(2, SamVariantRegistry.Entries.Count(e => e.Descriptor.Name == first.Name));

        // An explicit run-time registration of a taken name is the caller's mistake: it throws.
        var duplicate = Assert.Throws<InvalidOperationException>(() => SamVariantRegistry.Register(first));
        Assert.Contains("NSAM012", duplicate.Message);

        using var model = TinyNet.Create(1);
        var missing = Assert.Throws<KeyNotFoundException>(() => SamVariantRegistry.Create("no-such-variant", model));
        Assert.Contains(first.Name, missing.Message);
    }

    [Fact]
    public void AllocatorTuningSucceedsOnGlibcAndIsIdempotent()
    {
        Assert.True(NativeAllocator.Tune());
        Assert.True(NativeAllocator.Tune());
        Assert.True(NativeAllocator.IsTuned);
    }
}
