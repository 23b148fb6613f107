using System;
using System.Runtime.InteropServices;
using System.Threading;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests.Kernels;

/// <summary>
/// The SGEMM's process-wide state, tested alone (the "Sgemm threading" collection runs without other tests
/// in parallel): the count of threads forcing a path, which another test's scope would otherwise mask, and
/// the worker pool grown to a thread count no other test uses, so these tests are the ones that start those
/// workers.
/// </summary>
[Collection("Sgemm threading")]
public sealed class SgemmPoolTests
{
    /// <summary>More threads than any other test asks for, so the pool grows during these tests.</summary>
    private const int ManyThreads = 12;

    /// <summary>
    /// Inner scopes, disposed many times over, leave the outer scope's path in force. Many, because a wrong count
    /// of forcing threads only shows when it reaches exactly 0, and scopes of earlier tests may have left it off by some.
    /// </summary>
    [Fact]
    public void Nested_path_scopes_restore_the_outer_path()
    {
        Assert.Equal(Sgemm.Path, Sgemm.CurrentPath);
        using (Sgemm.ForcePath("scalar"))
        {
            Assert.Equal("scalar", Sgemm.CurrentPath);
            for (int repeat = 0; repeat < 10_000; repeat++)
            {
                string inner = Sgemm.AvailablePaths[repeat % Sgemm.AvailablePaths.Length];
                using (Sgemm.ForcePath(inner))
                    if (Sgemm.CurrentPath != inner) Assert.Fail($"repeat {repeat}: forced {inner}, got {Sgemm.CurrentPath}");
                if (Sgemm.CurrentPath != "scalar") Assert.Fail($"repeat {repeat}: after the inner {inner} scope, {Sgemm.CurrentPath} instead of scalar");
            }
        }
        Assert.Equal(Sgemm.Path, Sgemm.CurrentPath);
    }

    /// <summary>
    /// Workers started at a new, larger thread count are named, run, and compute their bands exactly as one
    /// thread would: the segments they finish carry the single-threaded values.
    /// </summary>
    [Fact]
    public void New_workers_take_part_and_match_one_thread()
    {
        if (Environment.ProcessorCount < 2) return;
        // 200 rows: 25 row strips of 8 (AVX-512), 34 of 6 (AVX2), 50 of 4: a band for each of the threads. K = 512
        // makes each call long enough (about 100 µs on one core) for a worker woken from blocking to claim a band.
        const int M = 200, N = 40, K = 512;
        var rng = new Rng(12);
        float[] a = Random(rng, M * K), b = Random(rng, K * N);
        float[] single = new float[M * N];
        SgemmParallelTests.WithMaxThreads(1, () => Sgemm.Multiply(false, false, M, N, K, 1f, a, K, b, N, 0f, single, N));

        int[] workerSegments = new int[1];
        SgemmParallelTests.WithMaxThreads(ManyThreads, () =>
        {
            // Until a worker has finished a segment, for up to 20 s: on a loaded machine (the suite runs beside other
            // builds) the workers may get no core for a while, which is slow, not wrong.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (int attempt = 0; Volatile.Read(ref workerSegments[0]) == 0 && (attempt < 200 || clock.Elapsed.TotalSeconds < 20); attempt++)
            {
                float[] c = new float[M * N];
                var epilogue = new WorkerCountingEpilogue(workerSegments);
                Sgemm.Multiply(false, false, M, N, K, 1f, a, K, b, N, 0f, c, N, ref epilogue);
                Assert.True(MemoryMarshal.Cast<float, int>(c).SequenceEqual(MemoryMarshal.Cast<float, int>(single)),
                    $"attempt {attempt}: {ManyThreads} threads differ from one");
            }
        });
        Assert.True(workerSegments[0] > 0, "no segment was finished on a thread named \"Compiled SGEMM worker\"");
    }

    /// <summary>
    /// The caller's own part throws on its first segment, about a microsecond into a 12-way job (k = 8: little to
    /// pack), while workers woken from blocking are still claiming theirs: the call must close the job, count the
    /// parts nobody claimed as done (or it waits for them forever), return the exception and leave the pool usable.
    /// </summary>
    [Fact]
    public void A_caller_failure_with_parts_unclaimed_returns_and_the_pool_recovers()
    {
        const int M = 4000, N = 64, K = 8;
        var rng = new Rng(13);
        float[] a = Random(rng, M * K), b = Random(rng, K * N);
        float[] single = new float[M * N];
        SgemmParallelTests.WithMaxThreads(1, () => Sgemm.Multiply(false, false, M, N, K, 1f, a, K, b, N, 0f, single, N));

        int thrown = 0;
        SgemmParallelTests.WithMaxThreads(ManyThreads, () =>
        {
            // Normally the caller computes a part within a few attempts; on a loaded machine the woken workers can take
            // every core, and every part, for many attempts in a row (seen once in 200 on the scalar path): keep trying
            // for up to 20 s, which is slow, not wrong.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (int attempt = 0; (attempt < 200 || clock.Elapsed.TotalSeconds < 20) && thrown < 5; attempt++)
            {
                Thread.Sleep(2);   // let the workers block, so they are slow to claim parts
                float[] c = new float[M * N];
                var epilogue = new CallerThrowingEpilogue(Environment.CurrentManagedThreadId);
                try
                {
                    Sgemm.Multiply(false, false, M, N, K, 1f, a, K, b, N, 0f, c, N, ref epilogue);
                }
                catch (InvalidOperationException error)
                {
                    Assert.Equal("the caller's segment", error.Message);
                    thrown++;
                    continue;
                }
                // The workers claimed every part before the caller could: then C is complete.
                Assert.True(MemoryMarshal.Cast<float, int>(c).SequenceEqual(MemoryMarshal.Cast<float, int>(single)), $"attempt {attempt}: wrong product");
            }
            float[] after = new float[M * N];
            Sgemm.Multiply(false, false, M, N, K, 1f, a, K, b, N, 0f, after, N);
            Assert.True(MemoryMarshal.Cast<float, int>(after).SequenceEqual(MemoryMarshal.Cast<float, int>(single)), "the pool computes wrongly after a failure");
        });
        Assert.True(thrown > 0, "the calling thread never computed a part of the product");
    }

    private readonly struct WorkerCountingEpilogue : IGemmEpilogue
    {
        private readonly int[] _workerSegments;

        public WorkerCountingEpilogue(int[] workerSegments) => _workerSegments = workerSegments;

        public void Apply(Span<float> segment, int row, int column)
        {
            if (Thread.CurrentThread.Name == "Compiled SGEMM worker") Interlocked.Increment(ref _workerSegments[0]);
        }
    }

    private readonly struct CallerThrowingEpilogue : IGemmEpilogue
    {
        private readonly int _callerThread;

        public CallerThrowingEpilogue(int callerThread) => _callerThread = callerThread;

        public void Apply(Span<float> segment, int row, int column)
        {
            if (Environment.CurrentManagedThreadId == _callerThread) throw new InvalidOperationException("the caller's segment");
        }
    }

    private static float[] Random(Rng rng, int length)
    {
        var data = new float[length];
        for (int i = 0; i < data.Length; i++) data[i] = rng.NextUniform(-1f, 1f);
        return data;
    }
}
