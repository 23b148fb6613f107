using System;
using System.Collections.Generic;
using System.Threading;
using Compiled.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace Compiled.Tests.Kernels;

/// <summary>
/// Every instruction-set path the machine supports (AVX-512, AVX2, scalar) against the double-precision
/// reference, each forced in turn with the test-only <c>Sgemm.ForcePath</c>: an AVX2 bug fails here on an
/// AVX-512 machine, without CI's <c>DOTNET_EnableAVX512=0</c> pass. The override is per thread, so these
/// tests need no collection of their own; a path the machine lacks is reported in the output and not run.
/// </summary>
public sealed class SgemmPathTests
{
    private readonly ITestOutputHelper _output;

    public SgemmPathTests(ITestOutputHelper output) => _output = output;

    /// <summary>
    /// Shapes hitting every edge: m, n, k off the tile multiples (MR 8/6/4, NR 32/16/4, vector widths 8/16),
    /// k = 1, m = 1, n = 1; m ≤ 4 and n below NR (the direct kernels); several K and M blocks (KC 256, MC 120/128);
    /// and one product large enough to be split over worker threads at the default thread count. A·Bᵀ narrower than
    /// NR with more than 4 rows (SgemmNarrow) in one vector of columns and in two, on each width (≤ 8, 9–16, 17–31
    /// columns), with groups of 8 rows and a partial group.
    /// </summary>
    private static readonly (int M, int N, int K)[] Shapes =
    {
        (1, 1, 1), (1, 37, 1), (1, 70, 33), (2, 9, 300), (3, 130, 20), (4, 65, 17), (5, 7, 1),
        (7, 33, 13), (9, 17, 31), (13, 47, 1), (6, 16, 8), (8, 32, 16), (31, 3, 65), (37, 45, 600),
        (130, 70, 300), (250, 33, 513), (1, 1, 1000), (256, 256, 784), (21, 12, 70), (130, 10, 129), (11, 29, 40),
    };

    public static IEnumerable<object[]> PathsAndLayouts()
    {
        foreach (string path in new[] { "avx512", "avx2", "vector128", "scalar" })
            foreach (bool transA in new[] { false, true })
                foreach (bool transB in new[] { false, true })
                    yield return new object[] { path, transA, transB };
    }

    [Theory]
    [MemberData(nameof(PathsAndLayouts))]
    public void Each_available_path_matches_the_reference(string path, bool transA, bool transB)
    {
        if (!TryForce(path, _output, out Sgemm.PathScope forced)) return;
        using var scope = forced;
        var rng = new Rng(77);
        foreach ((int m, int n, int k) in Shapes)
        {
            foreach (float beta in new[] { 0f, 0.5f })
            {
                // Padded leading dimensions with NaN between rows of A and B: the padding must never be read.
                int aRows = transA ? k : m, aColumns = transA ? m : k, bRows = transB ? n : k, bColumns = transB ? k : n;
                int lda = aColumns + 3, ldb = bColumns + 1, ldc = n + 2;
                float[] a = Fill(rng, aRows, aColumns, lda), b = Fill(rng, bRows, bColumns, ldb), c = Fill(rng, m, n, ldc);
                float[] expected = (float[])c.Clone(), actual = (float[])c.Clone();
                const float Alpha = 1.25f;
                Sgemm.MultiplyReference(transA, transB, m, n, k, Alpha, a, lda, b, ldb, beta, expected, ldc);
                Sgemm.Multiply(transA, transB, m, n, k, Alpha, a, lda, b, ldb, beta, actual, ldc);
                for (int i = 0; i < m; i++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        int index = i * ldc + j;
                        float tolerance = 1e-5f * (k + 1) * Alpha + 1e-5f * Math.Abs(beta * c[index]) + 1e-6f * Math.Abs(expected[index]) + 1e-6f;
                        if (!(Math.Abs(actual[index] - expected[index]) <= tolerance))
                            Assert.Fail($"{path} transA={transA} transB={transB} m={m} n={n} k={k} beta={beta}: " +
                                $"C[{i},{j}] = {actual[index]}, expected {expected[index]}");
                    }
                }
            }
        }
    }

    /// <summary>
    /// Forces <paramref name="path"/> on the calling thread (dispose <paramref name="scope"/> to restore), or, when
    /// the machine lacks it, says so in the test output and returns false.
    /// </summary>
    internal static bool TryForce(string path, ITestOutputHelper output, out Sgemm.PathScope scope)
    {
        scope = default;
        if (Array.IndexOf(Sgemm.AvailablePaths, path) < 0)
        {
            output.WriteLine($"{path} is not available on this machine (paths: {string.Join(", ", Sgemm.AvailablePaths)}); not run.");
            return false;
        }
        scope = Sgemm.ForcePath(path);
        Assert.Equal(path, Sgemm.CurrentPath);
        return true;
    }

    [Fact]
    public void Forcing_is_clamped_nested_restored_and_per_thread()
    {
        string widest = Sgemm.AvailablePaths[0];
        Assert.Equal(Sgemm.Path, widest);
        Assert.Equal("scalar", Sgemm.AvailablePaths[^1]);
        Assert.Equal(Sgemm.Path, Sgemm.CurrentPath);

        using (Sgemm.ForcePath("scalar"))
        {
            Assert.Equal("scalar", Sgemm.CurrentPath);
            // Another thread keeps the hardware path.
            string? other = null;
            var thread = new Thread(() => other = Sgemm.CurrentPath);
            thread.Start();
            thread.Join();
            Assert.Equal(Sgemm.Path, other);

            // A path the machine lacks falls back to the widest it has; nested scopes restore the outer one.
            using (Sgemm.ForcePath("avx512"))
                Assert.Equal(Array.IndexOf(Sgemm.AvailablePaths, "avx512") >= 0 ? "avx512" : widest, Sgemm.CurrentPath);
            Assert.Equal("scalar", Sgemm.CurrentPath);
        }
        Assert.Equal(Sgemm.Path, Sgemm.CurrentPath);
        Assert.Throws<ArgumentException>(() => Sgemm.ForcePath("sse"));
    }

    /// <summary>
    /// One row of A against Bᵀ (a batch-1 dense layer) with B starting at each of the 16 float offsets within a 64-byte
    /// line, B's rows padded (ldb = k + 5) so that they start at different offsets too: the AVX-512 kernel reads a
    /// misaligned row through aligned loads and permutes, which must give the bits of an aligned row, and the double
    /// reference's value.
    /// </summary>
    [Theory]
    [InlineData(37, 784)]
    [InlineData(9, 64)]
    [InlineData(20, 100)]
    public void A_single_row_product_is_the_same_bits_at_every_alignment_of_B(int n, int k)
    {
        var rng = new Rng(19);
        int ldb = k + 5;
        float[] a = Fill(rng, 1, k, k), rows = Fill(rng, n, k, ldb);
        var expected = new float[n];
        Sgemm.MultiplyReference(false, true, 1, n, k, 1f, a, k, rows, ldb, 0f, expected, n);
        float[] storage = GC.AllocateArray<float>(rows.Length + 32, pinned: true);
        int[]? first = null;
        foreach (string path in Sgemm.AvailablePaths)
        {
            using var forced = Sgemm.ForcePath(path);
            for (int offset = 0; offset < 16; offset++)
            {
                Span<float> b = storage.AsSpan(offset, rows.Length);
                rows.CopyTo(b);
                var c = new float[n];
                Sgemm.Multiply(false, true, 1, n, k, 1f, a, k, b, ldb, 0f, c, n);
                for (int j = 0; j < n; j++)
                    Assert.True(Math.Abs(c[j] - expected[j]) <= 1e-5f * (k + 1), $"{path}, offset {offset}: C[{j}] = {c[j]}, expected {expected[j]}");
                int[] bits = System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(c.AsSpan()).ToArray();
                if (path == Sgemm.Path) first ??= bits;
                if (path == Sgemm.Path) Assert.Equal(first, bits);
            }
        }
    }

    /// <summary>A narrow A·Bᵀ deeper than SgemmNarrow's copy of Bᵀ holds takes the dot products, with the same result.</summary>
    [Fact]
    public void A_narrow_product_deeper_than_the_transposed_copy_is_still_right()
    {
        Assert.True(SgemmNarrow.Fits(SgemmNarrow.MaxCopy / 32));
        Assert.False(SgemmNarrow.Fits(SgemmNarrow.MaxCopy / 32 + 1));
        int m = 5, n = 3, k = SgemmNarrow.MaxCopy / 32 + 1;
        var rng = new Rng(23);
        float[] a = Fill(rng, m, k, k), b = Fill(rng, n, k, k);
        var expected = new float[m * n];
        var actual = new float[m * n];
        Sgemm.MultiplyReference(false, true, m, n, k, 1f, a, k, b, k, 0f, expected, n);
        Sgemm.Multiply(false, true, m, n, k, 1f, a, k, b, k, 0f, actual, n);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-3f, $"C[{i}] = {actual[i]}, expected {expected[i]}");
    }

    private static float[] Fill(Rng rng, int rows, int columns, int ld)
    {
        var data = new float[rows == 0 ? 0 : (rows - 1) * ld + columns];
        data.AsSpan().Fill(float.NaN);
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < columns; j++)
                data[r * ld + j] = rng.NextUniform(-1f, 1f);
        return data;
    }
}
