using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Kernels;

// Step state I/O: everything but the weights, for checkpoints and resume.
public sealed partial class SamStepCore
{
    // 2: the trainable set's fingerprint and RhoScale; version 1 (without them) still loads.
    private const int StateFormatVersion = 2;
    private static readonly byte[] StateMagic = "NSAMSTEP"u8.ToArray();

    /// <summary>Writes optimizer, schedule, direction and RNG state (not the weights).</summary>
    public void SaveState(Stream stream)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(StateMagic);
        writer.Write(StateFormatVersion);
        writer.Write(variantName);
        writer.Write(Flat.Length);
        writer.Write(TrainableFingerprint());
        writer.Write(StepCount);
        writer.Write(SkippedSteps);
        writer.Write(LearningRate);
        writer.Write(RhoScale);
        writer.Write(PreviousLoss);
        writer.Write(PreviousGradientNorm);
        writer.Write(ScheduleRandom.State);
        writer.Write(SelectionRandom.State);
        writer.Write(MaskRandom.State);
        writer.Write(statsInitialized);
        writer.Write(meanSquaredNorm);
        writer.Write(varianceSquaredNorm);
        writer.Write(noiseGenerator is not null);
        if (noiseGenerator is not null)
        {
            using var state = noiseGenerator.get_state();
            byte[] bytes = state.bytes.ToArray();
            writer.Write(bytes.Length);
            writer.Write(bytes);
        }
        writer.Write(hasDirection);
        FlatOptimizer.WriteTensor(writer, hasDirection ? direction : null);
        Optimizer.Save(writer);
    }

    // FNV-1a over the trainable tensors' names and sizes, in flat-buffer order: which parameters the
    // state (optimizer buffers, LookSAM direction) is laid out for.
    private ulong TrainableFingerprint()
    {
        ulong hash = 14695981039346656037UL;
        void Add(ulong value) => hash = (hash ^ value) * 1099511628211UL;
        foreach (var slice in Flat.Slices)
        {
            foreach (char c in slice.Name) Add(c);
            Add(0xFFFF);
            Add((ulong)slice.Length);
        }
        return hash;
    }

    /// <summary>Restores what <see cref="SaveState"/> wrote.</summary>
    /// <exception cref="InvalidDataException">Not a step state, another variant, another model or trainable set, or truncated.</exception>
    public void LoadState(Stream stream)
    {
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        try
        {
            if (!reader.ReadBytes(StateMagic.Length).AsSpan().SequenceEqual(StateMagic))
                throw new InvalidDataException("not a NoiseSam step state (bad magic)");
            int version = reader.ReadInt32();
            if (version is not (1 or StateFormatVersion))
                throw new InvalidDataException($"step state format {version} is not supported (expected 1 or {StateFormatVersion})");
            string name = reader.ReadString();
            if (name != variantName)
                throw new InvalidDataException($"step state belongs to variant '{name}', not '{variantName}'");
            long length = reader.ReadInt64();
            ulong fingerprint = version >= 2 ? reader.ReadUInt64() : TrainableFingerprint();
            if (length != Flat.Length || fingerprint != TrainableFingerprint())
                throw new InvalidDataException(
                    $"step state is for {length} trainable parameters{(length == Flat.Length ? " with other names or shapes" : "")}, this step trains {Flat.Length} " +
                    $"in {Flat.Slices.Count} tensors: the state belongs to another model, or to the same model with other parameters frozen " +
                    "(requires_grad = false); freeze the same parameters as in the saved run before building the step");
            StepCount = reader.ReadInt64();
            SkippedSteps = reader.ReadInt64();
            LearningRate = reader.ReadDouble();
            RhoScale = version >= 2 ? reader.ReadDouble() : 1.0;
            PreviousLoss = reader.ReadSingle();
            PreviousGradientNorm = reader.ReadSingle();
            ScheduleRandom.State = reader.ReadUInt64();
            SelectionRandom.State = reader.ReadUInt64();
            MaskRandom.State = reader.ReadUInt64();
            statsInitialized = reader.ReadBoolean();
            meanSquaredNorm = reader.ReadDouble();
            varianceSquaredNorm = reader.ReadDouble();
            if (reader.ReadBoolean())
            {
                byte[] bytes = reader.ReadBytes(reader.ReadInt32());
                if (noiseGenerator is null) throw new InvalidDataException("step state has a noise stream but this variant has no noise");
                using var state = torch.empty(bytes.Length, dtype: ScalarType.Byte);
                state.bytes = bytes;
                noiseGenerator.set_state(state);
            }
            hasDirection = reader.ReadBoolean();
            using (var saved = FlatOptimizer.ReadTensor(reader, Flat.Values))
                if (saved is not null) direction!.copy_(saved);
            if (hasDirection)
                using (torch.no_grad()) RefreshDirectionNorm();
            Optimizer.Load(reader, Flat.Values);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("step state is truncated");
        }
    }
}
