using System.Reflection;
using System.Runtime.CompilerServices;

namespace NoiseSam.Cli.Variants;

/// <summary>Loads a user's assembly of <c>[SamVariant]</c> classes so its module initializer registers them.</summary>
public static class VariantAssemblyLoader
{
    /// <summary>Loads <paramref name="path"/> and runs its module initializer; returns the variant names it added.</summary>
    /// <exception cref="UsageException">The file is missing, not a .NET assembly, or its variants cannot be registered.</exception>
    public static IReadOnlyList<string> Load(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new UsageException("--variants-from needs the path of a .NET assembly (.dll)");
        string full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new UsageException($"--variants-from: no such file '{path}'");
        var before = SamVariantRegistry.Names.ToHashSet(StringComparer.OrdinalIgnoreCase);
        try
        {
            var assembly = Assembly.LoadFrom(full);
            RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
        }
        catch (BadImageFormatException)
        {
            throw new UsageException($"--variants-from: '{path}' is not a .NET assembly");
        }
        catch (Exception e) when (e is FileLoadException or IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--variants-from: cannot load '{path}': {e.Message}");
        }
        catch (Exception e) when (e is TypeInitializationException or TargetInvocationException or InvalidOperationException or ArgumentException)
        {
            var inner = e;
            while (inner.InnerException is not null && inner is TypeInitializationException or TargetInvocationException) inner = inner.InnerException;
            throw new UsageException($"--variants-from: the variants of '{path}' could not be registered: {inner.Message}");
        }
        return SamVariantRegistry.Names.Where(n => !before.Contains(n)).ToList();
    }
}
