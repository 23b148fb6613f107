using System;
using System.Diagnostics;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests.Kernels;

/// <summary>
/// <see cref="ConvolutionWorkers"/> driven directly, with jobs that record which part ran where (docs/mutation.md,
/// "Kernels: the convolution driver"): through a convolution, a pool whose workers never wake, never help, or whose
/// caller does not wait for them still gives the right numbers, since the caller then runs every part itself. Here the
/// jobs make those differences visible without timing: two parts that wait for each other can only both finish if a
/// worker runs one; a part that outlives the caller's must still be finished when the call returns. Every wait is
/// bounded (30 s), so a broken pool fails the test instead of hanging it. The pool is process-wide: a call that finds
/// it busy (a convolution of a test in another collection) is retried, and must not have run anything.
/// </summary>
[Collection("Sgemm threading")]
public sealed unsafe class ConvolutionWorkersGapTests
{
    private const string WorkerName = "Compiled convolution worker";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(2, 2)]
    [InlineData(3, 2)]
    [InlineData(5, 3)]
    [InlineData(64, 4)]
    [InlineData(ConvolutionWorkers.MaxParts, 2)]
    public void Every_part_runs_exactly_once(int parts, int threads)
    {
        var runs = new int[parts];
        Run(parts, threads, part => Interlocked.Increment(ref runs[part]));
        for (int part = 0; part < parts; part++)
            if (runs[part] != 1) Assert.Fail($"{parts} parts on {threads} threads: part {part} ran {runs[part]} times");
    }

    [Theory]
    [InlineData(1, 4)]                              // one part: nothing to share
    [InlineData(0, 4)]
    [InlineData(5, 1)]                              // one thread
    [InlineData(ConvolutionWorkers.MaxParts + 1, 2)]   // more parts than the claim word counts
    public void Declines_without_running_anything(int parts, int threads)
    {
        int ran = 0;
        Assert.False(TryRun(parts, threads, _ => Interlocked.Increment(ref ran)));
        Assert.Equal(0, ran);
    }

    /// <summary>One caller at a time: a call made while a job runs (here from inside one of its parts) is declined.</summary>
    [Fact]
    public void A_second_caller_is_declined_while_a_job_runs_and_accepted_after()
    {
        int innerRan = 0, declined = 0;
        Run(2, 2, part =>
        {
            if (!TryRun(2, 2, _ => Interlocked.Increment(ref innerRan))) Interlocked.Increment(ref declined);
        });
        Assert.Equal(2, declined);
        Assert.Equal(0, innerRan);
        int after = 0;
        Run(2, 2, _ => Interlocked.Increment(ref after));
        Assert.Equal(2, after);
    }

    /// <summary>
    /// Two parts that each wait until both have started finish only if two threads run them: the caller and a worker.
    /// The worker's part then outlives the caller's by 20 ms, and must be done when the call returns.
    /// </summary>
    [Fact]
    public void A_worker_runs_a_part_and_the_caller_waits_for_it()
    {
        for (int repeat = 0; repeat < 3; repeat++)
        {
            Thread.Sleep(10);   // long enough, usually, for the worker to stop spinning and block: then only a wake-up brings it
            int caller = Environment.CurrentManagedThreadId, started = 0, workerDone = 0, callerParts = 0, workerParts = 0;
            var names = new string?[2];
            var background = new bool[2];
            Run(2, 2, part =>
            {
                names[part] = Thread.CurrentThread.Name;
                background[part] = Thread.CurrentThread.IsBackground;
                Interlocked.Increment(ref started);
                Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref started) == 2, Patience), "the other part never started: no worker helped");
                if (Environment.CurrentManagedThreadId == caller)
                {
                    Interlocked.Increment(ref callerParts);
                    return;
                }
                Interlocked.Increment(ref workerParts);
                Thread.Sleep(20);
                Volatile.Write(ref workerDone, 1);
            });
            Assert.Equal(1, callerParts);
            Assert.Equal(1, workerParts);
            // The worker is named, and a background thread: it does not keep the process alive.
            int worker = Array.IndexOf(names, WorkerName);
            Assert.True(worker >= 0, $"no part ran on a thread named \"{WorkerName}\": {string.Join(", ", names)}");
            Assert.True(background[worker], "the worker is a foreground thread");
            Assert.True(Volatile.Read(ref workerDone) == 1, "the call returned before the worker's part finished");
        }
    }

    /// <summary>A part that throws on a worker: the caller's call throws it, and the pool's next job runs normally.</summary>
    [Fact]
    public void A_worker_failure_reaches_the_caller_and_the_pool_recovers()
    {
        int caller = Environment.CurrentManagedThreadId, started = 0;
        var error = Assert.Throws<InvalidOperationException>(() => Run(2, 2, part =>
        {
            Interlocked.Increment(ref started);
            Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref started) == 2, Patience), "the other part never started");
            if (Environment.CurrentManagedThreadId != caller) throw new InvalidOperationException("the worker's part");
        }));
        Assert.Equal("the worker's part", error.Message);
        AssertRecovers();
    }

    /// <summary>
    /// The caller's part throws while the worker holds its first part back, so most parts are still unclaimed: the call
    /// must close the job, count those parts as done (or it waits for them forever), throw, and leave the pool usable.
    /// No part runs twice, and none after the call returns.
    /// </summary>
    [Fact]
    public void A_caller_failure_with_parts_unclaimed_returns_and_the_pool_recovers()
    {
        const int Parts = 50;
        int caller = Environment.CurrentManagedThreadId, callerThrew = 0;
        var runs = new int[Parts];
        var error = Assert.Throws<InvalidOperationException>(() => Run(Parts, 2, part =>
        {
            Interlocked.Increment(ref runs[part]);
            if (Environment.CurrentManagedThreadId == caller)
            {
                Volatile.Write(ref callerThrew, 1);
                throw new InvalidOperationException("the caller's part");
            }
            Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref callerThrew) == 1, Patience), "the caller never ran a part");
        }));
        Assert.Equal("the caller's part", error.Message);
        int[] atReturn = runs.ToArray();
        Assert.All(atReturn, count => Assert.InRange(count, 0, 1));
        Assert.True(atReturn.Sum() < Parts, "every part ran although the caller's threw first");
        AssertRecovers();
        Assert.Equal(atReturn, runs);
    }

    /// <summary>
    /// The same, but the caller fails late: it first waits until the worker holds a part back, then runs parts until
    /// it claims part 40 of 50, and throws there. Closing the job must leave no part to claim again (the worker, let go,
    /// would otherwise re-run parts it finds reopened).
    /// </summary>
    [Fact]
    public void A_late_caller_failure_reopens_no_part()
    {
        const int Parts = 50, FailAt = 40;
        int caller = Environment.CurrentManagedThreadId, callerThrew = 0, workerHolds = 0;
        var runs = new int[Parts];
        var error = Assert.Throws<InvalidOperationException>(() => Run(Parts, 2, part =>
        {
            Interlocked.Increment(ref runs[part]);
            if (Environment.CurrentManagedThreadId != caller)
            {
                Volatile.Write(ref workerHolds, 1);
                Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref callerThrew) == 1, Patience), "the caller never threw");
                return;
            }
            Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref workerHolds) == 1, Patience), "no worker took a part");
            if (part < FailAt) return;
            Volatile.Write(ref callerThrew, 1);
            throw new InvalidOperationException("the caller's late part");
        }));
        Assert.Equal("the caller's late part", error.Message);
        Thread.Sleep(20);   // time for a worker to find reopened parts, if the job had any
        Assert.All(runs, count => Assert.InRange(count, 0, 1));
        AssertRecovers();
    }

    private static void AssertRecovers()
    {
        var runs = new int[7];
        Run(7, 3, part => Interlocked.Increment(ref runs[part]));
        Assert.All(runs, count => Assert.Equal(1, count));
    }

    private static void RunPart(void* arguments, int part) => ((Action<int>)GCHandle.FromIntPtr((nint)arguments).Target!)(part);

    private static bool TryRun(int parts, int threads, Action<int> body)
    {
        var handle = GCHandle.Alloc(body);
        try
        {
            return ConvolutionWorkers.TryRun(parts, threads, &RunPart, (void*)GCHandle.ToIntPtr(handle));
        }
        finally
        {
            handle.Free();
        }
    }

    /// <summary>Runs the job once the pool is free (a convolution in another test collection may hold it for a while).</summary>
    private static void Run(int parts, int threads, Action<int> body)
    {
        var clock = Stopwatch.StartNew();
        while (!TryRun(parts, threads, body))
        {
            if (clock.Elapsed > Patience) Assert.Fail("the worker pool stayed busy");
            Thread.Sleep(1);
        }
    }
}
