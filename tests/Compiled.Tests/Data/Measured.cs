using System;
using Xunit;

namespace Compiled.Tests.Data;

/// <summary>Runs a load, capturing its result or exception and the bytes it allocated on this thread.</summary>
internal static class Measured
{
    /// <summary>
    /// Allowance for fixed costs of any load, whatever the file: the 64 KiB file buffer, the 64 KiB read
    /// chunk, a 64 Ki-element first array for gzip data, gzip's buffers, first-call JIT allocations.
    /// </summary>
    public const long FixedBytes = 1 << 20;

    public static (T? Result, Exception? Error, long Allocated) Run<T>(Func<T> load)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            T result = load();
            return (result, null, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        catch (Exception e)
        {
            return (default, e, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    /// <summary>Asserts that <paramref name="load"/> throws <see cref="System.IO.InvalidDataException"/> mentioning
    /// <paramref name="mention"/> while allocating at most <paramref name="maxBytes"/>.</summary>
    public static System.IO.InvalidDataException Rejects<T>(Func<T> load, string mention, long maxBytes)
    {
        (_, Exception? error, long allocated) = Run(load);
        var e = Assert.IsType<System.IO.InvalidDataException>(error);
        Assert.Contains(mention, e.Message);
        Assert.True(allocated <= maxBytes, $"allocated {allocated} bytes, more than {maxBytes}: {e.Message}");
        return e;
    }
}
