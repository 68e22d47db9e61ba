using TorchSharp;

namespace NoiseSam.Harness.Sharpness;

/// <summary>Puts a module in eval mode and restores its previous train/eval mode at dispose.</summary>
internal readonly struct EvalMode : IDisposable
{
    private readonly torch.nn.Module module;
    private readonly bool wasTraining;

    private EvalMode(torch.nn.Module module, bool wasTraining)
    {
        this.module = module;
        this.wasTraining = wasTraining;
    }

    public static EvalMode Enter(torch.nn.Module module)
    {
        bool training = module.training;
        module.eval();
        return new EvalMode(module, training);
    }

    public void Dispose()
    {
        if (wasTraining) module.train();
    }
}
