using System;

namespace Compiled;

/// <summary>
/// A small, fast, deterministic random number generator (xoshiro256**, seeded through SplitMix64).
/// The same seed gives the same sequence on every machine and every run: initialization, dropout
/// masks and shuffling are reproducible from a seed. Not thread-safe; not for cryptography.
/// </summary>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>
    /// Creates a generator from a seed of the type the rest of the API uses (networks, splits, loaders,
    /// <see cref="FitOptions.Seed"/>): the same sequence as <see cref="Rng(ulong)"/> of the seed's bits.
    /// </summary>
    public Rng(long seed)
        : this(unchecked((ulong)seed))
    {
    }

    /// <summary>Creates a generator whose whole sequence is determined by <paramref name="seed"/>.</summary>
    public Rng(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

    /// <summary>The next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A float uniformly distributed in [0, 1), with 24 bits of precision.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>A double uniformly distributed in [0, 1), with 53 bits of precision.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A float uniformly distributed in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public float NextUniform(float low, float high) => low + (high - low) * NextFloat();

    /// <summary>An integer uniformly distributed in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "Must be positive.");
        // Lemire's multiply-shift with rejection.
        ulong range = (ulong)maxExclusive;
        ulong threshold = (0UL - range) % range;
        while (true)
        {
            ulong r = NextUInt64() >> 32;
            ulong m = r * range;
            if ((m & 0xFFFFFFFFUL) >= (threshold & 0xFFFFFFFFUL) || threshold == 0) return (int)(m >> 32);
        }
    }

    /// <summary>A normally distributed float (mean 0, standard deviation 1), by Box–Muller.</summary>
    public float NextGaussian()
    {
        double u1 = 1.0 - NextDouble(); // (0, 1]: log is finite
        double u2 = NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }

    /// <summary>Copies the generator's four words of state into <paramref name="state"/> (training checkpoints).</summary>
    internal void CopyState(Span<ulong> state)
    {
        state[0] = _s0; state[1] = _s1; state[2] = _s2; state[3] = _s3;
    }

    /// <summary>Continues from four words copied by <see cref="CopyState"/>: the same sequence as the generator they came from.</summary>
    /// <exception cref="ArgumentException">All four are zero (xoshiro's one invalid state, never reached from a seed).</exception>
    internal void RestoreState(ReadOnlySpan<ulong> state)
    {
        if ((state[0] | state[1] | state[2] | state[3]) == 0)
            throw new ArgumentException("An all-zero generator state is invalid (xoshiro256** would return zeros forever).", nameof(state));
        (_s0, _s1, _s2, _s3) = (state[0], state[1], state[2], state[3]);
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates); allocation-free.</summary>
    public void Shuffle(Span<int> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
