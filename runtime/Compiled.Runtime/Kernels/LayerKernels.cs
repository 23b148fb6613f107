using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Compiled.Kernels;

/// <summary>Small kernels that generated layer code calls: bias gradients, dropout, initialization.</summary>
public static class LayerKernels
{
    /// <summary>sums[j] = Σ_r m[r, j] over a row-major [rows × columns] matrix (the bias gradient Σ_batch dz).</summary>
    public static void SumRows(ReadOnlySpan<float> m, int rows, int columns, Span<float> sums)
    {
        if (m.Length < rows * columns) throw new ArgumentException("Matrix too short.", nameof(m));
        if (sums.Length != columns) throw new ArgumentException("Sum length must equal the column count.", nameof(sums));
        sums.Clear();
        ref float s = ref MemoryMarshal.GetReference(sums);
        for (int r = 0; r < rows; r++)
        {
            ref float row = ref Unsafe.Add(ref MemoryMarshal.GetReference(m), r * columns);
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
    public static void DropoutForward(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, float keep, Rng rng)
    {
        float scale = 1f / keep;
        for (int i = 0; i < x.Length; i++)
        {
            float m = rng.NextFloat() < keep ? scale : 0f;
            mask[i] = m;
            y[i] = x[i] * m;
        }
    }

    /// <summary>dx = dy ⊙ mask: dropout's backward pass.</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> result)
    {
        if (a.Length != b.Length || result.Length != a.Length) throw new ArgumentException("Lengths differ.");
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rr = ref MemoryMarshal.GetReference(result);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
            for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
                (Vector.LoadUnsafe(ref ra, (nuint)i) * Vector.LoadUnsafe(ref rb, (nuint)i)).StoreUnsafe(ref rr, (nuint)i);
        for (; i < a.Length; i++) Unsafe.Add(ref rr, i) = Unsafe.Add(ref ra, i) * Unsafe.Add(ref rb, i);
    }

    /// <summary>Fills <paramref name="weights"/> from U(−limit, limit).</summary>
    public static void InitializeUniform(Span<float> weights, float limit, Rng rng)
    {
        for (int i = 0; i < weights.Length; i++) weights[i] = rng.NextUniform(-limit, limit);
    }

    /// <summary>Fills <paramref name="weights"/> from N(0, std²).</summary>
    public static void InitializeNormal(Span<float> weights, float std, Rng rng)
    {
        for (int i = 0; i < weights.Length; i++) weights[i] = std * rng.NextGaussian();
    }
}
