using System.Globalization;
using NoiseSam.Dsl;

namespace NoiseSam.Harness.Study;

/// <summary>Turns <see cref="StudyOptions"/> into the list of configurations to train.</summary>
public static class StudyPlan
{
    /// <summary>Prefix of the registry names of sweep points, so they never collide with a user's variant.</summary>
    public const string IdPrefix = "study-";

    /// <summary>
    /// The sweep points (every f with σ = 0, every f × non-zero σ × scaling) followed by the
    /// baselines. Points that are the same algorithm as another are dropped: micro-batch scaling
    /// on a full batch is zero noise, i.e. plain SAM.
    /// </summary>
    /// <param name="options">The study.</param>
    /// <param name="baselineLookup">Finds a baseline's descriptor by name (normally the variant registry).</param>
    public static IReadOnlyList<StudyConfig> Build(StudyOptions options, Func<string, SamVariantDescriptor?> baselineLookup)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(baselineLookup);
        options.Validate();
        var configs = new List<StudyConfig>();
        var fractions = options.Fractions.Distinct().OrderDescending().ToList();
        var sigmas = options.Sigmas.Distinct().Order().ToList();
        foreach (double sigma in sigmas)
        {
            var scalings = sigma == 0 ? [(NoiseScaling?)null] : options.Scalings.Distinct().Select(s => (NoiseScaling?)s).ToList();
            foreach (var scaling in scalings)
                foreach (double f in fractions)
                {
                    if (f == 1 && scaling == NoiseScaling.MicroBatch) continue;
                    configs.Add(SweepPoint(options, f, sigma, scaling));
                }
        }
        // The base optimizer alone at the sweep's settings: SAM is judged against it (same learning rate,
        // schedule and weight decay), whatever learning rate the declared SGD baseline chose for itself.
        string baseId = IdPrefix + "base";
        configs.Add(new StudyConfig(baseId, StudyGroup.Base,
            new SamVariantDescriptor(baseId) { Schedule = new ScheduleSpec(SchedulePolicy.Never), BaseOptimizer = options.BaseOptimizer }, 1, 0, null));
        foreach (string name in options.Baselines.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var descriptor = baselineLookup(name)
                ?? throw new ArgumentException($"unknown baseline variant '{name}'");
            configs.Add(new StudyConfig(SafeId(descriptor.Name), StudyGroup.Baseline, descriptor,
                descriptor.MicroBatch?.EffectiveFraction ?? 1, descriptor.Noise?.EffectiveSigma ?? 0, descriptor.Noise?.EffectiveScaling));
        }
        var duplicate = configs.GroupBy(c => c.Id, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"two study configurations share the id '{duplicate.Key}'");
        return configs;
    }

    private static StudyConfig SweepPoint(StudyOptions options, double f, double sigma, NoiseScaling? scaling)
    {
        string F(double x) => x.ToString("0.####", CultureInfo.InvariantCulture);
        string id = sigma == 0
            ? $"{IdPrefix}f{F(f)}"
            : $"{IdPrefix}f{F(f)}-s{F(sigma)}-{StudyConfig.ScalingLabel(scaling)}";
        var descriptor = new SamVariantDescriptor(id)
        {
            Rho = options.Rho,
            MicroBatch = f < 1 ? new MicroBatchSpec { Fraction = f, Selection = MicroBatchSelection.Random } : null,
            Noise = sigma > 0 ? new NoiseSpec(NoiseDistribution.Gaussian) { Sigma = sigma, Scaling = scaling } : null,
            BaseOptimizer = options.BaseOptimizer,
        };
        return new StudyConfig(id, StudyGroup.Sweep, descriptor, f, sigma, scaling);
    }

    /// <summary>A directory-safe form of a variant name.</summary>
    public static string SafeId(string name) =>
        new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '_').ToArray());
}
