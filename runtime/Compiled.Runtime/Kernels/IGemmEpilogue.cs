using System;

namespace Compiled.Kernels;

/// <summary>
/// Work fused into the store step of <see cref="Sgemm"/>: after the last K-block of a micro-tile is
/// accumulated and stored into C, the kernel hands each finished row segment of that tile to
/// <see cref="Apply"/> while it is still in L1. Generated code implements this with a struct per layer
/// (bias plus activation), so the JIT specializes the GEMM for it and inlines the call.
/// </summary>
/// <remarks>
/// A large product is split over several threads (see <see cref="Sgemm.MaxThreads"/>): the epilogue value
/// may then be copied and invoked concurrently from several threads, on disjoint elements of C. It must be
/// stateless or thread-safe: a readonly struct holding references to arrays it reads, or to outputs it writes
/// only at the elements it is handed, is fine; counting calls in a field of the struct is not (each thread
/// counts in its own copy, and those counts never reach the caller's value).
/// </remarks>
public interface IGemmEpilogue
{
    /// <summary>
    /// Called exactly once for every element of C, in row segments: <paramref name="segment"/> is
    /// C[<paramref name="row"/>, <paramref name="column"/> .. <paramref name="column"/> + segment.Length),
    /// already holding its final value alpha·op(A)·op(B) + beta·C.
    /// </summary>
    void Apply(Span<float> segment, int row, int column);
}

/// <summary>The empty epilogue: C is left as the product wrote it.</summary>
public readonly struct NoEpilogue : IGemmEpilogue
{
    /// <inheritdoc />
    public void Apply(Span<float> segment, int row, int column) { }
}
