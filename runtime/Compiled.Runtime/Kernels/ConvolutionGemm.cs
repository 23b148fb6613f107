using System;
using System.Runtime.InteropServices;

namespace Compiled.Kernels;

/// <summary>
/// The SGEMM calls of a convolution. On the calling thread alone they go through <see cref="Sgemm.Multiply"/>, which
/// may split a large product over its own workers; inside a part run by <see cref="ConvolutionWorkers"/> every core
/// already has a sample to work on, so they call the single-threaded drivers directly, with the instruction-set path
/// the calling thread chose (a test's <see cref="Sgemm.ForcePath"/> reaches the workers too). Both give bit-identical
/// results: a split product computes every element as the single-threaded one does.
/// </summary>
internal static class ConvolutionGemm
{
    /// <summary>Which SGEMM a convolution part calls.</summary>
    internal enum Route : byte { Public, Avx512, Avx2, Vector128, Scalar }

    /// <summary>The single-threaded route for the calling thread's current SGEMM path.</summary>
    public static Route SingleThreaded() => Sgemm.CurrentPath switch
    {
        "avx512" => Route.Avx512,
        "avx2" => Route.Avx2,
        "vector128" => Route.Vector128,
        _ => Route.Scalar,
    };

    /// <summary>C = op(A) · op(B) + beta · C (alpha 1, no epilogue), the way <paramref name="route"/> says; m, n, k &gt; 0.</summary>
    public static void Multiply(Route route, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (route == Route.Public)
        {
            Sgemm.Multiply(transA, transB, m, n, k, 1f, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rc = ref MemoryMarshal.GetReference(c);
        NoEpilogue none = default;
        // The same choice of kernel as Sgemm.Multiply makes on each path, minus the parallel split.
        switch (route)
        {
            case Route.Avx512:
                if (!SgemmSmall.TryMultiply<Avx512Kernel, NoEpilogue>(transA, transB, m, n, k, 1f, ref ra, lda, ref rb, ldb, beta, ref rc, ldc, ref none))
                    SgemmBlocked.Multiply<Avx512Kernel, NoEpilogue>(transA, transB, m, n, k, 1f, ref ra, lda, ref rb, ldb, beta, ref rc, ldc, ref none);
                break;
            case Route.Avx2:
                if (!SgemmSmall.TryMultiply<Avx2Kernel, NoEpilogue>(transA, transB, m, n, k, 1f, ref ra, lda, ref rb, ldb, beta, ref rc, ldc, ref none))
                    SgemmBlocked.Multiply<Avx2Kernel, NoEpilogue>(transA, transB, m, n, k, 1f, ref ra, lda, ref rb, ldb, beta, ref rc, ldc, ref none);
                break;
            case Route.Vector128:
                if (!SgemmSmall.TryMultiplyWith<SgemmSmall128, NoEpilogue>(transA, transB, m, n, k, 1f, ref ra, lda, ref rb, ldb, beta, ref rc, ldc, ref none))
                    SgemmBlocked.Multiply<Vector128Kernel, NoEpilogue>(transA, transB, m, n, k, 1f, ref ra, lda, ref rb, ldb, beta, ref rc, ldc, ref none);
                break;
            default:
                if (!SgemmSmall.TryMultiplyWith<SgemmSmallScalar, NoEpilogue>(transA, transB, m, n, k, 1f, ref ra, lda, ref rb, ldb, beta, ref rc, ldc, ref none))
                    SgemmBlocked.Multiply<ScalarKernel, NoEpilogue>(transA, transB, m, n, k, 1f, ref ra, lda, ref rb, ldb, beta, ref rc, ldc, ref none);
                break;
        }
    }
}
