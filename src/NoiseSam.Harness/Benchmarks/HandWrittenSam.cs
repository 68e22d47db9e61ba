using NoiseSam.Dsl;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Benchmarks;

/// <summary>
/// SAM written the way a TorchSharp user would write it by hand (davda54/sam's pattern: per-parameter
/// loops, global norm of per-tensor norms, BN momentum 0 on the second pass, restore by copy,
/// torch.optim.SGD). The benchmark's yardstick for the generated step.
/// </summary>
internal sealed class HandWrittenSam : YardstickStep
{
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly Parameter[] parameters;
    private readonly BatchNorm[] batchNorms;
    private readonly optim.Optimizer optimizer;
    private readonly double rho;

    public HandWrittenSam(nn.Module<Tensor, Tensor> model, double rho = 0.05, double learningRate = 0.05)
    {
        this.model = model;
        this.rho = rho;
        parameters = model.parameters().Where(p => p.requires_grad).ToArray();
        batchNorms = model.modules().OfType<BatchNorm>().ToArray();
        optimizer = optim.SGD(parameters, learningRate, momentum: 0.9, weight_decay: 5e-4);
        Variant = new SamVariantDescriptor("SAM (hand-written)") { Rho = rho, BaseOptimizer = new BaseOptimizerSpec(OptimizerKind.Sgd) { LearningRate = learningRate } };
    }

    public override SamVariantDescriptor Variant { get; }

    public override optim.Optimizer AsOptimizer() => optimizer;

    public override SamStepResult Step(Tensor input, Tensor target)
    {
        using var scope = torch.NewDisposeScope();
        optimizer.zero_grad();
        var loss = nn.functional.cross_entropy(model.forward(input), target);
        loss.backward();
        var backups = new Tensor[parameters.Length];
        Tensor norm;
        using (torch.no_grad())
        {
            norm = torch.stack(parameters.Select(p => p.grad!.norm())).norm();
            var scale = (norm + 1e-12).reciprocal() * rho;
            for (int i = 0; i < parameters.Length; i++)
            {
                backups[i] = parameters[i].detach().clone();
                parameters[i].add_(parameters[i].grad! * scale);
            }
        }
        optimizer.zero_grad();
        var momenta = batchNorms.Select(bn => bn.momentum).ToArray();
        foreach (var bn in batchNorms) bn.momentum = 0.0;
        nn.functional.cross_entropy(model.forward(input), target).backward();
        for (int i = 0; i < batchNorms.Length; i++) batchNorms[i].momentum = momenta[i];
        using (torch.no_grad())
            for (int i = 0; i < parameters.Length; i++)
                parameters[i].copy_(backups[i]);
        optimizer.step();
        StepCount++;
        return new SamStepResult(loss.item<float>(), true, (int)input.shape[0], norm.item<float>(), false);
    }

    public override void Dispose() => optimizer.Dispose();
}
