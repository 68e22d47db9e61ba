using System.Buffers.Binary;
using System.IO.Compression;

namespace NoiseSam.Harness.Tests.Data;

/// <summary>A temporary directory removed at dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "noisesam-data-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Writes IDX and CIFAR files byte by byte, independently of the readers.</summary>
public static class TestFiles
{
    public static byte[] IdxImages(int count, int rows, int cols, byte[] pixels, int magic = 0x00000803)
    {
        var bytes = new byte[16 + pixels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(0), magic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), cols);
        pixels.CopyTo(bytes, 16);
        return bytes;
    }

    public static byte[] IdxLabels(int count, byte[] labels, int magic = 0x00000801)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(0), magic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        labels.CopyTo(bytes, 8);
        return bytes;
    }

    public static byte[] Gzip(byte[] plain)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(plain);
        return ms.ToArray();
    }

    public static void Write(string path, byte[] content, bool gzip)
    {
        System.IO.File.WriteAllBytes(path, gzip ? Gzip(content) : content);
    }

    public static byte[] RandomBytes(int n, int seed, int modulo = 256)
    {
        var rng = new Random(seed);
        var b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte)rng.Next(modulo);
        return b;
    }

    /// <summary>A complete MNIST-style directory: returns the pixels and labels written.</summary>
    public static (byte[] TrainPixels, byte[] TrainLabels, byte[] TestPixels, byte[] TestLabels) WriteIdxSet(
        string dir, int nTrain, int nTest, int side, bool gzip, int seed = 1)
    {
        var trainPixels = RandomBytes(nTrain * side * side, seed);
        var trainLabels = RandomBytes(nTrain, seed + 1, 10);
        var testPixels = RandomBytes(nTest * side * side, seed + 2);
        var testLabels = RandomBytes(nTest, seed + 3, 10);
        string ext = gzip ? ".gz" : "";
        Write(System.IO.Path.Combine(dir, "train-images-idx3-ubyte" + ext), IdxImages(nTrain, side, side, trainPixels), gzip);
        Write(System.IO.Path.Combine(dir, "train-labels-idx1-ubyte" + ext), IdxLabels(nTrain, trainLabels), gzip);
        Write(System.IO.Path.Combine(dir, "t10k-images-idx3-ubyte" + ext), IdxImages(nTest, side, side, testPixels), gzip);
        Write(System.IO.Path.Combine(dir, "t10k-labels-idx1-ubyte" + ext), IdxLabels(nTest, testLabels), gzip);
        return (trainPixels, trainLabels, testPixels, testLabels);
    }

    /// <summary>CIFAR records: label byte then 3072 pixel bytes.</summary>
    public static byte[] CifarRecords(byte[] labels, byte[] pixels)
    {
        var bytes = new byte[labels.Length * 3073];
        for (int r = 0; r < labels.Length; r++)
        {
            bytes[r * 3073] = labels[r];
            Array.Copy(pixels, r * 3072, bytes, r * 3073 + 1, 3072);
        }
        return bytes;
    }
}
