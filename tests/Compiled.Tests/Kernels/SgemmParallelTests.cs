using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests.Kernels;

/// <summary>
/// Tests that change the process-wide <see cref="Sgemm.MaxThreads"/>: run alone, after the parallel test
/// collections, so no other test sees (or changes) the setting meanwhile.
/// </summary>
[CollectionDefinition("Sgemm threading", DisableParallelization = true)]
public sealed class SgemmThreadingCollection
{
}

[Collection("Sgemm threading")]
public sealed class SgemmParallelTests
{
    /// <summary>Thread counts to compare against one thread: this machine's, and more, to get 3- and 4-way splits.</summary>
    private static readonly int[] ThreadCounts = { 2, 3, 4, Math.Max(2, Environment.ProcessorCount) };

    /// <summary>Stored operands (padded to their leading dimensions) of one product.</summary>
    private sealed class Operands
    {
        public bool TransA, TransB;
        public int M, N, K, Lda, Ldb, Ldc;
        public float Alpha, Beta;
        public float[] A = Array.Empty<float>(), B = Array.Empty<float>(), C = Array.Empty<float>();

        public static Operands Create(bool transA, bool transB, int m, int n, int k, float alpha, float beta, int pad, ulong seed)
        {
            var rng = new Rng(seed);
            var result = new Operands { TransA = transA, TransB = transB, M = m, N = n, K = k, Alpha = alpha, Beta = beta };
            int aRows = transA ? k : m, aColumns = transA ? m : k;
            int bRows = transB ? n : k, bColumns = transB ? k : n;
            result.Lda = aColumns + pad;
            result.Ldb = bColumns + 2 * pad;
            result.Ldc = n + 3 * pad;
            result.A = Fill(rng, aRows * result.Lda);
            result.B = Fill(rng, bRows * result.Ldb);
            result.C = Fill(rng, m * result.Ldc);
            return result;
        }

        private static float[] Fill(Rng rng, int length)
        {
            var data = new float[length];
            for (int i = 0; i < data.Length; i++) data[i] = rng.NextUniform(-1f, 1f);
            return data;
        }

        public float[] Run(int threads)
        {
            float[] c = (float[])C.Clone();
            WithMaxThreads(threads, () => Multiply(c));
            return c;
        }

        public void Multiply(float[] c) =>
            Sgemm.Multiply(TransA, TransB, M, N, K, Alpha, A, Lda, B, Ldb, Beta, c, Ldc);

        public override string ToString() =>
            $"transA={TransA} transB={TransB} m={M} n={N} k={K} lda={Lda} ldb={Ldb} ldc={Ldc} alpha={Alpha} beta={Beta}";
    }

    /// <summary>Runs <paramref name="action"/> with <see cref="Sgemm.MaxThreads"/> set to <paramref name="threads"/>, then restores it.</summary>
    internal static void WithMaxThreads(int threads, Action action)
    {
        int saved = Sgemm.MaxThreads;
        try
        {
            Sgemm.MaxThreads = threads;
            action();
        }
        finally
        {
            Sgemm.MaxThreads = saved;
        }
    }

    /// <summary>Bit-for-bit equality (so −0 ≠ +0 and NaN payloads count), naming the first difference.</summary>
    private static void AssertIdentical(float[] expected, float[] actual, string what)
    {
        ReadOnlySpan<int> e = MemoryMarshal.Cast<float, int>(expected), a = MemoryMarshal.Cast<float, int>(actual);
        Assert.Equal(e.Length, a.Length);
        for (int i = 0; i < e.Length; i++)
            Assert.True(e[i] == a[i], $"{what}: element {i} is {actual[i]:R}, single-threaded {expected[i]:R}");
    }

    public static IEnumerable<object[]> TransposeCombinations()
    {
        yield return new object[] { false, false };
        yield return new object[] { false, true };
        yield return new object[] { true, false };
        yield return new object[] { true, true };
    }

    /// <summary>
    /// Shapes above the parallel threshold (2·m·n·k ≥ 1 MFLOP) that split awkwardly: n not a multiple of any
    /// NR, fewer row strips than threads, several K blocks, N wider than one NC panel, tall and narrow C.
    /// </summary>
    private static readonly (int M, int N, int K)[] AwkwardShapes =
    {
        (64, 256, 784), (130, 70, 300), (9, 257, 513), (6, 100, 1000), (5, 131, 900), (250, 33, 513),
        (13, 2100, 40), (40, 17, 800), (17, 45, 700), (100, 100, 100),
    };

    [Theory]
    [MemberData(nameof(TransposeCombinations))]
    public void ParallelResultsAreBitIdenticalToSingleThreaded(bool transA, bool transB)
    {
        foreach ((int m, int n, int k) in AwkwardShapes)
        {
            // 0.3 is no power of two, so beta·C rounds: an element computed in an edge tile (product and
            // beta·C added separately) differs from one in a full tile (fused), and a band boundary off the
            // micro-tile grid would show.
            foreach (float beta in new[] { 0f, 1f, 0.3f })
            {
                var operands = Operands.Create(transA, transB, m, n, k, beta == 1f ? 1f : -0.75f, beta, pad: m % 3, seed: (ulong)(m * 31 + n + k));
                float[] single = operands.Run(1);
                foreach (int threads in ThreadCounts)
                    AssertIdentical(single, operands.Run(threads), $"{operands}, {threads} threads");
            }
        }
    }

    /// <summary>
    /// A bias-plus-ReLU epilogue, like generated code's, that also records who touched what in arrays shared by
    /// all copies: visits per element (disjoint per thread, so plain increments), and whether a pool worker ran.
    /// </summary>
    private readonly struct RecordingEpilogue : IGemmEpilogue
    {
        private readonly float[] _bias;
        private readonly int[] _visits;
        private readonly int _ldc;
        private readonly int[] _workerCalls;

        public RecordingEpilogue(float[] bias, int[] visits, int ldc, int[] workerCalls)
        {
            _bias = bias;
            _visits = visits;
            _ldc = ldc;
            _workerCalls = workerCalls;
        }

        public void Apply(Span<float> segment, int row, int column)
        {
            if (Thread.CurrentThread.Name == "Compiled SGEMM worker") Interlocked.Increment(ref _workerCalls[0]);
            for (int j = 0; j < segment.Length; j++)
            {
                _visits[row * _ldc + column + j]++;
                segment[j] = Math.Max(0f, segment[j] + _bias[column + j]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(TransposeCombinations))]
    public void ParallelEpilogueSeesEachElementOnceAndMatchesSingleThreaded(bool transA, bool transB)
    {
        foreach ((int m, int n, int k) in AwkwardShapes)
        {
            var operands = Operands.Create(transA, transB, m, n, k, 1.25f, 0.3f, pad: 1, seed: (ulong)(n * 7 + k));
            float[] bias = new float[n];
            var rng = new Rng(5);
            for (int j = 0; j < n; j++) bias[j] = rng.NextUniform(-0.5f, 0.5f);

            float[] single = Run(1, out _);
            foreach (int threads in ThreadCounts)
                AssertIdentical(single, Run(threads, out _), $"{operands} with epilogue, {threads} threads");

            float[] Run(int threads, out int workerCalls)
            {
                float[] c = (float[])operands.C.Clone();
                int[] visits = new int[c.Length], workers = new int[1];
                var epilogue = new RecordingEpilogue(bias, visits, operands.Ldc, workers);
                WithMaxThreads(threads, () => Sgemm.Multiply(operands.TransA, operands.TransB, m, n, k, operands.Alpha,
                    operands.A, operands.Lda, operands.B, operands.Ldb, operands.Beta, c, operands.Ldc, ref epilogue));
                for (int i = 0; i < c.Length; i++)
                    Assert.True(visits[i] == (i % operands.Ldc < n ? 1 : 0), $"{operands}, {threads} threads: element {i} visited {visits[i]} times");
                workerCalls = workers[0];
                return c;
            }
        }
    }

    [Fact]
    public void LargeProductsReachTheWorkerThreads()
    {
        // Only a sign the pool is in use at all: a worker that is slow to wake finds its share done by the
        // caller, so a single product may not show it; the workers spin for a while after each job, though.
        if (Environment.ProcessorCount < 2) return;
        var operands = Operands.Create(false, true, 64, 256, 784, 1f, 0f, pad: 0, seed: 3);
        float[] bias = new float[256];
        float[] c = new float[operands.C.Length];
        int[] visits = new int[c.Length], workers = new int[1];
        var epilogue = new RecordingEpilogue(bias, visits, operands.Ldc, workers);
        WithMaxThreads(2, () =>
        {
            for (int attempt = 0; attempt < 200 && Volatile.Read(ref workers[0]) == 0; attempt++)
                Sgemm.Multiply(false, true, 64, 256, 784, 1f, operands.A, operands.Lda, operands.B, operands.Ldb, 0f, c, operands.Ldc, ref epilogue);
        });
        Assert.True(workers[0] > 0, "no row segment was finished on a \"Compiled SGEMM worker\" thread");
    }

    [Fact]
    public void Weight_gradients_are_cut_into_row_bands_and_forward_products_into_column_bands()
    {
        // dYᵀ·X of a 784 → 256 layer at batch 32: each thread's band is then one contiguous range of the gradient, the
        // range its part of the optimizer's pass reads (Optimizer.SplitPart); X·Wᵀ keeps column bands (each thread packs
        // its own share of the weights).
        var gradient = Operands.Create(true, false, 256, 784, 32, 1f, 0f, pad: 0, seed: 5);
        var forward = Operands.Create(false, true, 32, 256, 784, 1f, 0f, pad: 0, seed: 6);
        WithMaxThreads(2, () =>
        {
            long products = SgemmParallel.ProductJobs;
            gradient.Multiply(new float[gradient.C.Length]);
            Assert.Equal(products + 1, SgemmParallel.ProductJobs);
            Assert.False(SgemmParallel.s_splitN, "the weight gradient was cut into column bands");
            forward.Multiply(new float[forward.C.Length]);
            Assert.True(SgemmParallel.s_splitN, "the forward product was cut into row bands");
        });
    }

    [Fact]
    public void SmallProductsStayOnTheCallingThread()
    {
        // Batch-1 inference and a 10-unit output layer: below the threshold, on every path.
        (int m, int n, int k)[] shapes = { (1, 256, 784), (64, 10, 256), (10, 256, 64), (8, 64, 64) };
        foreach ((int m, int n, int k) in shapes)
        {
            var operands = Operands.Create(false, true, m, n, k, 1f, 0f, pad: 0, seed: 4);
            float[] c = new float[operands.C.Length];
            int[] visits = new int[c.Length], workers = new int[1];
            var epilogue = new RecordingEpilogue(new float[n], visits, operands.Ldc, workers);
            WithMaxThreads(4, () =>
            {
                for (int repeat = 0; repeat < 20; repeat++)
                    Sgemm.Multiply(false, true, m, n, k, 1f, operands.A, operands.Lda, operands.B, operands.Ldb, 0f, c, operands.Ldc, ref epilogue);
            });
            Assert.True(workers[0] == 0, $"{m}×{n}×{k} ran on a worker");
        }
    }

    [Fact]
    public void ParallelPathAllocatesNothingAfterWarmUp()
    {
        Operands[] cases =
        {
            Operands.Create(false, true, 64, 256, 784, 1f, 0f, 0, 1),   // forward, Fashion-MNIST batch
            Operands.Create(false, false, 64, 784, 256, 1f, 0f, 0, 2),  // dX
            Operands.Create(true, false, 256, 784, 64, 1f, 1f, 0, 3),   // dW += dYᵀ·X
            Operands.Create(true, true, 130, 70, 300, 0.5f, 0.5f, 1, 4),
        };
        float[][] outputs = Array.ConvertAll(cases, operands => (float[])operands.C.Clone());
        float[] bias = new float[784];
        int[][] visits = Array.ConvertAll(outputs, c => new int[c.Length]);
        int[] workers = new int[1];

        WithMaxThreads(Math.Max(2, Environment.ProcessorCount), () =>
        {
            for (int warm = 0; warm < 3; warm++) RunAll();
            Allocations.AssertSteadyStateIsAllocationFree(RunAll);
        });

        void RunAll()
        {
            for (int i = 0; i < cases.Length; i++)
            {
                Operands t = cases[i];
                t.Multiply(outputs[i]);
                var epilogue = new RecordingEpilogue(bias, visits[i], t.Ldc, workers);
                Sgemm.Multiply(t.TransA, t.TransB, t.M, t.N, t.K, t.Alpha, t.A, t.Lda, t.B, t.Ldb, t.Beta, outputs[i], t.Ldc, ref epilogue);
            }
        }
    }

    [Fact]
    public void ConcurrentCallersGetSequentialResults()
    {
        Operands[] cases =
        {
            Operands.Create(false, true, 64, 256, 784, 1f, 0f, 0, 21),
            Operands.Create(false, false, 77, 300, 520, 0.5f, 1f, 1, 22),
            Operands.Create(true, false, 128, 140, 100, 1f, 0.5f, 2, 23),
            Operands.Create(true, true, 33, 257, 310, 2f, 0f, 0, 24),
        };
        float[][] sequential = Array.ConvertAll(cases, operands => operands.Run(1));

        var failures = new List<string>();
        WithMaxThreads(Math.Max(2, Environment.ProcessorCount), () =>
        {
            Concurrently.Run(4, offset =>
            {
                for (int repeat = 0; repeat < 12; repeat++)
                {
                    int index = (offset + repeat) % cases.Length;
                    float[] c = (float[])cases[index].C.Clone();
                    cases[index].Multiply(c);
                    if (!MemoryMarshal.Cast<float, int>(c).SequenceEqual(MemoryMarshal.Cast<float, int>(sequential[index])))
                        lock (failures) failures.Add($"thread {offset}, repeat {repeat}: {cases[index]}");
                }
            });
        });
        Assert.Empty(failures);
    }

    /// <summary>Throws from the epilogue at one row: the caller's part or a worker's.</summary>
    private readonly struct ThrowingEpilogue : IGemmEpilogue
    {
        private readonly int _row;

        public ThrowingEpilogue(int row) => _row = row;

        public void Apply(Span<float> segment, int row, int column)
        {
            if (row == _row && column == 0) throw new InvalidOperationException($"row {row}");
        }
    }

    [Fact]
    public void EpilogueExceptionsReachTheCallerAndThePoolRecovers()
    {
        var operands = Operands.Create(false, false, 256, 64, 300, 1f, 0f, 0, 31);   // m > n: row bands
        float[] expected = operands.Run(1);
        WithMaxThreads(2, () =>
        {
            foreach (int row in new[] { 0, 255 })
            {
                for (int repeat = 0; repeat < 5; repeat++)
                {
                    float[] c = (float[])operands.C.Clone();
                    var epilogue = new ThrowingEpilogue(row);
                    var error = Assert.Throws<InvalidOperationException>(() => Sgemm.Multiply(false, false, 256, 64, 300, 1f,
                        operands.A, operands.Lda, operands.B, operands.Ldb, 0f, c, operands.Ldc, ref epilogue));
                    Assert.Equal($"row {row}", error.Message);
                }
            }
            float[] after = (float[])operands.C.Clone();
            operands.Multiply(after);
            AssertIdentical(expected, after, "after exceptions");
        });
    }

    [Fact]
    public void MaxThreadsDefaultsToProcessorCountAndRejectsLessThanOne()
    {
        int saved = Sgemm.MaxThreads;
        Assert.Equal(Environment.ProcessorCount, saved);
        try
        {
            Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => Sgemm.MaxThreads = 0).ParamName);
            Assert.Throws<ArgumentOutOfRangeException>(() => Sgemm.MaxThreads = -3);
            Assert.Equal(saved, Sgemm.MaxThreads);
            Sgemm.MaxThreads = 1;
            Assert.Equal(1, Sgemm.MaxThreads);
            Sgemm.MaxThreads = 64;
            Assert.Equal(64, Sgemm.MaxThreads);
        }
        finally
        {
            Sgemm.MaxThreads = saved;
        }
    }
}
