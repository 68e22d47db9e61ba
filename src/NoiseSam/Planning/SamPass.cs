// Linked into the generator with SamStepPlan (netstandard2.0-friendly, no TorchSharp).
namespace NoiseSam.Planning;

/// <summary>The passes a SAM step may run, in order; used to name the one that updates batch-norm running statistics.</summary>
#if NOISESAM_ROSLYN
internal
#else
public
#endif
enum SamPass
{
    /// <summary>No pass of the SAM step: AE-SAM's full-batch pass at w, run before its decision, already updated them.</summary>
    None,

    /// <summary>K-SAM's no-grad forward of the whole batch at w that ranks the samples by loss.</summary>
    SelectionForward,

    /// <summary>The forward and backward at w that give the ascent gradient (whole batch or micro-batch).</summary>
    Ascent,

    /// <summary>ESAM-SDS with a micro-batch ascent: the no-grad forward of the whole batch at w for the losses before the perturbation.</summary>
    LossesAtW,

    /// <summary>ESAM-SDS: the no-grad forward of the whole batch at w + ε that measures how much each loss rose.</summary>
    LossesAtPerturbed,

    /// <summary>The forward and backward at w + ε that give the SAM gradient.</summary>
    Descent,
}
