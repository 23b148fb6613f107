using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Compiled.Kernels;

/// <summary>
/// C = alpha · A · Bᵀ + beta · C when C is narrower than the blocked kernel's NR and has more rows than the
/// few-row kernels take: a classifier's output layer over a batch (128 × 256 × 10). Bᵀ is copied once per call into
/// k rows of one or two vectors (zero-padded: 10 columns fill 10 of 16 lanes), then eight rows of A at a time, read in
/// place, each k step broadcasting A[i, p] against those vectors: no horizontal sums, A read once, and every
/// multiply-add lane but the padding useful. The blocked kernel would pad 10 columns to 32; the dot products of
/// <c>SgemmSmall</c> re-read each row of A per four columns and end every element with a horizontal sum. Measured on
/// Zen 5 (one thread, 128 × 256 × 10): see docs/performance.md.
/// </summary>
internal static class SgemmNarrow
{
    [ThreadStatic] private static float[]? t_transposed;

    /// <summary>
    /// Whether Bᵀ of depth <paramref name="k"/> fits the copy (k rows of up to 32 floats in one array); deeper
    /// products take the dot products instead.
    /// </summary>
    public static bool Fits(int k) => (long)k * 32 <= MaxCopy;

    /// <summary>Floats in the largest copy of Bᵀ, kept per thread: 16 MB, k ≤ 131,072.</summary>
    internal const int MaxCopy = 1 << 22;

    /// <summary>AVX-512: n ≤ 32 columns in one or two 16-lane vectors.</summary>
    public static void Multiply512(int m, int n, int k, float alpha, ref float a, int lda, ref float b, int ldb,
        float beta, ref float c, int ldc) => Multiply<Tiles512>(m, n, k, alpha, ref a, lda, ref b, ldb, beta, ref c, ldc);

    /// <summary>AVX2: n ≤ 16 columns in one or two 8-lane vectors.</summary>
    public static void Multiply256(int m, int n, int k, float alpha, ref float a, int lda, ref float b, int ldb,
        float beta, ref float c, int ldc) => Multiply<Tiles256>(m, n, k, alpha, ref a, lda, ref b, ldb, beta, ref c, ldc);

    /// <summary>The driver: Bᵀ copied once, then groups of eight rows of A through the width's register tiles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Multiply<TTiles>(int m, int n, int k, float alpha, ref float a, int lda, ref float b, int ldb,
        float beta, ref float c, int ldc) where TTiles : struct, ITiles
    {
        int width = n <= TTiles.Lanes ? TTiles.Lanes : 2 * TTiles.Lanes;
        ref float bt = ref Transpose(n, k, ref b, ldb, width);
        Span<float> tile = stackalloc float[8 * 32];
        ref float t = ref MemoryMarshal.GetReference(tile);
        for (int i = 0; i < m; i += 8)
        {
            int rows = Math.Min(8, m - i);
            ref float ai = ref Unsafe.Add(ref a, (nint)i * lda);
            if (width == TTiles.Lanes) TTiles.OneVector(rows, k, ref ai, lda, ref bt, ref t);
            else TTiles.TwoVectors(rows, k, ref ai, lda, ref bt, ref t);
            Finish(rows, n, width, ref t, alpha, beta, ref Unsafe.Add(ref c, (nint)i * ldc), ldc);
        }
    }

    /// <summary>A vector width's register tiles: eight rows of A against one or two vectors of Bᵀ columns.</summary>
    private interface ITiles
    {
        static abstract int Lanes { get; }
        static abstract void OneVector(int rows, int k, ref float a, nint lda, ref float bt, ref float tile);
        static abstract void TwoVectors(int rows, int k, ref float a, nint lda, ref float bt, ref float tile);
    }

    private readonly struct Tiles512 : ITiles
    {
        public static int Lanes => 16;
        public static void OneVector(int rows, int k, ref float a, nint lda, ref float bt, ref float tile) => Rows512x1(rows, k, ref a, lda, ref bt, ref tile);
        public static void TwoVectors(int rows, int k, ref float a, nint lda, ref float bt, ref float tile) => Rows512x2(rows, k, ref a, lda, ref bt, ref tile);
    }

    private readonly struct Tiles256 : ITiles
    {
        public static int Lanes => 8;
        public static void OneVector(int rows, int k, ref float a, nint lda, ref float bt, ref float tile) => Rows256x1(rows, k, ref a, lda, ref bt, ref tile);
        public static void TwoVectors(int rows, int k, ref float a, nint lda, ref float bt, ref float tile) => Rows256x2(rows, k, ref a, lda, ref bt, ref tile);
    }

    /// <summary>Bᵀ[p, j] = B[j, p] for j &lt; n, 0 up to <paramref name="width"/>: k rows of width floats, per thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ref float Transpose(int n, int k, ref float b, int ldb, int width)
    {
        int length = k * width;
        float[]? buffer = t_transposed;
        if (buffer is null || buffer.Length < length) t_transposed = buffer = new float[Math.Max(length, 4096)];
        ref float bt = ref MemoryMarshal.GetArrayDataReference(buffer);
        MemoryMarshal.CreateSpan(ref bt, length).Clear();
        for (int j = 0; j < n; j++)
        {
            ref float row = ref Unsafe.Add(ref b, (nint)j * ldb);
            for (int p = 0; p < k; p++) Unsafe.Add(ref bt, (nint)p * width + j) = Unsafe.Add(ref row, p);
        }
        return ref bt;
    }

    /// <summary>
    /// tile[r, 0..15] = Σₚ A[r, p] · Bᵀ[p, 0..15] for r &lt; rows (≤ 8): eight accumulators, enough multiply-adds in
    /// flight to cover their latency on two ports. Rows past <paramref name="rows"/> repeat the last row (read, never
    /// stored), so the loop has no branch and reads nothing outside A.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows512x1(int rows, int k, ref float a, nint lda, ref float bt, ref float tile)
    {
        nint o1 = Row(1, rows, lda), o2 = Row(2, rows, lda), o3 = Row(3, rows, lda);
        nint o4 = Row(4, rows, lda), o5 = Row(5, rows, lda), o6 = Row(6, rows, lda), o7 = Row(7, rows, lda);
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        Vector512<float> s4 = default, s5 = default, s6 = default, s7 = default;
        for (int p = 0; p < k; p++)
        {
            Vector512<float> v = Vector512.LoadUnsafe(ref bt, (nuint)p * 16);
            s0 = Avx512F.FusedMultiplyAdd(Vector512.Create(a), v, s0);
            s1 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a, o1)), v, s1);
            s2 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a, o2)), v, s2);
            s3 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a, o3)), v, s3);
            s4 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a, o4)), v, s4);
            s5 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a, o5)), v, s5);
            s6 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a, o6)), v, s6);
            s7 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a, o7)), v, s7);
            a = ref Unsafe.Add(ref a, 1);
        }
        s0.StoreUnsafe(ref tile, 0); s1.StoreUnsafe(ref tile, 16); s2.StoreUnsafe(ref tile, 32); s3.StoreUnsafe(ref tile, 48);
        s4.StoreUnsafe(ref tile, 64); s5.StoreUnsafe(ref tile, 80); s6.StoreUnsafe(ref tile, 96); s7.StoreUnsafe(ref tile, 112);
    }

    /// <summary>The same for 17–32 columns: two vectors per row, sixteen accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows512x2(int rows, int k, ref float a, nint lda, ref float bt, ref float tile)
    {
        nint o1 = Row(1, rows, lda), o2 = Row(2, rows, lda), o3 = Row(3, rows, lda);
        nint o4 = Row(4, rows, lda), o5 = Row(5, rows, lda), o6 = Row(6, rows, lda), o7 = Row(7, rows, lda);
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        Vector512<float> u0 = default, u1 = default, u2 = default, u3 = default, u4 = default, u5 = default, u6 = default, u7 = default;
        for (int p = 0; p < k; p++)
        {
            Vector512<float> v = Vector512.LoadUnsafe(ref bt, (nuint)p * 32), w = Vector512.LoadUnsafe(ref bt, (nuint)p * 32 + 16);
            Vector512<float> x = Vector512.Create(a);
            s0 = Avx512F.FusedMultiplyAdd(x, v, s0); u0 = Avx512F.FusedMultiplyAdd(x, w, u0);
            x = Vector512.Create(Unsafe.Add(ref a, o1));
            s1 = Avx512F.FusedMultiplyAdd(x, v, s1); u1 = Avx512F.FusedMultiplyAdd(x, w, u1);
            x = Vector512.Create(Unsafe.Add(ref a, o2));
            s2 = Avx512F.FusedMultiplyAdd(x, v, s2); u2 = Avx512F.FusedMultiplyAdd(x, w, u2);
            x = Vector512.Create(Unsafe.Add(ref a, o3));
            s3 = Avx512F.FusedMultiplyAdd(x, v, s3); u3 = Avx512F.FusedMultiplyAdd(x, w, u3);
            x = Vector512.Create(Unsafe.Add(ref a, o4));
            s4 = Avx512F.FusedMultiplyAdd(x, v, s4); u4 = Avx512F.FusedMultiplyAdd(x, w, u4);
            x = Vector512.Create(Unsafe.Add(ref a, o5));
            s5 = Avx512F.FusedMultiplyAdd(x, v, s5); u5 = Avx512F.FusedMultiplyAdd(x, w, u5);
            x = Vector512.Create(Unsafe.Add(ref a, o6));
            s6 = Avx512F.FusedMultiplyAdd(x, v, s6); u6 = Avx512F.FusedMultiplyAdd(x, w, u6);
            x = Vector512.Create(Unsafe.Add(ref a, o7));
            s7 = Avx512F.FusedMultiplyAdd(x, v, s7); u7 = Avx512F.FusedMultiplyAdd(x, w, u7);
            a = ref Unsafe.Add(ref a, 1);
        }
        s0.StoreUnsafe(ref tile, 0); u0.StoreUnsafe(ref tile, 16); s1.StoreUnsafe(ref tile, 32); u1.StoreUnsafe(ref tile, 48);
        s2.StoreUnsafe(ref tile, 64); u2.StoreUnsafe(ref tile, 80); s3.StoreUnsafe(ref tile, 96); u3.StoreUnsafe(ref tile, 112);
        s4.StoreUnsafe(ref tile, 128); u4.StoreUnsafe(ref tile, 144); s5.StoreUnsafe(ref tile, 160); u5.StoreUnsafe(ref tile, 176);
        s6.StoreUnsafe(ref tile, 192); u6.StoreUnsafe(ref tile, 208); s7.StoreUnsafe(ref tile, 224); u7.StoreUnsafe(ref tile, 240);
    }

    /// <summary><see cref="Rows512x1"/> in 8 lanes (AVX2 + FMA): n ≤ 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows256x1(int rows, int k, ref float a, nint lda, ref float bt, ref float tile)
    {
        nint o1 = Row(1, rows, lda), o2 = Row(2, rows, lda), o3 = Row(3, rows, lda);
        nint o4 = Row(4, rows, lda), o5 = Row(5, rows, lda), o6 = Row(6, rows, lda), o7 = Row(7, rows, lda);
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
        Vector256<float> s4 = default, s5 = default, s6 = default, s7 = default;
        for (int p = 0; p < k; p++)
        {
            Vector256<float> v = Vector256.LoadUnsafe(ref bt, (nuint)p * 8);
            s0 = Fma.MultiplyAdd(Vector256.Create(a), v, s0);
            s1 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref a, o1)), v, s1);
            s2 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref a, o2)), v, s2);
            s3 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref a, o3)), v, s3);
            s4 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref a, o4)), v, s4);
            s5 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref a, o5)), v, s5);
            s6 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref a, o6)), v, s6);
            s7 = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref a, o7)), v, s7);
            a = ref Unsafe.Add(ref a, 1);
        }
        s0.StoreUnsafe(ref tile, 0); s1.StoreUnsafe(ref tile, 8); s2.StoreUnsafe(ref tile, 16); s3.StoreUnsafe(ref tile, 24);
        s4.StoreUnsafe(ref tile, 32); s5.StoreUnsafe(ref tile, 40); s6.StoreUnsafe(ref tile, 48); s7.StoreUnsafe(ref tile, 56);
    }

    /// <summary><see cref="Rows512x2"/> in 8 lanes (AVX2 + FMA): 9–16 columns, sixteen accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows256x2(int rows, int k, ref float a, nint lda, ref float bt, ref float tile)
    {
        nint o1 = Row(1, rows, lda), o2 = Row(2, rows, lda), o3 = Row(3, rows, lda);
        nint o4 = Row(4, rows, lda), o5 = Row(5, rows, lda), o6 = Row(6, rows, lda), o7 = Row(7, rows, lda);
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        Vector256<float> u0 = default, u1 = default, u2 = default, u3 = default, u4 = default, u5 = default, u6 = default, u7 = default;
        for (int p = 0; p < k; p++)
        {
            Vector256<float> v = Vector256.LoadUnsafe(ref bt, (nuint)p * 16), w = Vector256.LoadUnsafe(ref bt, (nuint)p * 16 + 8);
            Vector256<float> x = Vector256.Create(a);
            s0 = Fma.MultiplyAdd(x, v, s0); u0 = Fma.MultiplyAdd(x, w, u0);
            x = Vector256.Create(Unsafe.Add(ref a, o1));
            s1 = Fma.MultiplyAdd(x, v, s1); u1 = Fma.MultiplyAdd(x, w, u1);
            x = Vector256.Create(Unsafe.Add(ref a, o2));
            s2 = Fma.MultiplyAdd(x, v, s2); u2 = Fma.MultiplyAdd(x, w, u2);
            x = Vector256.Create(Unsafe.Add(ref a, o3));
            s3 = Fma.MultiplyAdd(x, v, s3); u3 = Fma.MultiplyAdd(x, w, u3);
            x = Vector256.Create(Unsafe.Add(ref a, o4));
            s4 = Fma.MultiplyAdd(x, v, s4); u4 = Fma.MultiplyAdd(x, w, u4);
            x = Vector256.Create(Unsafe.Add(ref a, o5));
            s5 = Fma.MultiplyAdd(x, v, s5); u5 = Fma.MultiplyAdd(x, w, u5);
            x = Vector256.Create(Unsafe.Add(ref a, o6));
            s6 = Fma.MultiplyAdd(x, v, s6); u6 = Fma.MultiplyAdd(x, w, u6);
            x = Vector256.Create(Unsafe.Add(ref a, o7));
            s7 = Fma.MultiplyAdd(x, v, s7); u7 = Fma.MultiplyAdd(x, w, u7);
            a = ref Unsafe.Add(ref a, 1);
        }
        s0.StoreUnsafe(ref tile, 0); u0.StoreUnsafe(ref tile, 8); s1.StoreUnsafe(ref tile, 16); u1.StoreUnsafe(ref tile, 24);
        s2.StoreUnsafe(ref tile, 32); u2.StoreUnsafe(ref tile, 40); s3.StoreUnsafe(ref tile, 48); u3.StoreUnsafe(ref tile, 56);
        s4.StoreUnsafe(ref tile, 64); u4.StoreUnsafe(ref tile, 72); s5.StoreUnsafe(ref tile, 80); u5.StoreUnsafe(ref tile, 88);
        s6.StoreUnsafe(ref tile, 96); u6.StoreUnsafe(ref tile, 104); s7.StoreUnsafe(ref tile, 112); u7.StoreUnsafe(ref tile, 120);
    }

    /// <summary>Offset of row r of the group, or of its last row when the group has fewer than r + 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint Row(int r, int rows, nint lda) => Math.Min(r, rows - 1) * lda;

    /// <summary>C[r, j] = alpha · tile[r, j] (+ beta · C[r, j] unless beta is 0) for the group's valid rows and columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Finish(int rows, int n, int width, ref float tile, float alpha, float beta, ref float c, int ldc)
    {
        for (int r = 0; r < rows; r++)
        {
            ref float from = ref Unsafe.Add(ref tile, r * width);
            ref float to = ref Unsafe.Add(ref c, (nint)r * ldc);
            for (int j = 0; j < n; j++) SgemmSmall.Finish(ref Unsafe.Add(ref to, j), Unsafe.Add(ref from, j), alpha, beta);
        }
    }
}
