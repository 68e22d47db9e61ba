using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam;

/// <summary>Creates a step object for a model.</summary>
public delegate ISamStep SamStepFactory(nn.Module model, SamStepOptions? options);

/// <summary>
/// Every variant known to the process, by name (compared ignoring case). Generated classes register
/// themselves from a module initializer; run-time descriptors can be registered too (they run on
/// <see cref="SamEngine"/>).
/// </summary>
/// <remarks>
/// <para>
/// A lookup finds the variants of every assembly of the application, loaded or not: the first
/// lookup (and every lookup of an unknown name) runs the module initializers of the application's
/// assemblies that reference NoiseSam (those of the trusted platform assembly list, that is the
/// app's dependencies, and those already loaded, such as plugins), so a library's variants are
/// there before any of its code has run.
/// </para>
/// <para>
/// A generated variant's registration never throws, even when another assembly (or, with NSAM012
/// suppressed, the same one) already uses its name: the clash is kept and reported, naming both
/// types and assemblies, when the name is looked up (<see cref="SamVariantNameClashException"/>).
/// </para>
/// </remarks>
public static class SamVariantRegistry
{
    private static readonly object Gate = new();
    private static readonly Dictionary<string, List<Entry>> Variants = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A registered variant.</summary>
    public sealed record Entry(SamVariantDescriptor Descriptor, SamStepFactory Factory, Type? GeneratedType)
    {
        /// <summary>The generated type and its assembly, or "a run-time descriptor".</summary>
        public string Origin => GeneratedType is null
            ? "a run-time descriptor"
            : $"{GeneratedType.FullName} (assembly {GeneratedType.Assembly.GetName().Name})";
    }

    /// <summary>
    /// Registers a variant. For a generated variant (<paramref name="generatedType"/> given, as the
    /// generated module initializers do) this never throws on a name: a second registration of the
    /// same type is ignored, another type with the same name is a clash reported at lookup.
    /// </summary>
    /// <exception cref="InvalidOperationException">A run-time registration (no <paramref name="generatedType"/>) of a name that is taken.</exception>
    public static void Register(SamVariantDescriptor descriptor, SamStepFactory factory, Type? generatedType = null)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(factory);
        var entry = new Entry(descriptor, factory, generatedType);
        lock (Gate)
        {
            if (!Variants.TryGetValue(descriptor.Name, out var entries))
            {
                Variants.Add(descriptor.Name, [entry]);
                return;
            }
            if (generatedType is not null)
            {
                if (!entries.Any(e => e.GeneratedType == generatedType)) entries.Add(entry);
                return;
            }
            throw new InvalidOperationException(
                $"SAM variant name '{descriptor.Name}' is already registered by {entries[0].Origin}; " +
                $"variant names must be unique (NSAM012). Rename one of them.");
        }
    }

    /// <summary>Registers a run-time descriptor, executed by <see cref="SamEngine"/>.</summary>
    public static void Register(SamVariantDescriptor descriptor) =>
        Register(descriptor.EnsureValid(), (model, options) => SamEngine.Create(descriptor, model, options));

    /// <summary>Names of all registered variants, sorted (a name two variants share appears once).</summary>
    public static IReadOnlyList<string> Names
    {
        get
        {
            Discovery.Run();
            lock (Gate) return Variants.Keys.Order(StringComparer.OrdinalIgnoreCase).ToList();
        }
    }

    /// <summary>All registered variants, sorted by name (both variants of a clashing name are listed).</summary>
    public static IReadOnlyList<Entry> Entries
    {
        get
        {
            Discovery.Run();
            lock (Gate)
            {
                return Variants.OrderBy(kv => kv.Key, StringComparer.OrdinalIgnoreCase)
                    .SelectMany(kv => kv.Value.OrderBy(e => e.Origin, StringComparer.Ordinal))
                    .ToList();
            }
        }
    }

    /// <summary>Looks a variant up by name (case-insensitive).</summary>
    /// <exception cref="SamVariantNameClashException">Two variants (of two assemblies, say) use this name.</exception>
    public static bool TryGet(string name, out Entry entry)
    {
        ArgumentNullException.ThrowIfNull(name);
        Discovery.Run();
        if (Find(name) is { } found)
        {
            entry = found;
            return true;
        }
        // A plugin loaded since the last look may bring it.
        Discovery.Run();
        entry = Find(name)!;
        return entry is not null;
    }

    /// <summary>Creates the step object of a registered variant.</summary>
    /// <exception cref="KeyNotFoundException">No variant has that name; the message lists the known names.</exception>
    /// <exception cref="SamVariantNameClashException">Two variants (of two assemblies, say) use this name.</exception>
    public static ISamStep Create(string name, nn.Module model, SamStepOptions? options = null)
    {
        if (!TryGet(name, out var entry))
        {
            var names = Names;
            throw new KeyNotFoundException(
                $"No SAM variant named '{name}'. Known variants: {(names.Count == 0 ? "(none registered)" : string.Join(", ", names))}.");
        }
        return entry.Factory(model, options);
    }

    private static Entry? Find(string name)
    {
        lock (Gate)
        {
            if (!Variants.TryGetValue(name, out var entries)) return null;
            if (entries.Count > 1) throw new SamVariantNameClashException(name, entries.ToList());
            return entries[0];
        }
    }

    /// <summary>Runs the module initializers of the application's assemblies that reference NoiseSam, each once.</summary>
    private static class Discovery
    {
        private static readonly object DiscoveryGate = new();
        private static readonly HashSet<string> Seen = new(StringComparer.Ordinal);
        private static readonly string RuntimeName = typeof(SamVariantRegistry).Assembly.GetName().Name!;
        private static bool platformListScanned;

        public static void Run()
        {
            lock (DiscoveryGate)
            {
                if (!platformListScanned)
                {
                    platformListScanned = true;
                    foreach (string path in ApplicationAssemblyPaths())
                        if (ReferencesRuntime(path, out var name) && Seen.Add(name.FullName))
                            Initialize(() => Assembly.Load(name));
                }
                foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
                {
                    if (assembly.IsDynamic || !Seen.Add(assembly.FullName ?? "")) continue;
                    if (assembly.GetReferencedAssemblies().Any(r => r.Name == RuntimeName)) Initialize(() => assembly);
                }
            }
        }

        // Its module initializer registers its variants; one that fails (user code) fails again, with
        // its own exception, when the assembly is used.
        private static void Initialize(Func<Assembly> load)
        {
            try
            {
                RuntimeHelpers.RunModuleConstructor(load().ManifestModule.ModuleHandle);
            }
            catch (Exception e) when (e is TypeInitializationException or FileNotFoundException or FileLoadException or BadImageFormatException)
            {
            }
        }

        // The trusted platform assemblies, less the shared framework's (they never reference NoiseSam).
        private static IEnumerable<string> ApplicationAssemblyPaths()
        {
            if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is not string list) yield break;
            string framework = Path.GetDirectoryName(typeof(object).Assembly.Location) ?? "";
            bool frameworkApart = framework.Length > 0
                && !string.Equals(Path.GetFullPath(framework).TrimEnd(Path.DirectorySeparatorChar), Path.GetFullPath(AppContext.BaseDirectory).TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal);
            foreach (string path in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
                if (!frameworkApart || !string.Equals(Path.GetDirectoryName(path), framework, StringComparison.Ordinal))
                    yield return path;
        }

        // Reads the file's metadata without loading it.
        private static bool ReferencesRuntime(string path, out AssemblyName name)
        {
            name = null!;
            try
            {
                using var stream = File.OpenRead(path);
                using var pe = new PEReader(stream);
                if (!pe.HasMetadata) return false;
                var metadata = pe.GetMetadataReader();
                if (!metadata.IsAssembly) return false;
                foreach (var handle in metadata.AssemblyReferences)
                {
                    if (!metadata.StringComparer.Equals(metadata.GetAssemblyReference(handle).Name, RuntimeName)) continue;
                    name = metadata.GetAssemblyDefinition().GetAssemblyName();
                    return true;
                }
                return false;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or BadImageFormatException)
            {
                return false;
            }
        }
    }
}

/// <summary>Two variants, typically of two assemblies, are registered under one name; thrown when that name is looked up.</summary>
public sealed class SamVariantNameClashException : InvalidOperationException
{
    public SamVariantNameClashException(string name, IReadOnlyList<SamVariantRegistry.Entry> entries)
        : base($"SAM variant name '{name}' is used by {entries.Count} variants: {string.Join(" and ", entries.Select(e => e.Origin))}. " +
               "Variant names must be unique across the assemblies of an application (NSAM012 checks one compilation): rename one of them.")
    {
        Name = name;
        Entries = entries;
    }

    /// <summary>The name they share.</summary>
    public string Name { get; }

    /// <summary>The variants that share it.</summary>
    public IReadOnlyList<SamVariantRegistry.Entry> Entries { get; }
}
