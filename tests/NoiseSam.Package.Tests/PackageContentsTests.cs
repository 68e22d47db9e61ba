using System.IO.Compression;
using System.Xml.Linq;
using NoiseSam.Package.Tests.Helpers;

namespace NoiseSam.Package.Tests;

/// <summary>What `dotnet pack` puts in NoiseSam.&lt;version&gt;.nupkg and its symbols package.</summary>
[Collection(PackageCollection.Name)]
public class PackageContentsTests(PackedPackage package)
{
    [Fact]
    public void PackWritesThePackageAndItsSymbolsPackage()
    {
        Assert.True(package.PackResult.ExitCode == 0, package.PackResult.ToString());
        Assert.True(File.Exists(package.PackagePath), $"missing {package.PackagePath}\n{package.PackResult}");
        Assert.True(File.Exists(package.SymbolsPath), $"missing {package.SymbolsPath}\n{package.PackResult}");
        using var symbols = ZipFile.OpenRead(package.SymbolsPath);
        Assert.Contains(symbols.Entries, e => e.FullName == "lib/net10.0/NoiseSam.pdb");
    }

    [Fact]
    public void ThePackageHoldsTheRuntimeTheRoslynComponentsTheNativeFixReadmeAndLicense()
    {
        using var zip = ZipFile.OpenRead(package.PackagePath);
        var files = zip.Entries.Select(e => e.FullName)
            .Where(n => !n.StartsWith("_rels/", StringComparison.Ordinal) && !n.StartsWith("package/", StringComparison.Ordinal) && n != "[Content_Types].xml")
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(new[]
        {
            "LICENSE",
            "NoiseSam.nuspec",
            "README.md",
            "analyzers/dotnet/cs/NoiseSam.Analyzers.CodeFixes.dll",
            "analyzers/dotnet/cs/NoiseSam.Analyzers.dll",
            "analyzers/dotnet/cs/NoiseSam.Generators.dll",
            "buildTransitive/ElfVersionPatcher.cs",
            "buildTransitive/NoiseSam.TorchSharpNativeFix.targets",
            "buildTransitive/NoiseSam.targets",
            "lib/net10.0/NoiseSam.dll",
            "lib/net10.0/NoiseSam.xml",
        }, files);

        // The packed fix is the repository's fix, byte for byte (packed, not forked).
        Assert.Equal(File.ReadAllBytes(RepoPaths.Path("build", "ElfVersionPatcher.cs")), ReadAll(zip, "buildTransitive/ElfVersionPatcher.cs"));
        Assert.Equal(File.ReadAllBytes(RepoPaths.Path("build", "NoiseSam.TorchSharpNativeFix.targets")), ReadAll(zip, "buildTransitive/NoiseSam.TorchSharpNativeFix.targets"));
        Assert.Equal(File.ReadAllBytes(RepoPaths.Path("docs", "package-readme.md")), ReadAll(zip, "README.md"));
    }

    [Fact]
    public void TheNuspecHasTheMetadataAndDependsOnTorchSharpOnly()
    {
        using var zip = ZipFile.OpenRead(package.PackagePath);
        XDocument nuspec;
        using (var stream = zip.GetEntry("NoiseSam.nuspec")!.Open()) nuspec = XDocument.Load(stream);
        XNamespace ns = nuspec.Root!.Name.Namespace;
        XElement metadata = nuspec.Root.Element(ns + "metadata")!;
        string Meta(string name) => metadata.Element(ns + name)?.Value ?? "";

        Assert.Equal("NoiseSam", Meta("id"));
        Assert.Equal(package.Version, Meta("version"));
        Assert.Equal("MIT", Meta("license"));
        Assert.Equal("expression", metadata.Element(ns + "license")!.Attribute("type")!.Value);
        Assert.Equal("README.md", Meta("readme"));
        Assert.Contains("Sharpness-Aware Minimization", Meta("description"), StringComparison.Ordinal);
        Assert.Contains("torchsharp", Meta("tags"), StringComparison.Ordinal);
        Assert.NotEmpty(Meta("authors"));
        Assert.NotEmpty(Meta("projectUrl"));
        // Source Link: the repository and the commit the package was built from.
        var repository = metadata.Element(ns + "repository")!;
        Assert.Equal("git", repository.Attribute("type")?.Value);
        Assert.Equal("https://github.com/noisesam/NoiseSam.Dsl", repository.Attribute("url")?.Value);
        Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? "");

        var dependencies = metadata.Descendants(ns + "dependency")
            .Select(d => (Id: d.Attribute("id")!.Value, Version: d.Attribute("version")!.Value, Group: d.Parent!.Attribute("targetFramework")?.Value))
            .ToArray();
        // The user picks the libtorch backend (CPU or CUDA); the generator and analyzers are inside the package.
        Assert.Equal(new[] { (Id: "TorchSharp", Version: "0.107.0", Group: (string?)"net10.0") }, dependencies);
    }

    private static byte[] ReadAll(ZipArchive zip, string entry)
    {
        using var stream = zip.GetEntry(entry)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
