using System.Text.Json;
using NoiseSam.Cli;
using NoiseSam.Harness.Checkpoints;
using NoiseSam.Harness.Models;

namespace NoiseSam.Harness.Tests.Cli;

/// <summary><c>noisesam sharpness</c>: argument errors, unloadable files, an end-to-end run on a saved model and on a checkpoint.</summary>
[Collection(TorchCollection.Name)]
public sealed class SharpnessCommandTests
{
    private static void AssertOneLineError(CliHarness.Result r, int code, params string[] fragments)
    {
        Assert.True(r.ExitCode == code, r.ToString());
        string err = r.Error.Trim();
        Assert.DoesNotContain("\n", err);
        Assert.StartsWith("noisesam: ", err);
        Assert.DoesNotContain("   at ", r.Error + r.Out);
        foreach (string f in fragments) Assert.Contains(f, err);
    }

    /// <summary>An untrained small CNN for Fashion-MNIST, saved with module.save.</summary>
    private static string SavedModel(ScratchDir dir)
    {
        string path = dir["model.bin"];
        using var model = ModelZoo.Create(ModelZoo.SmallCnnName, 1, 10, 28, seed: 3);
        model.save(path);
        return path;
    }

    [Fact]
    public void MissingModelFileOptionIsAUsageError() =>
        AssertOneLineError(CliHarness.Run("sharpness"), ExitCodes.Usage, "--model-file");

    [Fact]
    public void NonexistentModelFileIsAUsageError() =>
        AssertOneLineError(CliHarness.Run("sharpness", "--model-file", "/nonexistent/model.bin"), ExitCodes.Usage, "no such file", "/nonexistent/model.bin");

    [Theory]
    [InlineData("--samples", "0", "--samples must be at least 1")]
    [InlineData("--batch-size", "-1", "--batch-size must be at least 1")]
    [InlineData("--iterations", "0", "--iterations must be at least 1")]
    [InlineData("--tolerance", "-0.5", "--tolerance must be a finite number ≥ 0")]
    [InlineData("--landscape", "3d", "--landscape must be one of none, 1d, 2d, both")]
    [InlineData("--eigen-method", "arnoldi", "--eigen-method must be one of lanczos, power")]
    [InlineData("--span", "0", "--span must be a positive number")]
    [InlineData("--points", "4", "--points must be odd and at least 3")]
    [InlineData("--points", "1", "--points must be odd and at least 3")]
    [InlineData("--rho", "NaN", "--rho must be a finite number ≥ 0")]
    [InlineData("--m", "0", "--m must be at least 1")]
    [InlineData("--threads", "0", "--threads must be between 1 and 1024")]
    [InlineData("--model", "vgg99", "unknown model 'vgg99'")]
    [InlineData("--points", "many", "many")]
    public void BadNumbersAreUsageErrors(string option, string value, string message)
    {
        using var dir = new ScratchDir();
        File.WriteAllText(dir["model.bin"], "not read before the options are checked");
        AssertOneLineError(CliHarness.Run("sharpness", "--model-file", dir["model.bin"], option, value), ExitCodes.Usage, message);
    }

    [Fact]
    public void AFileThatDoesNotLoadIsAOneLineFailureNamingFileAndModel()
    {
        using var dir = new ScratchDir();
        File.WriteAllBytes(dir["garbage.bin"], Enumerable.Range(0, 4096).Select(i => (byte)(i * 37)).ToArray());
        var r = CliHarness.Run("sharpness", "--model-file", dir["garbage.bin"], "--samples", "16", "--threads", "1", "--out", dir["out"]);
        AssertOneLineError(r, ExitCodes.Failure, dir["garbage.bin"], "does not load into small-cnn");
    }

    [Fact]
    public void EndToEndOnASavedModelWritesJsonCsvAndPng()
    {
        using var dir = new ScratchDir();
        string model = SavedModel(dir);
        var r = CliHarness.Run("sharpness", "--model-file", model, "--samples", "64", "--batch-size", "32", "--points", "5", "--iterations", "3",
            "--m", "32", "--threads", "1", "--out", dir["out"]);
        Assert.True(r.ExitCode == ExitCodes.Success, r.ToString());
        Assert.Contains("Hessian top eigenvalue", r.Out);
        Assert.Contains("m-sharpness", r.Out);
        foreach (string f in new[] { "sharpness.json", "landscape_1d.csv", "landscape_1d.png", "landscape_2d.csv", "landscape_2d.png" })
            Assert.True(new FileInfo(Path.Combine(dir["out"], f)) is { Exists: true, Length: > 0 }, $"{f} missing\n{r}");
        Assert.Equal(6, File.ReadAllLines(Path.Combine(dir["out"], "landscape_1d.csv")).Length);
        Assert.Equal(26, File.ReadAllLines(Path.Combine(dir["out"], "landscape_2d.csv")).Length);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir["out"], "sharpness.json")));
        var hessian = json.RootElement.GetProperty("hessian");
        double lambda = hessian.GetProperty("topEigenvalue").GetDouble();
        Assert.True(double.IsFinite(lambda) && lambda > 0, $"top eigenvalue {lambda}");
        Assert.InRange(hessian.GetProperty("iterations").GetInt32(), 1, 3);
        Assert.Equal("lanczos", hessian.GetProperty("method").GetString()); // the default
        Assert.True(hessian.GetProperty("smallestEigenvalue").GetDouble() <= lambda);
        Assert.Equal(hessian.GetProperty("iterations").GetInt32(), hessian.GetProperty("residualHistory").GetArrayLength());
        Assert.Equal(64, json.RootElement.GetProperty("samples").GetInt32());
        Assert.True(double.IsFinite(json.RootElement.GetProperty("mSharpness").GetProperty("value").GetDouble()));
        Assert.True(json.RootElement.GetProperty("probeLoss").GetDouble() > 0);
        // Not a terminal: one plain line per phase, not a redraw per iteration or point.
        Assert.Single(r.Out.Split('\n'), l => l.StartsWith("2-D landscape (5×5 points) · ", StringComparison.Ordinal));

        // A second run into the same folder replaces it as a whole: no 2-D landscape of the first run is left beside the second's JSON.
        r = CliHarness.Run("sharpness", "--model-file", model, "--samples", "32", "--iterations", "2", "--landscape", "1d", "--points", "3",
            "--threads", "1", "--out", dir["out"]);
        Assert.True(r.ExitCode == ExitCodes.Success, r.ToString());
        Assert.False(File.Exists(Path.Combine(dir["out"], "landscape_2d.png")), "a plot of the first run survived next to the second's");
        Assert.Equal(4, File.ReadAllLines(Path.Combine(dir["out"], "landscape_1d.csv")).Length);
        Assert.Equal([dir["out"]], Directory.GetDirectories(dir.Path));   // no staging or old folder left beside it
    }

    [Fact]
    public void ACheckpointOfNoisesamTrainIsAcceptedAndItsModelChecked()
    {
        using var dir = new ScratchDir();
        var train = CliHarness.Run(["train", "--variant", "SGD", "--epochs", "1", .. CliHarness.Tiny(train: 128, test: 64), "--checkpoint-dir", dir["ckpt"]]);
        Assert.True(train.ExitCode == ExitCodes.Success, train.ToString());
        string checkpoint = Path.Combine(dir["ckpt"], CheckpointStore.LastName);

        var r = CliHarness.Run("sharpness", "--model-file", checkpoint, "--samples", "32", "--iterations", "2", "--landscape", "none",
            "--threads", "1", "--out", dir["out"]);
        Assert.True(r.ExitCode == ExitCodes.Success, r.ToString());
        Assert.True(File.Exists(Path.Combine(dir["out"], "sharpness.json")));
        Assert.False(File.Exists(Path.Combine(dir["out"], "landscape_1d.csv")));

        AssertOneLineError(CliHarness.Run("sharpness", "--model-file", checkpoint, "--model", "resnet18", "--samples", "8", "--threads", "1"),
            ExitCodes.Usage, "holds a small-cnn model", "--model small-cnn");
    }

    [Fact]
    public void BothMethodsReportTheirConvergenceAndACapTooSmallIsWarnedAbout()
    {
        using var dir = new ScratchDir();
        string model = SavedModel(dir);
        string[] common = ["--model-file", model, "--samples", "48", "--batch-size", "24", "--landscape", "none", "--m", "48", "--threads", "1"];

        // Lanczos with the defaults converges on the small CNN; the JSON carries its residual bound.
        var lanczos = CliHarness.Run(["sharpness", .. common, "--out", dir["lanczos"]]);
        Assert.True(lanczos.ExitCode == ExitCodes.Success, lanczos.ToString());
        Assert.Contains("Lanczos steps", lanczos.Out);
        Assert.DoesNotContain("did not converge", lanczos.Error);
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir["lanczos"], "sharpness.json"))))
        {
            var h = json.RootElement.GetProperty("hessian");
            Assert.Equal("lanczos", h.GetProperty("method").GetString());
            Assert.True(h.GetProperty("converged").GetBoolean(), h.ToString());
            Assert.Equal(60, h.GetProperty("maxIterations").GetInt32());
            Assert.Equal(1e-3, h.GetProperty("tolerance").GetDouble());
            Assert.True(h.GetProperty("relativeResidual").GetDouble() <= 1e-3);
            Assert.InRange(h.GetProperty("iterations").GetInt32(), 1, 59);
        }

        // Power iteration on request, and a cap of 2 is reported as not converged, loudly.
        var power = CliHarness.Run(["sharpness", .. common, "--eigen-method", "power", "--iterations", "2", "--out", dir["power"]]);
        Assert.True(power.ExitCode == ExitCodes.Success, power.ToString());
        Assert.Contains("power iterations", power.Out);
        Assert.Contains("NOT converged", power.Out);
        Assert.Contains("warning: λ_max did not converge: power stopped at its cap of 2 iterations", power.Error);
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir["power"], "sharpness.json"))))
        {
            var h = json.RootElement.GetProperty("hessian");
            Assert.Equal("power", h.GetProperty("method").GetString());
            Assert.False(h.GetProperty("converged").GetBoolean());
            Assert.Equal(2, h.GetProperty("iterations").GetInt32());
            Assert.Equal(JsonValueKind.Null, h.GetProperty("smallestEigenvalue").ValueKind);
        }
    }
}
