using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam;

/// <summary>
/// One optimizer step of a SAM variant over a model: the generated class of a <c>[SamVariant]</c>
/// declaration, or <see cref="SamEngine.Create"/> for a descriptor built at run time.
/// </summary>
public interface ISamStep : IDisposable
{
    /// <summary>The declaration this step implements.</summary>
    SamVariantDescriptor Variant { get; }

    /// <summary>
    /// One full optimizer step on a batch given as a row count and a per-sample loss closure: any model
    /// (several inputs, masks, a teacher), any per-sample loss. Every row selection of the variant
    /// (micro-batch, top-loss, sharpness-sensitive rows, accumulation chunks) goes through the closure.
    /// </summary>
    /// <exception cref="InvalidOperationException">The closure returned something other than one loss per row, or the trainable set changed since the step was built (the model is left as it was).</exception>
    SamStepResult Step(SamBatch batch);

    /// <summary>
    /// One full optimizer step on a batch <c>(input, target)</c>: the shorthand for
    /// <c>Step(SamBatch)</c> over the model's <c>forward(input)</c> and <see cref="SamStepOptions.Loss"/>
    /// (by default cross entropy, so <paramref name="target"/> holds class indices; any per-sample loss
    /// of (output, target) works, e.g. squared error for regression).
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is not a <c>Module&lt;Tensor, Tensor&gt;</c>: use <see cref="Step(SamBatch)"/>.</exception>
    SamStepResult Step(Tensor input, Tensor target);

    /// <summary>Current learning rate of the base optimizer (settable for schedulers; see <see cref="AsOptimizer"/>).</summary>
    double LearningRate { get; set; }

    /// <summary>
    /// Multiplier of the declared ρ, 1 by default: every perturbation uses ρ · <c>RhoScale</c>. Settable
    /// like <see cref="LearningRate"/>, so a ρ schedule (e.g. GSAM's, ρ decaying with the learning rate)
    /// can drive it; saved and restored with the state. Finite and ≥ 0.
    /// </summary>
    double RhoScale { get; set; }

    /// <summary>
    /// The step as a <c>torch.optim.Optimizer</c> whose one parameter group's learning rate is
    /// <see cref="LearningRate"/> (and whose momentum or betas are the base optimizer's), so that every
    /// TorchSharp learning-rate scheduler drives the step unchanged:
    /// <c>var s = torch.optim.lr_scheduler.StepLR(step.AsOptimizer(), 30, 0.1);</c> then <c>s.step()</c>.
    /// The same object on every call; its <c>step()</c> throws (call <see cref="Step(SamBatch)"/>).
    /// </summary>
    torch.optim.Optimizer AsOptimizer();

    /// <summary>Steps taken so far (skipped steps included).</summary>
    long StepCount { get; }

    /// <summary>Writes all optimizer, schedule and RNG state (not the model weights).</summary>
    void SaveState(Stream stream);

    /// <summary>Restores what <see cref="SaveState"/> wrote; the run then continues bit-identically.</summary>
    void LoadState(Stream stream);
}

/// <summary>Options of a step object.</summary>
public sealed class SamStepOptions
{
    /// <summary>Seed of every random stream of the step (schedule, micro-batch selection, noise, SWP mask).</summary>
    public long Seed { get; init; }

    /// <summary>
    /// Per-sample loss of <c>Step(input, target)</c>: (model output, target rows) → a 1-D tensor with one
    /// loss per row; default cross entropy with reduction none (targets are class indices). Not used by
    /// <c>Step(SamBatch)</c>, whose closure computes the loss.
    /// </summary>
    public Func<Tensor, Tensor, Tensor>? Loss { get; init; }

    /// <summary>Total steps of the run, for progress-dependent schedules (AE-SAM's c_t, fraction schedules); 0 = unknown.</summary>
    public long TotalSteps { get; init; }

    /// <summary>
    /// Decision function for <c>SchedulePolicy.Custom</c> when the variant is built at run time with
    /// <see cref="SamEngine"/> (generated classes call their own <c>ShouldPerturb</c> instead).
    /// </summary>
    public Func<StepContext, bool>? ShouldPerturb { get; init; }

    internal static SamStepOptions Default { get; } = new();
}

/// <summary>What one step did.</summary>
/// <param name="Loss">
/// Mean loss at w (before the step) of the whole batch; on a micro-batch SAM step that runs no
/// full-batch pass at w (MBS, NI-MBS) it is the ascent micro-batch's mean loss, so that reporting
/// it costs no extra forward pass.
/// </param>
/// <param name="Perturbed">Whether this was a SAM step.</param>
/// <param name="AscentSamples">Samples used for the ascent gradient; 0 on a base step.</param>
/// <param name="GradientNorm">Global L2 norm of the gradient at w on the first pass (micro-batch on a micro-batch SAM step; on an ESAM-SWP step without noise, ‖g_S‖ over the tensors kept for perturbation, the only gradients that pass computes).</param>
/// <param name="Skipped">A non-finite loss or gradient was found: nothing was applied.</param>
public readonly record struct SamStepResult(float Loss, bool Perturbed, int AscentSamples, float GradientNorm, bool Skipped);

/// <summary>What a <c>Custom</c> schedule may look at when it decides whether step <see cref="Step"/> is a SAM step.</summary>
/// <param name="Step">Zero-based index of the step about to run.</param>
/// <param name="TotalSteps">Total steps of the run, 0 when unknown.</param>
/// <param name="PreviousLoss">Loss of the previous step (NaN before the first step).</param>
/// <param name="PreviousGradientNorm">Gradient norm of the previous step (NaN before the first step).</param>
public readonly record struct StepContext(long Step, long TotalSteps, float PreviousLoss, float PreviousGradientNorm);
