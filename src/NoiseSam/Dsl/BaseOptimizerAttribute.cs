namespace NoiseSam.Dsl;

/// <summary>
/// The optimizer fed the final gradient. Without this attribute: SGD, lr 0.1, momentum 0.9,
/// weight decay 5e-4.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class BaseOptimizerAttribute : Attribute
{
    /// <param name="kind">The optimizer.</param>
    public BaseOptimizerAttribute(OptimizerKind kind) => Kind = kind;

    /// <summary>The optimizer.</summary>
    public OptimizerKind Kind { get; }

    /// <summary>Learning rate &gt; 0. NaN (the default) = 0.1 for SGD, 0.001 for AdamW.</summary>
    public double LearningRate { get; set; } = double.NaN;

    /// <summary>SGD momentum in [0, 1). Default 0.9.</summary>
    public double Momentum { get; set; } = SamDefaults.Momentum;

    /// <summary>SGD Nesterov momentum (needs Momentum &gt; 0). Default false.</summary>
    public bool Nesterov { get; set; }

    /// <summary>Weight decay ≥ 0 (coupled for SGD, decoupled for AdamW). NaN (the default) = 5e-4 for SGD, 0.01 for AdamW.</summary>
    public double WeightDecay { get; set; } = double.NaN;

    /// <summary>AdamW β₁ in [0, 1). Default 0.9.</summary>
    public double Beta1 { get; set; } = SamDefaults.Beta1;

    /// <summary>AdamW β₂ in [0, 1). Default 0.999.</summary>
    public double Beta2 { get; set; } = SamDefaults.Beta2;

    /// <summary>AdamW ε &gt; 0. Default 1e-8.</summary>
    public double Epsilon { get; set; } = SamDefaults.Epsilon;

    /// <summary>
    /// Clips the final (SAM) gradient by its global L2 norm before the base step, as
    /// <c>torch.nn.utils.clip_grad_norm_</c> does: g ← g · min(1, c / (‖g‖ + 1e-6)). Finite and ≥ 0;
    /// 0 (the default) = no clipping. Only the magnitude of the SAM gradient changes, never its
    /// direction, and never the ascent gradient.
    /// </summary>
    public double MaxGradNorm { get; set; }

    /// <summary>
    /// No weight decay on biases and normalisation parameters (every 0-D or 1-D parameter and every
    /// parameter whose name ends in "bias"), the usual recipe. Default false: decay on every parameter.
    /// </summary>
    public bool NoDecayOnBiasAndNorm { get; set; }
}
