namespace NoiseSam.Package.Tests.Helpers;

/// <summary>Paths inside the repository, found from the test's output folder.</summary>
internal static class RepoPaths
{
    /// <summary>The folder that holds NoiseSam.Dsl.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The configuration this test assembly (and so every project it references) was built in.</summary>
#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "NoiseSam.Dsl.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"NoiseSam.Dsl.sln not found above {AppContext.BaseDirectory}");
    }
}
