using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace Compiled.Kernels;

/// <summary>
/// Runs a large blocked product on several threads: the calling thread and up to
/// <see cref="Sgemm.MaxThreads"/> − 1 persistent background workers. C is cut into contiguous bands of
/// whole micro-tile strips, NR-aligned column ranges or MR-aligned row ranges, and each thread runs the
/// ordinary single-threaded driver (<see cref="SgemmBlocked"/>) on its band with its own [ThreadStatic]
/// packing buffers. Every element of C is therefore computed by exactly one thread, with the same K blocking,
/// the same tile position (full tile or edge tile) and the same summation order as the single-threaded path:
/// results are bit-identical whatever the thread count.
/// </summary>
/// <remarks>
/// <para>
/// Nothing is allocated per call: the job's arguments go into static fields (the pool serves one caller at a
/// time), the generic part is reached through a function pointer to a static method of
/// <see cref="ParallelJob{TKernel, TEpilogue}"/>, and workers are woken through preallocated events. Workers
/// spin briefly after each job, so the back-to-back products of a training step reach them without a kernel
/// wake-up, then block.
/// </para>
/// <para>
/// The pool is taken with a non-blocking try-acquire. A caller that finds it busy (another thread's product,
/// or an epilogue that itself multiplies) runs single-threaded on its own thread, which gives the same result.
/// </para>
/// </remarks>
internal static unsafe class SgemmParallel
{
    /// <summary>
    /// Products below this many flops (2·m·n·k) stay on the caller's thread. Measured with GemmBench on a
    /// 2-core Zen 4 VM (AVX-512), workers awake: two threads already win 1.6× at 0.26 MFLOP (8×128×128) and
    /// 1.1× at 0.07 MFLOP (8×64×64); but a worker that has blocked takes tens of µs to wake, so the product
    /// must be large enough not to lose when it does. 1 MFLOP keeps batch-1 inference and narrow output
    /// layers (e.g. 64×256×10) single-threaded on every path, including the scalar one.
    /// </summary>
    internal const double MinFlops = 1e6;

    /// <summary>The most parts a job is cut into (the claim word counts them in 16 bits).</summary>
    private const int MaxParts = 256;

    /// <summary>
    /// How long a worker keeps spinning (after the first eighth, yielding its core to any other runnable
    /// thread) for its next job before it blocks, and the caller for its workers. A training step's products
    /// come well within 1 ms of each other, so they never pay a kernel wake-up; after an idle spell the first
    /// large product runs at about single-threaded speed (measured 0.97× on 64×784×256 after a 1.5 ms pause).
    /// </summary>
    private static readonly long s_workerSpinTicks = Stopwatch.Frequency / 1_000;   // 1 ms
    private static readonly long s_callerSpinTicks = Stopwatch.Frequency / 1_000;   // 1 ms

    // The pool: 1 while a caller owns it. Workers are only ever added, by the owner.
    private static int s_busy;
    private static Worker[] s_workers = Array.Empty<Worker>();
    private static readonly ManualResetEventSlim s_done = new(false, spinCount: 0);

    // The current job, written by the owner before it publishes s_claim.
    private static int s_jobId;
    private static long s_claim;
    private static int s_finished;
    private static delegate*<int, void> s_job;
    private static ExceptionDispatchInfo? s_failure;

    /// <summary>When the last job ended (Stopwatch ticks): its workers spin for <see cref="s_workerSpinTicks"/> after it.</summary>
    private static long s_lastJobEnd;

    // A job that is not a product (TryRunParts): the function and its arguments.
    private static delegate*<void*, int, void> s_partFunction;
    private static void* s_partArguments;

    /// <summary>Jobs run by <see cref="TryRunParts"/> on several threads so far (for tests).</summary>
    internal static long PartJobs;

    /// <summary>Products split over several threads so far (for tests).</summary>
    internal static long ProductJobs;

    internal static bool s_transA, s_transB, s_splitN;
    internal static int s_m, s_n, s_k, s_lda, s_ldb, s_ldc, s_parts, s_strips;
    internal static float s_alpha, s_beta;
    internal static float* s_a, s_b, s_c;

    /// <summary>
    /// Computes the product on several threads if it is large enough and the pool is free; otherwise returns
    /// false and the caller runs <see cref="SgemmBlocked"/> itself.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryMultiply<TKernel, TEpilogue>(bool transA, bool transB, int m, int n, int k, float alpha,
        ref float a, int lda, ref float b, int ldb, float beta, ref float c, int ldc, ref TEpilogue epilogue)
        where TKernel : struct, ISgemmMicroKernel
        where TEpilogue : struct, IGemmEpilogue
    {
        int threads = Sgemm.MaxThreads;
        if (threads < 2 || 2.0 * m * n * k < MinFlops) return false;

        // Each thread packs its own copy of the operand the bands share: all of op(A) when C is cut into
        // column bands, all of op(B) when cut into row bands. Duplicate the smaller one (column bands when
        // m ≤ n, the usual case: m is the batch), unless the other dimension has strips for more threads.
        // Measured on 64×784×256 NT: column bands 1.93×, row bands 1.78×; on 256×784×256 they tie.
        int rowStrips = (m + TKernel.MR - 1) / TKernel.MR, columnStrips = (n + TKernel.NR - 1) / TKernel.NR;
        bool splitN = m <= n
            ? columnStrips >= Math.Min(threads, rowStrips)
            : rowStrips < Math.Min(threads, columnStrips);
        // A weight gradient (dYᵀ·X: A transposed, B not, k the batch) is cut into row bands when it has a strip per thread:
        // each thread then writes one contiguous range of the gradient buffer, the range its part of the optimizer's pass
        // reads next (Optimizer splits its pass in one contiguous part per thread, the caller's first), instead of half of
        // every row. Each thread packs all of X (k × n, a batch of inputs: small). Measured on the 784-256-10 step at batch
        // 32, two threads, Zen 5: 121 → 116 µs with the optimizer's parts (its pass 38.5 → 36 µs).
        if (transA && !transB && rowStrips >= threads) splitN = false;
        int strips = splitN ? columnStrips : rowStrips;
        int parts = Math.Min(Math.Min(threads, strips), MaxParts);
        if (parts < 2) return false;

        if (Interlocked.CompareExchange(ref s_busy, 1, 0) != 0) return false;
        ExceptionDispatchInfo? failure = null;
        try
        {
            EnsureWorkers(parts - 1);
            fixed (float* pa = &a, pb = &b, pc = &c)
            {
                s_transA = transA; s_transB = transB; s_splitN = splitN;
                s_m = m; s_n = n; s_k = k; s_lda = lda; s_ldb = ldb; s_ldc = ldc;
                s_alpha = alpha; s_beta = beta; s_a = pa; s_b = pb; s_c = pc;
                s_parts = parts; s_strips = strips;
                ParallelJob<TKernel, TEpilogue>.Epilogue = epilogue;
                s_job = &ParallelJob<TKernel, TEpilogue>.RunCopy;
                s_failure = null;
                s_finished = 0;
                s_done.Reset();
                s_jobId++;
                // Publishing the claim word (an interlocked write) releases the job fields above to whoever claims a part.
                Interlocked.Exchange(ref s_claim, ((long)s_jobId << 32) | ((long)parts << 16));
                for (int w = 0; w < parts - 1; w++) s_workers[w].Wake();

                try
                {
                    // Claim parts until none is left: a worker that is slow to wake (blocked, descheduled)
                    // finds its share already done instead of holding the caller up.
                    int part;
                    while ((part = TryClaim(s_jobId)) >= 0)
                    {
                        try
                        {
                            ParallelJob<TKernel, TEpilogue>.Run(part, ref epilogue);
                        }
                        finally
                        {
                            Interlocked.Increment(ref s_finished);
                        }
                    }
                }
                finally
                {
                    // Even if our part threw: close the job to latecomers, then wait for parts the workers
                    // claimed, which are reading A and B and writing C.
                    CloseClaims();
                    WaitForWorkers();
                    s_lastJobEnd = Stopwatch.GetTimestamp();
                    Interlocked.Increment(ref ProductJobs);
                    ParallelJob<TKernel, TEpilogue>.Epilogue = default;   // don't keep the caller's arrays alive
                    s_job = null;
                    s_a = s_b = s_c = null;
                    failure = s_failure;
                    s_failure = null;
                }
            }
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }

        failure?.Throw();   // a worker's exception, unless our own part threw one already
        return true;
    }

    /// <summary>
    /// Runs <paramref name="function"/>(<paramref name="arguments"/>, part) for every part in [0, <paramref name="parts"/>)
    /// on the calling thread and this pool's workers, and returns true; or returns false without running anything if
    /// one thread is allowed, the pool is busy, or its workers are not still spinning from a product that ended less
    /// than half their spin time ago (waking a blocked worker costs tens of µs, more than the element-wise passes this
    /// serves save). A training step's element-wise work (the optimizer's pass over the parameters) follows its
    /// products closely, so it finds the workers awake. <paramref name="arguments"/> must stay valid until this returns.
    /// </summary>
    internal static bool TryRunParts(int parts, delegate*<void*, int, void> function, void* arguments)
    {
        int threads = Math.Min(Sgemm.MaxThreads, parts);
        if (threads < 2 || parts > MaxParts) return false;
        if (Stopwatch.GetTimestamp() - Volatile.Read(ref s_lastJobEnd) > s_workerSpinTicks / 2) return false;
        if (Interlocked.CompareExchange(ref s_busy, 1, 0) != 0) return false;
        ExceptionDispatchInfo? failure = null;
        try
        {
            EnsureWorkers(threads - 1);
            s_partFunction = function;
            s_partArguments = arguments;
            s_parts = parts;
            s_job = &RunPart;
            s_failure = null;
            s_finished = 0;
            s_done.Reset();
            s_jobId++;
            Interlocked.Exchange(ref s_claim, ((long)s_jobId << 32) | ((long)parts << 16));
            for (int w = 0; w < threads - 1; w++) s_workers[w].Wake();
            try
            {
                int part;
                while ((part = TryClaim(s_jobId)) >= 0)
                {
                    try { function(arguments, part); }
                    finally { Interlocked.Increment(ref s_finished); }
                }
            }
            finally
            {
                CloseClaims();
                WaitForWorkers();
                s_lastJobEnd = Stopwatch.GetTimestamp();
                s_job = null;
                s_partFunction = null;
                s_partArguments = null;
                failure = s_failure;
                s_failure = null;
                Interlocked.Increment(ref PartJobs);
            }
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
        failure?.Throw();
        return true;
    }

    private static void RunPart(int part) => s_partFunction(s_partArguments, part);

    /// <summary>
    /// Claims the next unclaimed part of job <paramref name="jobId"/>, or returns −1 if it has none left or is no
    /// longer the current job. The claim word packs job id (high 32 bits), part count and next part (16 bits
    /// each), so a successful compare-exchange proves the job is still running, and it cannot finish until the
    /// claimed part is reported in <see cref="s_finished"/>.
    /// </summary>
    private static int TryClaim(int jobId)
    {
        while (true)
        {
            long claim = Volatile.Read(ref s_claim);
            int next = (int)(claim & 0xFFFF), parts = (int)((claim >> 16) & 0xFFFF);
            if ((int)(claim >> 32) != jobId || next >= parts) return -1;
            if (Interlocked.CompareExchange(ref s_claim, claim + 1, claim) == claim) return next;
        }
    }

    /// <summary>
    /// Marks every part of the current job claimed, so no worker starts one after the caller stops waiting, and
    /// counts the parts nobody claimed (left over only when the caller's own part threw) as finished.
    /// </summary>
    private static void CloseClaims()
    {
        while (true)
        {
            long claim = Volatile.Read(ref s_claim);
            int next = (int)(claim & 0xFFFF), parts = (int)((claim >> 16) & 0xFFFF);
            if (next >= parts) return;
            if (Interlocked.CompareExchange(ref s_claim, claim + (parts - next), claim) == claim)
            {
                Interlocked.Add(ref s_finished, parts - next);
                return;
            }
        }
    }

    /// <summary>The half-open range [<paramref name="first"/>, <paramref name="end"/>) of strips that part <paramref name="part"/> computes.</summary>
    internal static void Band(int part, out int first, out int end)
    {
        first = (int)((long)part * s_strips / s_parts);
        end = (int)((long)(part + 1) * s_strips / s_parts);
    }

    private static void EnsureWorkers(int count)
    {
        if (s_workers.Length >= count) return;
        var workers = new Worker[count];
        Array.Copy(s_workers, workers, s_workers.Length);
        for (int w = s_workers.Length; w < count; w++) workers[w] = new Worker();
        s_workers = workers;
    }

    /// <summary>Waits until every claimed part has finished (after <see cref="CloseClaims"/>, all parts are claimed).</summary>
    private static void WaitForWorkers()
    {
        int parts = s_parts;
        if (Volatile.Read(ref s_finished) == parts) return;
        long start = Stopwatch.GetTimestamp();
        while (Volatile.Read(ref s_finished) != parts)
        {
            if (Stopwatch.GetTimestamp() - start > s_callerSpinTicks) s_done.Wait();   // set by the last part to finish
            else Thread.SpinWait(8);
        }
    }

    /// <summary>A worker's turn: claims and runs parts of the current job while any are left.</summary>
    private static void Help()
    {
        int jobId = (int)(Volatile.Read(ref s_claim) >> 32);
        int part;
        while ((part = TryClaim(jobId)) >= 0)
        {
            // Read while the claim holds the job open: once our part is counted, another may start.
            int parts = s_parts;
            try
            {
                s_job(part);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref s_failure, ExceptionDispatchInfo.Capture(e), null);
            }
            finally
            {
                if (Interlocked.Increment(ref s_finished) == parts) s_done.Set();
            }
        }
    }

    /// <summary>A persistent background thread that helps with each job it is woken for.</summary>
    private sealed class Worker
    {
        private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
        private int _generation;

        public Worker()
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = "Compiled SGEMM worker" };
            thread.Start();
        }

        public void Wake()
        {
            Interlocked.Increment(ref _generation);
            _wake.Set();
        }

        private void Loop()
        {
            int seen = 0;
            while (true)
            {
                WaitForJob(seen);
                seen = Volatile.Read(ref _generation);
                Help();
            }
        }

        private void WaitForJob(int seen)
        {
            long start = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref _generation) == seen)
            {
                long spun = Stopwatch.GetTimestamp() - start;
                if (spun <= s_workerSpinTicks)
                {
                    // Spin hard briefly, then politely: yield the core to any other runnable thread.
                    Thread.SpinWait(8);
                    if (spun > s_workerSpinTicks / 8) Thread.Yield();
                    continue;
                }
                // Reset, then look again: a Wake between the two is seen here; one after the look sets the event.
                _wake.Reset();
                if (Volatile.Read(ref _generation) != seen) return;
                _wake.Wait();
            }
        }
    }
}

/// <summary>The generic half of a parallel job: the epilogue and the typed call into the blocked driver.</summary>
internal static unsafe class ParallelJob<TKernel, TEpilogue>
    where TKernel : struct, ISgemmMicroKernel
    where TEpilogue : struct, IGemmEpilogue
{
    /// <summary>The caller's epilogue, copied for the workers.</summary>
    public static TEpilogue Epilogue;

    /// <summary>A worker's entry point: runs <paramref name="part"/> with its own copy of the epilogue.</summary>
    public static void RunCopy(int part)
    {
        TEpilogue epilogue = Epilogue;
        Run(part, ref epilogue);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int part, ref TEpilogue epilogue)
    {
        SgemmParallel.Band(part, out int first, out int end);
        bool transA = SgemmParallel.s_transA, transB = SgemmParallel.s_transB;
        int lda = SgemmParallel.s_lda, ldb = SgemmParallel.s_ldb, ldc = SgemmParallel.s_ldc;
        float* a = SgemmParallel.s_a, b = SgemmParallel.s_b, c = SgemmParallel.s_c;
        if (SgemmParallel.s_splitN)
        {
            int j0 = first * TKernel.NR, columns = Math.Min(end * TKernel.NR, SgemmParallel.s_n) - j0;
            nint bStrideX = transB ? ldb : 1;
            SgemmBlocked.Multiply<TKernel, TEpilogue>(transA, transB, SgemmParallel.s_m, columns, SgemmParallel.s_k,
                SgemmParallel.s_alpha, ref *a, lda, ref *(b + j0 * bStrideX), ldb, SgemmParallel.s_beta,
                ref *(c + j0), ldc, ref epilogue, 0, j0);
        }
        else
        {
            int i0 = first * TKernel.MR, rows = Math.Min(end * TKernel.MR, SgemmParallel.s_m) - i0;
            nint aStrideX = transA ? 1 : lda;
            SgemmBlocked.Multiply<TKernel, TEpilogue>(transA, transB, rows, SgemmParallel.s_n, SgemmParallel.s_k,
                SgemmParallel.s_alpha, ref *(a + i0 * aStrideX), lda, ref *b, ldb, SgemmParallel.s_beta,
                ref *(c + (nint)i0 * ldc), ldc, ref epilogue, i0, 0);
        }
    }
}
