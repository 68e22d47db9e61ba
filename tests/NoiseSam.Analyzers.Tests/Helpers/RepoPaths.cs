namespace NoiseSam.Analyzers.Tests.Helpers;

/// <summary>Paths inside the repository, found from the test's output folder.</summary>
internal static class RepoPaths
{
    /// <summary>The folder that holds NoiseSam.Dsl.sln, found by walking up from <see cref="AppContext.BaseDirectory"/>.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NoiseSam.Dsl.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"NoiseSam.Dsl.sln not found above {AppContext.BaseDirectory}");
    }
}
