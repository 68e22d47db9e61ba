using System.Globalization;
using NoiseSam.Dsl;

namespace NoiseSam;

internal static class DescriptorSummary
{
    public static string Format(SamVariantDescriptor d)
    {
        var parts = new List<string>();
        if (d.Policy != SchedulePolicy.Never)
        {
            parts.Add(d.Perturbation switch
            {
                PerturbationKind.Adaptive => $"ASAM rho={N(d.EffectiveRho)} eta={N(d.EffectiveEta)}",
                PerturbationKind.StochasticWeight => $"SWP rho={N(d.EffectiveRho)} beta={N(d.EffectiveBeta)}",
                _ => $"rho={N(d.EffectiveRho)}",
            });
            if (d.MicroBatch is { } mb)
            {
                string frac = mb.EffectiveFractionSchedule == FractionSchedule.Constant
                    ? N(mb.EffectiveFraction)
                    : $"{N(mb.EffectiveFraction)}→{N(mb.EffectiveFinalFraction)} {mb.EffectiveFractionSchedule}";
                parts.Add($"micro-batch {frac} {mb.EffectiveSelection}");
            }
            if (d.Noise is { } n)
                parts.Add($"noise {n.Distribution} σ={N(n.EffectiveSigma)} {n.EffectiveScaling}");
            if (d.DescentSelection is { } ds)
                parts.Add(ds.Set == DescentSet.SharpnessSensitive ? $"descent SDS γ={N(ds.EffectiveFraction)}" : $"descent {ds.Set}");
        }
        var s = d.Schedule;
        parts.Add(d.Policy switch
        {
            SchedulePolicy.EveryK => $"every {s!.EffectiveK}",
            SchedulePolicy.LookSam => $"LookSAM k={s!.EffectiveK} α={N(s.EffectiveAlpha)}",
            SchedulePolicy.Bernoulli => $"Bernoulli p={N(s!.EffectiveProbability)}",
            SchedulePolicy.Adaptive => $"AE-SAM c=±{N(s!.EffectiveC)} δ={N(s.EffectiveDelta)}",
            _ => d.Policy.ToString(),
        });
        var o = d.BaseOptimizer ?? BaseOptimizerSpec.Default;
        parts.Add(o.Kind == OptimizerKind.Sgd
            ? $"SGD lr={N(o.EffectiveLearningRate)} m={N(o.EffectiveMomentum)}{(o.EffectiveNesterov ? " nesterov" : "")} wd={N(o.EffectiveWeightDecay)}"
            : $"AdamW lr={N(o.EffectiveLearningRate)} wd={N(o.EffectiveWeightDecay)}");
        return string.Join(", ", parts);
    }

    private static string N(double x) => x.ToString("G4", CultureInfo.InvariantCulture);
}
