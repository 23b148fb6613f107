using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics.X86;
using Compiled.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace Compiled.Tests.Kernels;

/// <summary>
/// Every instruction-set path (forced in turn) on small shapes that still reach every edge of the SGEMM:
/// several K blocks (beta applied once), several M blocks, two N panels, edge tiles, the direct small-m
/// kernels' vector bodies and tails, and products split over worker threads by rows and by columns. The
/// oracle is this file's own triple loop in double, not <see cref="Sgemm.MultiplyReference"/>. With beta = 0
/// C starts as NaN, so every "beta == 0 does not read C" branch is checked on every path. Small enough to
/// run under Stryker's instrumentation (docs/mutation.md).
/// </summary>
public sealed class SgemmEdgeTests
{
    private readonly ITestOutputHelper _output;

    public SgemmEdgeTests(ITestOutputHelper output) => _output = output;

    public static IEnumerable<object[]> Paths()
    {
        foreach (string path in new[] { "avx512", "avx2", "vector128", "scalar" }) yield return new object[] { path };
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Each_path_matches_a_double_triple_loop_on_every_edge(string path)
    {
        if (!SgemmPathTests.TryForce(path, _output, out Sgemm.PathScope scope)) return;
        using (scope)
        {
            var rng = new Rng(2024);
            foreach ((int m, int n, int k) in Shapes)
                foreach (bool transA in new[] { false, true })
                    foreach (bool transB in new[] { false, true })
                        foreach (float beta in new[] { 0f, 1f, -0.5f })
                        {
                            var p = Product.Create(rng, transA, transB, m, n, k, alpha: beta == 1f ? 1f : -0.75f, beta, cNaN: beta == 0f);
                            p.AssertMatchesOracle(path);
                        }
        }
    }

    /// <summary>
    /// Shapes, with what they reach (MR×NR tiles: AVX-512 8×32, AVX2 6×16, scalar 4×4; KC 256; MC 128/120/64;
    /// NC 2048/2048/1024; direct kernels for m ≤ 4, and for A·Bᵀ with n below NR).
    /// </summary>
    private static readonly (int M, int N, int K)[] Shapes =
    {
        (1, 1, 1),       // a single element
        (1, 3, 24),      // A·Bᵀ direct: one 16-wide step, one 8-wide step, no tail; three single columns
        (2, 9, 300),     // direct kernels: k past KC is irrelevant there; A·Bᵀ: 16-wide steps and a 12-long tail
        (3, 70, 33),     // AxpyRows: one 64-wide block, 6 single columns
        (4, 137, 9),     // AxpyRows: two 64-wide blocks, one 8-wide block, one single column; m = MaxRows
        (5, 7, 1),       // blocked, one edge tile on every path; A·Bᵀ direct (n < NR)
        (6, 16, 8),      // one full AVX2 tile
        (8, 32, 16),     // one full AVX-512 tile
        (7, 33, 13),     // edge tiles in both directions
        (31, 3, 65),     // tall and narrow
        (130, 40, 300),  // two K blocks, two or three M blocks; 3.1 MFLOP: split over threads by rows
        (16, 130, 300),  // 1.2 MFLOP with m ≤ n: split over threads by columns
        (9, 2100, 5),    // two N panels on every path
        (5, 16, 6300),   // 1 MFLOP in a single micro-tile strip each way (AVX paths): too few strips to split
    };

    /// <summary>
    /// alpha = 0 (like k = 0) means the product contributes nothing and A and B are not read: NaN in them
    /// must not reach C, which becomes beta · C (0 when beta is 0, even where C held NaN).
    /// </summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void Alpha_zero_reads_neither_operand(string path)
    {
        if (!SgemmPathTests.TryForce(path, _output, out Sgemm.PathScope scope)) return;
        using (scope)
        {
            foreach ((int m, int n, int k) in new[] { (2, 3, 4), (9, 40, 7), (130, 40, 300) })
            {
                float[] a = Filled(m * k, float.NaN), b = Filled(k * n, float.NaN);
                float[] c = new float[m * n];
                for (int i = 0; i < c.Length; i++) c[i] = i - 3;

                float[] halved = (float[])c.Clone();
                Sgemm.Multiply(false, false, m, n, k, 0f, a, k, b, n, 0.5f, halved, n);
                for (int i = 0; i < c.Length; i++) Assert.Equal(0.5f * (i - 3), halved[i]);

                float[] same = (float[])c.Clone();
                Sgemm.Multiply(true, true, m, n, k, 0f, a, m, b, k, 1f, same, n);
                Assert.Equal(c, same);

                float[] cleared = Filled(m * n, float.NaN);
                Sgemm.Multiply(false, true, m, n, k, 0f, a, k, b, k, 0f, cleared, n);
                Assert.All(cleared, v => Assert.Equal(0f, v));
            }
        }
    }

    /// <summary>
    /// The paths offered are exactly those the hardware (and the runtime's configuration) supports, widest
    /// first; forcing each one reports it, and the scope restores the hardware path.
    /// </summary>
    [Fact]
    public void Available_paths_follow_the_hardware()
    {
        bool avx512 = Avx512F.IsSupported && Fma.IsSupported, avx2 = Avx2.IsSupported && Fma.IsSupported;
        var expected = new List<string>();
        if (avx512) expected.Add("avx512");
        if (avx2) expected.Add("avx2");
        if (System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated) expected.Add("vector128");
        expected.Add("scalar");
        Assert.Equal(expected, Sgemm.AvailablePaths);
        Assert.Equal(expected[0], Sgemm.Path);

        foreach (string path in expected)
        {
            using (Sgemm.ForcePath(path)) Assert.Equal(path, Sgemm.CurrentPath);
            Assert.Equal(Sgemm.Path, Sgemm.CurrentPath);
        }
    }

    /// <summary>The messages name the argument's value and, for a short span, both lengths.</summary>
    [Fact]
    public void Argument_errors_explain_themselves()
    {
        float[] a = new float[12], b = new float[12], c = new float[12];

        foreach ((int m, int n, int k, int value) in new[] { (-1, 3, 4, -1), (3, -2, 4, -2), (3, 3, -3, -3) })
        {
            var negative = Assert.Throws<ArgumentOutOfRangeException>(() => Sgemm.Multiply(false, false, m, n, k, 1f, a, 4, b, 3, 0f, c, 3));
            Assert.Equal(value, negative.ActualValue);
            Assert.Contains("non-negative", negative.Message);
        }

        var ld = Assert.Throws<ArgumentOutOfRangeException>(() => Sgemm.Multiply(false, false, 3, 3, 4, 1f, a, 3, b, 3, 0f, c, 3));
        Assert.Equal(3, ld.ActualValue);
        Assert.Contains("lda = 3", ld.Message);
        Assert.Contains("(4)", ld.Message);

        var shortSpan = Assert.Throws<ArgumentException>(() => Sgemm.Multiply(false, false, 3, 3, 4, 1f, a.AsSpan(0, 11), 4, b, 3, 0f, c, 3));
        Assert.Contains("holds 11 elements", shortSpan.Message);
        Assert.Contains("3×4", shortSpan.Message);
        Assert.Contains("needs 12", shortSpan.Message);

        var threads = Assert.Throws<ArgumentOutOfRangeException>(() => Sgemm.MaxThreads = 0);
        Assert.Contains("At least one thread", threads.Message);

        var unknown = Assert.Throws<ArgumentException>(() => Sgemm.ForcePath("neon"));
        Assert.Equal("path", unknown.ParamName);
        Assert.Contains("'neon'", unknown.Message);
    }

    private static float[] Filled(int length, float value)
    {
        var data = new float[length];
        data.AsSpan().Fill(value);
        return data;
    }

    /// <summary>One product with padded operands: NaN between rows of A and B (never read), a sentinel in C's (never written).</summary>
    private sealed class Product
    {
        private const float Sentinel = 12345f;
        private bool _transA, _transB;
        private int _m, _n, _k, _lda, _ldb, _ldc;
        private float _alpha, _beta;
        private float[] _a = Array.Empty<float>(), _b = Array.Empty<float>(), _c = Array.Empty<float>();

        public static Product Create(Rng rng, bool transA, bool transB, int m, int n, int k, float alpha, float beta, bool cNaN)
        {
            var p = new Product { _transA = transA, _transB = transB, _m = m, _n = n, _k = k, _alpha = alpha, _beta = beta };
            int aRows = transA ? k : m, aColumns = transA ? m : k, bRows = transB ? n : k, bColumns = transB ? k : n;
            p._lda = aColumns + 2;
            p._ldb = bColumns + 1;
            p._ldc = n + 3;
            p._a = Stored(rng, aRows, aColumns, p._lda, float.NaN, nan: false);
            p._b = Stored(rng, bRows, bColumns, p._ldb, float.NaN, nan: false);
            p._c = Stored(rng, m, n, p._ldc, Sentinel, nan: cNaN);
            return p;
        }

        private static float[] Stored(Rng rng, int rows, int columns, int ld, float padding, bool nan)
        {
            var data = new float[(rows - 1) * ld + columns];
            data.AsSpan().Fill(padding);
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < columns; j++)
                    data[r * ld + j] = nan ? float.NaN : rng.NextUniform(-1f, 1f);
            return data;
        }

        public void AssertMatchesOracle(string path)
        {
            float[] actual = (float[])_c.Clone();
            Sgemm.Multiply(_transA, _transB, _m, _n, _k, _alpha, _a, _lda, _b, _ldb, _beta, actual, _ldc);
            for (int i = 0; i < _m; i++)
            {
                for (int j = 0; j < _ldc && i * _ldc + j < actual.Length; j++)
                {
                    int index = i * _ldc + j;
                    if (j >= _n)
                    {
                        if (actual[index] != Sentinel) Assert.Fail($"{this} on {path}: padding C[{i},{j}] overwritten with {actual[index]}");
                        continue;
                    }
                    double sum = 0, magnitude = 0;
                    for (int p = 0; p < _k; p++)
                    {
                        double x = _transA ? _a[p * _lda + i] : _a[i * _lda + p];
                        double y = _transB ? _b[j * _ldb + p] : _b[p * _ldb + j];
                        sum += x * y;
                        magnitude += Math.Abs(x * y);
                    }
                    double scaledC = _beta == 0f ? 0 : (double)_beta * _c[index];
                    double expected = _alpha * sum + scaledC;
                    // Float rounding: at most about k ulps of the sum of magnitudes, plus one of beta·C.
                    double tolerance = 1e-6 * (_k + 2) * (Math.Abs(_alpha) * magnitude + Math.Abs(scaledC) + 1);
                    if (!(Math.Abs(actual[index] - expected) <= tolerance))
                        Assert.Fail($"{this} on {path}: C[{i},{j}] = {actual[index]}, expected {expected} ± {tolerance}");
                }
            }
        }

        public override string ToString() =>
            $"transA={_transA} transB={_transB} m={_m} n={_n} k={_k} alpha={_alpha} beta={_beta}";
    }
}
