using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace Compiled.Tests;

internal static class Concurrently
{
    /// <summary>
    /// Runs <paramref name="body"/>(0 … threads − 1) on that many new threads, released together by a
    /// barrier so their calls overlap; waits for all and rethrows the first exception any of them threw.
    /// </summary>
    public static void Run(int threads, Action<int> body)
    {
        var workers = new Thread[threads];
        ExceptionDispatchInfo? failure = null;
        using var start = new Barrier(threads);
        for (int t = 0; t < threads; t++)
        {
            int id = t;
            workers[t] = new Thread(() =>
            {
                start.SignalAndWait();
                try { body(id); }
                catch (Exception e) { Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null); }
            });
            workers[t].Start();
        }
        foreach (var worker in workers) worker.Join();
        failure?.Throw();
    }
}
