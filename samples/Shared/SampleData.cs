using System.IO.Compression;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Samples;

/// <summary>What the CustomSchedule and Sweep samples share: Fashion-MNIST, the small CNN, batching and evaluation.</summary>
internal static class SampleData
{
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The value after <paramref name="name"/> on the command line, or <paramref name="fallback"/>.</summary>
    public static string Arg(string[] args, string name, string fallback) =>
        Array.IndexOf(args, name) is int i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;

    /// <summary>Reads a Fashion-MNIST split ("train" or "t10k") from its gzipped IDX files, normalised.</summary>
    public static (Tensor X, Tensor Y) Load(string dir, string split)
    {
        byte[] Read(string name)
        {
            string path = Path.Combine(dir, $"{split}-{name}-ubyte.gz");
            if (!File.Exists(path))
                throw new FileNotFoundException($"{path} not found: install Fashion-MNIST (Debian: apt-get install dataset-fashion-mnist) or pass --data DIR", path);
            using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            using var bytes = new MemoryStream();
            gz.CopyTo(bytes);
            return bytes.ToArray();
        }
        var x = tensor(Read("images-idx3")[16..]).reshape(-1, 1, 28, 28).to(ScalarType.Float32).div_(255.0).sub_(0.2860).div_(0.3530);
        return (x, tensor(Read("labels-idx1")[8..]).to(ScalarType.Int64));
    }

    /// <summary>conv 32 → BN → ReLU → pool → conv 64 → BN → ReLU → pool → 128 → 10, seeded.</summary>
    public static nn.Module<Tensor, Tensor> SmallCnn(long seed)
    {
        manual_seed(seed);
        return nn.Sequential(
            nn.Conv2d(1, 32, 3, padding: 1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding: 1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10));
    }

    /// <summary>Batch <paramref name="step"/> of a fixed shuffled order (wrapping around at the end of an epoch).</summary>
    public static (Tensor X, Tensor Y) Batch(Tensor x, Tensor y, Tensor order, int step, int batch)
    {
        var idx = order.narrow(0, step % (x.shape[0] / batch) * batch, batch);
        return (x.index_select(0, idx), y.index_select(0, idx));
    }

    /// <summary>Top-1 accuracy in percent on the first <paramref name="count"/> samples.</summary>
    public static double Accuracy(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, long count)
    {
        model.eval();
        long correct = 0;
        using (no_grad())
            for (long s = 0; s < count; s += 250)
            {
                using var scope = NewDisposeScope();
                long n = Math.Min(250, count - s);
                correct += model.forward(x.narrow(0, s, n)).argmax(1).eq(y.narrow(0, s, n)).sum().item<long>();
            }
        model.train();
        return 100.0 * correct / count;
    }
}
