using NoiseSam.Dsl;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NoiseSam.Tests.Reference;

/// <summary>
/// The engine against a naive SAM written here the textbook way (davda54/sam: per-parameter
/// loops over model.parameters(), global norm of per-tensor norms, BN momentum 0 on the second
/// pass, restore by copy) feeding TorchSharp's own torch.optim.SGD / AdamW.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class EngineMatchesReferenceTests
{
    private const double Lr = 0.1, Momentum = 0.9, WeightDecay = 5e-4;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SamStepsMatchHandWrittenSamWithTorchOptimSgd(bool nesterov)
    {
        var descriptor = new SamVariantDescriptor("SAM") { Rho = 0.05, BaseOptimizer = new(OptimizerKind.Sgd) { LearningRate = Lr, Nesterov = nesterov } };
        RunAgainstReference(descriptor, (model, p) => optim.SGD(p, Lr, momentum: Momentum, nesterov: nesterov, weight_decay: WeightDecay),
            (model, x, y) => ReferenceSamGradient(model, x, y, perturb: SamEpsilon(0.05)));
    }

    [Fact]
    public void AsamStepsMatchHandWrittenOfficialAsam()
    {
        var descriptor = new SamVariantDescriptor("ASAM") { Rho = 0.5, Perturbation = PerturbationKind.Adaptive, Eta = 0.01, BaseOptimizer = new(OptimizerKind.Sgd) { LearningRate = Lr } };
        RunAgainstReference(descriptor, (model, p) => optim.SGD(p, Lr, momentum: Momentum, weight_decay: WeightDecay),
            (model, x, y) => ReferenceSamGradient(model, x, y, perturb: AsamEpsilon(0.5, 0.01)));
    }

    [Fact]
    public void SgdOnlyStepsMatchTorchOptimSgd()
    {
        var descriptor = new SamVariantDescriptor("SGD") { Schedule = new(SchedulePolicy.Never), BaseOptimizer = new(OptimizerKind.Sgd) { LearningRate = Lr } };
        RunAgainstReference(descriptor, (model, p) => optim.SGD(p, Lr, momentum: Momentum, weight_decay: WeightDecay), PlainGradient);
    }

    [Fact]
    public void AdamWOnlyStepsMatchTorchOptimAdamW()
    {
        var descriptor = new SamVariantDescriptor("AdamW") { Schedule = new(SchedulePolicy.Never), BaseOptimizer = new(OptimizerKind.AdamW) { LearningRate = 0.01, WeightDecay = 0.05 } };
        RunAgainstReference(descriptor, (model, p) => optim.AdamW(p, 0.01, 0.9, 0.999, 1e-8, weight_decay: 0.05), PlainGradient);
    }

    [Fact]
    public void SamWithAdamWMatchesHandWrittenSamWithTorchOptimAdamW()
    {
        var descriptor = new SamVariantDescriptor("SAM-AdamW") { Rho = 0.05, BaseOptimizer = new(OptimizerKind.AdamW) { LearningRate = 0.01 } };
        RunAgainstReference(descriptor, (model, p) => optim.AdamW(p, 0.01, 0.9, 0.999, 1e-8, weight_decay: 0.01),
            (model, x, y) => ReferenceSamGradient(model, x, y, perturb: SamEpsilon(0.05)));
    }

    private static void RunAgainstReference(SamVariantDescriptor descriptor,
        Func<TinyNet, IList<Parameter>, optim.Optimizer> makeOptimizer,
        Action<TinyNet, Tensor, Tensor> computeGradient)
    {
        using var engineModel = TinyNet.Create(7);
        using var referenceModel = TinyNet.Create(7);
        using var step = SamEngine.Create(descriptor, engineModel, new SamStepOptions { Seed = 1 });
        var parameters = referenceModel.parameters().ToList();
        using var optimizer = makeOptimizer(referenceModel, parameters);

        for (int i = 0; i < 5; i++)
        {
            using var scope = torch.NewDisposeScope();
            var (x, y) = TinyNet.Batch(100 + i);
            var result = step.Step(x, y);
            Assert.False(result.Skipped);

            optimizer.zero_grad();
            computeGradient(referenceModel, x, y);
            optimizer.step();

            Close.Assert(referenceModel.FlatWeights(), engineModel.FlatWeights());
            Close.Assert(referenceModel.FlatBuffers(), engineModel.FlatBuffers());
        }
    }

    private static void PlainGradient(TinyNet model, Tensor x, Tensor y) =>
        nn.functional.cross_entropy(model.forward(x), y).backward();

    private delegate Tensor[] Epsilon(IReadOnlyList<(string Name, Parameter P)> parameters);

    private static Epsilon SamEpsilon(double rho) => parameters =>
    {
        double norm = Math.Sqrt(parameters.Sum(p => Math.Pow(p.P.grad!.norm().item<double>(), 2)));
        return parameters.Select(p => p.P.grad! * (rho / (norm + 1e-12))).ToArray();
    };

    // Official ASAM (SamsungLabs/ASAM asam.py): T = |w| + eta for tensors named "weight", 1 otherwise.
    private static Epsilon AsamEpsilon(double rho, double eta) => parameters =>
    {
        var t = parameters.Select(p => p.Name.Contains("weight") ? p.P.detach().abs() + eta : torch.ones_like(p.P)).ToArray();
        double norm = Math.Sqrt(parameters.Select((p, i) => Math.Pow((t[i] * p.P.grad!).norm().item<double>(), 2)).Sum());
        return parameters.Select((p, i) => t[i] * t[i] * p.P.grad! * (rho / (norm + 1e-16))).ToArray();
    };

    private static void ReferenceSamGradient(TinyNet model, Tensor x, Tensor y, Epsilon perturb)
    {
        var named = model.named_parameters().Select(p => (p.name, p.parameter)).ToList();
        nn.functional.cross_entropy(model.forward(x), y).backward();
        var old = new List<Tensor>();
        using (torch.no_grad())
        {
            var eps = perturb(named);
            for (int i = 0; i < named.Count; i++)
            {
                old.Add(named[i].parameter.detach().clone());
                named[i].parameter.add_(eps[i]);
            }
        }
        foreach (var (_, p) in named) p.grad!.zero_();
        var bns = model.modules().OfType<BatchNorm>().ToArray();
        var momenta = bns.Select(b => b.momentum).ToArray();
        foreach (var bn in bns) bn.momentum = 0.0;
        nn.functional.cross_entropy(model.forward(x), y).backward();
        for (int i = 0; i < bns.Length; i++) bns[i].momentum = momenta[i];
        // num_batches_tracked counts one batch per step in the engine; PyTorch counts passes.
        foreach (var bn in bns) bn.num_batches_tracked!.sub_(1);
        using (torch.no_grad())
            for (int i = 0; i < named.Count; i++)
                named[i].parameter.copy_(old[i]);
    }
}
