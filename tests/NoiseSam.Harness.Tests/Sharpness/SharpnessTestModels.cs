using NoiseSam.Harness.Models;
using NoiseSam.Harness.Sharpness;
using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Tests.Sharpness;

/// <summary>Small models, probes and tensor helpers for the sharpness tests.</summary>
internal static class SharpnessTestModels
{
    /// <summary>A small CNN on 8×8 single-channel images with 3 classes (conv, BN, linear: every kind of tensor).</summary>
    public static nn.Module<Tensor, Tensor> TinyCnn(long seed = 1) => ModelZoo.Create(ModelZoo.SmallCnnName, 1, 3, 8, seed);

    /// <summary>Random inputs of <paramref name="shape"/> (first dimension = samples) and labels below <paramref name="classes"/>, in batches.</summary>
    public static LossProbe RandomProbe(long[] shape, int classes, int batchSize, long seed = 7)
    {
        using var g = new Generator((ulong)seed);
        var x = torch.randn(shape, ScalarType.Float32, generator: g);
        var y = torch.randint(0, classes, [shape[0]], ScalarType.Int64, generator: g);
        var batches = new List<(Tensor, Tensor)>();
        for (long start = 0; start < shape[0]; start += batchSize)
        {
            long len = Math.Min(batchSize, shape[0] - start);
            batches.Add((x.narrow(0, start, len).clone(), y.narrow(0, start, len).clone()));
        }
        x.Dispose();
        y.Dispose();
        return new LossProbe(batches);
    }

    public static double[] Values(Tensor t)
    {
        using var d = t.detach().to(ScalarType.Float64).cpu().contiguous();
        return d.data<double>().ToArray();
    }

    /// <summary>Clones of every parameter and buffer, to check that a function left them bit-identical.</summary>
    public static Tensor[] Snapshot(nn.Module model)
    {
        using var noGrad = torch.no_grad();
        return model.parameters().Cast<Tensor>().Concat(model.buffers()).Select(t => t.detach().clone()).ToArray();
    }

    public static void AssertUnchanged(nn.Module model, Tensor[] snapshot)
    {
        var now = model.parameters().Cast<Tensor>().Concat(model.buffers()).ToArray();
        Assert.Equal(snapshot.Length, now.Length);
        for (int i = 0; i < now.Length; i++)
            Assert.True(SameBits(now[i], snapshot[i]), $"tensor {i} ({string.Join("×", now[i].shape)}) changed");
    }

    /// <summary>Same shape, dtype and bytes.</summary>
    public static bool SameBits(Tensor a, Tensor b)
    {
        if (a.dtype != b.dtype || !a.shape.SequenceEqual(b.shape)) return false;
        using var x = a.detach().cpu().contiguous();
        using var y = b.detach().cpu().contiguous();
        return x.bytes.SequenceEqual(y.bytes);
    }
}
