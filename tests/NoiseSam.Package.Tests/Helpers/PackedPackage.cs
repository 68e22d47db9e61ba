namespace NoiseSam.Package.Tests.Helpers;

/// <summary>
/// Packs src/NoiseSam once per test run into a folder feed under the system temp folder, with a
/// unique pre-release version so the global NuGet cache can never serve a stale NoiseSam. The
/// runtime, generator and analyzers are not rebuilt: this test project references them, so they
/// are already built in <see cref="RepoPaths.Configuration"/>.
/// </summary>
public sealed class PackedPackage : IDisposable
{
    public PackedPackage()
    {
        Version = $"0.1.0-test.{DateTime.UtcNow.Ticks}";
        WorkRoot = Path.Combine(Path.GetTempPath(), $"noisesam-package-{Guid.NewGuid():N}");
        Feed = Path.Combine(WorkRoot, "feed");
        Directory.CreateDirectory(Feed);
        PackResult = Dotnet.Run(RepoPaths.Root,
            "pack", RepoPaths.Path("src", "NoiseSam", "NoiseSam.csproj"),
            "-c", RepoPaths.Configuration, "--no-build", "-o", Feed, $"-p:PackageVersion={Version}",
            "-nologo", "-nodeReuse:false");
        PackagePath = Path.Combine(Feed, $"NoiseSam.{Version}.nupkg");
        SymbolsPath = Path.Combine(Feed, $"NoiseSam.{Version}.snupkg");
    }

    public string Version { get; }
    public string WorkRoot { get; }
    public string Feed { get; }
    public ProcessResult PackResult { get; }
    public string PackagePath { get; }
    public string SymbolsPath { get; }

    /// <summary>The global packages folder restore uses (NUGET_PACKAGES or ~/.nuget/packages).</summary>
    public static string GlobalPackages =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>Creates a console project outside the repository that references only NoiseSam (+ the CPU libtorch).</summary>
    public string CreateConsumer(string name, IReadOnlyDictionary<string, string> sources)
    {
        string dir = Path.Combine(WorkRoot, name);
        Directory.CreateDirectory(dir);
        // Stop MSBuild's upward search: nothing from the temp folder's parents may leak in.
        foreach (string file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
            File.WriteAllText(Path.Combine(dir, file), "<Project />\n");
        File.WriteAllText(Path.Combine(dir, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(dir, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="NoiseSam" Version="{Version}" />
                <PackageReference Include="libtorch-cpu-linux-x64" Version="2.10.0" />
              </ItemGroup>
            </Project>
            """);
        foreach (var (file, text) in sources) File.WriteAllText(Path.Combine(dir, file), text);
        return dir;
    }

    public void Dispose()
    {
        TryDelete(WorkRoot);
        // The unique version would otherwise pile up in the global cache, one folder per run.
        TryDelete(Path.Combine(GlobalPackages, "noisesam", Version.ToLowerInvariant()));
    }

    private static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
        catch (IOException) { } // best effort: a leftover temp folder is not a test failure
        catch (UnauthorizedAccessException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class PackageCollection : ICollectionFixture<PackedPackage>
{
    public const string Name = "Packed NoiseSam package";
}
