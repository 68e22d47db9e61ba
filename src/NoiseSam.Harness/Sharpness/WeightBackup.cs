using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Sharpness;

/// <summary>
/// A bit-exact copy of some parameters: <see cref="Restore"/> copies the saved values back (never
/// by subtracting a perturbation, which rounding would not undo). The copies live outside every
/// dispose scope until <see cref="Dispose"/>.
/// </summary>
internal sealed class WeightBackup : IDisposable
{
    private readonly Tensor[] saved;

    public WeightBackup(IReadOnlyList<Tensor> parameters)
    {
        Parameters = parameters;
        saved = new Tensor[parameters.Count];
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        for (int i = 0; i < parameters.Count; i++)
            saved[i] = parameters[i].detach().clone().DetachFromDisposeScope();
    }

    /// <summary>The live parameters.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The saved value of parameter <paramref name="index"/> (owned by the backup).</summary>
    public Tensor this[int index] => saved[index];

    /// <summary>Copies the saved values back into the parameters.</summary>
    public void Restore()
    {
        using var noGrad = torch.no_grad();
        for (int i = 0; i < saved.Length; i++) Parameters[i].copy_(saved[i]);
    }

    public void Dispose()
    {
        foreach (var t in saved) t.Dispose();
    }
}
