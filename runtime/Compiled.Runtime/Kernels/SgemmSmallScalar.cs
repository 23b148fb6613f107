using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Compiled.Kernels;

/// <summary>
/// <see cref="SgemmSmall"/>'s shapes (few rows of C, or a narrow A·Bᵀ) on the scalar path (no usable SIMD:
/// <c>DOTNET_EnableHWIntrinsic=0</c>, or a WebAssembly runtime without SIMD): plain loops without packing. Packing a
/// dense layer's weights for a batch of one cost more than the product: a 1×256×784 A·Bᵀ took 242 µs through the
/// blocked kernel and takes 56 µs here (Zen 5, one thread; docs/performance.md).
/// </summary>
internal readonly struct SgemmSmallScalar : IDirectProducts
{
    public static int NarrowBelow => ScalarKernel.NR;

    /// <summary>C = alpha · A · Bᵀ + beta · C: each element a dot product, four partial sums for the add latency.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DotRows(int m, int n, int k, float alpha, ref float a, int lda, ref float b, int ldb,
        float beta, ref float c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            ref float ai = ref Unsafe.Add(ref a, (nint)i * lda);
            for (int j = 0; j < n; j++)
            {
                ref float bj = ref Unsafe.Add(ref b, (nint)j * ldb);
                float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                int p = 0;
                for (; p + 4 <= k; p += 4)
                {
                    s0 += Unsafe.Add(ref ai, p) * Unsafe.Add(ref bj, p);
                    s1 += Unsafe.Add(ref ai, p + 1) * Unsafe.Add(ref bj, p + 1);
                    s2 += Unsafe.Add(ref ai, p + 2) * Unsafe.Add(ref bj, p + 2);
                    s3 += Unsafe.Add(ref ai, p + 3) * Unsafe.Add(ref bj, p + 3);
                }
                float d = (s0 + s1) + (s2 + s3);
                for (; p < k; p++) d += Unsafe.Add(ref ai, p) * Unsafe.Add(ref bj, p);
                SgemmSmall.Finish(ref Unsafe.Add(ref c, (nint)i * ldc + j), d, alpha, beta);
            }
        }
    }

    /// <summary>C = alpha · op(A) · B + beta · C with rows of B contiguous in n: four columns of a row of C at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AxpyRows(int m, int n, int k, float alpha, ref float a, nint aStrideI, nint aStrideK,
        ref float b, int ldb, float beta, ref float c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            ref float ai = ref Unsafe.Add(ref a, i * aStrideI);
            ref float ci = ref Unsafe.Add(ref c, (nint)i * ldc);
            int j = 0;
            for (; j + 4 <= n; j += 4)
            {
                float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                ref float bp = ref Unsafe.Add(ref b, j);
                for (int p = 0; p < k; p++)
                {
                    float x = Unsafe.Add(ref ai, p * aStrideK);
                    s0 += x * bp;
                    s1 += x * Unsafe.Add(ref bp, 1);
                    s2 += x * Unsafe.Add(ref bp, 2);
                    s3 += x * Unsafe.Add(ref bp, 3);
                    bp = ref Unsafe.Add(ref bp, ldb);
                }
                SgemmSmall.Finish(ref Unsafe.Add(ref ci, j), s0, alpha, beta);
                SgemmSmall.Finish(ref Unsafe.Add(ref ci, j + 1), s1, alpha, beta);
                SgemmSmall.Finish(ref Unsafe.Add(ref ci, j + 2), s2, alpha, beta);
                SgemmSmall.Finish(ref Unsafe.Add(ref ci, j + 3), s3, alpha, beta);
            }
            for (; j < n; j++)
            {
                float d = 0f;
                for (int p = 0; p < k; p++) d += Unsafe.Add(ref ai, p * aStrideK) * Unsafe.Add(ref b, (nint)p * ldb + j);
                SgemmSmall.Finish(ref Unsafe.Add(ref ci, j), d, alpha, beta);
            }
        }
    }

}
