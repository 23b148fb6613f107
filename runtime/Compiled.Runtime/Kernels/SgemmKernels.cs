using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Compiled.Kernels;

/// <summary>
/// A register-tiled micro-kernel of the blocked SGEMM and the cache blocking tuned for it. Implemented by
/// structs so the driver, generic over the kernel, is specialized per instruction set with the tile sizes
/// as JIT-time constants.
/// </summary>
internal interface ISgemmMicroKernel
{
    /// <summary>Rows of the register tile; packed A strips are MR tall.</summary>
    static abstract int MR { get; }

    /// <summary>Columns of the register tile; packed B strips are NR wide.</summary>
    static abstract int NR { get; }

    /// <summary>Depth of a K block: a KC×NR strip of packed B should stay in L1 while A strips stream past it.</summary>
    static abstract int KC { get; }

    /// <summary>Rows of an A block (a multiple of MR): the packed MC×KC block should stay in L2.</summary>
    static abstract int MC { get; }

    /// <summary>Columns of a B panel (a multiple of NR): the packed KC×NC panel should stay in L2/L3.</summary>
    static abstract int NC { get; }

    /// <summary>
    /// For the MR × kc strip of A whose element (r, p) is at a[r · <paramref name="rowStride"/> + p ·
    /// <paramref name="stepStride"/>] and the packed strip <paramref name="b"/> (kc × NR), sets every C[r, j] of the
    /// MR×NR tile at <paramref name="c"/> (row stride <paramref name="ldc"/>) to alpha · Σ a·b, plus beta · C[r, j]
    /// unless beta is 0 (then C is not read). A packed A strip has strides (1, MR); rows of a row-major A read in
    /// place, (lda, 1): the same multiply-adds in the same order, so the same bits either way.
    /// </summary>
    static abstract void Run(int kc, ref float a, nint rowStride, nint stepStride, ref float b, ref float c, nint ldc, float alpha, float beta);
}

/// <summary>
/// AVX-512: an 8×32 tile in 16 zmm accumulators, two B loads and eight broadcasts per k step. Zen 4 runs
/// 512-bit FMAs at the same flop rate as 256-bit ones, but the wider tile halves the instruction count and
/// the broadcast/load pressure per flop; on cores with two 512-bit FMA ports it doubles the peak.
/// </summary>
internal readonly struct Avx512Kernel : ISgemmMicroKernel
{
    public static int MR => 8;
    public static int NR => 32;
    public static int KC => 256;
    public static int MC => 128;
    public static int NC => 2048;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, ref float a, nint rowStride, nint stepStride, ref float b, ref float c, nint ldc, float alpha, float beta)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
        // Rows 0–3 from a, rows 4–7 from a4, each at offsets 0, s, 2s, 3s: two pointers and three offsets in registers.
        ref float a4 = ref Unsafe.Add(ref a, 4 * rowStride);
        nint s2 = 2 * rowStride, s3 = 3 * rowStride;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.LoadUnsafe(ref b);
            Vector512<float> b1 = Vector512.LoadUnsafe(ref b, 16);
            Vector512<float> x = Vector512.Create(a);
            c00 = Avx512F.FusedMultiplyAdd(x, b0, c00); c01 = Avx512F.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(Unsafe.Add(ref a, rowStride));
            c10 = Avx512F.FusedMultiplyAdd(x, b0, c10); c11 = Avx512F.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(Unsafe.Add(ref a, s2));
            c20 = Avx512F.FusedMultiplyAdd(x, b0, c20); c21 = Avx512F.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(Unsafe.Add(ref a, s3));
            c30 = Avx512F.FusedMultiplyAdd(x, b0, c30); c31 = Avx512F.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a4);
            c40 = Avx512F.FusedMultiplyAdd(x, b0, c40); c41 = Avx512F.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(Unsafe.Add(ref a4, rowStride));
            c50 = Avx512F.FusedMultiplyAdd(x, b0, c50); c51 = Avx512F.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(Unsafe.Add(ref a4, s2));
            c60 = Avx512F.FusedMultiplyAdd(x, b0, c60); c61 = Avx512F.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(Unsafe.Add(ref a4, s3));
            c70 = Avx512F.FusedMultiplyAdd(x, b0, c70); c71 = Avx512F.FusedMultiplyAdd(x, b1, c71);
            a = ref Unsafe.Add(ref a, stepStride);
            a4 = ref Unsafe.Add(ref a4, stepStride);
            b = ref Unsafe.Add(ref b, 32);
        }

        Vector512<float> va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            Store(ref c, c00, c01, va);
            Store(ref Unsafe.Add(ref c, ldc), c10, c11, va);
            Store(ref Unsafe.Add(ref c, 2 * ldc), c20, c21, va);
            Store(ref Unsafe.Add(ref c, 3 * ldc), c30, c31, va);
            Store(ref Unsafe.Add(ref c, 4 * ldc), c40, c41, va);
            Store(ref Unsafe.Add(ref c, 5 * ldc), c50, c51, va);
            Store(ref Unsafe.Add(ref c, 6 * ldc), c60, c61, va);
            Store(ref Unsafe.Add(ref c, 7 * ldc), c70, c71, va);
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            Store(ref c, c00, c01, va, vb);
            Store(ref Unsafe.Add(ref c, ldc), c10, c11, va, vb);
            Store(ref Unsafe.Add(ref c, 2 * ldc), c20, c21, va, vb);
            Store(ref Unsafe.Add(ref c, 3 * ldc), c30, c31, va, vb);
            Store(ref Unsafe.Add(ref c, 4 * ldc), c40, c41, va, vb);
            Store(ref Unsafe.Add(ref c, 5 * ldc), c50, c51, va, vb);
            Store(ref Unsafe.Add(ref c, 6 * ldc), c60, c61, va, vb);
            Store(ref Unsafe.Add(ref c, 7 * ldc), c70, c71, va, vb);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref float c, Vector512<float> v0, Vector512<float> v1, Vector512<float> alpha)
    {
        (v0 * alpha).StoreUnsafe(ref c);
        (v1 * alpha).StoreUnsafe(ref c, 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref float c, Vector512<float> v0, Vector512<float> v1, Vector512<float> alpha, Vector512<float> beta)
    {
        Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref c), beta, v0 * alpha).StoreUnsafe(ref c);
        Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref c, 16), beta, v1 * alpha).StoreUnsafe(ref c, 16);
    }
}

/// <summary>
/// AVX2 + FMA: a 6×16 tile in 12 ymm accumulators, leaving 4 of the 16 ymm registers for the two B vectors
/// and the broadcast A value, so nothing spills. 12 FMAs per k step hide the FMA latency (4 cycles × 2 ports).
/// </summary>
internal readonly struct Avx2Kernel : ISgemmMicroKernel
{
    public static int MR => 6;
    public static int NR => 16;
    public static int KC => 256;
    public static int MC => 120;
    public static int NC => 2048;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, ref float a, nint rowStride, nint stepStride, ref float b, ref float c, nint ldc, float alpha, float beta)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default, c50 = default, c51 = default;
        // Rows 0–2 from a, rows 3–5 from a3, each at offsets 0, s, 2s.
        ref float a3 = ref Unsafe.Add(ref a, 3 * rowStride);
        nint s2 = 2 * rowStride;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.LoadUnsafe(ref b);
            Vector256<float> b1 = Vector256.LoadUnsafe(ref b, 8);
            Vector256<float> x = Vector256.Create(a);
            c00 = Fma.MultiplyAdd(x, b0, c00); c01 = Fma.MultiplyAdd(x, b1, c01);
            x = Vector256.Create(Unsafe.Add(ref a, rowStride));
            c10 = Fma.MultiplyAdd(x, b0, c10); c11 = Fma.MultiplyAdd(x, b1, c11);
            x = Vector256.Create(Unsafe.Add(ref a, s2));
            c20 = Fma.MultiplyAdd(x, b0, c20); c21 = Fma.MultiplyAdd(x, b1, c21);
            x = Vector256.Create(a3);
            c30 = Fma.MultiplyAdd(x, b0, c30); c31 = Fma.MultiplyAdd(x, b1, c31);
            x = Vector256.Create(Unsafe.Add(ref a3, rowStride));
            c40 = Fma.MultiplyAdd(x, b0, c40); c41 = Fma.MultiplyAdd(x, b1, c41);
            x = Vector256.Create(Unsafe.Add(ref a3, s2));
            c50 = Fma.MultiplyAdd(x, b0, c50); c51 = Fma.MultiplyAdd(x, b1, c51);
            a = ref Unsafe.Add(ref a, stepStride);
            a3 = ref Unsafe.Add(ref a3, stepStride);
            b = ref Unsafe.Add(ref b, 16);
        }

        Vector256<float> va = Vector256.Create(alpha);
        if (beta == 0f)
        {
            Store(ref c, c00, c01, va);
            Store(ref Unsafe.Add(ref c, ldc), c10, c11, va);
            Store(ref Unsafe.Add(ref c, 2 * ldc), c20, c21, va);
            Store(ref Unsafe.Add(ref c, 3 * ldc), c30, c31, va);
            Store(ref Unsafe.Add(ref c, 4 * ldc), c40, c41, va);
            Store(ref Unsafe.Add(ref c, 5 * ldc), c50, c51, va);
        }
        else
        {
            Vector256<float> vb = Vector256.Create(beta);
            Store(ref c, c00, c01, va, vb);
            Store(ref Unsafe.Add(ref c, ldc), c10, c11, va, vb);
            Store(ref Unsafe.Add(ref c, 2 * ldc), c20, c21, va, vb);
            Store(ref Unsafe.Add(ref c, 3 * ldc), c30, c31, va, vb);
            Store(ref Unsafe.Add(ref c, 4 * ldc), c40, c41, va, vb);
            Store(ref Unsafe.Add(ref c, 5 * ldc), c50, c51, va, vb);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref float c, Vector256<float> v0, Vector256<float> v1, Vector256<float> alpha)
    {
        (v0 * alpha).StoreUnsafe(ref c);
        (v1 * alpha).StoreUnsafe(ref c, 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref float c, Vector256<float> v0, Vector256<float> v1, Vector256<float> alpha, Vector256<float> beta)
    {
        Fma.MultiplyAdd(Vector256.LoadUnsafe(ref c), beta, v0 * alpha).StoreUnsafe(ref c);
        Fma.MultiplyAdd(Vector256.LoadUnsafe(ref c, 8), beta, v1 * alpha).StoreUnsafe(ref c, 8);
    }
}

/// <summary>
/// Vector128 (WebAssembly SIMD, ARM64 NEON, SSE where AVX2 is missing): a 4×8 tile in eight 128-bit accumulators,
/// two B loads and four broadcasts per k step. Multiply then add, not fused: a fused multiply-add is emulated, and
/// slow, where the hardware lacks it (WebAssembly without relaxed SIMD).
/// </summary>
internal readonly struct Vector128Kernel : ISgemmMicroKernel
{
    public static int MR => 4;
    public static int NR => 8;
    public static int KC => 256;
    public static int MC => 64;
    public static int NC => 1024;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, ref float a, nint rowStride, nint stepStride, ref float b, ref float c, nint ldc, float alpha, float beta)
    {
        Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector128<float> c20 = default, c21 = default, c30 = default, c31 = default;
        nint s2 = 2 * rowStride, s3 = 3 * rowStride;
        for (int p = 0; p < kc; p++)
        {
            Vector128<float> b0 = Vector128.LoadUnsafe(ref b);
            Vector128<float> b1 = Vector128.LoadUnsafe(ref b, 4);
            Vector128<float> x = Vector128.Create(a);
            c00 += x * b0; c01 += x * b1;
            x = Vector128.Create(Unsafe.Add(ref a, rowStride));
            c10 += x * b0; c11 += x * b1;
            x = Vector128.Create(Unsafe.Add(ref a, s2));
            c20 += x * b0; c21 += x * b1;
            x = Vector128.Create(Unsafe.Add(ref a, s3));
            c30 += x * b0; c31 += x * b1;
            a = ref Unsafe.Add(ref a, stepStride);
            b = ref Unsafe.Add(ref b, 8);
        }
        Store(ref c, c00, c01, alpha, beta);
        Store(ref Unsafe.Add(ref c, ldc), c10, c11, alpha, beta);
        Store(ref Unsafe.Add(ref c, 2 * ldc), c20, c21, alpha, beta);
        Store(ref Unsafe.Add(ref c, 3 * ldc), c30, c31, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref float c, Vector128<float> v0, Vector128<float> v1, float alpha, float beta)
    {
        Vector128<float> va = Vector128.Create(alpha);
        v0 *= va;
        v1 *= va;
        if (beta != 0f)
        {
            Vector128<float> vb = Vector128.Create(beta);
            v0 += vb * Vector128.LoadUnsafe(ref c);
            v1 += vb * Vector128.LoadUnsafe(ref c, 4);
        }
        v0.StoreUnsafe(ref c);
        v1.StoreUnsafe(ref c, 4);
    }
}

/// <summary>
/// Portable fallback for machines (or runs) without usable hardware intrinsics: a 4×4 tile of scalar
/// accumulators, as many as the 16 x64 float registers hold next to the A and B values.
/// </summary>
internal readonly struct ScalarKernel : ISgemmMicroKernel
{
    public static int MR => 4;
    public static int NR => 4;
    public static int KC => 256;
    public static int MC => 64;
    public static int NC => 1024;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, ref float a, nint rowStride, nint stepStride, ref float b, ref float c, nint ldc, float alpha, float beta)
    {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        nint s2 = 2 * rowStride, s3 = 3 * rowStride;
        for (int p = 0; p < kc; p++)
        {
            float b0 = b, b1 = Unsafe.Add(ref b, 1), b2 = Unsafe.Add(ref b, 2), b3 = Unsafe.Add(ref b, 3);
            float x = a;
            c00 += x * b0; c01 += x * b1; c02 += x * b2; c03 += x * b3;
            x = Unsafe.Add(ref a, rowStride);
            c10 += x * b0; c11 += x * b1; c12 += x * b2; c13 += x * b3;
            x = Unsafe.Add(ref a, s2);
            c20 += x * b0; c21 += x * b1; c22 += x * b2; c23 += x * b3;
            x = Unsafe.Add(ref a, s3);
            c30 += x * b0; c31 += x * b1; c32 += x * b2; c33 += x * b3;
            a = ref Unsafe.Add(ref a, stepStride);
            b = ref Unsafe.Add(ref b, 4);
        }

        Store(ref c, c00, c01, c02, c03, alpha, beta);
        Store(ref Unsafe.Add(ref c, ldc), c10, c11, c12, c13, alpha, beta);
        Store(ref Unsafe.Add(ref c, 2 * ldc), c20, c21, c22, c23, alpha, beta);
        Store(ref Unsafe.Add(ref c, 3 * ldc), c30, c31, c32, c33, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref float c, float v0, float v1, float v2, float v3, float alpha, float beta)
    {
        if (beta == 0f)
        {
            c = alpha * v0;
            Unsafe.Add(ref c, 1) = alpha * v1;
            Unsafe.Add(ref c, 2) = alpha * v2;
            Unsafe.Add(ref c, 3) = alpha * v3;
        }
        else
        {
            c = alpha * v0 + beta * c;
            Unsafe.Add(ref c, 1) = alpha * v1 + beta * Unsafe.Add(ref c, 1);
            Unsafe.Add(ref c, 2) = alpha * v2 + beta * Unsafe.Add(ref c, 2);
            Unsafe.Add(ref c, 3) = alpha * v3 + beta * Unsafe.Add(ref c, 3);
        }
    }
}
