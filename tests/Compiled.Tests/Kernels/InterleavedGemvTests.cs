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
        // 63 inputs: one short of a whole vector on every path (a chunk count off by one shows in the length).
        float[] w = Enumerable.Range(0, 19 * 63).Select(i => (float)i).ToArray();
        Assert.Null(InterleavedGemv.Create("scalar", w, 19, 63));
        Assert.Null(InterleavedGemv.Create("avx999", w, 19, 63));
        foreach (var (path, lanes) in new[] { ("avx512", 16), ("avx2", 8), ("vector128", 4) })
        {
            if (!Sgemm.AvailablePaths.Contains(path)) { Assert.Null(InterleavedGemv.Create(path, w, 19, 63)); continue; }
            Assert.Null(InterleavedGemv.Create(path, w, 0, 63));
            Assert.Null(InterleavedGemv.Create(path, w, 19, 0));
            // A copy past the largest array is refused before anything is allocated or read.
            Assert.Null(InterleavedGemv.Create(path, w, 1 << 20, 1 << 12));
            var gemv = InterleavedGemv.Create(path, w, 19, 63)!;
            // 19 rows in 3 groups of 8, 63 inputs in whole vectors: 24 × ⌈63 / lanes⌉ · lanes floats.
            Assert.Equal(24L * ((63 + lanes - 1) / lanes * lanes), gemv.Length);
            // A one-hot x picks a column: y[j] = W[j, p] exactly.
            foreach (int p in new[] { 0, 17, 62 })
            {
                var x = new float[63];
                x[p] = 1f;
                var y = new float[19];
                gemv.Multiply(x, y);
                for (int j = 0; j < 19; j++) Assert.Equal(w[j * 63 + p], y[j]);
            }
            Assert.Contains("x has 62 values; the layer takes 63", Assert.Throws<ArgumentException>(() => gemv.Multiply(new float[62], new float[19])).Message);
            Assert.Contains("y has 18 values; the layer gives 19", Assert.Throws<ArgumentException>(() => gemv.Multiply(new float[63], new float[18])).Message);
        }
    }

    [Fact]
    public void A_shorter_layer_after_a_longer_one_on_the_same_thread_reads_zeros_past_its_inputs()
    {
        // The zero-padded copy of x is kept per thread: the second layer's padding must not hold the first one's values.
        foreach (string path in new[] { "avx512", "avx2", "vector128" }.Where(p => Sgemm.AvailablePaths.Contains(p)))
        {
            var wide = InterleavedGemv.Create(path, new float[8 * 45], 8, 45)!;
            var narrow = InterleavedGemv.Create(path, Enumerable.Repeat(1f, 8 * 33).ToArray(), 8, 33)!;
            float[] first = Enumerable.Repeat(float.NaN, 45).ToArray(); // every value NaN, the padding's included
            wide.Multiply(first, new float[8]);
            var y = new float[8];
            narrow.Multiply(Enumerable.Repeat(2f, 33).ToArray(), y);
            Assert.All(y, v => Assert.Equal(66f, v)); // 33 × 1 × 2, no NaN from the first call's values
        }
    }
}
