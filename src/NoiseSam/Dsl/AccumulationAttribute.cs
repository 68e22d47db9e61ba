namespace NoiseSam.Dsl;

/// <summary>
/// Gradient accumulation: every pass of a step runs on the batch in <see cref="Chunks"/> consecutive
/// chunks, one after the other, and the gradients are accumulated (weighted by chunk size, so the
/// result is the mean over the batch). Peak activation memory is that of one chunk. With
/// <see cref="AccumulationAscent.PerChunk"/> each chunk also gets its own perturbation (m-SAM).
/// </summary>
/// <remarks>
/// Batch-norm layers see the statistics of one chunk per forward, as in any gradient accumulation;
/// every chunk of the pass that updates running statistics updates them (see docs/accumulation.md).
/// Not with <c>[MicroBatch]</c> or <c>[DescentSelection]</c> (NSAM014).
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class AccumulationAttribute : Attribute
{
    /// <param name="chunks">Chunks per batch, at least 1 (the batch must have at least as many rows).</param>
    public AccumulationAttribute(int chunks) => Chunks = chunks;

    /// <summary>Chunks per batch, at least 1.</summary>
    public int Chunks { get; }

    /// <summary>One perturbation for the whole batch (default) or one per chunk (m-SAM).</summary>
    public AccumulationAscent Ascent { get; set; } = AccumulationAscent.WholeBatch;
}
