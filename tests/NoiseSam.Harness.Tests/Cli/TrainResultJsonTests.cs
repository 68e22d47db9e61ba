using System.Text.Json;
using NoiseSam.Cli;
using NoiseSam.Cli.Commands;

namespace NoiseSam.Harness.Tests.Cli;

/// <summary><c>train --variants-file v.json --result-json r.json</c>: one run as a subprocess of a search tool.</summary>
[Collection(TorchCollection.Name)]
public sealed class TrainResultJsonTests
{
    [Fact]
    public void ACompletedRunWritesItsFinalMetricsAndExitsZero()
    {
        using var dir = new ScratchDir();
        File.WriteAllText(dir["v.json"], """
            { "name": "trial-7", "rho": 0.08, "microBatch": { "fraction": 0.5 },
              "noise": { "distribution": "Gaussian", "sigma": 0.5 }, "baseOptimizer": { "kind": "Sgd", "learningRate": 0.05 } }
            """);
        var r = CliHarness.Run(["train", "--variants-file", dir["v.json"], "--result-json", dir["r.json"], "--epochs", "1",
            "--val-fraction", "0.25", "--lambda-max", "--timing-rounds", "1", .. CliHarness.Tiny(128, 64, 64)]);
        Assert.True(r.ExitCode == ExitCodes.Success, r.ToString());
        Assert.Contains("result: completed", r.Out, StringComparison.Ordinal);

        var result = TrainResult.Read(dir["r.json"]);
        Assert.Equal("completed", result.Status);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("trial-7", result.Variant);
        Assert.Equal(1, result.EpochsRun);
        Assert.Equal(32, result.ValidationSamples);
        Assert.InRange(result.TestAccuracy!.Value, 0, 1);
        Assert.InRange(result.ValidationAccuracy!.Value, 0, 1);
        Assert.True(result.TrainLoss > 0);
        Assert.Equal(0, result.SkippedSteps);
        Assert.True(result.StepTimeRatio > 0);
        Assert.Equal(1.5, result.IdealRatio);
        Assert.True(result.LambdaMax > 0);
        Assert.NotNull(result.LambdaMaxConverged);

        // Plain JSON a Python json.load reads: camelCase, no NaN tokens, the whole file or nothing.
        using var doc = JsonDocument.Parse(File.ReadAllText(dir["r.json"]));
        Assert.Equal("completed", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Number, doc.RootElement.GetProperty("validationAccuracy").ValueKind);
        Assert.Contains("\"declaration\": \"rho=0.08, micro-batch 0.5 Random, noise Gaussian σ=0.5", File.ReadAllText(dir["r.json"]), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Path, ".*"));
    }

    [Fact]
    public void ADivergedRunExitsThreeAndSaysSoInTheFile()
    {
        using var dir = new ScratchDir();
        File.WriteAllText(dir["v.json"], """{ "name": "trial-explodes", "schedule": { "policy": "Never" }, "baseOptimizer": { "kind": "Sgd", "learningRate": 1e12 } }""");
        var r = CliHarness.Run(["train", "--variants-file", dir["v.json"], "--result-json", dir["r.json"], "--epochs", "2", .. CliHarness.Tiny(128, 64, 64)]);
        Assert.True(r.ExitCode == ExitCodes.Diverged, r.ToString());
        var result = TrainResult.Read(dir["r.json"]);
        Assert.Equal("diverged", result.Status);
        Assert.Equal(3, result.ExitCode);
        Assert.True(result.SkippedSteps > 0);
        Assert.Null(result.TrainLoss);
        Assert.Null(result.StepTimeRatio);
    }

    [Fact]
    public void BadInputExitsTwoAndWritesNoResult()
    {
        using var dir = new ScratchDir();
        File.WriteAllText(dir["v.json"], """{ "name": "trial-bad", "rho": -1 }""");
        var r = CliHarness.Run("train", "--variants-file", dir["v.json"], "--result-json", dir["r.json"]);
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("$.rho: NSAM003", r.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(dir["r.json"]));
    }

    [Fact]
    public void AFileOfSeveralVariantsNeedsVariant()
    {
        using var dir = new ScratchDir();
        File.WriteAllText(dir["v.json"], """[{ "name": "trial-a" }, { "name": "trial-b" }]""");
        var r = CliHarness.Run("train", "--variants-file", dir["v.json"]);
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("--variant is required (or a --variants-file of exactly one variant)", r.Error, StringComparison.Ordinal);
    }
}
