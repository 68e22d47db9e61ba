using NoiseSam.Cli;
using NoiseSam.Cli.Variants;
using NoiseSam.Json;

namespace NoiseSam.Harness.Tests.Cli;

/// <summary><c>--variants-file</c>: variants as data on compare, train, bench-step and study.</summary>
[Collection(TorchCollection.Name)]
public sealed class VariantsFileTests
{
    static VariantsFileTests() => PaperVariants.EnsureRegistered();

    public static TheoryData<string> PaperVariantNames => [.. PaperVariants.Names];

    [Theory]
    [MemberData(nameof(PaperVariantNames))]
    public void EveryPaperVariantRoundTripsThroughItsJsonToAnEqualDescriptor(string name)
    {
        var declared = PaperVariants.Descriptors.Single(d => d.Name == name);
        var back = SamVariantJson.Deserialize(SamVariantJson.Serialize(declared));
        Assert.Equal(declared, back);
        // The generated class's descriptor (what the attributes say) too, when the generator registered one.
        Assert.True(SamVariantRegistry.TryGet(name, out var entry));
        Assert.Equal(entry.Descriptor, SamVariantJson.Deserialize(SamVariantJson.Serialize(entry.Descriptor)));
    }

    [Fact]
    public void ThePaperSetAsOneFileReadsBackWithoutAProblem()
    {
        var result = SamVariantJson.Read(SamVariantJson.Serialize(PaperVariants.Descriptors));
        Assert.Empty(result.Problems);
        Assert.Equal(PaperVariants.Descriptors, result.Variants);
    }

    [Theory]
    [InlineData("compare")]
    [InlineData("train")]
    [InlineData("bench-step")]
    [InlineData("study")]
    public void AWrongValuePrintsItsJsonPathAndNsamIdAndExitsTwoWithoutRunning(string command)
    {
        using var dir = new ScratchDir();
        File.WriteAllText(dir["v.json"], """
            [
              { "name": "file-ok", "rho": 0.1 },
              { "name": "file-bad", "microBatch": { "fraction": 1.5 }, "schedule": { "policy": "EveryK", "k": 0 } }
            ]
            """);
        var r = CliHarness.Run(command, "--variants-file", dir["v.json"], "--out", dir["out"]);
        Assert.True(r.ExitCode == ExitCodes.Usage, r.ToString());
        var lines = r.Error.Trim().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal($"noisesam: {dir["v.json"]}: $[1].microBatch.fraction: NSAM004 (error): Variant 'file-bad': [MicroBatch(Fraction = 1.5)] must be in (0, 1]; use a value such as 0.25", lines[0]);
        Assert.StartsWith($"noisesam: {dir["v.json"]}: $[1].schedule.k: NSAM007 (error): ", lines[1], StringComparison.Ordinal);
        Assert.Equal($"noisesam: {dir["v.json"]}: 2 error(s) in the variants file; nothing was run", lines[2]);
        Assert.Equal("", r.Out);
        Assert.False(Directory.Exists(dir["out"]));
        Assert.False(SamVariantRegistry.TryGet("file-ok", out _)); // nothing of a bad file is registered
    }

    [Fact]
    public void AFileThatIsNotJsonOrIsMissingIsOneLine()
    {
        using var dir = new ScratchDir();
        File.WriteAllText(dir["v.json"], "{ \"name\": ");
        var r = CliHarness.Run("train", "--variants-file", dir["v.json"]);
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("v.json: $: not valid JSON (line 1", r.Error, StringComparison.Ordinal);

        var missing = CliHarness.Run("compare", "--variants-file", dir["nope.json"]);
        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        Assert.Contains("--variants-file: cannot read", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ANameTakenByAnotherDeclarationIsRefused()
    {
        using var dir = new ScratchDir();
        File.WriteAllText(dir["v.json"], """{ "name": "SAM", "rho": 0.2 }""");
        var r = CliHarness.Run("compare", "--variants-file", dir["v.json"]);
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("$.name: NSAM012 (error): the variant name 'SAM' is already registered", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void CompareRunsTheFilesVariantsAndWarningsAreShownButDoNotStopIt()
    {
        using var dir = new ScratchDir();
        File.WriteAllText(dir["v.json"], """
            [
              { "name": "file-sam-rho0.1", "rho": 0.1, "baseOptimizer": { "kind": "Sgd", "learningRate": 0.05 } },
              { "name": "file-quiet-noise", "microBatch": { "fraction": 0.5 }, "noise": { "distribution": "Gaussian", "sigma": 0 } }
            ]
            """);
        var r = CliHarness.Run(["compare", "--variants-file", dir["v.json"], "--epochs", "1", "--seeds", "1", "--out", dir["out"], .. CliHarness.Tiny(128, 64, 64)]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("$[1].noise.sigma: NSAM006 (warning)", r.Error, StringComparison.Ordinal);
        string summary = File.ReadAllText(Path.Combine(dir["out"], "summary.csv"));
        Assert.Contains("file-sam-rho0.1", summary, StringComparison.Ordinal);
        Assert.Contains("file-quiet-noise", summary, StringComparison.Ordinal);
    }
}
