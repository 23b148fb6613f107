using System;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace Compiled.Kernels;

/// <summary>
/// Persistent background threads that run the parts of one convolution call alongside its calling thread
/// ("Compiled convolution worker"; up to <see cref="Sgemm.MaxThreads"/> − 1 of them). A part is a run of whole
/// samples (forward, backward-input) or one fixed chunk of samples (backward-weights); which thread takes which
/// part does not change the result, since parts write disjoint memory and are combined, if at all, in part order
/// by the caller. Parts are claimed one by one, so a worker that is slow to wake finds its share already done.
/// </summary>
/// <remarks>
/// <para>
/// The scheme is <see cref="SgemmParallel"/>'s (a separate pool, so a convolution's parts can themselves call
/// single-threaded SGEMM without the two pools waiting on each other): one caller at a time, taken with a
/// non-blocking try-acquire (a caller that finds the pool busy runs every part itself, which gives the same
/// result); the job is a function pointer plus a pointer to arguments on the caller's stack, so nothing is
/// allocated per call; workers spin for 1 ms after a job (politely, yielding their core after the first eighth)
/// so a training step's back-to-back calls do not pay a kernel wake-up, then block.
/// </para>
/// </remarks>
internal static unsafe class ConvolutionWorkers
{
    /// <summary>The most parts a job may have (the claim word counts them in 16 bits).</summary>
    internal const int MaxParts = 0xFFFF;

    private static readonly long s_spinTicks = Stopwatch.Frequency / 1_000;   // 1 ms

    private static int s_busy;
    private static Worker[] s_workers = Array.Empty<Worker>();
    private static readonly ManualResetEventSlim s_done = new(false, spinCount: 0);

    // The current job, written by the owner before it publishes s_claim.
    private static int s_jobId;
    private static long s_claim;      // job id (high 32 bits), part count, next part (16 bits each)
    private static int s_finished;
    private static int s_parts;
    private static delegate*<void*, int, void> s_job;
    private static void* s_arguments;
    private static ExceptionDispatchInfo? s_failure;

    /// <summary>
    /// Runs <paramref name="job"/>(<paramref name="arguments"/>, part) for every part in [0, <paramref name="parts"/>):
    /// shared with up to <paramref name="threads"/> − 1 workers in waves of at most <see cref="MaxParts"/> parts, or, for
    /// a wave of one part, with fewer than two threads or while the pool is busy, on the calling thread alone.
    /// <paramref name="arguments"/> must stay valid until this returns.
    /// </summary>
    public static void RunAll(int parts, int threads, delegate*<void*, int, void> job, void* arguments)
    {
        var wave = new Wave { Job = job, Arguments = arguments };
        for (wave.First = 0; wave.First < parts; wave.First += MaxParts)
        {
            int count = Math.Min(parts - wave.First, MaxParts);
            if (count < 2 || !TryRun(count, threads, &WavePart, &wave))
                for (int part = 0; part < count; part++) job(arguments, wave.First + part);
        }
    }

    private struct Wave
    {
        public delegate*<void*, int, void> Job;
        public void* Arguments;
        public int First;
    }

    private static void WavePart(void* arguments, int part)
    {
        ref Wave wave = ref System.Runtime.CompilerServices.Unsafe.AsRef<Wave>(arguments);
        wave.Job(wave.Arguments, wave.First + part);
    }

    /// <summary>
    /// Runs <paramref name="job"/>(<paramref name="arguments"/>, part) for every part in [0, <paramref name="parts"/>)
    /// on the calling thread and up to <paramref name="threads"/> − 1 workers, and returns true; or returns false
    /// without running anything if fewer than two threads would work or the pool is busy.
    /// <paramref name="arguments"/> must stay valid (e.g. on the caller's stack) until this returns.
    /// </summary>
    public static bool TryRun(int parts, int threads, delegate*<void*, int, void> job, void* arguments)
    {
        threads = Math.Min(threads, parts);
        if (threads < 2 || parts > MaxParts) return false;
        if (Interlocked.CompareExchange(ref s_busy, 1, 0) != 0) return false;
        ExceptionDispatchInfo? failure;
        try
        {
            EnsureWorkers(threads - 1);
            s_job = job;
            s_arguments = arguments;
            s_parts = parts;
            s_failure = null;
            s_finished = 0;
            s_done.Reset();
            int jobId = ++s_jobId;
            // The interlocked write of the claim word publishes the fields above to whoever claims a part.
            Interlocked.Exchange(ref s_claim, ((long)jobId << 32) | ((long)parts << 16));
            for (int w = 0; w < threads - 1; w++) s_workers[w].Wake();
            try
            {
                int part;
                while ((part = TryClaim(jobId)) >= 0)
                {
                    try { job(arguments, part); }
                    finally { Interlocked.Increment(ref s_finished); }
                }
            }
            finally
            {
                // Even if our part threw: close the job to latecomers, then wait for the parts workers claimed.
                CloseClaims();
                WaitForWorkers(parts);
                s_job = null;
                s_arguments = null;
                failure = s_failure;
                s_failure = null;
            }
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
        failure?.Throw();
        return true;
    }

    /// <summary>The next unclaimed part of job <paramref name="jobId"/>, or −1 if none is left or the job is over.</summary>
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

    /// <summary>Marks every part claimed and counts the unclaimed ones (left only when the caller's part threw) as finished.</summary>
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

    private static void WaitForWorkers(int parts)
    {
        long start = Stopwatch.GetTimestamp();
        while (Volatile.Read(ref s_finished) != parts)
        {
            if (Stopwatch.GetTimestamp() - start > s_spinTicks) s_done.Wait();   // set by the last part to finish
            else Thread.SpinWait(8);
        }
    }

    private static void EnsureWorkers(int count)
    {
        if (s_workers.Length >= count) return;
        var workers = new Worker[count];
        Array.Copy(s_workers, workers, s_workers.Length);
        for (int w = s_workers.Length; w < count; w++) workers[w] = new Worker();
        s_workers = workers;
    }

    /// <summary>A worker's turn: claims and runs parts of the current job while any are left.</summary>
    private static void Help()
    {
        int jobId = (int)(Volatile.Read(ref s_claim) >> 32);
        int part;
        while ((part = TryClaim(jobId)) >= 0)
        {
            // Read while our claim holds the job open.
            int parts = s_parts;
            try
            {
                s_job(s_arguments, part);
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

    private sealed class Worker
    {
        private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
        private int _generation;

        public Worker() => new Thread(Loop) { IsBackground = true, Name = "Compiled convolution worker" }.Start();

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
                long start = Stopwatch.GetTimestamp();
                while (Volatile.Read(ref _generation) == seen)
                {
                    long spun = Stopwatch.GetTimestamp() - start;
                    if (spun <= s_spinTicks)
                    {
                        Thread.SpinWait(8);
                        if (spun > s_spinTicks / 8) Thread.Yield();
                        continue;
                    }
                    // Reset, then look again: a Wake between the two is seen here; one after it sets the event.
                    _wake.Reset();
                    if (Volatile.Read(ref _generation) == seen) _wake.Wait();
                }
                seen = Volatile.Read(ref _generation);
                Help();
            }
        }
    }
}
