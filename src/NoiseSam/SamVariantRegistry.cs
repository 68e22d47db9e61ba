using System.Collections.Concurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam;

/// <summary>Creates a step object for a model.</summary>
public delegate ISamStep SamStepFactory(nn.Module<Tensor, Tensor> model, SamStepOptions? options);

/// <summary>
/// Every variant known to the process, by name. Generated classes register themselves from a
/// module initializer; run-time descriptors can be registered too (they run on <see cref="SamEngine"/>).
/// </summary>
public static class SamVariantRegistry
{
    private static readonly ConcurrentDictionary<string, Entry> Variants = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A registered variant.</summary>
    public sealed record Entry(SamVariantDescriptor Descriptor, SamStepFactory Factory, Type? GeneratedType);

    /// <summary>Registers a generated variant. A second registration of the same type is ignored; another type with the same name is an error.</summary>
    public static void Register(SamVariantDescriptor descriptor, SamStepFactory factory, Type? generatedType = null)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(factory);
        var entry = new Entry(descriptor, factory, generatedType);
        var existing = Variants.GetOrAdd(descriptor.Name, entry);
        if (ReferenceEquals(existing, entry)) return;
        if (generatedType is not null && existing.GeneratedType == generatedType) return;
        throw new InvalidOperationException(
            $"SAM variant name '{descriptor.Name}' is already registered by {existing.GeneratedType?.FullName ?? "a run-time descriptor"}; " +
            $"variant names must be unique (NSAM012). Rename one of them.");
    }

    /// <summary>Registers a run-time descriptor, executed by <see cref="SamEngine"/>.</summary>
    public static void Register(SamVariantDescriptor descriptor) =>
        Register(descriptor.EnsureValid(), (model, options) => SamEngine.Create(descriptor, model, options));

    /// <summary>Names of all registered variants, sorted.</summary>
    public static IReadOnlyList<string> Names => Variants.Keys.Order(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>All registered variants, sorted by name.</summary>
    public static IReadOnlyList<Entry> Entries => Variants.OrderBy(kv => kv.Key, StringComparer.OrdinalIgnoreCase).Select(kv => kv.Value).ToList();

    /// <summary>Looks a variant up by name (case-insensitive).</summary>
    public static bool TryGet(string name, out Entry entry) => Variants.TryGetValue(name, out entry!);

    /// <summary>Creates the step object of a registered variant.</summary>
    /// <exception cref="KeyNotFoundException">No variant has that name; the message lists the known names.</exception>
    public static ISamStep Create(string name, nn.Module<Tensor, Tensor> model, SamStepOptions? options = null)
    {
        if (!Variants.TryGetValue(name, out var entry))
            throw new KeyNotFoundException(
                $"No SAM variant named '{name}'. Known variants: {(Variants.IsEmpty ? "(none registered)" : string.Join(", ", Names))}.");
        return entry.Factory(model, options);
    }
}
