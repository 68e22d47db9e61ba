using System.Diagnostics;
using Microsoft.CodeAnalysis;
using NoiseSam.Generators.Tests.Helpers;

namespace NoiseSam.Generators.Tests;

/// <summary>
/// SamVariantRegistry in a real application, run as a child process: an app whose project
/// references two libraries of variants but never uses their code (so the compiler drops the
/// references and nothing loads them), and which declares two variants of one name itself (NSAM012
/// suppressed). The app must reach Main, find the libraries' variants by name, and report each clash
/// when its name is looked up, naming both types and assemblies.
/// </summary>
public class RegistryAcrossAssembliesTests
{
    private const string Usings = "using NoiseSam;\nusing NoiseSam.Dsl;\n";

    [Fact]
    public void AnAppFindsTheVariantsOfItsLibrariesAndReportsEachClashAtLookupNotAtStartUp()
    {
        string folder = Path.Combine(Path.GetTempPath(), "noisesam-registry-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            Emit(folder, "LibA", Usings + """
                namespace LibA;
                [SamVariant("only-a")] public sealed partial class OnlyA { }
                [SamVariant("clash")] public sealed partial class ClashA { }
                """);
            Emit(folder, "LibB", Usings + """
                namespace LibB;
                [SamVariant("Clash")] public sealed partial class ClashB { }
                """);
            Emit(folder, "App", Usings + """
                namespace App;

                public static class Program
                {
                    public static int Main()
                    {
                        System.Console.WriteLine("main");
                        foreach (string name in new[] { "only-a", "clash", "twice", "missing" })
                        {
                            try
                            {
                                System.Console.WriteLine(SamVariantRegistry.TryGet(name, out var entry) ? $"{name}: {entry.Origin}" : $"{name}: none");
                            }
                            catch (SamVariantNameClashException e)
                            {
                                System.Console.WriteLine($"{name}: clash: {e.Message}");
                            }
                        }
                        return 0;
                    }
                }

                // Two variants of one name in one assembly: NSAM012, suppressed here (the analyzers do not run).
                [SamVariant("twice")] public sealed partial class TwiceOne { }
                [SamVariant("TWICE")] public sealed partial class TwiceTwo { }
                """, OutputKind.ConsoleApplication);
            File.WriteAllText(Path.Combine(folder, "App.runtimeconfig.json"),
                "{ \"runtimeOptions\": { \"tfm\": \"net10.0\", \"framework\": { \"name\": \"Microsoft.NETCore.App\", \"version\": \"" + Environment.Version.ToString(3) + "\" } } }");
            // No deps.json: the host puts every assembly of the folder on the trusted platform list, as
            // a build's deps.json would list the app's references.
            foreach (var dependency in new[] { typeof(SamVariantRegistry), typeof(TorchSharp.torch) })
                File.Copy(dependency.Assembly.Location, Path.Combine(folder, Path.GetFileName(dependency.Assembly.Location)));

            var (exitCode, output) = RunDotnet(folder, "App.dll");

            Assert.True(exitCode == 0, output);
            string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Equal("main", lines[0]);
            Assert.Equal("only-a: LibA.OnlyA (assembly LibA)", lines[1]);
            Assert.StartsWith("clash: clash: SAM variant name 'clash' is used by 2 variants: ", lines[2]);
            Assert.Contains("LibA.ClashA (assembly LibA)", lines[2]);
            Assert.Contains("LibB.ClashB (assembly LibB)", lines[2]);
            Assert.StartsWith("twice: clash: SAM variant name 'twice' is used by 2 variants: ", lines[3]);
            Assert.Contains("App.TwiceOne (assembly App)", lines[3]);
            Assert.Contains("App.TwiceTwo (assembly App)", lines[3]);
            Assert.Equal("missing: none", lines[4]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Emit(string folder, string name, string source, OutputKind kind = OutputKind.DynamicallyLinkedLibrary)
    {
        var compilation = GeneratorHarness.CreateCompilation(name, [(name + ".cs", source)]);
        compilation = compilation.WithOptions(compilation.Options.WithOutputKind(kind));
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        Assert.Empty(diagnostics);
        var emitted = output.Emit(Path.Combine(folder, name + ".dll"));
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
    }

    private static (int ExitCode, string Output) RunDotnet(string folder, string arguments)
    {
        string host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var start = new ProcessStartInfo(host, arguments)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.GetAwaiter().GetResult());
    }
}
