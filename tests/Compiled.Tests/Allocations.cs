using System;
using Xunit;

namespace Compiled.Tests;

internal static class Allocations
{
    /// <summary>
    /// Asserts that, once warm, 20 calls of <paramref name="call"/> allocate nothing on this thread.
    /// The runtime itself may allocate on the calling thread while it re-JITs hot methods (tiering,
    /// OSR, PGO) during the first rounds, so rounds repeat until one is clean; code that allocates on
    /// every call never is, and fails.
    /// </summary>
    public static void AssertSteadyStateIsAllocationFree(Action call)
    {
        long allocated = -1;
        for (int round = 0; round < 30 && allocated != 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++) call();
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated != 0) System.Threading.Thread.Sleep(20); // let background tier-1 compiles land
        }
        Assert.Equal(0, allocated);
    }
}
