using System;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;
using Compiled.Kernels;

namespace Compiled;

/// <summary>
/// Splits an optimizer step over a large buffer across the calling thread and up to
/// <see cref="Sgemm.MaxThreads"/> − 1 persistent background workers ("Compiled optimizer worker"). The buffer
/// is cut into contiguous chunks of <see cref="ChunkSize"/> parameters that the threads claim one at a time, so
/// a thread that is descheduled (a busy machine) leaves its chunks to the others. Each element is updated by
/// one thread with the same code as on one thread: the result is bit-identical whatever the thread count.
/// </summary>
/// <remarks>
/// Nothing is allocated per step: the job (the optimizer and two pinned pointers) goes into static fields,
/// so the pool serves one step at a time; a caller that finds it busy updates on its own thread. Workers block
/// between steps instead of spinning: steps come milliseconds apart, after the backward pass, and a spinning
/// worker would take a core from the next forward pass. A blocked worker wakes in tens of µs, which is small
/// next to a step over a million parameters.
/// </remarks>
internal static unsafe class OptimizerThreads
{
    /// <summary>Chunk starts are multiples of this many floats (64 bytes × 4): every vector width divides it.</summary>
    internal const int ChunkAlignment = 64;

    /// <summary>Parameters a thread claims at once: 256 Ki floats, 1 MiB of parameters.</summary>
    internal const int ChunkSize = 1 << 18;

    private static readonly long s_callerSpinTicks = Stopwatch.Frequency / 10_000;   // 100 µs

    /// <summary>Steps run on several threads so far (for tests).</summary>
    internal static long ThreadedSteps;

    private static int s_busy;
    private static Worker[] s_workers = Array.Empty<Worker>();
    private static readonly ManualResetEventSlim s_done = new(false, spinCount: 0);

    // The job, written by the caller before it publishes s_claim: (job id << 32) | (chunk count << 16) | next chunk.
    private static int s_jobId;
    private static long s_claim;
    private static int s_finished;
    private static Optimizer? s_optimizer;
    private static float* s_parameters, s_gradients;
    private static int s_length;
    private static ExceptionDispatchInfo? s_failure;

    /// <summary>
    /// Updates the buffer on several threads, or returns false (one thread allowed, the pool busy) and the caller
    /// updates it itself.
    /// </summary>
    public static bool TryRun(Optimizer optimizer, Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        int threads = Sgemm.MaxThreads;
        int chunks = (int)Math.Min((parameters.Length + (long)ChunkSize - 1) / ChunkSize, ushort.MaxValue);
        if (threads < 2 || chunks < 2) return false;
        if (Interlocked.CompareExchange(ref s_busy, 1, 0) != 0) return false;
        try
        {
            int helpers = Math.Min(threads, chunks) - 1;
            if (s_workers.Length < helpers) AddWorkers(helpers);
            fixed (float* p = parameters, g = gradients)
            {
                s_optimizer = optimizer;
                s_parameters = p;
                s_gradients = g;
                s_length = parameters.Length;
                s_failure = null;
                s_finished = 0;
                s_done.Reset();
                int job = ++s_jobId;
                Interlocked.Exchange(ref s_claim, ((long)job << 32) | ((long)chunks << 16));
                for (int w = 0; w < helpers; w++) s_workers[w].Wake();
                try
                {
                    RunChunks(job, worker: false);
                }
                finally
                {
                    // Stop latecomers, then wait for the chunks the workers hold: they write the parameters.
                    int unclaimed = CloseClaims();
                    if (unclaimed > 0) Interlocked.Add(ref s_finished, unclaimed);
                    AwaitChunks(chunks);
                    s_optimizer = null;
                    s_parameters = s_gradients = null;
                }
            }
            s_failure?.Throw();
            Interlocked.Increment(ref ThreadedSteps);
            return true;
        }
        finally
        {
            s_failure = null;
            Volatile.Write(ref s_busy, 0);
        }
    }

    /// <summary>
    /// Claims and updates chunks of job <paramref name="job"/> until none is left. A worker's exception is kept for
    /// the caller to rethrow; the caller's own propagates.
    /// </summary>
    private static void RunChunks(int job, bool worker)
    {
        int chunk;
        while ((chunk = Claim(job, out int chunks)) >= 0)
        {
            try
            {
                // The job's fields hold still while our claim keeps it from finishing.
                int start = chunk * ChunkSize, length = Math.Min(ChunkSize, s_length - start);
                s_optimizer!.RunChunk(new Span<float>(s_parameters + start, length), new ReadOnlySpan<float>(s_gradients + start, length), start);
            }
            catch (Exception e) when (worker)
            {
                Interlocked.CompareExchange(ref s_failure, ExceptionDispatchInfo.Capture(e), null);
            }
            finally
            {
                if (Interlocked.Increment(ref s_finished) == chunks) s_done.Set();
            }
        }
    }

    /// <summary>The next unclaimed chunk of job <paramref name="job"/>, or −1 when it has none left or has ended.</summary>
    private static int Claim(int job, out int chunks)
    {
        while (true)
        {
            long claim = Volatile.Read(ref s_claim);
            chunks = (int)(claim >> 16) & 0xFFFF;
            int next = (int)claim & 0xFFFF;
            if ((int)(claim >> 32) != job || next >= chunks) return -1;
            if (Interlocked.CompareExchange(ref s_claim, claim + 1, claim) == claim) return next;
        }
    }

    /// <summary>Marks every chunk claimed; returns how many nobody had claimed (left only when the caller's chunk threw).</summary>
    private static int CloseClaims()
    {
        while (true)
        {
            long claim = Volatile.Read(ref s_claim);
            int chunks = (int)(claim >> 16) & 0xFFFF, next = (int)claim & 0xFFFF;
            if (next >= chunks) return 0;
            if (Interlocked.CompareExchange(ref s_claim, claim + (chunks - next), claim) == claim) return chunks - next;
        }
    }

    private static void AwaitChunks(int chunks)
    {
        long start = Stopwatch.GetTimestamp();
        while (Volatile.Read(ref s_finished) != chunks)
        {
            if (Stopwatch.GetTimestamp() - start > s_callerSpinTicks) s_done.Wait();
            else Thread.SpinWait(16);
        }
    }

    private static void AddWorkers(int count)
    {
        var workers = new Worker[count];
        Array.Copy(s_workers, workers, s_workers.Length);
        for (int w = s_workers.Length; w < count; w++) workers[w] = new Worker();
        s_workers = workers;
    }

    /// <summary>A background thread that sleeps until it is woken for a step, then claims chunks of it.</summary>
    private sealed class Worker
    {
        private readonly SemaphoreSlim _wake = new(0);

        public Worker() => new Thread(Loop) { IsBackground = true, Name = "Compiled optimizer worker" }.Start();

        public void Wake() => _wake.Release();

        private void Loop()
        {
            while (true)
            {
                _wake.Wait();
                RunChunks((int)(Volatile.Read(ref s_claim) >> 32), worker: true);
            }
        }
    }
}
