using System;
using System.Linq;
using System.Runtime.Intrinsics.X86;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests.Kernels;

/// <summary>
/// <see cref="SgemmNarrow"/> called directly (the SGEMM path tests reach it through <see cref="Sgemm.Multiply"/> among
/// large products): C = alpha · A · Bᵀ + beta · C against a double-precision product, for every column count of one and
/// two vectors on each width, full and partial groups of eight rows, padded leading dimensions whose padding is NaN (it
/// must never be read or written), beta 0 (C's NaN ignored) and not.
/// </summary>
public sealed class SgemmNarrowTests
{
    private static void Check(bool wide, int m, int n, int k, float beta, Rng rng)
    {
        int lda = k + 2, ldb = k + 3, ldc = n + 1;
        float[] a = new float[m * lda], b = new float[n * ldb], c = new float[m * ldc];
        for (int i = 0; i < a.Length; i++) a[i] = i % lda < k ? rng.NextUniform(-1f, 1f) : float.NaN;
        for (int i = 0; i < b.Length; i++) b[i] = i % ldb < k ? rng.NextUniform(-1f, 1f) : float.NaN;
        for (int i = 0; i < c.Length; i++) c[i] = i % ldc < n ? (beta == 0f ? float.NaN : rng.NextUniform(-1f, 1f)) : -7f;
        float[] before = (float[])c.Clone();
        const float Alpha = 1.5f;
        if (wide) SgemmNarrow.Multiply512(m, n, k, Alpha, ref a[0], lda, ref b[0], ldb, beta, ref c[0], ldc);
        else SgemmNarrow.Multiply256(m, n, k, Alpha, ref a[0], lda, ref b[0], ldb, beta, ref c[0], ldc);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++) sum += (double)a[i * lda + p] * b[j * ldb + p];
                double expected = Alpha * sum + (beta == 0f ? 0 : (double)beta * before[i * ldc + j]);
                float actual = c[i * ldc + j];
                Assert.True(Math.Abs(actual - expected) <= 1e-5 * (1 + Math.Abs(expected)),
                    $"{(wide ? 512 : 256)}: {m} × {n} × {k}, beta {beta}: C[{i}, {j}] = {actual}, expected {expected}");
            }
            Assert.Equal(-7f, c[i * ldc + n]); // the padding after each row of C
        }
    }

    [Fact]
    public void Matches_a_double_product_for_every_width_of_one_and_two_vectors()
    {
        var rng = new Rng(12);
        foreach (bool wide in new[] { true, false })
        {
            if (wide ? !Avx512F.IsSupported : !(Avx2.IsSupported && Fma.IsSupported)) continue;
            int lanes = wide ? 16 : 8;
            for (int n = 1; n <= 2 * lanes; n++)
                foreach (int m in new[] { 5, 8, 13, 16 })
                    foreach (int k in new[] { 1, 7, 33 })
                        Check(wide, m, n, k, n % 3 == 0 ? 0.5f : 0f, rng);
        }
    }

    [Fact]
    public void The_copy_limit_is_k_rows_of_32_floats()
    {
        Assert.True(SgemmNarrow.Fits(SgemmNarrow.MaxCopy / 32));
        Assert.False(SgemmNarrow.Fits(SgemmNarrow.MaxCopy / 32 + 1));
        Assert.False(SgemmNarrow.Fits(int.MaxValue)); // k · 32 computed without overflow
    }
}
