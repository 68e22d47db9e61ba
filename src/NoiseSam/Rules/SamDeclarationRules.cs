// Linked into the generator and the analyzers: the one implementation of the declaration rules of
// DESIGN.md §3 that concern values, checked on the one values record (SamVariantDescriptor).
// Rules that need syntax or the whole compilation (NSAM001, 002, 008, 012, 013, 016) live in the
// Roslyn-side shape check (analyzers/NoiseSam.Analyzers/Declarations). Written for netstandard2.0
// (no double.IsFinite).
using System;
using System.Collections.Generic;
using System.Globalization;
using NoiseSam.Dsl;

namespace NoiseSam.Rules;

#if NOISESAM_ROSLYN
internal
#else
public
#endif
static class SamDeclarationRules
{
    /// <summary>The NSAM002 message for an empty registry name (the analyzers and <c>SamVariantDescriptor.Validate()</c>).</summary>
    public const string EmptyNameMessage = "[SamVariant(name)] needs a non-empty name such as \"NI-MBS\"";

    /// <summary>The largest radius NSAM003 accepts: ‖ε‖ = ρ, and SAM uses 0.01–0.2, ASAM 0.5–5; radii far above overflow every step.</summary>
    public const double MaxRho = 100;

    /// <summary>Every value rule the declaration breaks, errors and warnings, in a stable order.</summary>
    public static List<SamRuleViolation> Check(SamVariantDescriptor d)
    {
        var found = new List<SamRuleViolation>();
        string v = $"Variant '{d.Name}'";
        MicroBatchSpec? mb = d.MicroBatch;
        DescentSelectionSpec? ds = d.DescentSelection;
        NoiseSpec? noise = d.Noise;

        // NSAM014: an enum value cast from an undefined number, e.g. (SchedulePolicy)42, would
        // otherwise fall into some default branch of the step and run a different algorithm.
        CheckDefined(d.Perturbation, "SamVariant", "Perturbation", v, found);
        if (mb?.Selection is MicroBatchSelection selection) CheckDefined(selection, "MicroBatch", "Selection", v, found);
        if (mb?.FractionSchedule is FractionSchedule schedule) CheckDefined(schedule, "MicroBatch", "FractionSchedule", v, found);
        if (ds is not null) CheckDefined(ds.Set, "DescentSelection", null, v, found);
        if (noise is not null) CheckDefined(noise.Distribution, "Noise", null, v, found);
        if (noise?.Scaling is NoiseScaling scaling) CheckDefined(scaling, "Noise", "Scaling", v, found);
        if (d.Schedule is not null) CheckDefined(d.Schedule.Policy, "Schedule", null, v, found);
        if (d.BaseOptimizer is not null) CheckDefined(d.BaseOptimizer.Kind, "BaseOptimizer", null, v, found);
        if (d.Accumulation?.Ascent is AccumulationAscent ascent) CheckDefined(ascent, "Accumulation", "Ascent", v, found);

        // NSAM003: perturbation radius and parameters.
        if (d.Rho is double rho && !(IsFinite(rho) && rho > 0))
            found.Add(Error(SamDiagnosticIds.PerturbationOutOfRange, "SamVariant", "Rho",
                $"{v}: [SamVariant(Rho = {F(rho)})] must be a finite number > 0; use a value such as 0.05"));
        else if (d.Rho is double big && big > MaxRho)
            found.Add(Error(SamDiagnosticIds.PerturbationOutOfRange, "SamVariant", "Rho",
                $"{v}: [SamVariant(Rho = {F(big)})] must be at most {F(MaxRho)}: the weights move by ‖ε‖ = Rho, and radii far above that overflow every step (skipped); use a value such as 0.05 (ASAM: 0.5–2)"));
        if (d.Eta is double eta && !(IsFinite(eta) && eta >= 0))
            found.Add(Error(SamDiagnosticIds.PerturbationOutOfRange, "SamVariant", "Eta",
                $"{v}: [SamVariant(Eta = {F(eta)})] must be a finite number >= 0; use a value such as 0.01"));
        if (d.Beta is double beta && !(IsFinite(beta) && beta > 0 && beta <= 1))
            found.Add(Error(SamDiagnosticIds.PerturbationOutOfRange, "SamVariant", "Beta",
                $"{v}: [SamVariant(Beta = {F(beta)})] must be in (0, 1]; use a value such as 0.6"));

        // NSAM011: perturbation parameter for another perturbation.
        if (d.Eta is not null && d.Perturbation != PerturbationKind.Adaptive)
            found.Add(Error(SamDiagnosticIds.PerturbationParameterForOtherKind, "SamVariant", "Eta",
                $"{v}: [SamVariant(Eta = ...)] only applies to Perturbation = PerturbationKind.Adaptive (ASAM), not {d.Perturbation}; remove Eta or set Perturbation = PerturbationKind.Adaptive"));
        if (d.Beta is not null && d.Perturbation != PerturbationKind.StochasticWeight)
            found.Add(Error(SamDiagnosticIds.PerturbationParameterForOtherKind, "SamVariant", "Beta",
                $"{v}: [SamVariant(Beta = ...)] only applies to Perturbation = PerturbationKind.StochasticWeight (ESAM-SWP), not {d.Perturbation}; remove Beta or set Perturbation = PerturbationKind.StochasticWeight"));

        // NSAM004: fractions in (0, 1].
        if (mb?.Fraction is double f && !IsFraction(f))
            found.Add(Error(SamDiagnosticIds.FractionOutOfRange, "MicroBatch", "Fraction",
                $"{v}: [MicroBatch(Fraction = {F(f)})] must be in (0, 1]; use a value such as 0.25"));
        if (mb?.FinalFraction is double ff && !IsFraction(ff))
            found.Add(Error(SamDiagnosticIds.FractionOutOfRange, "MicroBatch", "FinalFraction",
                $"{v}: [MicroBatch(FinalFraction = {F(ff)})] must be in (0, 1]; use a value such as 0.125"));
        if (ds?.Fraction is double df && !IsFraction(df))
            found.Add(Error(SamDiagnosticIds.FractionOutOfRange, "DescentSelection", "Fraction",
                $"{v}: [DescentSelection(Fraction = {F(df)})] must be in (0, 1]; use a value such as 0.5"));

        // NSAM005 / NSAM006: noise level.
        if (noise?.Sigma is double sigma)
        {
            if (!(IsFinite(sigma) && sigma >= 0))
                found.Add(Error(SamDiagnosticIds.SigmaOutOfRange, "Noise", "Sigma",
                    $"{v}: [Noise(Sigma = {F(sigma)})] must be a finite number >= 0; use a value such as 0.5"));
            else if (sigma == 0)
                found.Add(Warning(SamDiagnosticIds.ZeroNoise, "Noise", "Sigma",
                    $"{v}: [Noise(Sigma = 0)] adds no noise; remove the [Noise] attribute or use Sigma > 0"));
        }

        if (d.Schedule is { } scheduleSpec) CheckSchedule(scheduleSpec, v, found);

        // NSAM009: selection or schedule that cannot matter.
        if (mb is not null)
        {
            bool fractionMayShrink = mb.EffectiveFraction < 1
                || (mb.FinalFraction is double fin && fin < 1 && IsFraction(fin));
            if (mb.Selection is MicroBatchSelection sel && !fractionMayShrink)
                found.Add(Warning(SamDiagnosticIds.IneffectiveSelection, "MicroBatch", "Selection",
                    $"{v}: [MicroBatch(Selection = MicroBatchSelection.{sel})] cannot matter with Fraction = 1: the micro-batch is the whole batch; remove Selection or use Fraction < 1"));
            bool hasFinal = mb.FinalFraction is not null;
            if (mb.FractionSchedule is FractionSchedule fs && fs != FractionSchedule.Constant && !hasFinal)
                found.Add(Warning(SamDiagnosticIds.IneffectiveSelection, "MicroBatch", "FractionSchedule",
                    $"{v}: [MicroBatch(FractionSchedule = FractionSchedule.{fs})] cannot matter without FinalFraction: the fraction stays at Fraction; set FinalFraction or remove FractionSchedule"));
            if (hasFinal && mb.EffectiveFractionSchedule == FractionSchedule.Constant)
                found.Add(Warning(SamDiagnosticIds.IneffectiveSelection, "MicroBatch", "FinalFraction",
                    $"{v}: [MicroBatch(FinalFraction = ...)] cannot matter with FractionSchedule.Constant; set FractionSchedule = FractionSchedule.Linear or Cosine, or remove FinalFraction"));
        }
        if (noise is not null && noise.EffectiveScaling == NoiseScaling.MicroBatch && mb is null)
            found.Add(Warning(SamDiagnosticIds.IneffectiveSelection, "Noise", "Scaling",
                $"{v}: [Noise(Scaling = NoiseScaling.MicroBatch)] is zero on a full batch (no [MicroBatch]): the noise has no effect; add [MicroBatch] or use NoiseScaling.GradientNorm"));
        if (ds is not null && ds.Set == DescentSet.SameAsAscent && mb is null)
            found.Add(Warning(SamDiagnosticIds.IneffectiveSelection, "DescentSelection", null,
                $"{v}: [DescentSelection(DescentSet.SameAsAscent)] cannot matter without [MicroBatch]: the ascent set is the whole batch; add [MicroBatch] or remove [DescentSelection]"));
        if (ds is not null && ds.Set != DescentSet.SharpnessSensitive && ds.Fraction is not null)
            found.Add(Warning(SamDiagnosticIds.IneffectiveSelection, "DescentSelection", "Fraction",
                $"{v}: [DescentSelection(Fraction = ...)] only applies to DescentSet.SharpnessSensitive, not {ds.Set}; remove Fraction"));

        // NSAM010: the Never schedule makes every SAM-only attribute dead.
        if (d.Schedule?.Policy == SchedulePolicy.Never)
        {
            foreach (string attribute in SamOnlyAttributes(d))
                found.Add(Warning(SamDiagnosticIds.NeverScheduleWithSamAttributes, attribute, null,
                    $"{v}: [{attribute}] has no effect with [Schedule(SchedulePolicy.Never)]: the variant is the base optimizer; remove [{attribute}] or choose another schedule"));
        }

        // NSAM014: incompatible combinations.
        if (d.Schedule?.Policy == SchedulePolicy.LookSam && ds is not null)
            found.Add(Error(SamDiagnosticIds.IncompatibleCombination, "DescentSelection", null,
                $"{v}: [DescentSelection] cannot be combined with [Schedule(SchedulePolicy.LookSam)]: LookSAM's reused direction is defined for a full-batch descent gradient; remove one of them"));
        if (ds?.Set == DescentSet.SharpnessSensitive && mb?.EffectiveSelection == MicroBatchSelection.TopLoss)
            found.Add(Error(SamDiagnosticIds.IncompatibleCombination, "DescentSelection", null,
                $"{v}: [DescentSelection(DescentSet.SharpnessSensitive)] cannot be combined with [MicroBatch(Selection = MicroBatchSelection.TopLoss)]: both select by loss and the descent would ignore the ascent's choice; use DescentSet.SameAsAscent (K-SAM) or another Selection"));

        if (d.Accumulation is { } accumulation) CheckAccumulation(d, accumulation, v, found);

        if (d.BaseOptimizer is { } optimizer) CheckOptimizer(optimizer, v, found);
        if (d.ParameterGroups is { } groups) CheckParameterGroups(groups, v, found);
        return found;
    }

    /// <summary>True when no error (warnings allowed) is found.</summary>
    public static bool IsValid(SamVariantDescriptor d)
    {
        foreach (SamRuleViolation violation in Check(d))
            if (violation.IsError) return false;
        return true;
    }

    private static void CheckSchedule(ScheduleSpec s, string v, List<SamRuleViolation> found)
    {
        SchedulePolicy p = s.Policy;
        string id = SamDiagnosticIds.ScheduleParameterInvalid;

        if (s.K is int k)
        {
            if (p != SchedulePolicy.EveryK && p != SchedulePolicy.LookSam)
                found.Add(Error(id, "Schedule", "K", ForOther(v, "K", p, "SchedulePolicy.EveryK or SchedulePolicy.LookSam")));
            else if (k < 1)
                found.Add(Error(id, "Schedule", "K", $"{v}: [Schedule(K = {k})] must be >= 1; use a value such as 5"));
        }
        if (s.Probability is double prob)
        {
            if (p != SchedulePolicy.Bernoulli)
                found.Add(Error(id, "Schedule", "Probability", ForOther(v, "Probability", p, "SchedulePolicy.Bernoulli")));
            else if (!(prob >= 0 && prob <= 1))
                found.Add(Error(id, "Schedule", "Probability", $"{v}: [Schedule(Probability = {F(prob)})] must be in [0, 1]; use a value such as 0.5"));
        }
        if (s.Alpha is double alpha)
        {
            if (p != SchedulePolicy.LookSam)
                found.Add(Error(id, "Schedule", "Alpha", ForOther(v, "Alpha", p, "SchedulePolicy.LookSam")));
            else if (!(IsFinite(alpha) && alpha >= 0))
                found.Add(Error(id, "Schedule", "Alpha", $"{v}: [Schedule(Alpha = {F(alpha)})] must be a finite number >= 0; use a value such as 0.7"));
        }
        if (s.C is double c)
        {
            if (p != SchedulePolicy.Adaptive)
                found.Add(Error(id, "Schedule", "C", ForOther(v, "C", p, "SchedulePolicy.Adaptive")));
            else if (!IsFinite(c))
                found.Add(Error(id, "Schedule", "C", $"{v}: [Schedule(C = {F(c)})] must be a finite number; use a value such as 1"));
        }
        if (s.Delta is double delta)
        {
            if (p != SchedulePolicy.Adaptive)
                found.Add(Error(id, "Schedule", "Delta", ForOther(v, "Delta", p, "SchedulePolicy.Adaptive")));
            else if (!(delta >= 0 && delta < 1))
                found.Add(Error(id, "Schedule", "Delta", $"{v}: [Schedule(Delta = {F(delta)})] must be in [0, 1); use a value such as 0.9"));
        }
    }

    // NSAM018 (chunk count) and NSAM014 (what accumulation cannot be combined with).
    private static void CheckAccumulation(SamVariantDescriptor d, AccumulationSpec a, string v, List<SamRuleViolation> found)
    {
        string combo = SamDiagnosticIds.IncompatibleCombination;
        if (a.Chunks < 1)
            found.Add(Error(SamDiagnosticIds.AccumulationOutOfRange, "Accumulation", "Chunks",
                $"{v}: [Accumulation({a.Chunks})] must split the batch into at least 1 chunk; use a value such as 4"));
        if (d.MicroBatch is not null)
            found.Add(Error(combo, "Accumulation", null,
                $"{v}: [Accumulation] cannot be combined with [MicroBatch]: a micro-batch selects rows of the whole batch, accumulation splits it into chunks; remove one of them"));
        if (d.DescentSelection is not null)
            found.Add(Error(combo, "Accumulation", null,
                $"{v}: [Accumulation] cannot be combined with [DescentSelection]: the descent set is selected from the whole batch, accumulation splits it into chunks; remove one of them"));
        if (a.EffectiveAscent != AccumulationAscent.PerChunk) return;
        if (d.Policy is SchedulePolicy.LookSam or SchedulePolicy.Adaptive)
            found.Add(Error(combo, "Accumulation", "Ascent",
                $"{v}: [Accumulation(Ascent = AccumulationAscent.PerChunk)] cannot be combined with [Schedule(SchedulePolicy.{d.Policy})]: it needs one ascent gradient of the whole batch; use AccumulationAscent.WholeBatch or another schedule"));
        if (d.Perturbation == PerturbationKind.StochasticWeight)
            found.Add(Error(combo, "Accumulation", "Ascent",
                $"{v}: [Accumulation(Ascent = AccumulationAscent.PerChunk)] cannot be combined with Perturbation = PerturbationKind.StochasticWeight: ESAM draws one tensor mask per step; use AccumulationAscent.WholeBatch or another perturbation"));
    }

    // NSAM019: each group's prefix and learning-rate multiplier.
    private static void CheckParameterGroups(IReadOnlyList<ParameterGroupSpec> groups, string v, List<SamRuleViolation> found)
    {
        string id = SamDiagnosticIds.ParameterGroupInvalid;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < groups.Count; i++)
        {
            ParameterGroupSpec g = groups[i];
            string attribute = ParameterGroupKey(i);
            if (string.IsNullOrEmpty(g.Prefix))
                found.Add(Error(id, attribute, "Prefix",
                    $"{v}: [ParameterGroup(\"\")] needs a parameter-name prefix such as \"backbone.\" (an empty prefix would match every parameter)"));
            else if (!seen.Add(g.Prefix))
                found.Add(Error(id, attribute, null,
                    $"{v}: [ParameterGroup(\"{g.Prefix}\")] is declared twice; remove one of them"));
            if (g.LearningRateScale is double scale && !(IsFinite(scale) && scale > 0))
                found.Add(Error(id, attribute, "LearningRateScale",
                    $"{v}: [ParameterGroup(\"{g.Prefix}\", LearningRateScale = {F(scale)})] must be a finite number > 0; use a value such as 0.1 (to freeze parameters, set requires_grad = false before building the step)"));
        }
    }

    /// <summary>
    /// The <see cref="SamRuleViolation.Attribute"/> of the <paramref name="index"/>-th <c>[ParameterGroup]</c>
    /// (repeatable, so each is named by its position in declaration order).
    /// </summary>
    public static string ParameterGroupKey(int index) => "ParameterGroup#" + index.ToString(CultureInfo.InvariantCulture);

    private static void CheckOptimizer(BaseOptimizerSpec o, string v, List<SamRuleViolation> found)
    {
        string range = SamDiagnosticIds.OptimizerParameterInvalid;
        string combo = SamDiagnosticIds.IncompatibleCombination;
        bool sgd = o.Kind == OptimizerKind.Sgd;

        if (o.LearningRate is double lr && !(IsFinite(lr) && lr > 0))
            found.Add(Error(range, "BaseOptimizer", "LearningRate", $"{v}: [BaseOptimizer(LearningRate = {F(lr)})] must be a finite number > 0; use a value such as {(sgd ? "0.1" : "0.001")}"));
        if (o.WeightDecay is double wd && !(IsFinite(wd) && wd >= 0))
            found.Add(Error(range, "BaseOptimizer", "WeightDecay", $"{v}: [BaseOptimizer(WeightDecay = {F(wd)})] must be a finite number >= 0; use a value such as {(sgd ? "5E-04" : "0.01")}"));
        if (o.MaxGradNorm is double clip && !(IsFinite(clip) && clip >= 0))
            found.Add(Error(range, "BaseOptimizer", "MaxGradNorm", $"{v}: [BaseOptimizer(MaxGradNorm = {F(clip)})] must be a finite number >= 0 (0 = no clipping); use a value such as 1"));
        if (o.NoDecayOnBiasAndNorm == true && o.EffectiveWeightDecay == 0)
            found.Add(Warning(SamDiagnosticIds.IneffectiveSelection, "BaseOptimizer", "NoDecayOnBiasAndNorm",
                $"{v}: [BaseOptimizer(NoDecayOnBiasAndNorm = true)] cannot matter with WeightDecay = 0: no parameter is decayed; remove NoDecayOnBiasAndNorm or set WeightDecay > 0"));

        if (sgd)
        {
            if (o.Momentum is double m && !(m >= 0 && m < 1))
                found.Add(Error(range, "BaseOptimizer", "Momentum", $"{v}: [BaseOptimizer(Momentum = {F(m)})] must be in [0, 1); use a value such as 0.9"));
            if (o.Nesterov == true && o.Momentum is double m0 && m0 == 0)
                found.Add(Error(combo, "BaseOptimizer", "Nesterov", $"{v}: [BaseOptimizer(Nesterov = true)] needs Momentum > 0, but Momentum = 0; set Momentum (e.g. 0.9) or remove Nesterov"));
            foreach (string adamOnly in new[] { "Beta1", "Beta2", "Epsilon" })
                if (Given(o, adamOnly))
                    found.Add(Error(combo, "BaseOptimizer", adamOnly, $"{v}: [BaseOptimizer({adamOnly} = ...)] only applies to OptimizerKind.AdamW, not Sgd; remove {adamOnly}"));
        }
        else
        {
            if (o.Beta1 is double b1 && !(b1 >= 0 && b1 < 1))
                found.Add(Error(range, "BaseOptimizer", "Beta1", $"{v}: [BaseOptimizer(Beta1 = {F(b1)})] must be in [0, 1); use a value such as 0.9"));
            if (o.Beta2 is double b2 && !(b2 >= 0 && b2 < 1))
                found.Add(Error(range, "BaseOptimizer", "Beta2", $"{v}: [BaseOptimizer(Beta2 = {F(b2)})] must be in [0, 1); use a value such as 0.999"));
            if (o.Epsilon is double eps && !(IsFinite(eps) && eps > 0))
                found.Add(Error(range, "BaseOptimizer", "Epsilon", $"{v}: [BaseOptimizer(Epsilon = {F(eps)})] must be a finite number > 0; use a value such as 1E-08"));
            foreach (string sgdOnly in new[] { "Momentum", "Nesterov" })
                if (Given(o, sgdOnly))
                    found.Add(Error(combo, "BaseOptimizer", sgdOnly, $"{v}: [BaseOptimizer({sgdOnly} = ...)] only applies to OptimizerKind.Sgd, not AdamW; remove {sgdOnly}"));
        }
    }

    private static void CheckDefined<TEnum>(TEnum value, string attribute, string? argument, string v, List<SamRuleViolation> found)
        where TEnum : struct
    {
        if (Enum.IsDefined(typeof(TEnum), value)) return;
        string names = string.Join(", ", Enum.GetNames(typeof(TEnum)));
        found.Add(Error(SamDiagnosticIds.IncompatibleCombination, attribute, argument,
            $"{v}: [{attribute}] {typeof(TEnum).Name} value {Convert.ToInt64(value, CultureInfo.InvariantCulture)} is not defined; use one of {names}"));
    }

    private static bool Given(BaseOptimizerSpec o, string argument) => argument switch
    {
        "Beta1" => o.Beta1 is not null,
        "Beta2" => o.Beta2 is not null,
        "Epsilon" => o.Epsilon is not null,
        "Momentum" => o.Momentum is not null,
        "Nesterov" => o.Nesterov is not null,
        _ => false,
    };

    private static IEnumerable<string> SamOnlyAttributes(SamVariantDescriptor d)
    {
        if (d.MicroBatch is not null) yield return "MicroBatch";
        if (d.Noise is not null) yield return "Noise";
        if (d.DescentSelection is not null) yield return "DescentSelection";
    }

    private static string ForOther(string v, string argument, SchedulePolicy policy, string owner) =>
        $"{v}: [Schedule(SchedulePolicy.{policy}, {argument} = ...)]: {argument} only applies to {owner}; remove {argument} or change the policy";

    private static bool IsFinite(double x) => !double.IsNaN(x) && !double.IsInfinity(x);

    private static bool IsFraction(double x) => x > 0 && x <= 1;

    private static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    private static SamRuleViolation Error(string id, string attribute, string? argument, string message) =>
        new SamRuleViolation(id, isError: true, attribute, argument, message);

    private static SamRuleViolation Warning(string id, string attribute, string? argument, string message) =>
        new SamRuleViolation(id, isError: false, attribute, argument, message);
}
