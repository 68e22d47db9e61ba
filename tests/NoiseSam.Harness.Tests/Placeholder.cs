namespace NoiseSam.Harness.Tests;

/// <summary>
/// Tests that train with TorchSharp share process-wide state (intra-op thread count, the global
/// generator): they run one at a time in this collection so that timings and bit-identity hold.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchCollection
{
    public const string Name = "Torch (serial)";
}
