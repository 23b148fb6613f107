using System;
using System.Linq;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests.Kernels;

/// <summary>
/// <see cref="InterleavedGemv"/>, the batch-1 product over weights with eight rows interleaved. Oracle: the same sums in
/// double from the row-major weights. Shapes with rows short of a group and k short of a chunk on every path, inputs that
/// are slices of a buffer holding NaN past their end (the last chunk must not read it), and the copy's layout by size.
/// </summary>
public sealed class InterleavedGemvTests
{
    [Fact]
    public void Every_row_matches_a_double_product_on_every_vector_path()
    {
        var rng = new Rng(3);
        foreach (string path in new[] { "avx512", "avx2", "vector128" }.Where(p => Sgemm.AvailablePaths.Contains(p)))
            foreach (int rows in new[] { 1, 7, 8, 9, 17, 40 })
                foreach (int k in new[] { 1, 3, 4, 15, 16, 17, 33, 100 })
                {
                    float[] w = Enumerable.Range(0, rows * k).Select(_ => rng.NextUniform(-1f, 1f)).ToArray();
                    // x is the start of a longer buffer whose rest is NaN: reading past k would poison the sums.
                    float[] buffer = Enumerable.Range(0, k + 32).Select(i => i < k ? rng.NextUniform(-2f, 2f) : float.NaN).ToArray();
                    var gemv = InterleavedGemv.Create(path, w, rows, k)!;
                    var y = Enumerable.Repeat(float.NaN, rows + 5).ToArray();
                    gemv.Multiply(buffer.AsSpan(0, k), y);
                    for (int j = 0; j < rows; j++)
                    {
                        double expected = 0;
                        for (int p = 0; p < k; p++) expected += (double)w[j * k + p] * buffer[p];
                        Assert.True(Math.Abs(y[j] - expected) <= 1e-5 * (1 + Math.Abs(expected)),
                            $"{path}, {rows} × {k}, row {j}: {y[j]}, expected {expected}");
                    }
                    Assert.All(y.Skip(rows), v => Assert.True(float.IsNaN(v))); // nothing written past the rows
                }
    }

    [Fact]
    public void Sizes_layout_and_arguments()
    {
        float[] w = Enumerable.Range(0, 19 * 45).Select(i => (float)i).ToArray();
        Assert.Null(InterleavedGemv.Create("scalar", w, 19, 45));
        Assert.Null(InterleavedGemv.Create("avx999", w, 19, 45));
        foreach (var (path, lanes) in new[] { ("avx512", 16), ("avx2", 8), ("vector128", 4) })
        {
            if (!Sgemm.AvailablePaths.Contains(path)) { Assert.Null(InterleavedGemv.Create(path, w, 19, 45)); continue; }
            var gemv = InterleavedGemv.Create(path, w, 19, 45)!;
            // 19 rows in 3 groups of 8, 45 inputs in whole vectors: 24 × ⌈45 / lanes⌉ · lanes floats.
            Assert.Equal(24L * ((45 + lanes - 1) / lanes * lanes), gemv.Length);
            // A one-hot x picks a column: y[j] = W[j, p] exactly.
            foreach (int p in new[] { 0, 17, 44 })
            {
                var x = new float[45];
                x[p] = 1f;
                var y = new float[19];
                gemv.Multiply(x, y);
                for (int j = 0; j < 19; j++) Assert.Equal(w[j * 45 + p], y[j]);
            }
            Assert.Throws<ArgumentException>(() => gemv.Multiply(new float[44], new float[19]));
            Assert.Throws<ArgumentException>(() => gemv.Multiply(new float[45], new float[18]));
        }
    }
}
