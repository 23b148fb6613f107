using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled.Kernels;

/// <summary>
/// <see cref="SgemmSmall"/>'s direct kernels (few rows of C, or a narrow A·Bᵀ) on the Vector128 path: WebAssembly
/// SIMD, ARM64 NEON, and x64 without AVX2. The same shapes are taken, with 128-bit vectors and multiply-then-add
/// (see <see cref="Vector128Kernel"/>). In a browser, a batch-1 dense layer is one of these calls.
/// </summary>
internal readonly struct SgemmSmall128 : IDirectProducts
{
    public static int NarrowBelow => Vector128Kernel.NR;

    /// <summary>C = alpha · A · Bᵀ + beta · C, rows of A and B contiguous in k: four rows of B share each load of A.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DotRows(int m, int n, int k, float alpha, ref float a, int lda, ref float b, int ldb,
        float beta, ref float c, int ldc)
    {
        int j = 0;
        for (; j + 4 <= n; j += 4)
        {
            ref float b0 = ref Unsafe.Add(ref b, (nint)j * ldb);
            ref float b1 = ref Unsafe.Add(ref b0, ldb);
            ref float b2 = ref Unsafe.Add(ref b1, ldb);
            ref float b3 = ref Unsafe.Add(ref b2, ldb);
            for (int i = 0; i < m; i++)
            {
                ref float ai = ref Unsafe.Add(ref a, (nint)i * lda);
                Vector128<float> s0 = default, s1 = default, s2 = default, s3 = default;
                Vector128<float> t0 = default, t1 = default, t2 = default, t3 = default;
                int p = 0;
                // Two accumulators per dot product, for the add latency.
                for (; p + 8 <= k; p += 8)
                {
                    Vector128<float> x = Vector128.LoadUnsafe(ref ai, (nuint)p), y = Vector128.LoadUnsafe(ref ai, (nuint)p + 4);
                    s0 += x * Vector128.LoadUnsafe(ref b0, (nuint)p); t0 += y * Vector128.LoadUnsafe(ref b0, (nuint)p + 4);
                    s1 += x * Vector128.LoadUnsafe(ref b1, (nuint)p); t1 += y * Vector128.LoadUnsafe(ref b1, (nuint)p + 4);
                    s2 += x * Vector128.LoadUnsafe(ref b2, (nuint)p); t2 += y * Vector128.LoadUnsafe(ref b2, (nuint)p + 4);
                    s3 += x * Vector128.LoadUnsafe(ref b3, (nuint)p); t3 += y * Vector128.LoadUnsafe(ref b3, (nuint)p + 4);
                }
                if (p + 4 <= k)
                {
                    Vector128<float> x = Vector128.LoadUnsafe(ref ai, (nuint)p);
                    s0 += x * Vector128.LoadUnsafe(ref b0, (nuint)p);
                    s1 += x * Vector128.LoadUnsafe(ref b1, (nuint)p);
                    s2 += x * Vector128.LoadUnsafe(ref b2, (nuint)p);
                    s3 += x * Vector128.LoadUnsafe(ref b3, (nuint)p);
                    p += 4;
                }
                float d0 = Vector128.Sum(s0 + t0), d1 = Vector128.Sum(s1 + t1);
                float d2 = Vector128.Sum(s2 + t2), d3 = Vector128.Sum(s3 + t3);
                for (; p < k; p++)
                {
                    float x = Unsafe.Add(ref ai, p);
                    d0 += x * Unsafe.Add(ref b0, p);
                    d1 += x * Unsafe.Add(ref b1, p);
                    d2 += x * Unsafe.Add(ref b2, p);
                    d3 += x * Unsafe.Add(ref b3, p);
                }
                ref float ci = ref Unsafe.Add(ref c, (nint)i * ldc + j);
                SgemmSmall.Finish(ref ci, d0, alpha, beta);
                SgemmSmall.Finish(ref Unsafe.Add(ref ci, 1), d1, alpha, beta);
                SgemmSmall.Finish(ref Unsafe.Add(ref ci, 2), d2, alpha, beta);
                SgemmSmall.Finish(ref Unsafe.Add(ref ci, 3), d3, alpha, beta);
            }
        }
        for (; j < n; j++)
        {
            ref float bj = ref Unsafe.Add(ref b, (nint)j * ldb);
            for (int i = 0; i < m; i++)
            {
                ref float ai = ref Unsafe.Add(ref a, (nint)i * lda);
                Vector128<float> s = default;
                int p = 0;
                for (; p + 4 <= k; p += 4) s += Vector128.LoadUnsafe(ref ai, (nuint)p) * Vector128.LoadUnsafe(ref bj, (nuint)p);
                float d = Vector128.Sum(s);
                for (; p < k; p++) d += Unsafe.Add(ref ai, p) * Unsafe.Add(ref bj, p);
                SgemmSmall.Finish(ref Unsafe.Add(ref c, (nint)i * ldc + j), d, alpha, beta);
            }
        }
    }

    /// <summary>C = alpha · op(A) · B + beta · C with rows of B contiguous in n: 16 columns of a row of C at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AxpyRows(int m, int n, int k, float alpha, ref float a, nint aStrideI, nint aStrideK,
        ref float b, int ldb, float beta, ref float c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            ref float ai = ref Unsafe.Add(ref a, i * aStrideI);
            ref float ci = ref Unsafe.Add(ref c, (nint)i * ldc);
            int j = 0;
            for (; j + 16 <= n; j += 16)
            {
                Vector128<float> s0 = default, s1 = default, s2 = default, s3 = default;
                ref float bp = ref Unsafe.Add(ref b, j);
                for (int p = 0; p < k; p++)
                {
                    Vector128<float> x = Vector128.Create(Unsafe.Add(ref ai, p * aStrideK));
                    s0 += x * Vector128.LoadUnsafe(ref bp);
                    s1 += x * Vector128.LoadUnsafe(ref bp, 4);
                    s2 += x * Vector128.LoadUnsafe(ref bp, 8);
                    s3 += x * Vector128.LoadUnsafe(ref bp, 12);
                    bp = ref Unsafe.Add(ref bp, ldb);
                }
                ref float cj = ref Unsafe.Add(ref ci, j);
                Finish(ref cj, s0, alpha, beta);
                Finish(ref Unsafe.Add(ref cj, 4), s1, alpha, beta);
                Finish(ref Unsafe.Add(ref cj, 8), s2, alpha, beta);
                Finish(ref Unsafe.Add(ref cj, 12), s3, alpha, beta);
            }
            for (; j + 4 <= n; j += 4)
            {
                Vector128<float> s = default;
                ref float bp = ref Unsafe.Add(ref b, j);
                for (int p = 0; p < k; p++)
                {
                    s += Vector128.Create(Unsafe.Add(ref ai, p * aStrideK)) * Vector128.LoadUnsafe(ref bp);
                    bp = ref Unsafe.Add(ref bp, ldb);
                }
                Finish(ref Unsafe.Add(ref ci, j), s, alpha, beta);
            }
            for (; j < n; j++)
            {
                float d = 0f;
                for (int p = 0; p < k; p++)
                    d += Unsafe.Add(ref ai, p * aStrideK) * Unsafe.Add(ref b, (nint)p * ldb + j);
                SgemmSmall.Finish(ref Unsafe.Add(ref ci, j), d, alpha, beta);
            }
        }
    }


    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(ref float c, Vector128<float> sum, float alpha, float beta)
    {
        Vector128<float> scaled = sum * Vector128.Create(alpha);
        if (beta != 0f) scaled += Vector128.Create(beta) * Vector128.LoadUnsafe(ref c);
        scaled.StoreUnsafe(ref c);
    }
}
