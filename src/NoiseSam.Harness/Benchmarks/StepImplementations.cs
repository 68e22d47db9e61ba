namespace NoiseSam.Harness.Benchmarks;

/// <summary>What a <see cref="StepTiming.Implementation"/> can be.</summary>
public static class StepImplementations
{
    public const string Generated = "generated";
    public const string Engine = "engine";
    /// <summary>SAM as a TorchSharp user would write it (<see cref="HandWrittenSam"/>).</summary>
    public const string HandWritten = "hand-written";
    /// <summary>The least a micro-batch variant can cost here (<see cref="MicroBatchFloor"/>).</summary>
    public const string Floor = "floor";

    /// <summary>True for a NoiseSam step (generated or engine), false for a yardstick timed beside it.</summary>
    public static bool IsOurs(string implementation) => implementation is Generated or Engine;
}
