using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Compiled.Kernels;

/// <summary>
/// Single-precision general matrix multiply: C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C, all
/// row-major with leading dimensions (row strides). op(A) is A (stored m×k, lda ≥ k) or, when
/// <c>transA</c>, Aᵀ (A stored k×m, lda ≥ m); likewise op(B) is B (stored k×n, ldb ≥ n) or, when
/// <c>transB</c>, Bᵀ (B stored n×k, ldb ≥ k). beta == 0 overwrites C without reading it (NaN in C is
/// ignored). C must not overlap A or B.
/// </summary>
/// <remarks>
/// The general case is blocked GotoBLAS/BLIS style (see <c>SgemmBlocked.cs</c>): panels of B and blocks
/// of A are packed into contiguous, zero-padded strips, which absorbs the transposes so one register-tiled
/// micro-kernel per instruction set serves all four layouts. Tiny m (batch-1 inference) and narrow A·Bᵀ
/// skip packing (see <c>SgemmSmall.cs</c>). Packing buffers are per thread, so concurrent calls are
/// independent and a call allocates nothing once its thread has warmed up.
/// <para>
/// Large products (see <see cref="MaxThreads"/>) are split over up to <see cref="MaxThreads"/> threads: the
/// caller and persistent background workers ("Compiled SGEMM worker"), each computing whole micro-tile
/// strips of C (see <c>SgemmParallel.cs</c>). The result is bit-identical to the single-threaded one, and
/// the call still allocates nothing after warm-up. One caller at a time uses the workers; concurrent callers
/// that find them busy, and small products, run on their own thread.
/// </para>
/// </remarks>
public static partial class Sgemm
{
    /// <summary>
    /// The widest instruction set the kernels use on this machine: "avx512", "avx2", "vector128" (128-bit vectors:
    /// WebAssembly SIMD, ARM64 NEON, or x64 without AVX2) or "scalar".
    /// </summary>
    public static string Path { get; } = SelectPath();

    private static readonly PathKind s_path = Path switch
    {
        "avx512" => PathKind.Avx512, "avx2" => PathKind.Avx2, "vector128" => PathKind.Vector128, _ => PathKind.Scalar,
    };

    /// <summary>Narrowest first: a forced path is clamped to the machine's by this order.</summary>
    private enum PathKind { Scalar, Vector128, Avx2, Avx512 }

    private static volatile int s_maxThreads = Math.Max(1, Environment.ProcessorCount);

    /// <summary>
    /// The most threads one product may use, counting the calling thread; 1 keeps every product on its
    /// caller's thread. Defaults to <see cref="Environment.ProcessorCount"/>. Only products of at least a few
    /// MFLOP (2·m·n·k) that give every thread a full micro-tile strip of C are split, so batch-1 inference and
    /// narrow output layers always run on the caller's thread. Results do not depend on this setting: every
    /// element of C is computed by one thread in the same order. Process-wide; takes effect on the next call.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    /// <remarks>
    /// Inside <see cref="Trainer.Fit"/> with <see cref="FitOptions.Threads"/> set, the training thread reads that
    /// count here instead (other threads keep the process-wide value).
    /// </remarks>
    public static int MaxThreads
    {
        get
        {
            int local = t_threads;
            return local != 0 ? local : s_maxThreads;
        }
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "At least one thread is needed.");
            s_maxThreads = value;
        }
    }

    /// <summary>The calling thread's own thread count (<see cref="UseThreads"/>), or 0: the process-wide one.</summary>
    [ThreadStatic] private static int t_threads;

    /// <summary>
    /// Makes <see cref="MaxThreads"/> read <paramref name="threads"/> (0: the process-wide value) on the calling thread
    /// until the returned scope is disposed (on this thread); scopes nest. Everything the thread runs meanwhile
    /// (Predict, TrainStep, a product) uses at most that many threads, while other threads keep theirs:
    /// <c>using (Sgemm.UseThreads(1)) net.Predict(x, y);</c>. <see cref="Trainer.Fit"/> uses it for
    /// <see cref="FitOptions.Threads"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is negative.</exception>
    public static ThreadsScope UseThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        int previous = t_threads;
        t_threads = threads;
        return new ThreadsScope(previous);
    }

    /// <summary>Restores the calling thread's previous thread count when disposed (see <see cref="UseThreads"/>).</summary>
    public readonly struct ThreadsScope : IDisposable
    {
        private readonly int _previous;

        internal ThreadsScope(int previous) => _previous = previous;

        /// <summary>Restores the thread count the calling thread had before the scope.</summary>
        public void Dispose() => t_threads = _previous;
    }

    private static string SelectPath()
    {
        if (Avx512F.IsSupported && Fma.IsSupported) return "avx512";
        if (Avx2.IsSupported && Fma.IsSupported) return "avx2";
        return Vector128.IsHardwareAccelerated ? "vector128" : "scalar";
    }

    /// <summary>C = alpha · op(A) · op(B) + beta · C, with no epilogue.</summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// m, n or k is negative, or a leading dimension is less than its stored row length.
    /// </exception>
    /// <exception cref="ArgumentException">
    /// a, b or c is shorter than its matrix needs, (rows − 1) · ld + columns computed in <see cref="long"/>.
    /// </exception>
    public static void Multiply(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        NoEpilogue epilogue = default;
        Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ref epilogue);
    }

    /// <summary>
    /// C = alpha · op(A) · op(B) + beta · C, then <paramref name="epilogue"/> is applied exactly once to every
    /// element of C, in row segments, as soon as that element holds its final value.
    /// </summary>
    /// <remarks>
    /// When the product is split over several threads, each worker applies its own copy of
    /// <paramref name="epilogue"/> to its part of C, concurrently with the others (see <see cref="IGemmEpilogue"/>);
    /// changes a worker makes to its copy's fields do not reach <paramref name="epilogue"/>.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">
    /// m, n or k is negative, or a leading dimension is less than its stored row length.
    /// </exception>
    /// <exception cref="ArgumentException">
    /// a, b or c is shorter than its matrix needs, (rows − 1) · ld + columns computed in <see cref="long"/>.
    /// </exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply<TEpilogue>(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc,
        ref TEpilogue epilogue) where TEpilogue : struct, IGemmEpilogue
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;

        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rc = ref MemoryMarshal.GetReference(c);

        if (k == 0 || alpha == 0f)
        {
            // The product contributes nothing (BLAS semantics: A and B are not read).
            ScaleC(m, n, beta, ref rc, ldc, ref epilogue);
            return;
        }

        // The hardware's widest path, unless a test forced a narrower one on this thread (see SgemmPathOverride.cs).
        // Workers of a parallel product run the kernel type chosen here, so the choice reaches them too.
        switch (EffectivePath())
        {
            case PathKind.Avx512:
                if (m == 1 && transB && !transA && SgemmSmall.TryMultiplyRowParallel<Avx512Kernel, TEpilogue>(n, k, alpha, ref ra, ref rb, ldb, beta, ref rc, ref epilogue)) return;
                if (SgemmSmall.TryMultiply<Avx512Kernel, TEpilogue>(transA, transB, m, n, k, alpha, ref ra, lda, ref rb, ldb, beta, ref rc, ldc, ref epilogue)) return;
                if (SgemmParallel.TryMultiply<Avx512Kernel, TEpilogue>(transA, transB, m, n, k, alpha, ref ra, lda, ref rb, ldb, beta, ref rc, ldc, ref epilogue)) return;
                SgemmBlocked.Multiply<Avx512Kernel, TEpilogue>(transA, transB, m, n, k, alpha, ref ra, lda, ref rb, ldb, beta, ref rc, ldc, ref epilogue);
                break;
            case PathKind.Avx2:
                if (m == 1 && transB && !transA && SgemmSmall.TryMultiplyRowParallel<Avx2Kernel, TEpilogue>(n, k, alpha, ref ra, ref rb, ldb, beta, ref rc, ref epilogue)) return;
                if (SgemmSmall.TryMultiply<Avx2Kernel, TEpilogue>(transA, transB, m, n, k, alpha, ref ra, lda, ref rb, ldb, beta, ref rc, ldc, ref epilogue)) return;
                if (SgemmParallel.TryMultiply<Avx2Kernel, TEpilogue>(transA, transB, m, n, k, alpha, ref ra, lda, ref rb, ldb, beta, ref rc, ldc, ref epilogue)) return;
                SgemmBlocked.Multiply<Avx2Kernel, TEpilogue>(transA, transB, m, n, k, alpha, ref ra, lda, ref rb, ldb, beta, ref rc, ldc, ref epilogue);
                break;
            case PathKind.Vector128:
                if (SgemmSmall.TryMultiplyWith<SgemmSmall128, TEpilogue>(transA, transB, m, n, k, alpha, ref ra, lda, ref rb, ldb, beta, ref rc, ldc, ref epilogue)) return;
                if (SgemmParallel.TryMultiply<Vector128Kernel, TEpilogue>(transA, transB, m, n, k, alpha, ref ra, lda, ref rb, ldb, beta, ref rc, ldc, ref epilogue)) return;
                SgemmBlocked.Multiply<Vector128Kernel, TEpilogue>(transA, transB, m, n, k, alpha, ref ra, lda, ref rb, ldb, beta, ref rc, ldc, ref epilogue);
                break;
            default:
                if (SgemmSmall.TryMultiplyWith<SgemmSmallScalar, TEpilogue>(transA, transB, m, n, k, alpha, ref ra, lda, ref rb, ldb, beta, ref rc, ldc, ref epilogue)) return;
                if (SgemmParallel.TryMultiply<ScalarKernel, TEpilogue>(transA, transB, m, n, k, alpha, ref ra, lda, ref rb, ldb, beta, ref rc, ldc, ref epilogue)) return;
                SgemmBlocked.Multiply<ScalarKernel, TEpilogue>(transA, transB, m, n, k, alpha, ref ra, lda, ref rb, ldb, beta, ref rc, ldc, ref epilogue);
                break;
        }
    }

    /// <summary>
    /// The same product by the textbook triple loop, accumulating in double: slow, obviously correct,
    /// the oracle the optimized kernels are tested against. Validates its arguments as <see cref="Multiply"/> does.
    /// </summary>
    public static void MultiplyReference(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float x = transA ? a[p * lda + i] : a[i * lda + p];
                    float y = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += (double)x * y;
                }
                double result = alpha * sum;
                if (beta != 0f) result += (double)beta * c[i * ldc + j];
                c[i * ldc + j] = (float)result;
            }
        }
    }

    private static void Validate(bool transA, bool transB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(m), m, "Must be non-negative.");
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "Must be non-negative.");
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, "Must be non-negative.");

        // Stored shapes: A is m×k (k×m when transposed), B is k×n (n×k when transposed), C is m×n.
        int aRows = transA ? k : m, aColumns = transA ? m : k;
        int bRows = transB ? n : k, bColumns = transB ? k : n;
        CheckMatrix(aRows, aColumns, lda, aLength, nameof(lda), "a");
        CheckMatrix(bRows, bColumns, ldb, bLength, nameof(ldb), "b");
        CheckMatrix(m, n, ldc, cLength, nameof(ldc), "c");
    }

    /// <summary>
    /// Checks a stored rows × columns matrix with row stride <paramref name="ld"/> against its span's length.
    /// The extent (rows − 1) · ld + columns is computed in <see cref="long"/>: in int it wraps for shapes such
    /// as 65537 × 65536, and the kernels address rows through unchecked offsets.
    /// </summary>
    private static void CheckMatrix(int rows, int columns, int ld, int length, string ldName, string spanName)
    {
        if (ld < columns || ld < 0)
            throw new ArgumentOutOfRangeException(ldName, ld, $"Leading dimension {ldName} = {ld} must be at least the stored row length of {spanName} ({columns}).");
        long required = rows == 0 || columns == 0 ? 0 : (long)(rows - 1) * ld + columns;
        if (length < required)
            throw new ArgumentException($"Span {spanName} holds {length} elements but its {rows}×{columns} matrix with leading dimension {ld} needs {required}.", spanName);
    }

    /// <summary>C = beta · C (beta == 0 clears, ignoring NaN), then the epilogue row by row.</summary>
    private static void ScaleC<TEpilogue>(int m, int n, float beta, ref float c, int ldc, ref TEpilogue epilogue)
        where TEpilogue : struct, IGemmEpilogue
    {
        for (int i = 0; i < m; i++)
        {
            Span<float> row = MemoryMarshal.CreateSpan(ref Unsafe.Add(ref c, (nint)i * ldc), n);
            if (beta == 0f) row.Clear();
            else if (beta != 1f)
                for (int j = 0; j < row.Length; j++) row[j] *= beta;
            epilogue.Apply(row, i, 0);
        }
    }
}
