using System.Globalization;
using System.Text.RegularExpressions;
using NoiseSam.Package.Tests.Helpers;

namespace NoiseSam.Package.Tests;

/// <summary>
/// A new user's path: a fresh console project outside the repository that references only the
/// NoiseSam package (and the CPU libtorch), restored from a local folder feed.
/// </summary>
[Collection(PackageCollection.Name)]
public class PackageConsumerTests(PackedPackage package)
{
    private const string Program = """
        using NoiseSam;
        using NoiseSam.Dsl;
        using TorchSharp;
        using static TorchSharp.torch;

        torch.manual_seed(0);
        var model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 3));
        using var step = new PackagedNiMbs(model, new SamStepOptions { Seed = 1 });
        for (int i = 0; i < 3; i++)
        {
            using var x = randn(64, 20);
            using var y = randint(0, 3, 64);
            var r = step.Step(x, y);
            Console.WriteLine($"step {i} loss {r.Loss.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} perturbed {r.Perturbed} ascent {r.AscentSamples}");
        }
        Console.WriteLine("registered: " + string.Join(",", SamVariantRegistry.Names));
        Console.WriteLine("descriptor: " + PackagedNiMbs.Descriptor.Summary());

        [SamVariant("Packaged-NI-MBS")]
        [MicroBatch(Fraction = 0.5)]
        [Noise(NoiseDistribution.Gaussian, Sigma = 0.5)]
        [BaseOptimizer(OptimizerKind.Sgd, LearningRate = 0.05)]
        public partial class PackagedNiMbs { }
        """;

    [Fact]
    public void AFreshProjectDeclaresAVariantBuildsRunsStepsAndLoadsThePatchedNativeLibrary()
    {
        Assert.True(package.PackResult.ExitCode == 0, package.PackResult.ToString());
        string dir = package.CreateConsumer("Consumer", new Dictionary<string, string> { ["Program.cs"] = Program });
        Assert.False(dir.StartsWith(RepoPaths.Root, StringComparison.Ordinal), "the consumer must live outside the repository");

        ProcessResult build = Dotnet.Run(dir, "build", "-c", "Release", "-nologo", "-nodeReuse:false");
        Assert.True(build.ExitCode == 0, build.ToString());

        // The package came from the folder feed, at this run's version.
        string assets = File.ReadAllText(Path.Combine(dir, "obj", "project.assets.json"));
        Assert.Contains($"\"NoiseSam/{package.Version}\"", assets, StringComparison.Ordinal);

        // The output copy of TorchSharp's native library is patched; the cache's copy is untouched.
        string output = Path.Combine(dir, "bin", "Release", "net10.0");
        string native = Path.Combine(output, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(native), $"missing {native}");
        Assert.True(Need(native).IsWeak, "GLIBCXX_3.4.32 must be weak in the output copy");
        string cached = Path.Combine(PackedPackage.GlobalPackages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (File.Exists(cached)) Assert.False(Need(cached).IsWeak, "the NuGet cache's copy must never be modified");

        // Run it: TorchSharp loads, the generated step trains.
        ProcessResult run = Dotnet.Run(dir, Path.Combine(output, "Consumer.dll"));
        Assert.True(run.ExitCode == 0, run.ToString());
        var steps = Regex.Matches(run.Output, @"^step (\d) loss (\S+) perturbed (\w+) ascent (\d+)$", RegexOptions.Multiline);
        Assert.True(steps.Count == 3, run.ToString());
        foreach (Match m in steps)
        {
            float loss = float.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            Assert.True(float.IsFinite(loss) && loss > 0, run.ToString());
            Assert.Equal("True", m.Groups[3].Value);
            Assert.Equal("32", m.Groups[4].Value); // Fraction = 0.5 of a batch of 64
        }
        Assert.Contains("registered: Packaged-NI-MBS", run.Output, StringComparison.Ordinal);
        Assert.Contains("descriptor: ", run.Output, StringComparison.Ordinal);
        // TorchSharp's fallback copies unpatched natives into bin/…/cpu/ when loading fails: it must not have been needed.
        Assert.False(Directory.Exists(Path.Combine(output, "cpu")), "TorchSharp fell back to its native copy: the patched library did not load");
    }

    [Fact]
    public void AnInvalidDeclarationFailsTheBuildWithItsNSAMDiagnostic()
    {
        Assert.True(package.PackResult.ExitCode == 0, package.PackResult.ToString());
        string dir = package.CreateConsumer("InvalidConsumer", new Dictionary<string, string>
        {
            ["Program.cs"] = """
                using NoiseSam.Dsl;

                System.Console.WriteLine(typeof(BrokenVariant).Name);

                [SamVariant("Broken")]
                [MicroBatch(Fraction = 1.5)]
                public partial class BrokenVariant { }
                """,
        });

        ProcessResult build = Dotnet.Run(dir, "build", "-c", "Release", "-nologo", "-nodeReuse:false");
        Assert.True(build.ExitCode != 0, build.ToString());
        Assert.Matches(@"Program\.cs\(6,\d+\): error NSAM004: Variant 'Broken': \[MicroBatch\(Fraction = 1\.5\)\] must be in \(0, 1\]", build.Output);
    }

    private static VersionNeed Need(string library) =>
        Assert.Single(ElfVersionNeeds.Read(library), n => n.Version == "GLIBCXX_3.4.32");
}
