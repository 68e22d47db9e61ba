using System.Globalization;
using NoiseSam.Dsl;
using NoiseSam.Harness.Study;

namespace NoiseSam.Harness.Tuning;

/// <summary>
/// The candidates of a hyper-parameter search: for each variant, every combination of its axes'
/// values applied to its declaration. Candidates are study configurations (group
/// <see cref="StudyGroup.Tuning"/>), so a search trains, resumes and stores its runs exactly like a study.
/// </summary>
public static class TuningPlan
{
    /// <summary>Prefix of candidate ids (registry names and folder names).</summary>
    public const string IdPrefix = "tune-";

    /// <summary>
    /// The default search of a declaration, by what it is (docs/tuning.md says why):
    /// the base optimizer alone searches its learning rate; K-SAM (top-loss micro-batch) ρ, the
    /// fraction and the learning rate (its hard-sample descent needs its own, ALGORITHMS.md §8);
    /// LookSAM α; ASAM ρ on its own scale (ρ is a radius in |w|-scaled units); every other SAM ρ.
    /// The declared value is always one of the candidates.
    /// </summary>
    public static IReadOnlyList<TuningAxis> DefaultAxes(SamVariantDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        IReadOnlyList<TuningAxis> axes;
        if (descriptor.Policy == SchedulePolicy.Never) axes = [new("lr", [0.02, 0.05, 0.1])];
        else if (descriptor.MicroBatch?.EffectiveSelection == MicroBatchSelection.TopLoss)
            axes = [new("rho", [0.01, 0.05]), new("f", [0.25, 0.5]), new("lr", [0.01, 0.05])];
        else if (descriptor.Policy == SchedulePolicy.LookSam) axes = [new("alpha", [0.1, 0.3, 0.7])];
        else if (descriptor.Perturbation == PerturbationKind.Adaptive) axes = [new("rho", [0.5, 1, 2])];
        else axes = [new("rho", [0.02, 0.05, 0.1, 0.2])];
        return axes.Select(a => WithDeclared(descriptor, a)).ToList();
    }

    /// <summary>Every combination of <paramref name="axes"/> applied to <paramref name="descriptor"/>, in axis order.</summary>
    /// <exception cref="ArgumentException">A parameter the declaration cannot take, or a combination its rules reject (the message names both).</exception>
    public static IReadOnlyList<StudyConfig> Candidates(SamVariantDescriptor descriptor, IReadOnlyList<TuningAxis> axes)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(axes);
        IEnumerable<List<(string Parameter, double Value)>> combos = [[]];
        foreach (var axis in axes)
            combos = combos.SelectMany(c => axis.Values.Select(v => new List<(string, double)>(c) { (axis.Parameter, v) })).ToList();
        var configs = new List<StudyConfig>();
        foreach (var combo in combos)
        {
            string setting = string.Join(" ", combo.Select(p => $"{p.Parameter}={Number(p.Value)}"));
            string id = IdPrefix + StudyPlan.SafeId(descriptor.Name) + "-" + StudyPlan.SafeId(string.Join("-", combo.Select(p => p.Parameter + Number(p.Value))));
            var candidate = descriptor;
            foreach (var (parameter, value) in combo) candidate = TuningAxis.Apply(candidate, parameter, value, id);
            var errors = candidate.Validate().Where(v => v.IsError).ToList();
            if (errors.Count > 0)
                throw new ArgumentException($"{descriptor.Name} with {setting}: {string.Join("; ", errors.Select(e => $"{e.Id} {e.Message}"))}");
            configs.Add(new StudyConfig(id, StudyGroup.Tuning, candidate, candidate.MicroBatch?.EffectiveFraction ?? 1,
                candidate.Noise?.EffectiveSigma ?? 0, candidate.Noise?.EffectiveScaling, descriptor.Name, setting));
        }
        return configs;
    }

    /// <summary>"0.05" for 0.05: the shortest round-trip form, invariant culture.</summary>
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static TuningAxis WithDeclared(SamVariantDescriptor descriptor, TuningAxis axis)
    {
        if (TuningAxis.Current(descriptor, axis.Parameter) is not double declared || axis.Values.Contains(declared)) return axis;
        return axis with { Values = axis.Values.Append(declared).Order().ToList() };
    }
}
