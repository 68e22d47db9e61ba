namespace NoiseSam.Kernels;

/// <summary>
/// A small seeded host-side random stream (SplitMix64) whose whole state is one ulong, so it saves
/// and restores exactly. Used for decisions that must be taken on the host without a device sync:
/// the Bernoulli schedule, random micro-batch indices and ESAM-SWP tensor masks.
/// </summary>
public sealed class HostRandom
{
    public HostRandom(long seed, ulong stream) => State = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL ^ (stream + 1) * 0xD1B54A32D192ED03UL);

    /// <summary>The whole state; assign it to restore a saved stream.</summary>
    public ulong State { get; set; }

    public ulong NextUInt64()
    {
        ulong z = unchecked(State += 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, bound) without modulo bias (Lemire's method).</summary>
    public long NextInt64(long bound)
    {
        if (bound <= 0) throw new ArgumentOutOfRangeException(nameof(bound));
        ulong b = (ulong)bound;
        UInt128 m = (UInt128)NextUInt64() * b;
        ulong low = (ulong)m;
        if (low < b)
        {
            ulong threshold = unchecked(0UL - b) % b;
            while (low < threshold)
            {
                m = (UInt128)NextUInt64() * b;
                low = (ulong)m;
            }
        }
        return (long)(m >> 64);
    }

    /// <summary>The first <paramref name="count"/> entries of a uniform random permutation of 0..n−1 (partial Fisher–Yates).</summary>
    public long[] Sample(long n, long count)
    {
        var pool = new long[n];
        return SampleInto(pool, count).ToArray();
    }

    /// <summary>
    /// <see cref="Sample"/> without allocating: shuffles the first <paramref name="count"/> places of
    /// <paramref name="pool"/> (n = its length, refilled with 0..n−1 first) and returns them. The
    /// same draws, so the same rows, as <see cref="Sample"/>.
    /// </summary>
    public ReadOnlySpan<long> SampleInto(long[] pool, long count)
    {
        ArgumentNullException.ThrowIfNull(pool);
        long n = pool.Length;
        for (long i = 0; i < n; i++) pool[i] = i;
        for (long i = 0; i < count; i++)
        {
            long j = i + NextInt64(n - i);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return pool.AsSpan(0, (int)count);
    }
}
