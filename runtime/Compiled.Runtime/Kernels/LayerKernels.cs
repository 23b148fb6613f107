using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
    /// <exception cref="ArgumentException"><paramref name="y"/> or <paramref name="mask"/> differs in length from <paramref name="x"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="keep"/> is not in (0, 1].</exception>
    /// <exception cref="ArgumentNullException"><paramref name="rng"/> is null.</exception>
    public static void DropoutForward(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, float keep, Rng rng)
    {
        KernelChecks.SameLength(y.Length, x.Length, nameof(y), nameof(x));
        KernelChecks.SameLength(mask.Length, x.Length, nameof(mask), nameof(x));
        if (!(keep > 0f && keep <= 1f))
            throw new ArgumentOutOfRangeException(nameof(keep), keep, "The keep probability must be in (0, 1].");
        ArgumentNullException.ThrowIfNull(rng);
        float scale = 1f / keep;
        for (int i = 0; i < x.Length; i++)
        {
            float m = rng.NextFloat() < keep ? scale : 0f;
            mask[i] = m;
            y[i] = x[i] * m;
        }
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
