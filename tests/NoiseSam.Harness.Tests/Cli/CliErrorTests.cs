using NoiseSam.Cli;

namespace NoiseSam.Harness.Tests.Cli;

/// <summary>Every bad argument: a one-line message on stderr, a non-zero exit code, never a stack trace.</summary>
[Collection(TorchCollection.Name)]
public sealed class CliErrorTests
{
    private static void AssertOneLineError(CliHarness.Result r, int code, params string[] fragments) =>
        CliHarness.AssertOneLineError(r, code, fragments);

    [Fact]
    public void UnknownVariantInCompareListsTheKnownOnes()
    {
        var r = CliHarness.Run("compare", "--variants", "SGD,NOPE");
        AssertOneLineError(r, ExitCodes.Usage, "unknown variant 'NOPE'", "known variants:", "NI-MBS", "SAM", "SGD");
    }

    [Fact]
    public void UnknownVariantInTrain()
    {
        var r = CliHarness.Run("train", "--variant", "Adam-SAM");
        AssertOneLineError(r, ExitCodes.Usage, "unknown variant 'Adam-SAM'", "LookSAM-5");
    }

    [Fact]
    public void MissingVariantInTrain() =>
        AssertOneLineError(CliHarness.Run("train"), ExitCodes.Usage, "--variant");

    [Fact]
    public void UnknownModel() =>
        AssertOneLineError(CliHarness.Run("compare", "--model", "vgg99"), ExitCodes.Usage, "unknown model 'vgg99'", "small-cnn");

    [Fact]
    public void UnknownDataSet() =>
        AssertOneLineError(CliHarness.Run("train", "--variant", "SGD", "--data", "imagenet"), ExitCodes.Usage, "unknown data set 'imagenet'", "fashion-mnist");

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    public void NonPositiveEpochs(string epochs)
    {
        AssertOneLineError(CliHarness.Run("compare", "--epochs", epochs), ExitCodes.Usage, "--epochs must be at least 1", epochs);
        AssertOneLineError(CliHarness.Run("train", "--variant", "SAM", "--epochs", epochs), ExitCodes.Usage, "--epochs must be at least 1");
    }

    [Theory]
    [InlineData("compare")]
    [InlineData("train")]
    [InlineData("bench-step")]
    public void CudaDeviceOnACpuBuildSaysHowToSwitch(string command)
    {
        string[] args = command == "train" ? [command, "--variant", "SAM", "--device", "cuda"] : [command, "--device", "cuda"];
        AssertOneLineError(CliHarness.Run(args), ExitCodes.Usage, "--device", "CUDA is not available", "docs/gpu.md");
    }

    [Theory]
    [InlineData("tpu")]
    [InlineData("cuda:x")]
    public void UnknownDeviceListsTheValidOnes(string device) =>
        AssertOneLineError(CliHarness.Run("compare", "--device", device), ExitCodes.Usage, "--device", device);

    [Fact]
    public void EpochsNotANumber() =>
        AssertOneLineError(CliHarness.Run("compare", "--epochs", "many"), ExitCodes.Usage, "many");

    [Theory]
    [InlineData("0", "--threads must be between 1 and 1024")]
    [InlineData("-1", "--threads must be between 1 and 1024")]
    [InlineData("5000", "--threads must be between 1 and 1024")]
    [InlineData("two", "two")]
    public void BadThreads(string threads, string message) =>
        AssertOneLineError(CliHarness.Run("compare", "--threads", threads), ExitCodes.Usage, message);

    [Fact]
    public void MissingDataDirectory() =>
        AssertOneLineError(CliHarness.Run("compare", "--data-dir", "/nonexistent/noisesam-data"), ExitCodes.Usage, "no such directory", "/nonexistent/noisesam-data");

    [Fact]
    public void DataDirectoryWithoutTheFilesNamesTheDirectory()
    {
        using var dir = new ScratchDir();
        var r = CliHarness.Run("train", "--variant", "SGD", "--data", "mnist", "--data-dir", dir.Path);
        AssertOneLineError(r, ExitCodes.Failure, dir.Path, "train-images-idx3-ubyte");
    }

    [Fact]
    public void VariantsFromMissingFile() =>
        AssertOneLineError(CliHarness.Run("variants", "--variants-from", "/nonexistent/variants.dll"), ExitCodes.Usage, "--variants-from", "no such file");

    [Fact]
    public void VariantsFromNotAnAssembly()
    {
        using var dir = new ScratchDir();
        File.WriteAllText(dir["fake.dll"], "this is not a PE file");
        AssertOneLineError(CliHarness.Run("compare", "--variants-from", dir["fake.dll"]), ExitCodes.Usage, "is not a .NET assembly");
    }

    [Fact]
    public void VariantsFromAnAssemblyRunsItsModuleInitializer()
    {
        // The CLI assembly itself: already loaded, its initializer already registered the paper's set.
        var r = CliHarness.Run("variants", "--variants-from", typeof(CliApp).Assembly.Location);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("no new variants registered", r.Error);
        Assert.Contains("NI-MBS", r.Out);
    }

    [Fact]
    public void UnknownCommandAndOption()
    {
        AssertOneLineError(CliHarness.Run("frobnicate"), ExitCodes.Usage, "frobnicate");
        AssertOneLineError(CliHarness.Run("compare", "--frob"), ExitCodes.Usage, "--frob");
        AssertOneLineError(CliHarness.Run(), ExitCodes.Usage, "command");
    }

    [Theory]
    [InlineData("x")]
    [InlineData("0")]
    [InlineData("1,b")]
    public void BadSeeds(string seeds) =>
        AssertOneLineError(CliHarness.Run("compare", "--seeds", seeds), ExitCodes.Usage, "--seeds");

    [Fact]
    public void OtherBadNumbers()
    {
        AssertOneLineError(CliHarness.Run("compare", "--batch-size", "0"), ExitCodes.Usage, "--batch-size must be at least 1");
        AssertOneLineError(CliHarness.Run("compare", "--train-limit", "-5"), ExitCodes.Usage, "--train-limit");
        AssertOneLineError(CliHarness.Run("compare", "--test-limit", "0"), ExitCodes.Usage, "--test-limit");
        AssertOneLineError(CliHarness.Run("train", "--variant", "SGD", "--max-steps", "0"), ExitCodes.Usage, "--max-steps must be at least 1");
    }

    [Fact]
    public void ResumeWithoutCheckpointDirectory() =>
        AssertOneLineError(CliHarness.Run("train", "--variant", "SGD", "--resume"), ExitCodes.Usage, "--resume needs --checkpoint-dir");

    [Fact]
    public void HelpIsNotAnError()
    {
        var r = CliHarness.Run("--help");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("compare", r.Out);
        Assert.Contains("train", r.Out);
        Assert.Contains("variants", r.Out);
    }
    [Theory]
    [InlineData("compare", "--val-fraction", "1", "--val-fraction must be in [0, 1)")]
    [InlineData("train", "--label-noise", "-0.1", "--label-noise must be in [0, 1)")]
    [InlineData("study", "--label-noise", "1.5", "--label-noise must be in [0, 1)")]
    [InlineData("tune", "--val-fraction", "0", "--val-fraction must be > 0")]
    public void DataOptionsOutOfRangeNameTheOption(string command, string option, string value, string fragment)
    {
        string[] args = command == "train" ? [command, "--variant", "SGD", option, value] : [command, option, value];
        AssertOneLineError(CliHarness.Run(args), ExitCodes.Usage, fragment);
    }

    [Fact]
    public void AnUnwritableOutputFailsBeforeTraining()
    {
        var r = CliHarness.Run(["compare", "--variants", "SGD", "--epochs", "1", "--out", "/proc/self/noisesam-out", .. CliHarness.Tiny()]);
        AssertOneLineError(r, ExitCodes.Usage, "--out", "cannot write into");
        Assert.DoesNotContain("Plan:", r.Out);
        r = CliHarness.Run(["train", "--variant", "SGD", "--save-model", "/proc/noisesam/model.bin", .. CliHarness.Tiny()]);
        AssertOneLineError(r, ExitCodes.Usage, "--save-model", "cannot write into");
        r = CliHarness.Run(["train", "--variant", "SGD", "--checkpoint-dir", "/proc/noisesam-ckpt", .. CliHarness.Tiny()]);
        AssertOneLineError(r, ExitCodes.Usage, "--checkpoint-dir");
    }

    [Fact]
    public void TuneGridsNameTheProblem()
    {
        AssertOneLineError(CliHarness.Run("tune", "--variants", "SAM", "--grid", "SAM:speed=1"), ExitCodes.Usage, "unknown tuning parameter 'speed'");
        AssertOneLineError(CliHarness.Run("tune", "--variants", "SAM", "--grid", "MBS:rho=0.1"), ExitCodes.Usage, "'MBS' is not among --variants");
        AssertOneLineError(CliHarness.Run("tune", "--variants", "SAM", "--grid", "SAM:f=0.5"), ExitCodes.Usage, "needs a [MicroBatch]");
    }
}
