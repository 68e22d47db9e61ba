namespace NoiseSam.Harness.Sharpness;

/// <summary>How <see cref="HessianEigen"/> estimates the top Hessian eigenvalue.</summary>
public enum EigenMethod
{
    /// <summary>
    /// Lanczos with full reorthogonalisation (<see cref="HessianEigen.Lanczos(TorchSharp.torch.nn.Module{TorchSharp.torch.Tensor, TorchSharp.torch.Tensor}, LossProbe, LanczosOptions, CancellationToken)"/>):
    /// the largest algebraic eigenvalue, stopped on the residual bound of its Ritz pair; also gives the smallest Ritz value.
    /// </summary>
    Lanczos,

    /// <summary>
    /// Power iteration (<see cref="HessianEigen.TopEigenvalue(TorchSharp.torch.nn.Module{TorchSharp.torch.Tensor, TorchSharp.torch.Tensor}, LossProbe, PowerIterationOptions, CancellationToken)"/>):
    /// the eigenvalue of largest magnitude (signed), stopped when the estimate changes little.
    /// </summary>
    Power,
}
