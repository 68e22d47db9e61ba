using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NoiseSam.Tests.Reference;

/// <summary>
/// SAM written the textbook way with TorchSharp's own ops (davda54/sam: per-parameter loops, global
/// norm of per-tensor norms, BN momentum 0 on the pass that must not update running statistics,
/// restore by copy), over any per-sample loss closure. The caller runs <c>torch.optim</c>'s step.
/// </summary>
internal static class Textbook
{
    /// <summary>
    /// Leaves ∇L(w + ε) (mean over the descent rows) in the parameters' <c>.grad</c>, with
    /// ε = ρ g/(‖g‖ + 1e-12) from the ascent rows' mean-loss gradient g; the weights are w again.
    /// Running statistics move on the ascent pass when it sees the whole batch, else on the descent
    /// pass, unless <paramref name="ascentUpdatesStatistics"/> says which.
    /// </summary>
    public static void SamGradient(nn.Module model, Func<Tensor?, Tensor> loss, double rho, Tensor? ascentRows = null, Tensor? descentRows = null,
        bool? ascentUpdatesStatistics = null)
    {
        var parameters = Trainable(model);
        bool ascentUpdates = ascentUpdatesStatistics ?? ascentRows is null;
        ZeroGrad(parameters);
        Pass(model, update: ascentUpdates, () => loss(ascentRows).mean().backward());
        double norm = GlobalNorm(parameters);
        var old = parameters.Select(p => p.detach().clone()).ToArray();
        using (no_grad())
            foreach (var p in parameters) p.add_(p.grad! * (rho / (norm + 1e-12)));
        ZeroGrad(parameters);
        Pass(model, update: !ascentUpdates, () => loss(descentRows).mean().backward());
        using (no_grad())
            for (int i = 0; i < parameters.Count; i++) parameters[i].copy_(old[i]);
    }

    /// <summary>Per-sample cross-entropy of the given rows (null = all): the loss closure the steps above take.</summary>
    public static Func<Tensor?, Tensor> CrossEntropy(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y) => rows => rows is null
        ? nn.functional.cross_entropy(model.forward(x), y, reduction: nn.Reduction.None)
        : nn.functional.cross_entropy(model.forward(x.index_select(0, rows)), y.index_select(0, rows), reduction: nn.Reduction.None);

    /// <summary>The plain gradient of the mean loss at w into <c>.grad</c> (running statistics move).</summary>
    public static void PlainGradient(nn.Module model, Func<Tensor?, Tensor> loss)
    {
        ZeroGrad(Trainable(model));
        loss(null).mean().backward();
    }

    /// <summary>torch.nn.utils.clip_grad_norm_ by hand: total = ‖(‖g_p‖)_p‖, g_p ← g_p · min(1, c / (total + 1e-6)).</summary>
    public static void ClipGradNorm(nn.Module model, double maxNorm)
    {
        var parameters = Trainable(model);
        double total = GlobalNorm(parameters);
        double coefficient = Math.Min(1.0, maxNorm / (total + 1e-6));
        using (no_grad())
            foreach (var p in parameters) p.grad!.mul_(coefficient);
    }

    public static List<Parameter> Trainable(nn.Module model) => model.parameters().Where(p => p.requires_grad).ToList();

    public static double GlobalNorm(IEnumerable<Parameter> parameters) =>
        Math.Sqrt(parameters.Sum(p => Math.Pow(p.grad!.norm().item<double>(), 2)));

    private static void ZeroGrad(IEnumerable<Parameter> parameters)
    {
        foreach (var p in parameters) p.grad?.zero_();
    }

    // A pass that updates running statistics, or one that leaves them (momentum and count) as they were.
    private static void Pass(nn.Module model, bool update, Action pass)
    {
        if (update)
        {
            pass();
            return;
        }
        var bns = model.modules().OfType<BatchNorm>().ToArray();
        var momenta = bns.Select(b => b.momentum).ToArray();
        var tracked = bns.Select(b => b.num_batches_tracked!.clone()).ToArray();
        foreach (var bn in bns) bn.momentum = 0.0;
        pass();
        for (int i = 0; i < bns.Length; i++)
        {
            bns[i].momentum = momenta[i];
            bns[i].num_batches_tracked!.copy_(tracked[i]);
        }
    }
}

/// <summary>
/// A model with two inputs (an 8×8 image and a 3-vector of side features), batch norm on the image
/// tower, in float64: what <c>Step(input, target)</c> cannot train and <c>Step(SamBatch)</c> can.
/// </summary>
internal sealed class TwoInputNet : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear image, side, head;
    private readonly BatchNorm1d bn;

    private TwoInputNet() : base("TwoInputNet")
    {
        image = nn.Linear(64, 6);
        bn = nn.BatchNorm1d(6);
        side = nn.Linear(3, 2);
        head = nn.Linear(8, 1);
        RegisterComponents();
    }

    public static TwoInputNet Create(long seed)
    {
        torch.random.manual_seed(seed);
        var net = new TwoInputNet();
        net.to(ScalarType.Float64);
        net.train();
        return net;
    }

    public override Tensor forward(Tensor picture, Tensor features) =>
        head.forward(torch.cat([nn.functional.relu(bn.forward(image.forward(picture.flatten(1)))), torch.tanh(side.forward(features))], 1)).squeeze(1);

    /// <summary>A regression batch: picture, side features and a real-valued target.</summary>
    public static (Tensor Picture, Tensor Features, Tensor Y) Batch(long seed, int n = 16)
    {
        var g = new Generator((ulong)seed);
        var picture = torch.randn([n, 1, 8, 8], dtype: ScalarType.Float64, generator: g);
        var features = torch.randn([n, 3], dtype: ScalarType.Float64, generator: g);
        var y = picture.mean([1, 2, 3]) * 3 + features[.., 0] - features[.., 1] * features[.., 2];
        return (picture, features, y);
    }

    /// <summary>Per-sample squared error of the given rows (null = all): the closure a <see cref="SamBatch"/> holds.</summary>
    public Func<Tensor?, Tensor> Loss(Tensor picture, Tensor features, Tensor y) => rows =>
        rows is null
            ? (forward(picture, features) - y).square()
            : (forward(picture.index_select(0, rows), features.index_select(0, rows)) - y.index_select(0, rows)).square();

    public Tensor FlatWeights() => torch.cat(parameters().Select(p => p.detach().flatten()).ToArray());

    public Tensor FlatBuffers() => torch.cat(buffers().Select(b => b.detach().to(ScalarType.Float64).flatten()).ToArray());
}
