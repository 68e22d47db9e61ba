using NoiseSam.Dsl;
using NoiseSam.Kernels;
using NoiseSam.Planning;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam;

/// <summary>
/// The reference engine: interprets a descriptor at run time with the same kernels
/// (<see cref="SamStepCore"/>) as generated code. For the same descriptor, seed and thread count a
/// generated step and the engine produce bit-identical weights on CPU.
/// </summary>
public static class SamEngine
{
    /// <summary>Creates a step object for <paramref name="descriptor"/> over <paramref name="model"/>.</summary>
    /// <exception cref="SamDeclarationException">The descriptor breaks a declaration rule.</exception>
    /// <exception cref="ArgumentException">A Custom schedule without <see cref="SamStepOptions.ShouldPerturb"/>.</exception>
    /// <remarks>
    /// <paramref name="model"/> is any module: its trainable parameters (<c>requires_grad</c> when the step
    /// is built) and its batch-norm layers are found on it. <c>Step(input, target)</c> needs a
    /// <c>Module&lt;Tensor, Tensor&gt;</c>; <c>Step(SamBatch)</c> works with any.
    /// </remarks>
    public static ISamStep Create(SamVariantDescriptor descriptor, nn.Module model, SamStepOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(model);
        descriptor.EnsureValid();
        if (descriptor.Policy == SchedulePolicy.Custom && options?.ShouldPerturb is null)
            throw new ArgumentException(
                $"Variant '{descriptor.Name}' uses SchedulePolicy.Custom: pass SamStepOptions.ShouldPerturb to SamEngine.Create " +
                "(a generated class calls its own ShouldPerturb method instead).", nameof(options));
        return new EngineStep(descriptor, model, options);
    }

    private sealed class EngineStep : ISamStep
    {
        private readonly SamStepCore core;
        private readonly SamStepPlan plan;
        private readonly SamVariantDescriptor d;
        private readonly Func<StepContext, bool>? shouldPerturb;

        public EngineStep(SamVariantDescriptor descriptor, nn.Module model, SamStepOptions? options)
        {
            Variant = descriptor;
            core = new SamStepCore(model, options, descriptor);
            plan = core.Plan;
            d = descriptor;
            shouldPerturb = options?.ShouldPerturb;
        }

        public SamVariantDescriptor Variant { get; }
        public double LearningRate { get => core.LearningRate; set => core.LearningRate = value; }
        public double RhoScale { get => core.RhoScale; set => core.RhoScale = value; }
        public long StepCount => core.StepCount;
        public optim.Optimizer AsOptimizer() => core.AsOptimizer();
        public void SaveState(Stream stream) => core.SaveState(stream);
        public void LoadState(Stream stream) => core.LoadState(stream);
        public void Dispose() => core.Dispose();

        public SamStepResult Step(Tensor input, Tensor target) => Step(core.Batch(input, target));

        public SamStepResult Step(SamBatch batch)
        {
            using var scope = torch.NewDisposeScope();
            core.BeginStep(batch);

            // 1. Schedule: is this a SAM step? (Adaptive decides after the gradient at w.)
            bool sam;
            switch (plan.Policy)
            {
                case SchedulePolicy.Always: sam = true; break;
                case SchedulePolicy.Never: sam = false; break;
                case SchedulePolicy.EveryK:
                case SchedulePolicy.LookSam: sam = core.StepCount % d.Schedule!.EffectiveK == 0; break;
                case SchedulePolicy.Bernoulli: sam = core.Bernoulli(d.Schedule!.EffectiveProbability); break;
                case SchedulePolicy.Custom: sam = shouldPerturb!(core.Context); break;
                case SchedulePolicy.Adaptive:
                    {
                        // AE-SAM: full-batch gradient at w first; a full-batch SAM step reuses it as its ascent gradient.
                        var lossesAtW = core.ForwardBackward(null, updateBatchNorm: true);
                        var normAtW = core.GradNorm();
                        if (!core.AdaptiveDecision(normAtW, d.Schedule!.EffectiveC, d.Schedule.EffectiveDelta))
                            return core.Finish(lossesAtW.mean(), normAtW, perturbed: false, ascentSamples: 0, normIsFinal: true);
                        if (plan.FullBatchAscent)
                            return SamStep(lossesAtW, normAtW);
                        return SamStep(null, null, lossAtW: lossesAtW.mean());
                    }
                default: throw new InvalidOperationException($"undefined schedule policy {(int)plan.Policy}");
            }

            // 2. Base step (LookSAM: reuse the cached direction).
            if (!sam)
            {
                var losses = core.ForwardBackward(null, updateBatchNorm: true);
                var norm = core.GradNorm();
                if (plan.CachesDirection) core.ReuseDirection(d.Schedule!.EffectiveAlpha, norm);
                return core.Finish(losses.mean(), norm, perturbed: false, ascentSamples: 0, normIsFinal: !plan.CachesDirection);
            }
            return SamStep(null, null);
        }

        // A SAM step. ascentLosses/ascentNorm are given when the full-batch ascent gradient is
        // already in the gradient buffer (AE-SAM); lossAtW when AE-SAM already measured the loss.
        private SamStepResult SamStep(Tensor? ascentLosses, Tensor? ascentNorm, Tensor? lossAtW = null)
        {
            if (plan.PerChunkAscent) return PerChunkSamStep();

            // 3. Ascent set.
            double fraction = plan.FractionVaries ? core.FractionAt(plan.Fraction, plan.FinalFraction, plan.FractionSchedule) : plan.Fraction;
            long m = plan.HasMicroBatch ? core.MicroBatchSize(fraction) : core.BatchSize;
            Tensor? ascent = null;
            if (plan.SelectsByLoss)
            {
                var allLosses = core.Losses(null, updateBatchNorm: plan.UpdatesBatchNorm(SamPass.SelectionForward));
                lossAtW ??= allLosses.mean();
                ascent = core.SelectTopLoss(allLosses, m);
            }
            else if (plan.HasMicroBatch)
            {
                ascent = plan.Selection == MicroBatchSelection.Head ? core.SelectHead(m) : core.SelectRandom(m);
            }

            // 4. Ascent gradient.
            if (ascentLosses is null)
            {
                if (plan.FreezesUnperturbedTensors) core.FreezeUnperturbedTensors(d.EffectiveBeta);
                ascentLosses = core.ForwardBackward(ascent, updateBatchNorm: plan.UpdatesBatchNorm(SamPass.Ascent));
                ascentNorm = core.GradNorm();
            }
            lossAtW ??= ascentLosses.mean();
            Tensor? lossesBefore = plan.Descent != DescentSet.SharpnessSensitive ? null
                : plan.SdsNeedsLossesAtW ? core.Losses(null, updateBatchNorm: plan.UpdatesBatchNorm(SamPass.LossesAtW)) : ascentLosses;
            if (plan.CachesDirection) core.KeepAscentGradient();

            // 5. Noise, 6. perturbation.
            if (plan.HasNoise) core.AddNoise(d.Noise!.Distribution, d.Noise.EffectiveSigma, d.Noise.EffectiveScaling, fraction, ascentNorm!);
            switch (plan.Perturbation)
            {
                case PerturbationKind.Adaptive: core.PerturbAdaptive(d.EffectiveRho, d.EffectiveEta); break;
                case PerturbationKind.StochasticWeight when plan.FreezesUnperturbedTensors: core.PerturbSelectedWeights(d.EffectiveRho, d.EffectiveBeta, ascentNorm!); break;
                case PerturbationKind.StochasticWeight: core.PerturbStochasticWeight(d.EffectiveRho, d.EffectiveBeta); break;
                case PerturbationKind.Sam: core.PerturbSam(d.EffectiveRho, plan.PerturbationReusesAscentNorm ? ascentNorm : null); break;
                default: throw new InvalidOperationException($"undefined perturbation {(int)plan.Perturbation}");
            }

            // 7. Descent set, 8. descent gradient at w + ε, restore w.
            Tensor? descent = plan.Descent switch
            {
                DescentSet.SameAsAscent => ascent,
                DescentSet.SharpnessSensitive => core.SelectSharpnessSensitive(lossesBefore!, core.Losses(null, updateBatchNorm: plan.UpdatesBatchNorm(SamPass.LossesAtPerturbed)), d.DescentSelection!.EffectiveFraction),
                _ => null,
            };
            core.ForwardBackward(descent, updateBatchNorm: plan.UpdatesBatchNorm(SamPass.Descent));
            core.Restore();

            // 9. Base optimizer on the SAM gradient.
            return core.Finish(lossAtW, ascentNorm!, perturbed: true, ascentSamples: m, cacheDirection: plan.CachesDirection);
        }

        // m-SAM: ascent, noise, perturbation and descent chunk by chunk, each chunk its own ε; the base
        // optimizer gets the chunks' descent gradients averaged (no micro-batch, SDS, LookSAM, AE-SAM or
        // SWP: NSAM014).
        private SamStepResult PerChunkSamStep()
        {
            core.BeginChunks();
            for (int chunk = 0; chunk < core.Chunks; chunk++)
            {
                var ascentLosses = core.ForwardBackwardChunk(chunk, updateBatchNorm: plan.UpdatesBatchNorm(SamPass.Ascent));
                var ascentNorm = core.GradNorm();
                if (plan.HasNoise) core.AddNoise(d.Noise!.Distribution, d.Noise.EffectiveSigma, d.Noise.EffectiveScaling, plan.Fraction, ascentNorm);
                if (plan.Perturbation == PerturbationKind.Adaptive) core.PerturbAdaptive(d.EffectiveRho, d.EffectiveEta);
                else core.PerturbSam(d.EffectiveRho, plan.PerturbationReusesAscentNorm ? ascentNorm : null);
                core.ForwardBackwardChunk(chunk, updateBatchNorm: plan.UpdatesBatchNorm(SamPass.Descent));
                core.Restore();
                core.AccumulateChunk(chunk, ascentLosses, ascentNorm);
            }
            var (loss, norm) = core.EndChunks();
            return core.Finish(loss, norm, perturbed: true, ascentSamples: core.BatchSize);
        }
    }
}
