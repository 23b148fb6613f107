using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Compiled.Kernels;

/// <summary>
/// The blocked (GotoBLAS/BLIS) SGEMM driver. Loop nest, outermost first: NC-wide column panels of C;
/// KC-deep blocks of K, packing the KC×NC panel of op(B) once; MC-tall row blocks, packing the MC×KC block
/// of op(A) when A is transposed; then NR-wide strips of the B panel (kept in L1) against MR-tall strips of the A
/// block, one micro-kernel call per MR×NR tile of C. Packing reads A and B through their strides, so transposes
/// cost nothing beyond the packing itself, and pads partial strips with zeros so the kernel always runs full.
/// An A that is not transposed has its rows contiguous in k, and the kernel reads MR of them in place (only a
/// last strip of fewer rows is packed): packing it was 7 % of a batch-128 Predict of 784-128-10 (Zen 5).
/// </summary>
internal static class SgemmBlocked
{
    // Per thread, so concurrent calls never share them; grown to the largest block seen, then reused.
    [ThreadStatic] private static float[]? t_packA;
    [ThreadStatic] private static float[]? t_packB;

    /// <remarks>
    /// <paramref name="rowOffset"/> and <paramref name="columnOffset"/> only shift the indices reported to the
    /// epilogue: the parallel driver runs this on a sub-block of a larger C (see <c>SgemmParallel.cs</c>).
    /// Which elements land in edge tiles depends only on their distance from the sub-block's origin, and
    /// the K blocking only on k, so a sub-block starting at a multiple of MR rows / NR columns computes
    /// every element exactly as the whole product would.
    /// </remarks>
    /// <remarks>
    /// With <paramref name="prepackedB"/>, <paramref name="b"/> is op(B) already packed by <see cref="PrepackB{TKernel}"/>
    /// for this kernel, k and n (<paramref name="transB"/> and <paramref name="ldb"/> are then not used): the panels are
    /// read in place, in the order this loop would have packed them, so the products are the same bits.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply<TKernel, TEpilogue>(bool transA, bool transB, int m, int n, int k, float alpha,
        ref float a, int lda, ref float b, int ldb, float beta, ref float c, int ldc, ref TEpilogue epilogue,
        int rowOffset = 0, int columnOffset = 0, bool prepackedB = false)
        where TKernel : struct, ISgemmMicroKernel
        where TEpilogue : struct, IGemmEpilogue
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        (int kcMax, int ncMax) = Blocks<TKernel>(n, k);
        int mcMax = RoundUp(CeilDiv(m, CeilDiv(m, TKernel.MC)), mr);

        ref float packA = ref AlignedBuffer(ref t_packA, mcMax * kcMax);
        ref float packBuffer = ref prepackedB ? ref b : ref AlignedBuffer(ref t_packB, kcMax * ncMax);
        nint prepackedOffset = 0;
        Span<float> edgeTile = stackalloc float[TKernel.MR * TKernel.NR];
        ref float edge = ref MemoryMarshal.GetReference(edgeTile);

        // Element (i, p) of op(A) is at a[i·aStrideX + p·aStrideK]; element (p, j) of op(B) at b[p·bStrideK + j·bStrideX].
        nint aStrideX = transA ? 1 : lda, aStrideK = transA ? lda : 1;
        nint bStrideX = transB ? ldb : 1, bStrideK = transB ? 1 : ldb;

        for (int jc = 0; jc < n; jc += ncMax)
        {
            int nc = Math.Min(ncMax, n - jc);
            for (int pc = 0; pc < k; pc += kcMax)
            {
                int kc = Math.Min(kcMax, k - pc);
                // The first K block applies the caller's beta; later ones add onto the partial sums in C.
                float blockBeta = pc == 0 ? beta : 1f;
                bool lastBlock = pc + kc == k;
                ref float packB = ref Unsafe.Add(ref packBuffer, prepackedOffset);
                if (prepackedB) prepackedOffset += (nint)kc * RoundUp(nc, nr);
                else PackStrips(ref Unsafe.Add(ref b, pc * bStrideK + jc * bStrideX), bStrideK, bStrideX, kc, nc, nr, ref packB);

                for (int ic = 0; ic < m; ic += mcMax)
                {
                    int mc = Math.Min(mcMax, m - ic);
                    // Rows of A contiguous in k (A not transposed) are read where they are, MR rows at a time, so
                    // only a last strip of fewer than MR rows is packed (zero-padded); a transposed A is packed whole.
                    int inPlaceRows = transA ? 0 : mc / mr * mr;
                    if (inPlaceRows < mc)
                        PackStrips(ref Unsafe.Add(ref a, (ic + inPlaceRows) * aStrideX + pc * aStrideK), aStrideK, aStrideX, kc, mc - inPlaceRows, mr, ref packA);

                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int columns = Math.Min(nr, nc - jr);
                        int column = jc + jr;
                        ref float stripB = ref Unsafe.Add(ref packB, (nint)jr * kc);
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int rows = Math.Min(mr, mc - ir);
                            int row = ic + ir;
                            bool inPlace = ir < inPlaceRows;
                            ref float stripA = ref inPlace
                                ? ref Unsafe.Add(ref a, (nint)row * lda + pc)
                                : ref Unsafe.Add(ref packA, (nint)(ir - inPlaceRows) * kc);
                            nint rowStride = inPlace ? lda : 1, stepStride = inPlace ? 1 : mr;
                            ref float tile = ref Unsafe.Add(ref c, (nint)row * ldc + column);
                            if (rows == mr && columns == nr)
                            {
                                TKernel.Run(kc, ref stripA, rowStride, stepStride, ref stripB, ref tile, ldc, alpha, blockBeta);
                            }
                            else
                            {
                                // Edge tile: compute the whole padded tile aside, then merge its valid part.
                                TKernel.Run(kc, ref stripA, rowStride, stepStride, ref stripB, ref edge, nr, alpha, 0f);
                                MergeEdge(ref edge, nr, rows, columns, blockBeta, ref tile, ldc);
                            }

                            if (lastBlock)
                            {
                                for (int r = 0; r < rows; r++)
                                    epilogue.Apply(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref tile, (nint)r * ldc), columns),
                                        rowOffset + row + r, columnOffset + column);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The K and N block sizes for a k-deep, n-wide op(B). Each dimension is split into equal blocks rather than full
    /// blocks plus a sliver: 784 = 4 × 196 instead of 3 × 256 + 16, so no block is too shallow to amortize loading and
    /// storing its C tiles.
    /// </summary>
    private static (int KcMax, int NcMax) Blocks<TKernel>(int n, int k) where TKernel : struct, ISgemmMicroKernel =>
        (CeilDiv(k, CeilDiv(k, TKernel.KC)), RoundUp(CeilDiv(n, CeilDiv(n, TKernel.NC)), TKernel.NR));

    /// <summary>Floats <see cref="PrepackB{TKernel}"/> writes for a k × n op(B): every panel, its last strip zero-padded to NR.</summary>
    public static long PrepackedLength<TKernel>(int n, int k) where TKernel : struct, ISgemmMicroKernel =>
        (long)k * RoundUp(n, TKernel.NR);

    /// <summary>
    /// Packs the whole k × n op(B) (element (p, j) at b[p·ldb + j], or b[j·ldb + p] when <paramref name="transB"/>) into
    /// <paramref name="packed"/>, panel after panel in the order <see cref="Multiply"/> visits them, for products that
    /// then pass it with prepackedB: a layer's weights packed once instead of on every call.
    /// </summary>
    public static void PrepackB<TKernel>(bool transB, int n, int k, ref float b, int ldb, ref float packed)
        where TKernel : struct, ISgemmMicroKernel
    {
        (int kcMax, int ncMax) = Blocks<TKernel>(n, k);
        nint bStrideX = transB ? ldb : 1, bStrideK = transB ? 1 : ldb;
        nint offset = 0;
        for (int jc = 0; jc < n; jc += ncMax)
        {
            int nc = Math.Min(ncMax, n - jc);
            for (int pc = 0; pc < k; pc += kcMax)
            {
                int kc = Math.Min(kcMax, k - pc);
                PackStrips(ref Unsafe.Add(ref b, pc * bStrideK + jc * bStrideX), bStrideK, bStrideX, kc, nc, TKernel.NR, ref Unsafe.Add(ref packed, offset));
                offset += (nint)kc * RoundUp(nc, TKernel.NR);
            }
        }
    }

    /// <summary>
    /// Packs an extent × kc block (element (x, p) at src[x·strideX + p·strideK]) into ⌈extent / width⌉
    /// strips, each kc steps of <paramref name="width"/> consecutive values, zero-padding the last strip.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackStrips(ref float src, nint strideK, nint strideX, int kc, int extent, int width, ref float dst)
    {
        for (int x0 = 0; x0 < extent; x0 += width)
        {
            int valid = Math.Min(width, extent - x0);
            ref float strip = ref Unsafe.Add(ref dst, (nint)x0 * kc);
            ref float origin = ref Unsafe.Add(ref src, x0 * strideX);
            if (strideX == 1)
                PackRows(ref origin, strideK, kc, valid, width, ref strip);
            else if (Avx.IsSupported && width % 8 is 0 or 6)
                PackTransposed(ref origin, strideX, kc, valid, width, ref strip);
            else
                PackScattered(ref origin, strideX, strideK, kc, valid, width, ref strip);
        }
    }

    /// <summary>Packs a strip whose rows (one per k step) are contiguous in the source: a copy per row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PackRows(ref float origin, nint strideK, int kc, int valid, int width, ref float strip)
    {
        if (Vector256.IsHardwareAccelerated && valid == width && width % 8 == 0)
        {
            for (int p = 0; p < kc; p++)
            {
                ref float from = ref Unsafe.Add(ref origin, p * strideK);
                ref float to = ref Unsafe.Add(ref strip, (nint)p * width);
                for (int x = 0; x < width; x += 8)
                    Vector256.LoadUnsafe(ref from, (nuint)x).StoreUnsafe(ref to, (nuint)x);
            }
            return;
        }

        for (int p = 0; p < kc; p++)
        {
            ref float to = ref Unsafe.Add(ref strip, (nint)p * width);
            MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref origin, p * strideK), valid)
                .CopyTo(MemoryMarshal.CreateSpan(ref to, valid));
            if (valid < width) MemoryMarshal.CreateSpan(ref Unsafe.Add(ref to, valid), width - valid).Clear();
        }
    }

    /// <summary>
    /// Packs a strip whose source lines (one per x) run along k: 8×8 register transposes, lines past
    /// <paramref name="valid"/> read as zeros so the padding comes for free. Widths of 8n or 8n + 6 (MR = 6).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PackTransposed(ref float origin, nint strideX, int kc, int valid, int width, ref float strip)
    {
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            ref float block = ref Unsafe.Add(ref strip, (nint)p * width);
            for (int x = 0; x < width; x += 8)
            {
                int lines = valid - x;
                ref float line = ref Unsafe.Add(ref origin, x * strideX + p);
                Vector256<float> r0 = LoadLine(ref line, strideX, 0, lines), r1 = LoadLine(ref line, strideX, 1, lines);
                Vector256<float> r2 = LoadLine(ref line, strideX, 2, lines), r3 = LoadLine(ref line, strideX, 3, lines);
                Vector256<float> r4 = LoadLine(ref line, strideX, 4, lines), r5 = LoadLine(ref line, strideX, 5, lines);
                Vector256<float> r6 = LoadLine(ref line, strideX, 6, lines), r7 = LoadLine(ref line, strideX, 7, lines);

                Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
                Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
                Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
                Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
                Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
                Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
                Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
                Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);

                ref float to = ref Unsafe.Add(ref block, x);
                bool full = width - x >= 8;
                StoreRow(Avx.Permute2x128(s0, s4, 0x20), ref to, full);
                StoreRow(Avx.Permute2x128(s1, s5, 0x20), ref Unsafe.Add(ref to, width), full);
                StoreRow(Avx.Permute2x128(s2, s6, 0x20), ref Unsafe.Add(ref to, 2 * width), full);
                StoreRow(Avx.Permute2x128(s3, s7, 0x20), ref Unsafe.Add(ref to, 3 * width), full);
                StoreRow(Avx.Permute2x128(s0, s4, 0x31), ref Unsafe.Add(ref to, 4 * width), full);
                StoreRow(Avx.Permute2x128(s1, s5, 0x31), ref Unsafe.Add(ref to, 5 * width), full);
                StoreRow(Avx.Permute2x128(s2, s6, 0x31), ref Unsafe.Add(ref to, 6 * width), full);
                StoreRow(Avx.Permute2x128(s3, s7, 0x31), ref Unsafe.Add(ref to, 7 * width), full);
            }
        }

        // The last kc % 8 steps one by one.
        for (; p < kc; p++)
        {
            ref float to = ref Unsafe.Add(ref strip, (nint)p * width);
            for (int x = 0; x < width; x++)
                Unsafe.Add(ref to, x) = x < valid ? Unsafe.Add(ref origin, x * strideX + p) : 0f;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> LoadLine(ref float first, nint strideX, int index, int lines) =>
        index < lines ? Vector256.LoadUnsafe(ref Unsafe.Add(ref first, index * strideX)) : Vector256<float>.Zero;

    /// <summary>Stores all 8 lanes, or only the first 6 when the strip is 8n + 6 wide and this is its last group.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(Vector256<float> row, ref float to, bool full)
    {
        if (full)
        {
            row.StoreUnsafe(ref to);
        }
        else
        {
            row.GetLower().StoreUnsafe(ref to);
            Unsafe.WriteUnaligned(ref Unsafe.As<float, byte>(ref Unsafe.Add(ref to, 4)), row.GetUpper().AsUInt64().ToScalar());
        }
    }

    /// <summary>Portable transposing pack: each source line (along k) scattered into one column of the strip.</summary>
    private static void PackScattered(ref float origin, nint strideX, nint strideK, int kc, int valid, int width, ref float strip)
    {
        for (int x = 0; x < width; x++)
        {
            ref float line = ref Unsafe.Add(ref origin, x * strideX);
            ref float to = ref Unsafe.Add(ref strip, x);
            for (int p = 0; p < kc; p++)
                Unsafe.Add(ref to, (nint)p * width) = x < valid ? Unsafe.Add(ref line, p * strideK) : 0f;
        }
    }

    private static void MergeEdge(ref float tile, int tileStride, int rows, int columns, float beta, ref float c, int ldc)
    {
        for (int r = 0; r < rows; r++)
        {
            ref float from = ref Unsafe.Add(ref tile, (nint)r * tileStride);
            ref float to = ref Unsafe.Add(ref c, (nint)r * ldc);
            for (int j = 0; j < columns; j++)
            {
                float value = Unsafe.Add(ref from, j);
                Unsafe.Add(ref to, j) = beta == 0f ? value : value + beta * Unsafe.Add(ref to, j);
            }
        }
    }

    /// <summary>
    /// A per-thread buffer of at least <paramref name="length"/> floats starting on a 64-byte boundary, so
    /// the kernels' full-width loads from packed strips never straddle cache lines. The array is pinned,
    /// so the alignment computed once stays valid.
    /// </summary>
    private static unsafe ref float AlignedBuffer(ref float[]? buffer, int length)
    {
        const int Slack = 64 / sizeof(float);
        float[]? array = buffer;
        if (array is null || array.Length < length + Slack)
            buffer = array = GC.AllocateUninitializedArray<float>(length + Slack, pinned: true);
        return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(array), AlignedOffset(array));
    }

    /// <summary>Floats from the start of a pinned array to its first 64-byte boundary (0 to 15).</summary>
    internal static unsafe int AlignedOffset(float[] pinned)
    {
        int misalignment = (int)((nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned)) & 63);
        return ((64 - misalignment) & 63) / sizeof(float);
    }

    private static int CeilDiv(int x, int y) => (x + y - 1) / y;

    private static int RoundUp(int x, int multiple) => CeilDiv(x, multiple) * multiple;
}
