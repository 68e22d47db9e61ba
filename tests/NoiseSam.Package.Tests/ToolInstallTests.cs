using System.Diagnostics;
using System.IO.Compression;
using NoiseSam.Package.Tests.Helpers;

namespace NoiseSam.Package.Tests;

/// <summary>
/// <c>noisesam</c> as a dotnet tool: packed from src/NoiseSam.Cli into a folder feed (with a unique
/// version, so no cache can serve another), installed into a temporary tool path with
/// <c>dotnet tool install NoiseSam.Cli --tool-path … --add-source …</c>, and run through its shim on this
/// Debian machine: TorchSharp's native library must load from the package (patched for Debian 12's
/// libstdc++) and the default data set must be found.
/// </summary>
public sealed class ToolInstallTests
{
    [Fact]
    public void TheToolInstallsFromAFolderFeedAndRunsVariantsAndAOneEpochCompare()
    {
        string version = $"0.1.0-test.{DateTime.UtcNow.Ticks}";
        string work = Path.Combine(Path.GetTempPath(), $"noisesam-tool-{Guid.NewGuid():N}");
        string feed = Path.Combine(work, "feed"), tools = Path.Combine(work, "tools");
        Directory.CreateDirectory(feed);
        try
        {
            var clock = Stopwatch.StartNew();
            var pack = Dotnet.Run(RepoPaths.Root, "pack", RepoPaths.Path("src", "NoiseSam.Cli", "NoiseSam.Cli.csproj"),
                "-c", RepoPaths.Configuration, "--no-build", "-o", feed, $"-p:PackageVersion={version}", "-nologo", "-nodeReuse:false");
            Assert.True(pack.ExitCode == 0, pack.ToString());
            string nupkg = Path.Combine(feed, $"NoiseSam.Cli.{version}.nupkg");
            long size = new FileInfo(nupkg).Length;
            using (var zip = ZipFile.OpenRead(nupkg))
            {
                var natives = zip.Entries.Where(e => e.FullName.Contains("/runtimes/", StringComparison.Ordinal)).Select(e => e.FullName).ToList();
                Assert.Contains(natives, n => n.EndsWith("/runtimes/linux-x64/native/libtorch_cpu.so", StringComparison.Ordinal));
                Assert.All(natives, n => Assert.Contains("/runtimes/linux-x64/native/", n, StringComparison.Ordinal));
                Assert.DoesNotContain(natives, n => n.EndsWith("libtorch_python.so", StringComparison.Ordinal));
                Assert.Contains(zip.Entries, e => e.FullName == "tools/net10.0/any/DotnetToolSettings.xml");
            }
            var packed = clock.Elapsed;

            var install = Dotnet.Run(work, "tool", "install", "NoiseSam.Cli", "--version", version, "--tool-path", tools, "--add-source", feed);
            Assert.True(install.ExitCode == 0, install.ToString());
            string shim = Path.Combine(tools, "noisesam");
            Assert.True(File.Exists(shim), install.ToString());
            string installed = Directory.GetDirectories(Path.Combine(tools, ".store", "noisesam.cli", version.ToLowerInvariant()))[0];
            string native = Directory.GetFiles(installed, "libLibTorchSharp.so", SearchOption.AllDirectories).Single();
            Assert.True(Assert.Single(ElfVersionNeeds.Read(native), n => n.Version == "GLIBCXX_3.4.32").IsWeak, "the packed libLibTorchSharp.so must be patched");

            var variants = RunTool(shim, work, "variants");
            Assert.True(variants.ExitCode == 0, variants.ToString());
            Assert.Contains("NI-MBS", variants.Output, StringComparison.Ordinal);

            string report = Path.Combine(work, "compare");
            var compare = RunTool(shim, work, "compare", "--epochs", "1", "--seeds", "1", "--variants", "SGD,NI-MBS",
                "--train-limit", "256", "--test-limit", "200", "--batch-size", "64", "--threads", "2", "--out", report);
            Assert.True(compare.ExitCode == 0, compare.ToString());
            Assert.Contains("NI-MBS", File.ReadAllText(Path.Combine(report, "summary.csv")), StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(report, "accuracy_vs_time.png")), compare.ToString());
            // TorchSharp copies unpatched natives into a cpu/ folder when loading fails: it must not have been needed.
            Assert.Empty(Directory.GetDirectories(installed, "cpu", SearchOption.AllDirectories));
            Console.WriteLine($"tool package {size / 1048576.0:F0} MiB; pack {packed.TotalSeconds:F0} s, install {install.Elapsed.TotalSeconds:F0} s, " +
                              $"variants {variants.Elapsed.TotalSeconds:F1} s, compare {compare.Elapsed.TotalSeconds:F0} s");
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            try { Directory.Delete(Path.Combine(PackedPackage.GlobalPackages, "noisesam.cli", version.ToLowerInvariant()), recursive: true); }
            catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static ProcessResult RunTool(string shim, string workingDirectory, params string[] arguments) =>
        ChildProcess.Run(shim, arguments, workingDirectory);
}
