using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled.Kernels;

/// <summary>Small kernels that generated layer code calls: bias gradients, dropout, initialization.</summary>
public static class LayerKernels
{
    /// <summary>sums[j] = Σ_r m[r, j] over a row-major [rows × columns] matrix (the bias gradient Σ_batch dz).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> or <paramref name="columns"/> is negative.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="m"/> holds fewer than rows · columns values, or <paramref name="sums"/> does not hold exactly
    /// <paramref name="columns"/>.
    /// </exception>
    public static void SumRows(ReadOnlySpan<float> m, int rows, int columns, Span<float> sums)
    {
        // In long: rows · columns may wrap in int (65537 × 65536 = 2³² + 65536 reads as 65536).
        KernelChecks.AtLeast(m.Length, rows, columns, nameof(m), nameof(rows), nameof(columns));
        KernelChecks.SameLength(sums.Length, columns, nameof(sums), nameof(columns));
        sums.Clear();
        ref float s = ref MemoryMarshal.GetReference(sums);
        for (int r = 0; r < rows; r++)
        {
            ref float row = ref Unsafe.Add(ref MemoryMarshal.GetReference(m), (nint)r * columns);
            int j = 0;
            if (Vector.IsHardwareAccelerated)
                for (; j <= columns - Vector<float>.Count; j += Vector<float>.Count)
                    (Vector.LoadUnsafe(ref s, (nuint)j) + Vector.LoadUnsafe(ref row, (nuint)j)).StoreUnsafe(ref s, (nuint)j);
            for (; j < columns; j++) Unsafe.Add(ref s, j) += Unsafe.Add(ref row, j);
        }
    }

    /// <summary>
    /// Inverted dropout, training mode: mask_i = 1/keep with probability keep, else 0; y = x ⊙ mask.
    /// </summary>
    /// <remarks>
    /// One 64-bit draw from <paramref name="rng"/> per call (so the network's generator, which checkpoints save, advances
    /// once per dropout layer and step); element i keeps its value when u_i / 2²⁴ &lt; keep, u_i the top 24 bits of a hash
    /// of (that draw, i): two rounds of a 32-bit integer mixer (Wellons' lowbias32), the draw's halves added and xored
    /// in. Each element's decision depends on the draw and its index alone, so the mask is computed eight elements at
    /// a time with the same bits as one by one (a thread forced onto the scalar path takes the scalar loop: the tests
    /// compare them). Why not one <see cref="Rng.NextFloat"/> per element, as before: that chain of dependent state
    /// updates took 27 µs for a 32 × 256 batch on Zen 5, a ninth of a 784-256-10 training step, all on one thread.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="y"/> or <paramref name="mask"/> differs in length from <paramref name="x"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="keep"/> is not in (0, 1].</exception>
    /// <exception cref="ArgumentNullException"><paramref name="rng"/> is null.</exception>
    public static void DropoutForward(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, float keep, Rng rng)
    {
        CheckDropout(x, y, mask, keep);
        ArgumentNullException.ThrowIfNull(rng);
        Dropout(x, y, mask, keep, rng.NextUInt64(), 0);
    }

    private static void CheckDropout(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, float keep)
    {
        KernelChecks.SameLength(y.Length, x.Length, nameof(y), nameof(x));
        KernelChecks.SameLength(mask.Length, x.Length, nameof(mask), nameof(x));
        if (!(keep > 0f && keep <= 1f))
            throw new ArgumentOutOfRangeException(nameof(keep), keep, "The keep probability must be in (0, 1].");
    }

    /// <summary>
    /// Inverted dropout over part of a batch: elements <paramref name="firstIndex"/> … <paramref name="firstIndex"/> +
    /// x.Length − 1 of the mask that the draw <paramref name="key"/> gives a whole batch (see the overload that draws it),
    /// so the batch's rows can be shared among threads with the same mask as in one call.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="y"/> or <paramref name="mask"/> differs in length from <paramref name="x"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="keep"/> is not in (0, 1], or <paramref name="firstIndex"/> is negative.</exception>
    public static void DropoutForward(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, float keep, ulong key, int firstIndex)
    {
        CheckDropout(x, y, mask, keep);
        ArgumentOutOfRangeException.ThrowIfNegative(firstIndex);
        Dropout(x, y, mask, keep, key, firstIndex);
    }

    /// <summary>Both overloads' mask and product, after their checks.</summary>
    private static void Dropout(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, float keep, ulong key, int firstIndex)
    {
        float scale = 1f / keep;
        uint k0 = (uint)key, k1 = (uint)(key >> 32), first = (uint)firstIndex;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && Sgemm.CurrentPath != "scalar")
        {
            Vector256<uint> index = Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7) + Vector256.Create(first), step = Vector256.Create(8u);
            Vector256<float> vkeep = Vector256.Create(keep), vscale = Vector256.Create(scale), unit = Vector256.Create(1f / (1 << 24));
            for (; i <= x.Length - 8; i += 8, index += step)
            {
                Vector256<float> u = Vector256.ConvertToSingle(Vector256.ShiftRightLogical(MaskHash(index, k0, k1), 8).AsInt32()) * unit;
                Vector256<float> m = Vector256.ConditionalSelect(Vector256.LessThan(u, vkeep), vscale, Vector256<float>.Zero);
                m.StoreUnsafe(ref MemoryMarshal.GetReference(mask), (nuint)i);
                (Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(x), (nuint)i) * m).StoreUnsafe(ref MemoryMarshal.GetReference(y), (nuint)i);
            }
        }
        for (; i < x.Length; i++)
        {
            float u = (MaskHash(first + (uint)i, k0, k1) >> 8) * (1f / (1 << 24));
            float m = u < keep ? scale : 0f;
            mask[i] = m;
            y[i] = x[i] * m;
        }
    }

    /// <summary>Dropout's hash of element index i under the key (k0, k1): two rounds of lowbias32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint MaskHash(uint i, uint k0, uint k1)
    {
        uint h = i * 0x9E3779B9u + k0;
        h ^= h >> 16; h *= 0x7FEB352Du; h ^= h >> 15; h *= 0x846CA68Bu; h ^= h >> 16;
        h ^= k1;
        h ^= h >> 16; h *= 0x7FEB352Du; h ^= h >> 15; h *= 0x846CA68Bu; h ^= h >> 16;
        return h;
    }

    /// <summary><see cref="MaskHash(uint, uint, uint)"/> of eight indices at once, the same in every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> MaskHash(Vector256<uint> i, uint k0, uint k1)
    {
        Vector256<uint> m1 = Vector256.Create(0x7FEB352Du), m2 = Vector256.Create(0x846CA68Bu);
        Vector256<uint> h = i * Vector256.Create(0x9E3779B9u) + Vector256.Create(k0);
        h ^= Vector256.ShiftRightLogical(h, 16); h *= m1; h ^= Vector256.ShiftRightLogical(h, 15); h *= m2; h ^= Vector256.ShiftRightLogical(h, 16);
        h ^= Vector256.Create(k1);
        h ^= Vector256.ShiftRightLogical(h, 16); h *= m1; h ^= Vector256.ShiftRightLogical(h, 15); h *= m2; h ^= Vector256.ShiftRightLogical(h, 16);
        return h;
    }

    /// <summary>dx = dy ⊙ mask: dropout's backward pass.</summary>
    /// <exception cref="ArgumentException"><paramref name="b"/> or <paramref name="result"/> differs in length from <paramref name="a"/>.</exception>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> result)
    {
        KernelChecks.SameLength(b.Length, a.Length, nameof(b), nameof(a));
        KernelChecks.SameLength(result.Length, a.Length, nameof(result), nameof(a));
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rr = ref MemoryMarshal.GetReference(result);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
            for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
                (Vector.LoadUnsafe(ref ra, (nuint)i) * Vector.LoadUnsafe(ref rb, (nuint)i)).StoreUnsafe(ref rr, (nuint)i);
        for (; i < a.Length; i++) Unsafe.Add(ref rr, i) = Unsafe.Add(ref ra, i) * Unsafe.Add(ref rb, i);
    }

    /// <summary>
    /// A layer's weight penalties: returns l1·Σ|w| + l2·Σw² (summed in double, in order) and adds its derivative,
    /// l1·sign(w) + 2·l2·w, to <paramref name="gradient"/> (sign(0) = 0: the subgradient that leaves a zero weight alone).
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static double AddWeightPenalty(ReadOnlySpan<float> weights, Span<float> gradient, float l1, float l2)
    {
        KernelChecks.SameLength(gradient.Length, weights.Length, nameof(gradient), nameof(weights));
        double penalty = 0;
        float twiceL2 = 2 * l2;
        for (int i = 0; i < weights.Length; i++)
        {
            float w = weights[i];
            penalty += l1 * (double)Math.Abs(w) + l2 * (double)w * w;
            gradient[i] += l1 * (w > 0 ? 1f : w < 0 ? -1f : 0f) + twiceL2 * w; // NaN: no throw, NaN flows on
        }
        return penalty;
    }

    /// <summary>Fills <paramref name="weights"/> from U(−limit, limit).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="rng"/> is null.</exception>
    public static void InitializeUniform(Span<float> weights, float limit, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        for (int i = 0; i < weights.Length; i++) weights[i] = rng.NextUniform(-limit, limit);
    }

    /// <summary>Fills <paramref name="weights"/> from N(0, std²).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="rng"/> is null.</exception>
    public static void InitializeNormal(Span<float> weights, float std, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        for (int i = 0; i < weights.Length; i++) weights[i] = std * rng.NextGaussian();
    }
}
