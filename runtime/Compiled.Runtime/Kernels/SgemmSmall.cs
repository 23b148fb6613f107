using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Compiled.Kernels;

/// <summary>
/// Direct kernels for shapes where packing does not pay: very few rows of C (batch-1 or small-batch
/// inference), where each packed element of B would be used only m times, and, for A·Bᵀ, C narrower than
/// the micro-kernel's NR (a classifier's last layer), where most of every register tile would be padding.
/// Vectorized with AVX2+FMA, also on the AVX-512 path: at these sizes the work is bound by streaming B
/// (or by horizontal sums), not by FMA width.
/// </summary>
internal static class SgemmSmall
{
    /// <summary>
    /// Largest m handled here. Measured with GemmBench on Zen 4 (k = 784, n = 256): at m = 4 these kernels
    /// run 40–65 GFLOP/s against 20–35 blocked; at m = 8 the blocked path wins for all layouts but NT on AVX2.
    /// </summary>
    internal const int MaxRows = 4;

    /// <summary>
    /// Computes the product and applies the epilogue if the shape suits a direct kernel; otherwise returns
    /// false. <typeparamref name="TKernel"/> is the blocked path's kernel, whose NR decides "narrow".
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryMultiply<TKernel, TEpilogue>(bool transA, bool transB, int m, int n, int k, float alpha,
        ref float a, int lda, ref float b, int ldb, float beta, ref float c, int ldc, ref TEpilogue epilogue)
        where TKernel : struct, ISgemmMicroKernel
        where TEpilogue : struct, IGemmEpilogue
    {
        // Rows of A and rows of B both run along k (dot products) only for A·Bᵀ.
        if (transB && !transA && (m <= MaxRows || n < TKernel.NR))
        {
            if (typeof(TKernel) == typeof(Avx512Kernel) && m == 1 && k >= 64) OneRow512(n, k, alpha, ref a, ref b, ldb, beta, ref c);
            else if (typeof(TKernel) == typeof(Avx2Kernel) && m == 1 && k >= 64) OneRow256(n, k, alpha, ref a, ref b, ldb, beta, ref c);
            else if (typeof(TKernel) == typeof(Avx512Kernel) && m > MaxRows && SgemmNarrow.Fits(k)) SgemmNarrow.Multiply512(m, n, k, alpha, ref a, lda, ref b, ldb, beta, ref c, ldc);
            else if (typeof(TKernel) == typeof(Avx2Kernel) && m > MaxRows && SgemmNarrow.Fits(k)) SgemmNarrow.Multiply256(m, n, k, alpha, ref a, lda, ref b, ldb, beta, ref c, ldc);
            else DotRows(m, n, k, alpha, ref a, lda, ref b, ldb, beta, ref c, ldc);
        }
        else if (!transB && m <= MaxRows)
            AxpyRows(m, n, k, alpha, ref a, transA ? 1 : lda, transA ? lda : 1, ref b, ldb, beta, ref c, ldc);
        else
            return false;

        ApplyByRows(m, n, ref c, ldc, ref epilogue);
        return true;
    }

    /// <summary>C is final: the epilogue row by row, since the direct kernels finish rows together rather than in tiles.</summary>
    private static void ApplyByRows<TEpilogue>(int m, int n, ref float c, int ldc, ref TEpilogue epilogue)
        where TEpilogue : struct, IGemmEpilogue
    {
        for (int i = 0; i < m; i++)
            epilogue.Apply(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref c, (nint)i * ldc), n), i, 0);
    }

    /// <summary>
    /// <see cref="TryMultiply{TKernel, TEpilogue}"/> for the paths whose direct kernels are <typeparamref name="TDirect"/>
    /// (Vector128, scalar): the same shapes, then the epilogue row by row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryMultiplyWith<TDirect, TEpilogue>(bool transA, bool transB, int m, int n, int k, float alpha,
        ref float a, int lda, ref float b, int ldb, float beta, ref float c, int ldc, ref TEpilogue epilogue)
        where TDirect : struct, IDirectProducts
        where TEpilogue : struct, IGemmEpilogue
    {
        if (transB && !transA && (m <= MaxRows || n < TDirect.NarrowBelow))
            TDirect.DotRows(m, n, k, alpha, ref a, lda, ref b, ldb, beta, ref c, ldc);
        else if (!transB && m <= MaxRows)
            TDirect.AxpyRows(m, n, k, alpha, ref a, transA ? 1 : lda, transA ? lda : 1, ref b, ldb, beta, ref c, ldc);
        else
            return false;
        ApplyByRows(m, n, ref c, ldc, ref epilogue);
        return true;
    }

    /// <summary>
    /// Products of one row of A with a large Bᵀ (n · k ≥ this: a batch-1 dense layer of ≥ 256 KB of weights) are split
    /// by columns of C over <see cref="Sgemm.MaxThreads"/> threads: each core then streams its share of the weights
    /// (from its own L2 cache, on repeated calls). Measured on the 1568 → 128 layer (Zen 5, 2 threads): see
    /// docs/performance.md.
    /// </summary>
    internal const long ParallelRowMinimum = 1 << 16;

    /// <summary>
    /// C[0, :] = alpha · a · Bᵀ + beta · C[0, :] split by column ranges (multiples of 4, so every element is computed by
    /// the code that computes it single-threaded, and the bits match) over <see cref="ConvolutionWorkers"/>, then the
    /// epilogue over the row. False (nothing done) if the product is too small, one thread is allowed, or the workers
    /// are busy.
    /// </summary>
    public static unsafe bool TryMultiplyRowParallel<TKernel, TEpilogue>(int n, int k, float alpha, ref float a, ref float b, int ldb,
        float beta, ref float c, ref TEpilogue epilogue)
        where TKernel : struct, ISgemmMicroKernel
        where TEpilogue : struct, IGemmEpilogue
    {
        int threads = Sgemm.MaxThreads;
        if (threads < 2 || (long)n * k < ParallelRowMinimum || n < 8) return false;
        fixed (float* pa = &a, pb = &b, pc = &c)
        {
            var job = new RowJob
            {
                A = pa, B = pb, C = pc, N = n, K = k, Ldb = ldb, Alpha = alpha, Beta = beta,
                Route = k < 64 ? 0 : typeof(TKernel) == typeof(Avx512Kernel) ? 1 : 2,
                Parts = Math.Min(threads, n / 4),
            };
            if (!ConvolutionWorkers.TryRun(job.Parts, threads, &RowPart, &job)) return false;
        }
        epilogue.Apply(MemoryMarshal.CreateSpan(ref c, n), 0, 0);
        return true;
    }

    private unsafe struct RowJob
    {
        public float* A, B, C;
        public int N, K, Ldb, Parts;
        public float Alpha, Beta;
        /// <summary>The kernel the single-threaded product takes: 0 the dot products, 1 the AVX-512 one-row kernel, 2 the AVX2 one.</summary>
        public int Route;
    }

    private static unsafe void RowPart(void* arguments, int part)
    {
        ref RowJob j = ref Unsafe.AsRef<RowJob>(arguments);
        int groups = (j.N + 3) / 4;
        int first = (int)((long)part * groups / j.Parts) * 4, end = Math.Min((int)((long)(part + 1) * groups / j.Parts) * 4, j.N);
        if (first >= end) return;
        ref float b = ref Unsafe.AsRef<float>(j.B + (nint)first * j.Ldb);
        ref float c = ref Unsafe.AsRef<float>(j.C + first);
        if (j.Route == 1) OneRow512(end - first, j.K, j.Alpha, ref Unsafe.AsRef<float>(j.A), ref b, j.Ldb, j.Beta, ref c);
        else if (j.Route == 2) OneRow256(end - first, j.K, j.Alpha, ref Unsafe.AsRef<float>(j.A), ref b, j.Ldb, j.Beta, ref c);
        else DotRows(1, end - first, j.K, j.Alpha, ref Unsafe.AsRef<float>(j.A), j.K, ref b, j.Ldb, j.Beta, ref c, j.N);
    }

    /// <summary>C = alpha · A · Bᵀ + beta · C where rows of A and of B are contiguous in k: dot products.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotRows(int m, int n, int k, float alpha, ref float a, int lda, ref float b, int ldb,
        float beta, ref float c, int ldc)
    {
        int j = 0;
        // Four rows of B at a time (kept in L1 across the rows of A), each A load feeding four FMAs.
        for (; j + 4 <= n; j += 4)
        {
            ref float b0 = ref Unsafe.Add(ref b, (nint)j * ldb);
            ref float b1 = ref Unsafe.Add(ref b0, ldb);
            ref float b2 = ref Unsafe.Add(ref b1, ldb);
            ref float b3 = ref Unsafe.Add(ref b2, ldb);
            for (int i = 0; i < m; i++)
            {
                ref float ai = ref Unsafe.Add(ref a, (nint)i * lda);
                Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
                Vector256<float> t0 = default, t1 = default, t2 = default, t3 = default;
                int p = 0;
                // Two independent accumulators per dot product to cover the FMA latency.
                for (; p + 16 <= k; p += 16)
                {
                    Vector256<float> x = Vector256.LoadUnsafe(ref ai, (nuint)p);
                    Vector256<float> y = Vector256.LoadUnsafe(ref ai, (nuint)p + 8);
                    s0 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref b0, (nuint)p), s0);
                    s1 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref b1, (nuint)p), s1);
                    s2 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref b2, (nuint)p), s2);
                    s3 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref b3, (nuint)p), s3);
                    t0 = Fma.MultiplyAdd(y, Vector256.LoadUnsafe(ref b0, (nuint)p + 8), t0);
                    t1 = Fma.MultiplyAdd(y, Vector256.LoadUnsafe(ref b1, (nuint)p + 8), t1);
                    t2 = Fma.MultiplyAdd(y, Vector256.LoadUnsafe(ref b2, (nuint)p + 8), t2);
                    t3 = Fma.MultiplyAdd(y, Vector256.LoadUnsafe(ref b3, (nuint)p + 8), t3);
                }
                if (p + 8 <= k)
                {
                    Vector256<float> x = Vector256.LoadUnsafe(ref ai, (nuint)p);
                    s0 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref b0, (nuint)p), s0);
                    s1 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref b1, (nuint)p), s1);
                    s2 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref b2, (nuint)p), s2);
                    s3 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref b3, (nuint)p), s3);
                    p += 8;
                }
                float d0 = Vector256.Sum(s0 + t0), d1 = Vector256.Sum(s1 + t1);
                float d2 = Vector256.Sum(s2 + t2), d3 = Vector256.Sum(s3 + t3);
                for (; p < k; p++)
                {
                    float x = Unsafe.Add(ref ai, p);
                    d0 += x * Unsafe.Add(ref b0, p);
                    d1 += x * Unsafe.Add(ref b1, p);
                    d2 += x * Unsafe.Add(ref b2, p);
                    d3 += x * Unsafe.Add(ref b3, p);
                }
                ref float ci = ref Unsafe.Add(ref c, (nint)i * ldc + j);
                Finish(ref ci, d0, alpha, beta);
                Finish(ref Unsafe.Add(ref ci, 1), d1, alpha, beta);
                Finish(ref Unsafe.Add(ref ci, 2), d2, alpha, beta);
                Finish(ref Unsafe.Add(ref ci, 3), d3, alpha, beta);
            }
        }

        for (; j < n; j++)
        {
            ref float bj = ref Unsafe.Add(ref b, (nint)j * ldb);
            for (int i = 0; i < m; i++)
            {
                ref float ai = ref Unsafe.Add(ref a, (nint)i * lda);
                Vector256<float> s = default;
                int p = 0;
                for (; p + 8 <= k; p += 8)
                    s = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref ai, (nuint)p), Vector256.LoadUnsafe(ref bj, (nuint)p), s);
                float d = Vector256.Sum(s);
                for (; p < k; p++) d += Unsafe.Add(ref ai, p) * Unsafe.Add(ref bj, p);
                Finish(ref Unsafe.Add(ref c, (nint)i * ldc + j), d, alpha, beta);
            }
        }
    }

    /// <summary>
    /// C[0, j] = alpha · a · B[j, :] + beta · C[0, j] on the AVX-512 path when A is one row (a batch-1 dense layer,
    /// which streams its weights once): one row of B at a time, four 512-bit accumulators over 64 floats. Measured
    /// with the 1568 → 128 layer of a small CNN on Zen 5 (medians of 9, one run): 6.7 µs against 8.4 µs for
    /// <see cref="DotRows"/>' four rows of 256 bits at a time, 7.1–7.9 µs for two rows of 512 bits, and 4.6 µs to
    /// read the same 802 KB with a plain four-accumulator vector sum.
    /// </summary>
    /// <remarks>
    /// A row of B that does not start on a 64-byte boundary (a network's weights sit wherever its parameter array
    /// does) is read by aligned loads, each 16-float vector of the row rebuilt from the two aligned vectors it
    /// straddles by one two-source permute: a misaligned 512-bit load touches two cache lines, and with every load
    /// of the row split that way the 784 → 128 layer took 3.2 µs instead of 2.1–2.5 (Zen 5, one core). The vectors
    /// are the same, in the same accumulators, so the bits do not depend on where the weights are. The aligned
    /// loads may read up to 15 floats before the row and after its last full vector, never beyond the 64-byte
    /// lines that hold its own elements (so never another page).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void OneRow512(int n, int k, float alpha, ref float a, ref float b, int ldb, float beta, ref float c)
    {
        fixed (float* pa = &a, pb = &b, pc = &c)
        {
            for (int j = 0; j < n; j++)
            {
                float* bj = pb + (nint)j * ldb;
                int m = (int)(((nuint)bj & 63) / sizeof(float));
                Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
                int p = 0;
                if (m == 0)
                {
                    for (; p + 64 <= k; p += 64)
                    {
                        s0 = Avx512F.FusedMultiplyAdd(Vector512.Load(pa + p), Vector512.Load(bj + p), s0);
                        s1 = Avx512F.FusedMultiplyAdd(Vector512.Load(pa + p + 16), Vector512.Load(bj + p + 16), s1);
                        s2 = Avx512F.FusedMultiplyAdd(Vector512.Load(pa + p + 32), Vector512.Load(bj + p + 32), s2);
                        s3 = Avx512F.FusedMultiplyAdd(Vector512.Load(pa + p + 48), Vector512.Load(bj + p + 48), s3);
                    }
                    for (; p + 16 <= k; p += 16)
                        s0 = Avx512F.FusedMultiplyAdd(Vector512.Load(pa + p), Vector512.Load(bj + p), s0);
                }
                else
                {
                    float* aligned = bj - m; // the 64-byte boundary m floats before the row
                    Vector512<int> pick = Vector512<int>.Indices + Vector512.Create(m);
                    Vector512<float> v0 = Vector512.LoadAligned(aligned);
                    for (; p + 64 <= k; p += 64)
                    {
                        Vector512<float> v1 = Vector512.LoadAligned(aligned + p + 16), v2 = Vector512.LoadAligned(aligned + p + 32);
                        Vector512<float> v3 = Vector512.LoadAligned(aligned + p + 48), v4 = Vector512.LoadAligned(aligned + p + 64);
                        s0 = Avx512F.FusedMultiplyAdd(Vector512.Load(pa + p), Avx512F.PermuteVar16x32x2(v0, pick, v1), s0);
                        s1 = Avx512F.FusedMultiplyAdd(Vector512.Load(pa + p + 16), Avx512F.PermuteVar16x32x2(v1, pick, v2), s1);
                        s2 = Avx512F.FusedMultiplyAdd(Vector512.Load(pa + p + 32), Avx512F.PermuteVar16x32x2(v2, pick, v3), s2);
                        s3 = Avx512F.FusedMultiplyAdd(Vector512.Load(pa + p + 48), Avx512F.PermuteVar16x32x2(v3, pick, v4), s3);
                        v0 = v4;
                    }
                    for (; p + 16 <= k; p += 16)
                    {
                        Vector512<float> v1 = Vector512.LoadAligned(aligned + p + 16);
                        s0 = Avx512F.FusedMultiplyAdd(Vector512.Load(pa + p), Avx512F.PermuteVar16x32x2(v0, pick, v1), s0);
                        v0 = v1;
                    }
                }
                float d = Vector512.Sum((s0 + s1) + (s2 + s3));
                for (; p < k; p++) d += pa[p] * bj[p];
                Finish(ref pc[j], d, alpha, beta);
            }
        }
    }

    /// <summary>
    /// C[0, j] = alpha · a · B[j, :] + beta · C[0, j] on the AVX2 path when A is one row: eight rows of B per step
    /// against one load of a, each row's sum in its own 8-lane accumulator. Measured on the 784 → 128 layer (Zen 5,
    /// AVX-512 hidden, one core): 3.3 µs with the weights 16 bytes off a cache line, as a network's are, against
    /// 3.8 µs for <see cref="DotRows"/>' four rows of two accumulators (equal when aligned).
    /// </summary>
    /// <remarks>
    /// Every row, in a group of eight or alone, takes the same operations in the same order (the vector sum, then
    /// ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)) over its lanes, then the last k mod 8 products one by one),
    /// so a row's bits do not depend on how the rows are grouped or split over threads.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void OneRow256(int n, int k, float alpha, ref float a, ref float b, int ldb, float beta, ref float c)
    {
        fixed (float* pa = &a, pb = &b, pc = &c)
        {
            int j = 0;
            for (; j + 8 <= n; j += 8)
            {
                float* w = pb + (nint)j * ldb;
                nint r = ldb;
                Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
                int p = 0;
                for (; p + 8 <= k; p += 8)
                {
                    Vector256<float> x = Vector256.Load(pa + p);
                    float* wp = w + p;
                    s0 = Fma.MultiplyAdd(x, Vector256.Load(wp), s0);
                    s1 = Fma.MultiplyAdd(x, Vector256.Load(wp + r), s1);
                    s2 = Fma.MultiplyAdd(x, Vector256.Load(wp + 2 * r), s2);
                    s3 = Fma.MultiplyAdd(x, Vector256.Load(wp + 3 * r), s3);
                    s4 = Fma.MultiplyAdd(x, Vector256.Load(wp + 4 * r), s4);
                    s5 = Fma.MultiplyAdd(x, Vector256.Load(wp + 5 * r), s5);
                    s6 = Fma.MultiplyAdd(x, Vector256.Load(wp + 6 * r), s6);
                    s7 = Fma.MultiplyAdd(x, Vector256.Load(wp + 7 * r), s7);
                }
                // Eight lane sums at once: HADDPS pairs (l0 + l1, l2 + l3 | l4 + l5, l6 + l7), then pairs those.
                Vector256<float> t0 = Avx.HorizontalAdd(s0, s1), t1 = Avx.HorizontalAdd(s2, s3);
                Vector256<float> t2 = Avx.HorizontalAdd(s4, s5), t3 = Avx.HorizontalAdd(s6, s7);
                Vector256<float> u0 = Avx.HorizontalAdd(t0, t1), u1 = Avx.HorizontalAdd(t2, t3);
                Vector256<float> sums = Avx.Permute2x128(u0, u1, 0x20) + Avx.Permute2x128(u0, u1, 0x31);
                for (; p < k; p++)
                {
                    float xp = pa[p];
                    sums += Vector256.Create(xp * w[p], xp * w[r + p], xp * w[2 * r + p], xp * w[3 * r + p],
                        xp * w[4 * r + p], xp * w[5 * r + p], xp * w[6 * r + p], xp * w[7 * r + p]);
                }
                for (int i = 0; i < 8; i++) Finish(ref pc[j + i], sums.GetElement(i), alpha, beta);
            }
            for (; j < n; j++)
            {
                float* w = pb + (nint)j * ldb;
                Vector256<float> s = default;
                int p = 0;
                for (; p + 8 <= k; p += 8) s = Fma.MultiplyAdd(Vector256.Load(pa + p), Vector256.Load(w + p), s);
                float d = ((s.GetElement(0) + s.GetElement(1)) + (s.GetElement(2) + s.GetElement(3)))
                    + ((s.GetElement(4) + s.GetElement(5)) + (s.GetElement(6) + s.GetElement(7)));
                for (; p < k; p++) d += pa[p] * w[p];
                Finish(ref pc[j], d, alpha, beta);
            }
        }
    }

    /// <summary>
    /// C = alpha · op(A) · B + beta · C with rows of B contiguous in n: each row of C accumulates
    /// op(A)[i, p] · B[p, :] over p, 64 columns at a time in eight ymm registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AxpyRows(int m, int n, int k, float alpha, ref float a, nint aStrideI, nint aStrideK,
        ref float b, int ldb, float beta, ref float c, int ldc)
    {
        Vector256<float> va = Vector256.Create(alpha), vb = Vector256.Create(beta);
        for (int i = 0; i < m; i++)
        {
            ref float ai = ref Unsafe.Add(ref a, i * aStrideI);
            ref float ci = ref Unsafe.Add(ref c, (nint)i * ldc);
            int j = 0;
            for (; j + 64 <= n; j += 64)
            {
                Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
                Vector256<float> s4 = default, s5 = default, s6 = default, s7 = default;
                ref float bp = ref Unsafe.Add(ref b, j);
                for (int p = 0; p < k; p++)
                {
                    Vector256<float> x = Vector256.Create(Unsafe.Add(ref ai, p * aStrideK));
                    s0 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref bp), s0);
                    s1 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref bp, 8), s1);
                    s2 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref bp, 16), s2);
                    s3 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref bp, 24), s3);
                    s4 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref bp, 32), s4);
                    s5 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref bp, 40), s5);
                    s6 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref bp, 48), s6);
                    s7 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref bp, 56), s7);
                    bp = ref Unsafe.Add(ref bp, ldb);
                }
                ref float cj = ref Unsafe.Add(ref ci, j);
                Finish(ref cj, s0, va, vb, beta);
                Finish(ref Unsafe.Add(ref cj, 8), s1, va, vb, beta);
                Finish(ref Unsafe.Add(ref cj, 16), s2, va, vb, beta);
                Finish(ref Unsafe.Add(ref cj, 24), s3, va, vb, beta);
                Finish(ref Unsafe.Add(ref cj, 32), s4, va, vb, beta);
                Finish(ref Unsafe.Add(ref cj, 40), s5, va, vb, beta);
                Finish(ref Unsafe.Add(ref cj, 48), s6, va, vb, beta);
                Finish(ref Unsafe.Add(ref cj, 56), s7, va, vb, beta);
            }
            for (; j + 8 <= n; j += 8)
            {
                Vector256<float> s = default;
                ref float bp = ref Unsafe.Add(ref b, j);
                for (int p = 0; p < k; p++)
                {
                    s = Fma.MultiplyAdd(Vector256.Create(Unsafe.Add(ref ai, p * aStrideK)), Vector256.LoadUnsafe(ref bp), s);
                    bp = ref Unsafe.Add(ref bp, ldb);
                }
                Finish(ref Unsafe.Add(ref ci, j), s, va, vb, beta);
            }
            // Fused multiply-adds, as in the vector lanes: a column's bits must not depend on whether it falls in the
            // tail (on how wide C is), or a sample's outputs would depend on which samples share its product.
            for (; j < n; j++)
            {
                float d = 0f;
                for (int p = 0; p < k; p++)
                    d = MathF.FusedMultiplyAdd(Unsafe.Add(ref ai, p * aStrideK), Unsafe.Add(ref b, (nint)p * ldb + j), d);
                ref float cij = ref Unsafe.Add(ref ci, j);
                cij = beta == 0f ? alpha * d : MathF.FusedMultiplyAdd(cij, beta, alpha * d); // as the vector Finish below
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Finish(ref float c, float sum, float alpha, float beta) =>
        c = beta == 0f ? alpha * sum : alpha * sum + beta * c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(ref float c, Vector256<float> sum, Vector256<float> alpha, Vector256<float> beta, float betaScalar)
    {
        Vector256<float> scaled = sum * alpha;
        if (betaScalar != 0f) scaled = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref c), beta, scaled);
        scaled.StoreUnsafe(ref c);
    }
}

/// <summary>A path's direct kernels for few rows of C or a narrow A·Bᵀ (see <see cref="SgemmSmall.TryMultiplyWith"/>).</summary>
internal interface IDirectProducts
{
    /// <summary>A·Bᵀ narrower than this many columns takes the dot products at any m (the blocked kernel's NR).</summary>
    static abstract int NarrowBelow { get; }

    /// <summary>C = alpha · A · Bᵀ + beta · C, rows of A and of B contiguous in k.</summary>
    static abstract void DotRows(int m, int n, int k, float alpha, ref float a, int lda, ref float b, int ldb, float beta, ref float c, int ldc);

    /// <summary>C = alpha · op(A) · B + beta · C, rows of B contiguous in n.</summary>
    static abstract void AxpyRows(int m, int n, int k, float alpha, ref float a, nint aStrideI, nint aStrideK, ref float b, int ldb, float beta, ref float c, int ldc);
}
