using NoiseSam.Diagnostics;
using NoiseSam.Dsl;
using TorchSharp;
using static NoiseSam.Kernels.KeptScalars;
using static TorchSharp.torch;

namespace NoiseSam.Kernels;

// Noise on the ascent gradient, the perturbations (SAM, ASAM, ESAM-SWP) and the restore of w.
public sealed partial class SamStepCore
{
    // ESAM-SWP with frozen tensors: which tensors are perturbed this step, and whether some are frozen now.
    private readonly bool[] perturbedTensors;
    private bool maskDrawn, tensorsFrozen;
    // The weights hold w + ε (the backup holds w) until Restore.
    private bool perturbed;

    /// <summary>
    /// Adds noise to the ascent gradient (Wei, Zhang &amp; Tan 2025): n with per-coordinate standard
    /// deviation s, where s = σ (Absolute), σ‖g‖/√d (GradientNorm: ‖n‖ ≈ σ‖g‖) or
    /// σ‖g‖/√d·√(1/f − 1) (MicroBatch). Gaussian N(0,s²), Uniform U(−√3 s, √3 s), Rademacher ±s.
    /// </summary>
    public void AddNoise(NoiseDistribution distribution, double sigma, NoiseScaling scaling, double fraction, Tensor gradientNorm)
    {
        using var _ = torch.no_grad();
        using var phase = StepProfiler.Measure("noise", StepPhaseKind.Parameters);
        long d = Flat.Length;
        var grad = Flat.Grad;
        // The draw goes into the weight backup: every perturbation overwrites it with w right after,
        // so the noise needs neither a fresh d-sized allocation per step nor a buffer of its own.
        // Same generator calls as torch.randn/rand(d), so the same numbers.
        var unit = backup ?? throw new InvalidOperationException($"variant '{variantName}' never perturbs (Schedule Never): it has no noise to add");
        switch (distribution)
        {
            case NoiseDistribution.Gaussian: unit.normal_(generator: noiseGenerator); break;
            case NoiseDistribution.Uniform: unit.uniform_(0, 1, generator: noiseGenerator).mul_(Two).sub_(One).mul_(Sqrt3); break;
            default: unit.uniform_(0, 1, generator: noiseGenerator).lt_(OneHalf).mul_(Two).sub_(One); break;
        }
        if (scaling == NoiseScaling.Absolute)
        {
            using Scalar s = sigma;
            grad.add_(unit, alpha: s);
            return;
        }
        double factor = sigma / Math.Sqrt(d);
        if (scaling == NoiseScaling.MicroBatch) factor *= Math.Sqrt(Math.Max(0, 1 / fraction - 1));
        using Scalar f = factor;
        grad.addcmul_(unit, gradientNorm.mul(f), One);
    }

    /// <summary>
    /// SAM (Foret et al. 2021): backs up w, then w += ρ g / (‖g‖ + 1e-12) (ρ times <see cref="RhoScale"/>, as in every perturbation). <paramref name="gradientNorm"/>
    /// is ‖g‖ when the caller has it for the gradient buffer as it is now (<see cref="GradNorm"/>,
    /// taken after the ascent pass and nothing added since: the same reduction, so bit-identical and
    /// one pass over the parameters fewer); null computes it (after noise was added).
    /// </summary>
    public void PerturbSam(double rho, Tensor? gradientNorm)
    {
        using var _ = torch.no_grad();
        using var phase = StepProfiler.Measure("perturb", StepPhaseKind.Parameters);
        backup!.copy_(Flat.Values);
        perturbed = true;
        using Scalar r = rho * rhoScale;
        // Out of place: the caller's norm is reported by Finish.
        var scale = (gradientNorm ?? Flat.Grad.norm()).add(SamEpsilon).reciprocal_().mul_(r);
        Flat.Values.addcmul_(Flat.Grad, scale, One);
    }

    /// <summary>
    /// ASAM (Kwon et al. 2021, official form): T = |w| + η on weight tensors and 1 on the others;
    /// backs up w, then w += ρ T² g / (‖T g‖ + 1e-16).
    /// </summary>
    public void PerturbAdaptive(double rho, double eta)
    {
        using var _ = torch.no_grad();
        using var phase = StepProfiler.Measure("perturb", StepPhaseKind.Parameters);
        var values = Flat.Values;
        backup!.copy_(values);
        perturbed = true;
        using Scalar e = eta, r = rho * rhoScale;
        var t = values.abs().add_(e, One);
        foreach (var slice in Flat.Slices)
            if (!slice.IsWeight)
                t.narrow(0, slice.Offset, slice.Length).fill_(One);
        var tg = t.mul(Flat.Grad);
        var scale = tg.norm().add_(AsamEpsilon, One).reciprocal_().mul_(r);
        values.addcmul_(tg.mul_(t), scale, One);
    }

    /// <summary>
    /// ESAM stochastic weight perturbation (Du et al. 2022, official code): each parameter tensor is
    /// kept with probability β (host stream); ε = ρ g / (β (‖g_S‖ + 1e-7)) on kept tensors, 0 elsewhere.
    /// </summary>
    public void PerturbStochasticWeight(double rho, double beta)
    {
        using var _ = torch.no_grad();
        using var phase = StepProfiler.Measure("perturb", StepPhaseKind.Parameters);
        var values = Flat.Values;
        var grad = Flat.Grad;
        backup!.copy_(values);
        perturbed = true;
        foreach (var slice in Flat.Slices)
            if (MaskRandom.NextDouble() >= beta)
                grad.narrow(0, slice.Offset, slice.Length).zero_();
        using Scalar b = beta, r = rho * rhoScale;
        var scale = grad.norm().add_(EsamEpsilon, One).mul_(b).reciprocal_().mul_(r);
        values.addcmul_(grad, scale, One);
    }

    /// <summary>
    /// ESAM stochastic weight perturbation with the tensor mask drawn before the ascent pass
    /// (<see cref="FreezeUnperturbedTensors"/>): the gradient buffer holds g on the kept tensors and
    /// 0 on the others, exactly what <see cref="PerturbStochasticWeight"/> makes of it by masking, and
    /// <paramref name="gradientNorm"/> (<see cref="GradNorm"/> after that pass) is ‖g_S‖.
    /// ε = ρ g / (β (‖g_S‖ + 1e-7)) on kept tensors, 0 elsewhere.
    /// </summary>
    public void PerturbSelectedWeights(double rho, double beta, Tensor gradientNorm)
    {
        if (!maskDrawn) throw new InvalidOperationException("PerturbSelectedWeights needs FreezeUnperturbedTensors before the ascent pass.");
        maskDrawn = false;
        using var _ = torch.no_grad();
        using var phase = StepProfiler.Measure("perturb", StepPhaseKind.Parameters);
        var values = Flat.Values;
        backup!.copy_(values);
        perturbed = true;
        using Scalar b = beta, r = rho * rhoScale;
        var scale = gradientNorm.add(EsamEpsilon).mul_(b).reciprocal_().mul_(r);
        values.addcmul_(Flat.Grad, scale, One);
    }

    /// <summary>
    /// ESAM stochastic weight perturbation, first half, run before the ascent pass: keeps each
    /// parameter tensor with probability β (the same host stream, draws and order as
    /// <see cref="PerturbStochasticWeight"/>) and sets <c>requires_grad = false</c> on the others, so
    /// that the next <see cref="ForwardBackward"/> skips their weight-gradient kernels (the saving
    /// ESAM's SWP is for). Their gradient slots stay 0; that pass makes them trainable again.
    /// </summary>
    public void FreezeUnperturbedTensors(double beta)
    {
        var parameters = Flat.Parameters;
        for (int i = 0; i < perturbedTensors.Length; i++)
            perturbedTensors[i] = MaskRandom.NextDouble() < beta;
        maskDrawn = true;
        for (int i = 0; i < perturbedTensors.Length; i++)
        {
            if (perturbedTensors[i]) continue;
            parameters[i].requires_grad = false;
            tensorsFrozen = true;
        }
    }

    /// <summary>Which tensors the last <see cref="FreezeUnperturbedTensors"/> kept (for tests).</summary>
    internal IReadOnlyList<bool> PerturbedTensors => perturbedTensors;

    private void Unfreeze()
    {
        var parameters = Flat.Parameters;
        for (int i = 0; i < perturbedTensors.Length; i++)
            if (!perturbedTensors[i]) parameters[i].requires_grad = true;
        tensorsFrozen = false;
    }

    /// <summary>Restores w from the backup (a copy, never w + ε − ε).</summary>
    public void Restore()
    {
        using var _ = torch.no_grad();
        using var phase = StepProfiler.Measure("restore", StepPhaseKind.Parameters);
        Flat.Values.copy_(backup!);
        perturbed = false;
    }
}
