using NoiseSam.Cli;
using NoiseSam.Cli.Variants;
using NoiseSam.Harness.Training;

namespace NoiseSam.Harness.Tests.Cli;

[Collection(TorchCollection.Name)]
public sealed class VariantsCommandTests
{
    [Fact]
    public void ListsThePaperSetWithDeclarationAndCost()
    {
        var r = CliHarness.Run("variants");
        Assert.True(r.ExitCode == ExitCodes.Success, r.ToString());
        foreach (var d in PaperVariants.Descriptors)
        {
            Assert.Contains(d.Name, r.Out);
            Assert.Contains(CostModel.IdealRatio(d).ToString("F2", System.Globalization.CultureInfo.InvariantCulture), r.Out);
        }
        Assert.Contains("Expected cost", r.Out);
        Assert.Equal("", r.Error);
    }

    [Fact]
    public void PaperSetHasTheExactNames() =>
        Assert.Equal(["SGD", "SAM", "ASAM", "ESAM", "LookSAM-5", "AE-SAM", "K-SAM", "SS-SAM", "MBS", "NI-MBS"], PaperVariants.Names);

    [Fact]
    public void PaperDescriptorsBreakNoRule()
    {
        foreach (var d in PaperVariants.Descriptors)
            Assert.True(d.Validate().Count == 0, $"{d.Name}: {string.Join("; ", d.Validate())}");
    }

    [Fact]
    public void EveryPaperVariantIsRegisteredAndCreatesASteppableStep()
    {
        PaperVariants.EnsureRegistered();
        PaperVariants.EnsureRegistered(); // idempotent
        foreach (var d in PaperVariants.Descriptors)
        {
            Assert.True(SamVariantRegistry.TryGet(d.Name, out var entry), d.Name);
            Assert.Equal(d, entry.Descriptor);
        }
    }

    [Fact]
    public void GeneratedDeclarationsEqualTheDescriptorList()
    {
        // The [SamVariant] classes in PaperVariants.cs are turned into steps by the source generator,
        // whose module initializer registers them; their descriptors must be the same declarations.
        var generated = typeof(PaperVariants).Assembly.GetTypes()
            .Where(t => typeof(ISamStep).IsAssignableFrom(t) && t.Namespace == typeof(PaperVariants).Namespace)
            .ToDictionary(t => ((SamVariantDescriptor)t.GetProperty("Descriptor")!.GetValue(null)!).Name);
        Assert.Equal(PaperVariants.Names.Order(), generated.Keys.Order());
        foreach (var d in PaperVariants.Descriptors)
        {
            var type = generated[d.Name];
            Assert.Equal(d, (SamVariantDescriptor)type.GetProperty("Descriptor")!.GetValue(null)!);
            Assert.True(SamVariantRegistry.TryGet(d.Name, out var entry));
            Assert.Equal(type, entry.GeneratedType);
        }
    }
}

[Collection(TorchCollection.Name)]
public sealed class BenchStepCommandTests
{
    [Fact]
    public void TimesEachVariantRelativeToTheBaseOptimizer()
    {
        using var dir = new ScratchDir();
        var r = CliHarness.Run("bench-step", "--variants", "SGD,SAM,MBS", "--warmup", "1", "--rounds", "2", "--steps", "2",
            "--batch-size", "32", "--threads", "2", "--out", dir["steps.csv"]);
        Assert.True(r.ExitCode == ExitCodes.Success, r.ToString());
        var rows = File.ReadAllLines(dir["steps.csv"]).Skip(1).Select(l => l.Split(',')).ToDictionary(c => c[0]);
        Assert.Equal(["MBS", "SAM", "SGD"], rows.Keys.Order());
        Assert.Equal(1.0, double.Parse(rows["SGD"][6], System.Globalization.CultureInfo.InvariantCulture), 9);
        Assert.All(rows.Values, c => Assert.True(double.Parse(c[3], System.Globalization.CultureInfo.InvariantCulture) > 0));
        Assert.Equal(2.0, double.Parse(rows["SAM"][7], System.Globalization.CultureInfo.InvariantCulture), 9);
        Assert.Contains("Overhead", r.Out);
    }

    [Fact]
    public void BadArgumentsAreOneLineErrors()
    {
        var r = CliHarness.Run("bench-step", "--variants", "XYZ");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("unknown variant 'XYZ'", r.Error);
        Assert.Equal(ExitCodes.Usage, CliHarness.Run("bench-step", "--rounds", "0").ExitCode);
        Assert.Equal(ExitCodes.Usage, CliHarness.Run("bench-step", "--model", "nonet").ExitCode);
    }
}
