namespace NoiseSam.Tests;

/// <summary>TorchSharp tests share the global thread count and RNG: run them one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchCollection
{
    public const string Name = "TorchSharp";
}
