using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading;

namespace Compiled.Kernels;

/// <summary>
/// A test-only override of the instruction-set path, so the tests run every path the machine supports
/// (AVX-512, AVX2, Vector128, scalar) rather than only its widest: an AVX2 bug must show on an AVX-512 machine too,
/// not only in CI's <c>DOTNET_EnableAVX512=0</c> pass.
/// </summary>
/// <remarks>
/// The override is per thread ([ThreadStatic]), so tests running in parallel on other threads keep the
/// hardware path. A parallel product is not affected by that: its workers run the kernel type the calling
/// thread chose. The path decides everything machine-dependent in a product: the micro-kernel, the direct
/// small-m kernels (AVX2 and AVX-512 paths only), and, through the kernel's tile widths, the packing routine.
/// While no thread forces a path, <see cref="Multiply"/> pays one read of a static counter.
/// </remarks>
public static partial class Sgemm
{
    /// <summary>How many threads currently force a path; while 0, the thread-static is not even read.</summary>
    private static int s_forcingThreads;

    /// <summary>This thread's forced path plus one; 0 when not forced.</summary>
    [ThreadStatic] private static int t_forcedPath;

    /// <summary>
    /// The paths this machine (and runtime configuration) can run, widest first; always ends with "scalar".
    /// Computed from the hardware directly, not from <see cref="s_path"/>: initializers in different files of a
    /// partial class run in no specified order.
    /// </summary>
    internal static string[] AvailablePaths { get; } = SelectAvailablePaths();

    private static string[] SelectAvailablePaths()
    {
        var paths = new System.Collections.Generic.List<string>(4);
        if (Avx512F.IsSupported && Fma.IsSupported) paths.Add("avx512");
        if (Avx2.IsSupported && Fma.IsSupported) paths.Add("avx2");
        if (Vector128.IsHardwareAccelerated) paths.Add("vector128");
        paths.Add("scalar");
        return paths.ToArray();
    }

    /// <summary>The path the calling thread's products take: <see cref="Path"/>, or the one forced by <see cref="ForcePath"/>.</summary>
    internal static string CurrentPath => Name(EffectivePath());

    /// <summary>
    /// Makes the calling thread's products take <paramref name="path"/> ("avx512", "avx2", "vector128" or "scalar"), clamped to
    /// <see cref="Path"/> when the machine lacks it (check <see cref="CurrentPath"/>), until the returned scope is
    /// disposed. Scopes nest; dispose them on the thread that created them, innermost first.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is not one of the four names.</exception>
    internal static PathScope ForcePath(string path)
    {
        PathKind kind = path switch
        {
            "avx512" => PathKind.Avx512,
            "avx2" => PathKind.Avx2,
            "vector128" => PathKind.Vector128,
            "scalar" => PathKind.Scalar,
            _ => throw new ArgumentException($"Unknown SGEMM path '{path}'; expected avx512, avx2, vector128 or scalar.", nameof(path)),
        };
        if (kind > s_path || Array.IndexOf(AvailablePaths, Name(kind)) < 0) kind = s_path; // never run an unsupported ISA
        int previous = t_forcedPath;
        if (previous == 0) Interlocked.Increment(ref s_forcingThreads);
        t_forcedPath = (int)kind + 1;
        return new PathScope(previous);
    }

    /// <summary>Restores the calling thread's previous path when disposed.</summary>
    internal readonly struct PathScope : IDisposable
    {
        private readonly int _previous;

        internal PathScope(int previous) => _previous = previous;

        public void Dispose()
        {
            if (t_forcedPath != 0 && _previous == 0) Interlocked.Decrement(ref s_forcingThreads);
            t_forcedPath = _previous;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static PathKind EffectivePath()
    {
        if (Volatile.Read(ref s_forcingThreads) == 0) return s_path;
        int forced = t_forcedPath;
        return forced == 0 ? s_path : (PathKind)(forced - 1);
    }

    private static string Name(PathKind kind) => kind switch
    {
        PathKind.Avx512 => "avx512", PathKind.Avx2 => "avx2", PathKind.Vector128 => "vector128", _ => "scalar",
    };
}
