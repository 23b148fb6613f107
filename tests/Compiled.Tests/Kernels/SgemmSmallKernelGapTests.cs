using System;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests.Kernels;

/// <summary>
/// The direct small-m kernels of the Vector128 and scalar paths (<see cref="SgemmSmall128"/>, <see cref="SgemmSmallScalar"/>)
/// written against their mutation run's survivors (docs/mutation.md): C a prefix of a longer array whose tail must stay
/// untouched (a row loop that ran once too often wrote one row past C, which SgemmEdgeTests' padding between rows does
/// not see), with every element against a product in double.
/// </summary>
public sealed class SgemmSmallKernelGapTests
{
    private const float Sentinel = 12345f;

    [Theory]
    [InlineData("vector128")]
    [InlineData("scalar")]
    public void Few_rows_write_nothing_past_c(string path)
    {
        if (Array.IndexOf(Sgemm.AvailablePaths, path) < 0) return;
        using var scope = Sgemm.ForcePath(path);
        var rng = new Rng(91);
        foreach (bool transA in new[] { false, true })
            foreach (bool transB in new[] { false, true })
                for (int m = 1; m <= SgemmSmall.MaxRows; m++)
                    foreach (int n in new[] { 3, 5, 9, 20 })
                        foreach (int k in new[] { 3, 13 })
                        {
                            // Tight leading dimensions; A and B followed by NaN (never to be read into C), C by sentinels.
                            float[] a = Operand(rng, m * k), b = Operand(rng, k * n);
                            float[] c = new float[m * n + n + 8];
                            c.AsSpan().Fill(Sentinel);
                            Sgemm.Multiply(transA, transB, m, n, k, 1f, a.AsSpan(0, m * k), transA ? m : k,
                                b.AsSpan(0, k * n), transB ? k : n, 0f, c.AsSpan(0, m * n), n);
                            string at = $"{path} transA={transA} transB={transB} m={m} n={n} k={k}";
                            for (int i = 0; i < m; i++)
                                for (int j = 0; j < n; j++)
                                {
                                    double expected = 0;
                                    for (int p = 0; p < k; p++)
                                        expected += (double)(transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
                                    if (!(Math.Abs(c[i * n + j] - expected) <= 1e-5 * (k + 1)))
                                        Assert.Fail($"{at}: C[{i},{j}] = {c[i * n + j]}, expected {expected}");
                                }
                            for (int i = m * n; i < c.Length; i++)
                                if (c[i] != Sentinel) Assert.Fail($"{at}: {c[i]} written {i - m * n} floats past C");
                        }
    }

    /// <summary><paramref name="length"/> values in [−1, 1), then a row's worth of NaN.</summary>
    private static float[] Operand(Rng rng, int length)
    {
        var values = new float[length + 32];
        values.AsSpan().Fill(float.NaN);
        for (int i = 0; i < length; i++) values[i] = rng.NextUniform(-1f, 1f);
        return values;
    }
}
