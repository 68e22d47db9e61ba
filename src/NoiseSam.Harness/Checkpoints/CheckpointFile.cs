using System.Security.Cryptography;
using System.Text;

namespace NoiseSam.Harness.Checkpoints;

/// <summary>Identifies the run a checkpoint belongs to; resuming needs all of it to match.</summary>
/// <param name="Variant">Variant name.</param>
/// <param name="Declaration">The variant's <c>SamVariantDescriptor.Summary()</c>.</param>
/// <param name="Model">Model name.</param>
/// <param name="Data">Training split name (e.g. "fashion-mnist/train").</param>
/// <param name="TrainSamples">Training samples.</param>
/// <param name="Seed">Run seed.</param>
/// <param name="Epochs">Planned epochs (the learning-rate schedule depends on them).</param>
/// <param name="BatchSize">Batch size.</param>
public sealed record CheckpointHeader(
    string Variant, string Declaration, string Model, string Data, int TrainSamples, long Seed, int Epochs, int BatchSize)
{
    /// <summary>The first field that differs from <paramref name="expected"/>, as a sentence; null when all match.</summary>
    public string? Mismatch(CheckpointHeader expected)
    {
        if (!string.Equals(Variant, expected.Variant, StringComparison.OrdinalIgnoreCase)) return $"it was written by variant '{Variant}', not '{expected.Variant}'";
        if (Declaration != expected.Declaration) return $"variant '{Variant}' was declared as ({Declaration}), now as ({expected.Declaration})";
        if (!string.Equals(Model, expected.Model, StringComparison.OrdinalIgnoreCase)) return $"it is for model '{Model}', not '{expected.Model}'";
        if (Data != expected.Data || TrainSamples != expected.TrainSamples) return $"it is for other data ({Data}; {TrainSamples} training samples), not ({expected.Data}; {expected.TrainSamples})";
        if (Seed != expected.Seed) return $"it is for seed {Seed}, not {expected.Seed}";
        if (Epochs != expected.Epochs) return $"it is for a {Epochs}-epoch run (the learning-rate schedule depends on it), not {expected.Epochs}; pass --epochs {Epochs}";
        if (BatchSize != expected.BatchSize) return $"it is for batch size {BatchSize}, not {expected.BatchSize}";
        return null;
    }
}

/// <summary>The state a run continues from.</summary>
public sealed record CheckpointPayload
{
    /// <summary>Epochs completed (the run continues with this zero-based epoch).</summary>
    public required int EpochsCompleted { get; init; }
    /// <summary>Steps taken so far.</summary>
    public required long Step { get; init; }
    /// <summary>Seed of the data loader's per-epoch shuffle and augmentation streams.</summary>
    public required long LoaderSeed { get; init; }
    /// <summary>Per-epoch metrics so far (JSON).</summary>
    public required string MetricsJson { get; init; }
    /// <summary>Model weights and buffers (<c>module.save</c>).</summary>
    public required byte[] ModelState { get; init; }
    /// <summary>Optimizer, schedule and RNG state (<c>ISamStep.SaveState</c>).</summary>
    public required byte[] StepState { get; init; }
}

/// <summary>A checkpoint that cannot be used: corrupt, truncated, of another format or of another run.</summary>
public sealed class CheckpointException : Exception
{
    public CheckpointException(string path, string detail, bool mismatch = false) : base($"{path}: {detail}")
    {
        FilePath = path;
        IsMismatch = mismatch;
    }

    /// <summary>The checkpoint file.</summary>
    public string FilePath { get; }

    /// <summary>True when the file is intact but belongs to another run (not corrupt).</summary>
    public bool IsMismatch { get; }
}

/// <summary>
/// The checkpoint file format: magic "NSAMCKPT", format version, header length and header,
/// payload length, SHA-256 over header and payload, payload. Everything little-endian
/// (<see cref="BinaryWriter"/>).
/// </summary>
public static class CheckpointFile
{
    /// <summary>File magic.</summary>
    public static ReadOnlySpan<byte> Magic => "NSAMCKPT"u8;

    /// <summary>Current format version.</summary>
    public const int FormatVersion = 1;

    private const int HashLength = 32;

    /// <summary>Writes a complete checkpoint to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, CheckpointHeader header, CheckpointPayload payload)
    {
        byte[] headerBytes = Serialize(w =>
        {
            w.Write(header.Variant);
            w.Write(header.Declaration);
            w.Write(header.Model);
            w.Write(header.Data);
            w.Write(header.TrainSamples);
            w.Write(header.Seed);
            w.Write(header.Epochs);
            w.Write(header.BatchSize);
        });
        byte[] payloadBytes = Serialize(w =>
        {
            w.Write(payload.EpochsCompleted);
            w.Write(payload.Step);
            w.Write(payload.LoaderSeed);
            w.Write(payload.MetricsJson);
            w.Write(payload.ModelState.Length);
            w.Write(payload.ModelState);
            w.Write(payload.StepState.Length);
            w.Write(payload.StepState);
        });
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(headerBytes.Length);
        writer.Write(headerBytes);
        writer.Write((long)payloadBytes.Length);
        writer.Write(Hash(headerBytes, payloadBytes));
        writer.Write(payloadBytes);
        writer.Flush();
    }

    /// <summary>Reads and verifies a checkpoint file.</summary>
    /// <exception cref="CheckpointException">not a checkpoint, another format version, truncated, or the SHA-256 does not match.</exception>
    public static (CheckpointHeader Header, CheckpointPayload Payload) Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(path, $"cannot be read ({e.Message})");
        }
        return Parse(path, bytes);
    }

    /// <summary>Verifies <paramref name="bytes"/> as the content of checkpoint <paramref name="path"/>.</summary>
    public static (CheckpointHeader Header, CheckpointPayload Payload) Parse(string path, byte[] bytes)
    {
        int magicLength = Magic.Length;
        if (bytes.Length < magicLength + 8 || !bytes.AsSpan(0, magicLength).SequenceEqual(Magic))
            throw new CheckpointException(path, "is not a NoiseSam checkpoint (bad magic)");
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        reader.ReadBytes(magicLength);
        int version = reader.ReadInt32();
        if (version != FormatVersion)
            throw new CheckpointException(path, $"has checkpoint format version {version}; this build reads version {FormatVersion}");
        int headerLength = reader.ReadInt32();
        long afterHeader = reader.BaseStream.Position + (long)headerLength + 8 + HashLength;
        if (headerLength < 0 || afterHeader > bytes.Length)
            throw new CheckpointException(path, $"is truncated or corrupt: the header claims {headerLength} bytes, the file has {bytes.Length}");
        byte[] headerBytes = reader.ReadBytes(headerLength);
        long payloadLength = reader.ReadInt64();
        byte[] hash = reader.ReadBytes(HashLength);
        if (payloadLength < 0 || afterHeader + payloadLength != bytes.Length)
            throw new CheckpointException(path, $"is truncated or corrupt: expected {afterHeader + Math.Max(0, payloadLength)} bytes, found {bytes.Length}");
        byte[] payloadBytes = reader.ReadBytes((int)payloadLength);
        if (!Hash(headerBytes, payloadBytes).AsSpan().SequenceEqual(hash))
            throw new CheckpointException(path, "is corrupt: the SHA-256 of its content does not match the one recorded in it");

        try
        {
            var h = new BinaryReader(new MemoryStream(headerBytes, writable: false), Encoding.UTF8);
            var header = new CheckpointHeader(h.ReadString(), h.ReadString(), h.ReadString(), h.ReadString(),
                h.ReadInt32(), h.ReadInt64(), h.ReadInt32(), h.ReadInt32());
            var p = new BinaryReader(new MemoryStream(payloadBytes, writable: false), Encoding.UTF8);
            var payload = new CheckpointPayload
            {
                EpochsCompleted = p.ReadInt32(),
                Step = p.ReadInt64(),
                LoaderSeed = p.ReadInt64(),
                MetricsJson = p.ReadString(),
                ModelState = p.ReadBytes(p.ReadInt32()),
                StepState = p.ReadBytes(p.ReadInt32()),
            };
            return (header, payload);
        }
        catch (EndOfStreamException)
        {
            throw new CheckpointException(path, "is corrupt: its content ends early");
        }
    }

    private static byte[] Serialize(Action<BinaryWriter> write)
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true)) write(w);
        return ms.ToArray();
    }

    private static byte[] Hash(byte[] header, byte[] payload)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(header);
        sha.AppendData(payload);
        return sha.GetHashAndReset();
    }
}
