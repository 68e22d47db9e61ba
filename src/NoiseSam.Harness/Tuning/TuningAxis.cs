using System.Globalization;
using NoiseSam.Dsl;

namespace NoiseSam.Harness.Tuning;

/// <summary>One axis of a hyper-parameter search: a parameter of the declaration and the values to try.</summary>
/// <param name="Parameter">One of <see cref="Names"/>.</param>
/// <param name="Values">The values, in the order they are tried.</param>
public sealed record TuningAxis(string Parameter, IReadOnlyList<double> Values)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// The parameters a search can vary, with what they set: rho (ρ), eta (ASAM η), beta (ESAM β),
    /// f (micro-batch fraction), gamma (ESAM-SDS fraction), sigma (noise σ), alpha (LookSAM α),
    /// k (schedule period), p (Bernoulli probability), lr (learning rate), wd (weight decay).
    /// </summary>
    public static IReadOnlyList<string> Names { get; } = ["rho", "eta", "beta", "f", "gamma", "sigma", "alpha", "k", "p", "lr", "wd"];

    /// <summary><paramref name="descriptor"/> with <paramref name="parameter"/> set to <paramref name="value"/> (named <paramref name="name"/>).</summary>
    /// <exception cref="ArgumentException">An unknown parameter, or one the declaration has no attribute for (f without [MicroBatch], …).</exception>
    public static SamVariantDescriptor Apply(SamVariantDescriptor descriptor, string parameter, double value, string name)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        string Missing(string attribute) => $"'{parameter}' needs a {attribute} in the declaration of {descriptor.Name}";
        var optimizer = descriptor.BaseOptimizer ?? BaseOptimizerSpec.Default;
        return parameter switch
        {
            "rho" => descriptor with { Name = name, Rho = value },
            "eta" => descriptor with { Name = name, Eta = value },
            "beta" => descriptor with { Name = name, Beta = value },
            "f" => descriptor with { Name = name, MicroBatch = (descriptor.MicroBatch ?? throw new ArgumentException(Missing("[MicroBatch]"))) with { Fraction = value } },
            "gamma" => descriptor with { Name = name, DescentSelection = (descriptor.DescentSelection ?? throw new ArgumentException(Missing("[DescentSelection]"))) with { Fraction = value } },
            "sigma" => descriptor with { Name = name, Noise = (descriptor.Noise ?? throw new ArgumentException(Missing("[Noise]"))) with { Sigma = value } },
            "alpha" => descriptor with { Name = name, Schedule = (descriptor.Schedule ?? throw new ArgumentException(Missing("[Schedule]"))) with { Alpha = value } },
            "k" => descriptor with { Name = name, Schedule = (descriptor.Schedule ?? throw new ArgumentException(Missing("[Schedule]"))) with { K = checked((int)value) } },
            "p" => descriptor with { Name = name, Schedule = (descriptor.Schedule ?? throw new ArgumentException(Missing("[Schedule]"))) with { Probability = value } },
            "lr" => descriptor with { Name = name, BaseOptimizer = optimizer with { LearningRate = value } },
            "wd" => descriptor with { Name = name, BaseOptimizer = optimizer with { WeightDecay = value } },
            _ => throw new ArgumentException($"unknown tuning parameter '{parameter}'; use one of {string.Join(", ", Names)}"),
        };
    }

    /// <summary>
    /// Parses "rho=0.02,0.05,0.1;f=0.25,0.5": axes separated by ';', values by ','.
    /// </summary>
    /// <exception cref="ArgumentException">A malformed axis, an unknown parameter or a value that is not a number.</exception>
    public static IReadOnlyList<TuningAxis> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var axes = new List<TuningAxis>();
        foreach (string part in text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new ArgumentException($"'{part}' is not parameter=value,value,… (e.g. rho=0.02,0.05)");
            string name = part[..eq].Trim().ToLowerInvariant();
            if (!Names.Contains(name)) throw new ArgumentException($"unknown tuning parameter '{name}' in '{part}'; use one of {string.Join(", ", Names)}");
            var values = new List<double>();
            foreach (string v in part[(eq + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!double.TryParse(v, NumberStyles.Float, Inv, out double x) || !double.IsFinite(x))
                    throw new ArgumentException($"'{v}' in '{part}' is not a number");
                if (!values.Contains(x)) values.Add(x);
            }
            if (values.Count == 0) throw new ArgumentException($"'{part}' gives no values");
            if (axes.Any(a => a.Parameter == name)) throw new ArgumentException($"'{name}' is given twice");
            axes.Add(new TuningAxis(name, values));
        }
        if (axes.Count == 0) throw new ArgumentException("a search needs at least one axis, e.g. rho=0.02,0.05,0.1");
        return axes;
    }

    /// <summary>The value <paramref name="descriptor"/> declares for <paramref name="parameter"/> (its default when not written).</summary>
    public static double? Current(SamVariantDescriptor descriptor, string parameter)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var optimizer = descriptor.BaseOptimizer ?? BaseOptimizerSpec.Default;
        return parameter switch
        {
            "rho" => descriptor.EffectiveRho,
            "eta" => descriptor.EffectiveEta,
            "beta" => descriptor.EffectiveBeta,
            "f" => descriptor.MicroBatch?.EffectiveFraction,
            "gamma" => descriptor.DescentSelection?.EffectiveFraction,
            "sigma" => descriptor.Noise?.EffectiveSigma,
            "alpha" => descriptor.Schedule?.EffectiveAlpha,
            "k" => descriptor.Schedule?.EffectiveK,
            "p" => descriptor.Schedule?.EffectiveProbability,
            "lr" => optimizer.EffectiveLearningRate,
            "wd" => optimizer.EffectiveWeightDecay,
            _ => null,
        };
    }
}
