using System;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests.Kernels;

/// <summary>
/// One row of A times a large Bᵀ (a batch-1 dense layer) split by columns of C across threads
/// (<see cref="SgemmSmall.TryMultiplyRowParallel"/>): the same bits as one thread, on every path and thread count,
/// and the double-precision reference's values.
/// </summary>
[Collection("Sgemm threading")]
public sealed class SgemmRowParallelTests
{
    [Theory]
    [InlineData(128, 1568, 0f)]   // the CNN's 1568 → 128 layer: 64-float steps, two 16-float steps
    [InlineData(131, 1000, 0.5f)] // n not a multiple of 4 (the last part's single rows); beta keeps C
    [InlineData(2051, 40, 0f)]    // k < 64: the AVX2-style dot products on every path, 4 rows at a time
    [InlineData(133, 1003, 0f)]   // k mod 8 = 3 and n mod 8 = 5: the AVX2 one-row kernel's scalar steps and single rows
    public void Split_rows_match_one_thread_bit_for_bit_and_the_reference(int n, int k, float beta)
    {
        Assert.True((long)n * k >= SgemmSmall.ParallelRowMinimum);
        var rng = new Rng(5);
        float[] a = Fill(rng, k), b = Fill(rng, n * k), c0 = Fill(rng, n);
        float[] expected = (float[])c0.Clone();
        Sgemm.MultiplyReference(false, true, 1, n, k, 1.5f, a, k, b, k, beta, expected, n);

        foreach (string path in Sgemm.AvailablePaths)
        {
            using var scope = Sgemm.ForcePath(path);
            float[] one = Run(1);
            for (int i = 0; i < n; i++)
                Assert.True(Math.Abs(one[i] - expected[i]) <= 1e-4f * (1 + Math.Abs(expected[i])), $"{path}: C[{i}] = {one[i]}, expected {expected[i]}");
            foreach (int threads in new[] { 2, 3, 4 })
            {
                float[] many = Run(threads);
                for (int i = 0; i < n; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(one[i]) == BitConverter.SingleToInt32Bits(many[i]),
                        $"{path}, {threads} threads: C[{i}] = {many[i]:R}, one thread {one[i]:R}");
            }
        }

        float[] Run(int threads)
        {
            int saved = Sgemm.MaxThreads;
            try
            {
                Sgemm.MaxThreads = threads;
                float[] c = (float[])c0.Clone();
                Sgemm.Multiply(false, true, 1, n, k, 1.5f, a, k, b, k, beta, c, n);
                return c;
            }
            finally
            {
                Sgemm.MaxThreads = saved;
            }
        }
    }

    private static float[] Fill(Rng rng, int length)
    {
        var data = new float[length];
        for (int i = 0; i < data.Length; i++) data[i] = rng.NextUniform(-1f, 1f);
        return data;
    }
}
