using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics.X86;
using System.Threading;
using Compiled.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace Compiled.Tests.Kernels;

public sealed class SgemmTests
{
    private readonly ITestOutputHelper _output;

    public SgemmTests(ITestOutputHelper output) => _output = output;

    private static readonly int[] Sizes = { 1, 2, 3, 5, 7, 8, 15, 16, 17, 31, 33, 64, 100, 257 };

    /// <summary>One product to check: stored operands padded to their leading dimensions, and C.</summary>
    private sealed class Case
    {
        public bool TransA, TransB;
        public int M, N, K, Lda, Ldb, Ldc;
        public float Alpha, Beta;
        public float[] A = Array.Empty<float>(), B = Array.Empty<float>(), C = Array.Empty<float>();

        public static Case Create(bool transA, bool transB, int m, int n, int k, float alpha, float beta,
            int padA, int padB, int padC, bool nanC, ulong seed)
        {
            var rng = new Rng(seed);
            var result = new Case { TransA = transA, TransB = transB, M = m, N = n, K = k, Alpha = alpha, Beta = beta };
            int aRows = transA ? k : m, aColumns = transA ? m : k;
            int bRows = transB ? n : k, bColumns = transB ? k : n;
            result.Lda = aColumns + padA;
            result.Ldb = bColumns + padB;
            result.Ldc = n + padC;
            // Padding between rows is NaN in A and B (it must never be read) and a sentinel in C (never written).
            result.A = Fill(rng, aRows, aColumns, result.Lda, float.NaN, nan: false);
            result.B = Fill(rng, bRows, bColumns, result.Ldb, float.NaN, nan: false);
            result.C = Fill(rng, m, n, result.Ldc, 12345f, nan: nanC);
            return result;
        }

        private static float[] Fill(Rng rng, int rows, int columns, int ld, float padding, bool nan)
        {
            var data = new float[rows == 0 ? 0 : (rows - 1) * ld + columns];
            data.AsSpan().Fill(padding);
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < columns; j++)
                    data[r * ld + j] = nan ? float.NaN : rng.NextUniform(-1f, 1f);
            return data;
        }

        public float[] Expected()
        {
            float[] expected = (float[])C.Clone();
            Sgemm.MultiplyReference(TransA, TransB, M, N, K, Alpha, A, Lda, B, Ldb, Beta, expected, Ldc);
            return expected;
        }

        public float[] Actual()
        {
            float[] actual = (float[])C.Clone();
            Sgemm.Multiply(TransA, TransB, M, N, K, Alpha, A, Lda, B, Ldb, Beta, actual, Ldc);
            return actual;
        }

        /// <summary>Float accumulation error grows with k; C's old value contributes through beta.</summary>
        public float Tolerance(float expected, float oldC) =>
            1e-5f * (K + 1) * Math.Abs(Alpha) + 1e-5f * Math.Abs(Beta * oldC) + 1e-6f * Math.Abs(expected) + 1e-6f;

        public override string ToString() =>
            $"transA={TransA} transB={TransB} m={M} n={N} k={K} lda={Lda} ldb={Ldb} ldc={Ldc} alpha={Alpha} beta={Beta}";
    }

    private static void AssertClose(Case test, float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < test.M; i++)
        {
            for (int j = 0; j < test.Ldc && i * test.Ldc + j < actual.Length; j++)
            {
                int index = i * test.Ldc + j;
                if (j >= test.N)
                {
                    Assert.True(actual[index] == 12345f, $"{test}: padding C[{i},{j}] was overwritten");
                    continue;
                }
                float oldC = float.IsNaN(test.C[index]) ? 0f : test.C[index];
                float tolerance = test.Tolerance(expected[index], oldC);
                Assert.True(Math.Abs(expected[index] - actual[index]) <= tolerance,
                    $"{test}: C[{i},{j}] = {actual[index]}, expected {expected[index]} (tolerance {tolerance})");
            }
        }
    }

    private static void Check(Case test) => AssertClose(test, test.Expected(), test.Actual());

    [Fact]
    public void ReportsPathMatchingEnvironment()
    {
        _output.WriteLine($"Sgemm.Path = {Sgemm.Path}");
        // The widest instruction set the runtime reports (it already honours DOTNET_EnableAVX512=0 and
        // DOTNET_EnableHWIntrinsic=0), checked on every run rather than only under those variables.
        string expected = Avx512F.IsSupported && Fma.IsSupported ? "avx512" : Avx2.IsSupported && Fma.IsSupported ? "avx2"
            : System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated ? "vector128" : "scalar";
        Assert.Equal(expected, Sgemm.Path);
        if (Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic") == "0") Assert.Equal("scalar", Sgemm.Path);
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0") Assert.NotEqual("avx512", Sgemm.Path);
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0") Assert.Equal("vector128", Sgemm.Path); // SSE is still there
    }

    public static IEnumerable<object[]> TransposeCombinations()
    {
        yield return new object[] { false, false };
        yield return new object[] { false, true };
        yield return new object[] { true, false };
        yield return new object[] { true, true };
    }

    [Theory]
    [MemberData(nameof(TransposeCombinations))]
    public void MatchesReferenceOnSampledShapes(bool transA, bool transB)
    {
        var rng = new Rng(transA ? (transB ? 11UL : 12UL) : (transB ? 13UL : 14UL));
        float[] betas = { 0f, 1f, 0.5f };
        for (int trial = 0; trial < 120; trial++)
        {
            int m = Sizes[rng.NextInt(Sizes.Length)];
            int n = Sizes[rng.NextInt(Sizes.Length)];
            int k = Sizes[rng.NextInt(Sizes.Length)];
            float beta = betas[trial % betas.Length];
            float alpha = trial % 4 == 0 ? 1f : rng.NextUniform(-2f, 2f);
            bool padded = trial % 2 == 1;
            Check(Case.Create(transA, transB, m, n, k, alpha, beta,
                padded ? 1 + rng.NextInt(5) : 0, padded ? 1 + rng.NextInt(5) : 0, padded ? 1 + rng.NextInt(5) : 0,
                nanC: beta == 0f, seed: (ulong)trial));
        }
    }

    [Theory]
    [MemberData(nameof(TransposeCombinations))]
    public void MatchesReferenceAcrossBlockBoundaries(bool transA, bool transB)
    {
        // Several K blocks (the first applies beta, later ones accumulate), several M blocks, a partial N
        // panel, and every row count around the small-m threshold.
        (int m, int n, int k)[] shapes =
        {
            (130, 70, 300), (250, 33, 513), (9, 2100, 5), (7, 2100, 3), (256, 256, 784),
            (1, 256, 784), (2, 10, 256), (3, 65, 17), (4, 129, 40), (5, 64, 100), (6, 16, 1), (12, 32, 9),
        };
        foreach ((int m, int n, int k) in shapes)
        {
            foreach (float beta in new[] { 0f, 1f, 0.5f })
            {
                Check(Case.Create(transA, transB, m, n, k, 0.75f, beta, 0, 0, 0, nanC: beta == 0f, seed: (ulong)(m * 7 + n)));
                Check(Case.Create(transA, transB, m, n, k, -1.5f, beta, 3, 5, 2, nanC: false, seed: (ulong)(k * 3 + n)));
            }
        }
    }

    /// <summary>Stores a row-major matrix, or its transpose, with leading dimension <paramref name="ld"/> (padding NaN).</summary>
    private static float[] Store(float[,] matrix, bool transposed, int ld)
    {
        int rows = transposed ? matrix.GetLength(1) : matrix.GetLength(0);
        int columns = transposed ? matrix.GetLength(0) : matrix.GetLength(1);
        var data = new float[(rows - 1) * ld + columns];
        data.AsSpan().Fill(float.NaN);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                data[r * ld + c] = transposed ? matrix[c, r] : matrix[r, c];
        return data;
    }

    private static float[] Flatten(float[,] matrix) => matrix.Cast<float>().ToArray();

    /// <summary>
    /// A = [1 2 3; 4 5 6], B = [7 8; 9 10; 11 12], worked by hand:
    /// A·B = [1·7+2·9+3·11  1·8+2·10+3·12; 4·7+5·9+6·11  4·8+5·10+6·12] = [58 64; 139 154].
    /// With alpha = 0.5, beta = 2 and C = [1 −1; 0.5 2]: C ← 0.5·A·B + 2·C = [29+2 32−2; 69.5+1 77+4] = [31 30; 70.5 81].
    /// Every value is exact in float, so each layout must give exactly these numbers.
    /// </summary>
    [Theory]
    [MemberData(nameof(TransposeCombinations))]
    public void HandComputedProduct2x3By3x2(bool transA, bool transB)
    {
        float[,] a = { { 1, 2, 3 }, { 4, 5, 6 } };
        float[,] b = { { 7, 8 }, { 9, 10 }, { 11, 12 } };
        int lda = transA ? 2 : 3, ldb = transB ? 3 : 2;
        float[] c = { 1f, -1f, 0.5f, 2f };
        Sgemm.Multiply(transA, transB, 2, 2, 3, 0.5f, Store(a, transA, lda), lda, Store(b, transB, ldb), ldb, 2f, c, 2);
        Assert.Equal(new[] { 31f, 30f, 70.5f, 81f }, c);

        // beta = 0 ignores C (NaN included); alpha = 1 gives the bare product.
        float[] fresh = { float.NaN, float.NaN, float.NaN, float.NaN };
        Sgemm.Multiply(transA, transB, 2, 2, 3, 1f, Store(a, transA, lda), lda, Store(b, transB, ldb), ldb, 0f, fresh, 2);
        Assert.Equal(new[] { 58f, 64f, 139f, 154f }, fresh);
    }

    /// <summary>
    /// A = [1 −2; 0 3; 2 1] (3×2), B = [1 0 2 −1; 3 1 0 2] (2×4), by hand:
    /// row 0: [1−6  0−2  2+0  −1−4] = [−5 −2 2 −5]; row 1: [0+9  0+3  0+0  0+6] = [9 3 0 6];
    /// row 2: [2+3  0+1  4+0  −2+2] = [5 1 4 0]. With alpha = −1, beta = 0.25, C = 4 everywhere (padding 12345,
    /// operands padded with NaN): C ← −A·B + 1 = [6 3 −1 6; −8 −2 1 −5; −4 0 −3 1].
    /// </summary>
    [Theory]
    [MemberData(nameof(TransposeCombinations))]
    public void HandComputedProduct3x2By2x4WithPadding(bool transA, bool transB)
    {
        float[,] a = { { 1, -2 }, { 0, 3 }, { 2, 1 } };
        float[,] b = { { 1, 0, 2, -1 }, { 3, 1, 0, 2 } };
        int lda = (transA ? 3 : 2) + 2, ldb = (transB ? 2 : 4) + 1, ldc = 4 + 3;
        float[] c = new float[2 * ldc + 4];
        c.AsSpan().Fill(12345f);
        for (int i = 0; i < 3; i++) c.AsSpan(i * ldc, 4).Fill(4f);

        Sgemm.Multiply(transA, transB, 3, 4, 2, -1f, Store(a, transA, lda), lda, Store(b, transB, ldb), ldb, 0.25f, c, ldc);

        float[,] expected = { { 6, 3, -1, 6 }, { -8, -2, 1, -5 }, { -4, 0, -3, 1 } };
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(Flatten(expected).AsSpan(i * 4, 4).ToArray(), c.AsSpan(i * ldc, 4).ToArray());
            if (i < 2) Assert.All(c.AsSpan(i * ldc + 4, 3).ToArray(), v => Assert.Equal(12345f, v));
        }
    }

    /// <summary>
    /// A dot product (m = n = 1), the small-m path: a = [1 2 3 4], b = [0.5 0.25 2 −1]:
    /// a·b = 0.5 + 0.5 + 6 − 4 = 3; alpha = 2, beta = 1, C = 10 → 2·3 + 10 = 16.
    /// </summary>
    [Theory]
    [MemberData(nameof(TransposeCombinations))]
    public void HandComputedDotProduct(bool transA, bool transB)
    {
        float[] a = { 1f, 2f, 3f, 4f }, b = { 0.5f, 0.25f, 2f, -1f };
        float[] c = { 10f };
        // A is 1×4 (lda 4) or, transposed, 4×1 (lda 1); B is 4×1 (ldb 1) or, transposed, 1×4 (ldb 4).
        Sgemm.Multiply(transA, transB, 1, 1, 4, 2f, a, transA ? 1 : 4, b, transB ? 4 : 1, 1f, c, 1);
        Assert.Equal(16f, c[0]);
    }

    /// <summary>
    /// Shapes large enough for the vector, blocked and multi-threaded kernels, with products known in closed form
    /// (all exact in float, every value below 2²⁴):
    /// A[i, p] = i + 1 and B[p, j] = j + 1 give (A·B)[i, j] = k·(i + 1)·(j + 1);
    /// A[i, p] = 1 when p = (3i + 1) mod k, else 0, picks row (3i + 1) mod k of B: with B[p, j] = p − 2j,
    /// (A·B)[i, j] = ((3i + 1) mod k) − 2j.
    /// </summary>
    [Theory]
    [InlineData(false, false, 67, 35, 130)]
    [InlineData(false, true, 67, 35, 130)]
    [InlineData(true, false, 67, 35, 130)]
    [InlineData(true, true, 67, 35, 130)]
    [InlineData(false, true, 3, 257, 513)]
    [InlineData(true, false, 200, 100, 300)]
    public void ClosedFormProductsOnLargeShapes(bool transA, bool transB, int m, int n, int k)
    {
        var constantRows = new float[m, k];
        var selector = new float[m, k];
        var columnRamp = new float[k, n];
        var rowMinusColumn = new float[k, n];
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++)
            {
                constantRows[i, p] = i + 1;
                selector[i, p] = p == (3 * i + 1) % k ? 1f : 0f;
            }
        for (int p = 0; p < k; p++)
            for (int j = 0; j < n; j++)
            {
                columnRamp[p, j] = j + 1;
                rowMinusColumn[p, j] = p - 2 * j;
            }
        int lda = transA ? m : k, ldb = transB ? k : n;

        var c = new float[m * n];
        Sgemm.Multiply(transA, transB, m, n, k, 1f, Store(constantRows, transA, lda), lda, Store(columnRamp, transB, ldb), ldb, 0f, c, n);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                if (c[i * n + j] != (float)k * (i + 1) * (j + 1))
                    Assert.Fail($"C[{i},{j}] = {c[i * n + j]}, expected k·(i+1)·(j+1) = {k * (i + 1) * (j + 1)}");

        // Now accumulate onto C with beta = 1, alpha = 2: C[i, j] = k·(i+1)·(j+1) + 2·(((3i+1) mod k) − 2j).
        Sgemm.Multiply(transA, transB, m, n, k, 2f, Store(selector, transA, lda), lda, Store(rowMinusColumn, transB, ldb), ldb, 1f, c, n);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float expected = k * (i + 1) * (j + 1) + 2 * ((3 * i + 1) % k - 2 * j);
                if (c[i * n + j] != expected) Assert.Fail($"C[{i},{j}] = {c[i * n + j]}, expected {expected}");
            }
    }

    [Fact]
    public void BetaZeroIgnoresNaNInC()
    {
        var test = Case.Create(false, true, 20, 20, 20, 1f, 0f, 0, 0, 0, nanC: true, seed: 5);
        float[] actual = test.Actual();
        Assert.DoesNotContain(actual, float.IsNaN);
        AssertClose(test, test.Expected(), actual);
    }

    /// <summary>
    /// Checks, when called, that each element of the segment already holds its final value and has not been
    /// visited before; then adds the column index, so the test can also see the epilogue's writes land.
    /// Counts go to arrays shared by every copy: a large product runs on several threads, each applying its
    /// own copy of the epilogue to disjoint elements (so <see cref="Visits"/> needs no atomics, the totals do).
    /// </summary>
    private readonly struct CheckingEpilogue : IGemmEpilogue
    {
        public float[] Expected { get; init; }
        public int[] Visits { get; init; }
        public int Ldc { get; init; }
        public int N { get; init; }
        public float Tolerance { get; init; }
        private readonly int[] _counters = new int[2];

        public CheckingEpilogue() { Expected = Array.Empty<float>(); Visits = Array.Empty<int>(); }

        public int Calls => Volatile.Read(ref _counters[0]);
        public int PrematureValues => Volatile.Read(ref _counters[1]);

        public void Apply(Span<float> segment, int row, int column)
        {
            Interlocked.Increment(ref _counters[0]);
            Assert.True(column >= 0 && column + segment.Length <= N, $"segment [{column}, {column + segment.Length}) outside row of {N}");
            for (int j = 0; j < segment.Length; j++)
            {
                int index = row * Ldc + column + j;
                Visits[index]++;
                if (!(Math.Abs(segment[j] - Expected[index]) <= Tolerance)) Interlocked.Increment(ref _counters[1]);
                segment[j] += column + j;
            }
        }
    }

    [Theory]
    [InlineData(false, false, 37, 45, 600)]
    [InlineData(false, true, 256, 100, 784)]
    [InlineData(true, false, 17, 33, 300)]
    [InlineData(true, true, 9, 70, 5)]
    [InlineData(false, true, 1, 70, 33)]
    [InlineData(false, true, 40, 10, 50)]
    [InlineData(false, false, 3, 130, 20)]
    [InlineData(true, false, 2, 9, 300)]
    [InlineData(false, true, 5, 7, 0)]
    public void EpilogueSeesEachFinalElementExactlyOnce(bool transA, bool transB, int m, int n, int k)
    {
        var test = Case.Create(transA, transB, m, n, k, 1.25f, 0.5f, 1, 2, 3, nanC: false, seed: 99);
        float[] expected = test.Expected();
        float[] actual = (float[])test.C.Clone();
        var epilogue = new CheckingEpilogue
        {
            Expected = expected, Visits = new int[actual.Length], Ldc = test.Ldc, N = n, Tolerance = 1e-5f * (k + 1) + 1e-4f,
        };
        Sgemm.Multiply(transA, transB, m, n, k, test.Alpha, test.A, test.Lda, test.B, test.Ldb, test.Beta, actual, test.Ldc, ref epilogue);

        Assert.True(epilogue.Calls > 0);
        Assert.Equal(0, epilogue.PrematureValues);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                int index = i * test.Ldc + j;
                Assert.Equal(1, epilogue.Visits[index]);
                Assert.True(Math.Abs(actual[index] - (expected[index] + j)) <= epilogue.Tolerance, $"C[{i},{j}] lacks the epilogue's write");
            }
        }
    }

    [Fact]
    public void ZeroSizesWork()
    {
        float[] c = { 3f, 4f };
        var epilogue = new CheckingEpilogue { Expected = new float[2], Visits = new int[2], Ldc = 2, N = 2, Tolerance = 0f };
        Sgemm.Multiply(false, false, 0, 2, 3, 1f, Array.Empty<float>(), 3, new float[6], 2, 0f, Array.Empty<float>(), 2, ref epilogue);
        Sgemm.Multiply(false, true, 1, 0, 3, 1f, new float[3], 3, Array.Empty<float>(), 3, 0f, c, 0, ref epilogue);
        Assert.Equal(0, epilogue.Calls);
        Assert.Equal(new[] { 3f, 4f }, c);

        // k == 0: C = beta · C (NaN cleared when beta is 0), and the epilogue still runs.
        float[] scaled = { 2f, 4f, 6f, 8f };
        Sgemm.Multiply(true, false, 2, 2, 0, 1f, Array.Empty<float>(), 2, Array.Empty<float>(), 2, 0.5f, scaled, 2);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, scaled);

        float[] cleared = { float.NaN, 1f, float.NaN, 1f };
        var counting = new CheckingEpilogue { Expected = new float[4], Visits = new int[4], Ldc = 2, N = 2, Tolerance = 0f };
        Sgemm.Multiply(false, false, 2, 2, 0, 1f, Array.Empty<float>(), 0, Array.Empty<float>(), 2, 0f, cleared, 2, ref counting);
        Assert.Equal(new[] { 0f, 1f, 0f, 1f }, cleared);
        Assert.Equal(new[] { 1, 1, 1, 1 }, counting.Visits);
        Assert.Equal(0, counting.PrematureValues);
    }

    [Fact]
    public void InvalidArgumentsThrowNamingTheArgument()
    {
        float[] a = new float[12], b = new float[12], c = new float[12];
        void Throws<T>(string name, Action call) where T : ArgumentException => Assert.Equal(name, Assert.Throws<T>(call).ParamName);

        Throws<ArgumentOutOfRangeException>("m", () => Sgemm.Multiply(false, false, -1, 3, 4, 1f, a, 4, b, 3, 0f, c, 3));
        Throws<ArgumentOutOfRangeException>("n", () => Sgemm.Multiply(false, false, 3, -1, 4, 1f, a, 4, b, 3, 0f, c, 3));
        Throws<ArgumentOutOfRangeException>("k", () => Sgemm.Multiply(false, false, 3, 3, -1, 1f, a, 4, b, 3, 0f, c, 3));
        Throws<ArgumentOutOfRangeException>("lda", () => Sgemm.Multiply(false, false, 3, 3, 4, 1f, a, 3, b, 3, 0f, c, 3));
        Throws<ArgumentOutOfRangeException>("lda", () => Sgemm.Multiply(true, false, 3, 3, 4, 1f, a, 2, b, 3, 0f, c, 3));
        Throws<ArgumentOutOfRangeException>("ldb", () => Sgemm.Multiply(false, false, 3, 3, 4, 1f, a, 4, b, 2, 0f, c, 3));
        Throws<ArgumentOutOfRangeException>("ldb", () => Sgemm.Multiply(false, true, 3, 3, 4, 1f, a, 4, b, 3, 0f, c, 3));
        Throws<ArgumentOutOfRangeException>("ldc", () => Sgemm.Multiply(false, false, 3, 3, 4, 1f, a, 4, b, 3, 0f, c, 2));
        Throws<ArgumentException>("a", () => Sgemm.Multiply(false, false, 3, 3, 4, 1f, a.AsSpan(0, 11), 4, b, 3, 0f, c, 3));
        Throws<ArgumentException>("a", () => Sgemm.Multiply(false, false, 3, 3, 4, 1f, a, 5, b, 3, 0f, c, 3));
        Throws<ArgumentException>("b", () => Sgemm.Multiply(false, true, 3, 3, 4, 1f, a, 4, b.AsSpan(0, 11), 4, 0f, c, 3));
        Throws<ArgumentException>("c", () => Sgemm.Multiply(false, false, 3, 3, 4, 1f, a, 4, b, 3, 0f, c.AsSpan(0, 8), 3));
        Throws<ArgumentException>("c", () => Sgemm.MultiplyReference(false, false, 3, 3, 4, 1f, a, 4, b, 3, 0f, c, 6));
    }

    [Fact]
    public void AllocatesNothingPerCallAfterWarmUp()
    {
        Case[] cases =
        {
            Case.Create(false, true, 64, 256, 784, 1f, 0f, 0, 0, 0, false, 1),
            Case.Create(false, false, 64, 784, 256, 1f, 0f, 0, 0, 0, false, 2),
            Case.Create(true, false, 256, 784, 64, 1f, 1f, 0, 0, 0, false, 3),
            Case.Create(false, true, 1, 256, 784, 1f, 0f, 0, 0, 0, false, 4),
            Case.Create(false, false, 3, 100, 50, 1f, 0f, 0, 0, 0, false, 5),
        };
        foreach (Case test in cases) Run(test);
        foreach (Case test in cases) Run(test);

        Allocations.AssertSteadyStateIsAllocationFree(() =>
        {
            foreach (Case test in cases) Run(test);
        });

        static void Run(Case t) => Sgemm.Multiply(t.TransA, t.TransB, t.M, t.N, t.K, t.Alpha, t.A, t.Lda, t.B, t.Ldb, t.Beta, t.C, t.Ldc);
    }

    [Fact]
    public void ConcurrentCallsMatchSequentialResults()
    {
        Case[] cases =
        {
            Case.Create(false, true, 100, 130, 300, 1f, 0f, 0, 0, 0, false, 21),
            Case.Create(false, false, 77, 64, 520, 0.5f, 1f, 1, 0, 2, false, 22),
            Case.Create(true, false, 128, 40, 100, 1f, 0.5f, 0, 3, 0, false, 23),
            Case.Create(true, true, 33, 257, 31, 2f, 0f, 0, 0, 0, false, 24),
        };
        float[][] sequential = Array.ConvertAll(cases, test => test.Actual());

        var failures = new List<string>();
        Concurrently.Run(4, offset =>
        {
            for (int repeat = 0; repeat < 8; repeat++)
            {
                int index = (offset + repeat) % cases.Length;
                float[] result = cases[index].Actual();
                if (!result.AsSpan().SequenceEqual(sequential[index]))
                    lock (failures) failures.Add($"thread {offset}, repeat {repeat}: {cases[index]}");
            }
        });
        Assert.Empty(failures);
    }
}
