using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Compiled.Kernels;

/// <summary>
/// The forward pass of a 3×3, stride-1, undilated, ungrouped convolution by Winograd's minimal filtering F(2×2, 3×3)
/// (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016): each 2×2 block of outputs (a tile) is
/// Y = Aᵀ [ Σ_c (G g_c Gᵀ) ⊙ (Bᵀ d_c B) ] A, where d_c is the tile's 4×4 input window in channel c and g_c the 3×3
/// kernel. The 16 element-wise products per tile and channel replace 36 multiply-adds, and the sum over channels at
/// each of the 16 positions ξ is one small matrix product, M[ξ] = U[ξ] · V[ξ] ([OC × IC] · [IC × tiles]).
/// </summary>
/// <remarks>
/// <para>
/// Layout: tiles are numbered t = ty · TWp + tx, where a tile row's TW = ⌈OW / 2⌉ tiles are padded to TWp, a multiple
/// of 8, so the input and output transforms work on 8 tiles of a row at once (Vector256). V is [ξ][c][t], M is
/// [ξ][k][t], both vectorized over tiles; U is [ξ][k / 4][c][4], so the four output channels of a register block are
/// adjacent broadcasts. The products run over blocks of tile vectors × 4 output channels (AVX-512: 4 × 16 tiles,
/// AVX2: 2 × 8), the bias and the ReLU are applied in the output transform.
/// </para>
/// <para>
/// The transformed weights U depend on the weights only: the calling thread keeps the last few it made, with a copy
/// of the weights each came from, and reuses one when the weights are bit-identical (a batch-1 Predict pays a
/// compare of the weights, not a transform). Rounding differs from the direct route's (the transforms add and
/// subtract inputs before multiplying): the error stays within a few float ulps of Σ|w·x| (tested against a
/// double reference); the result is the same bits on every call, thread count and batch split.
/// </para>
/// <para>
/// Measured (ConvBench, Zen 5, one thread, quiet machine): the 16→32 3×3 layer on 14×14 at batch 1 in 7.2 µs against
/// 11.2 µs direct on AVX-512, 1.6–1.7× at batch 32 and 128, 1.8–1.9× on AVX2; see bench/ConvBench/README.md and the
/// route table in docs/images.md.
/// </para>
/// </remarks>
internal static unsafe class WinogradConvolution
{
    /// <summary>Output channels per register block and per group of U.</summary>
    internal const int BlockChannels = 4;

    /// <summary>
    /// Input channels from which the route pays: with fewer, each product is too short for the transforms' cost
    /// (1→16 on 28×28 with its 2×2 pooling, batch 1, Zen 5: 3.9 µs by Winograd, 2.9 µs direct).
    /// </summary>
    internal const int MinInChannels = 8;

    /// <summary>This thread's zero-padded sample, V and M, grown on demand.</summary>
    [ThreadStatic] private static float[]? t_padded, t_v, t_m;

    /// <summary>This thread's transformed weights, with the weights each came from (round robin).</summary>
    [ThreadStatic] private static TransformedWeights?[]? t_cache;
    [ThreadStatic] private static int t_next;

    private const int CacheEntries = 4;

    private sealed class TransformedWeights
    {
        public int InChannels, OutChannels;
        public float[] Source = Array.Empty<float>();
        public float[] U = Array.Empty<float>();
    }

    /// <summary>
    /// Whether the forward pass of <paramref name="g"/> takes this route when the direct kernel <paramref name="kind"/>
    /// was chosen for it (stride 1, one group, rows that fill the vectors).
    /// </summary>
    internal static bool Applies(in ConvGeometry g, DirectConvolution.Kind kind) =>
        kind != DirectConvolution.Kind.None && g.KernelHeight == 3 && g.KernelWidth == 3
        && g.DilationHeight == 1 && g.DilationWidth == 1 && g.InChannels >= MinInChannels;

    /// <summary>
    /// U for <paramref name="g"/>'s weights <paramref name="w"/> ([OC, IC, 3, 3]): from this thread's cache when the
    /// weights are bit-identical to those of an entry, else transformed into the next entry (allocating only when the
    /// entry's arrays are too short). The array stays valid until this thread's next call for other weights.
    /// </summary>
    internal static float[] Transformed(in ConvGeometry g, float* w)
    {
        int inChannels = g.InChannels, outChannels = g.OutChannels, count = outChannels * inChannels * 9;
        var weights = new ReadOnlySpan<int>(w, count);
        TransformedWeights?[] cache = t_cache ??= new TransformedWeights?[CacheEntries];
        foreach (TransformedWeights? entry in cache)
        {
            if (entry is not null && entry.InChannels == inChannels && entry.OutChannels == outChannels
                && weights.SequenceEqual(MemoryMarshal.Cast<float, int>(entry.Source.AsSpan(0, count))))
                return entry.U;
        }
        TransformedWeights target = cache[t_next] ??= new TransformedWeights();
        t_next = (t_next + 1) % CacheEntries;
        target.InChannels = 0; // invalid until filled
        if (target.Source.Length < count) target.Source = new float[count];
        int length = 16 * RoundUp(outChannels, BlockChannels) * inChannels;
        if (target.U.Length < length) target.U = new float[length];
        new ReadOnlySpan<float>(w, count).CopyTo(target.Source);
        fixed (float* u = target.U) TransformWeights(w, outChannels, inChannels, u);
        (target.InChannels, target.OutChannels) = (inChannels, outChannels);
        return target.U;
    }

    /// <summary>
    /// U[ξ = 4p + q][k / 4][c][k mod 4] = (G g Gᵀ)[p, q] for g = W[k, c] (3×3), with
    /// G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]]; zero for the output channels that pad the last block.
    /// </summary>
    internal static void TransformWeights(float* w, int outChannels, int inChannels, float* u)
    {
        int blocks = (outChannels + BlockChannels - 1) / BlockChannels;
        long xiStride = (long)blocks * inChannels * BlockChannels;
        float* h = stackalloc float[12];
        for (int k = 0; k < blocks * BlockChannels; k++)
        {
            for (int c = 0; c < inChannels; c++)
            {
                float* target = u + ((long)(k / BlockChannels) * inChannels + c) * BlockChannels + k % BlockChannels;
                if (k >= outChannels)
                {
                    for (int xi = 0; xi < 16; xi++) target[xi * xiStride] = 0f;
                    continue;
                }
                float* g = w + ((long)k * inChannels + c) * 9;
                // h = g Gᵀ (3 × 4): each kernel row through G.
                for (int r = 0; r < 3; r++)
                {
                    float g0 = g[3 * r], g1 = g[3 * r + 1], g2 = g[3 * r + 2];
                    h[4 * r] = g0;
                    h[4 * r + 1] = 0.5f * (g0 + g1 + g2);
                    h[4 * r + 2] = 0.5f * (g0 - g1 + g2);
                    h[4 * r + 3] = g2;
                }
                // U = G h (4 × 4): each column of h through G.
                for (int q = 0; q < 4; q++)
                {
                    float h0 = h[q], h1 = h[4 + q], h2 = h[8 + q];
                    target[(0 + q) * xiStride] = h0;
                    target[(4 + q) * xiStride] = 0.5f * (h0 + h1 + h2);
                    target[(8 + q) * xiStride] = 0.5f * (h0 - h1 + h2);
                    target[(12 + q) * xiStride] = h2;
                }
            }
        }
    }

    /// <summary>
    /// y[b] = W ⊛ x[b] + bias (then max(0, ·) if <paramref name="relu"/>) for the <paramref name="count"/> samples at
    /// <paramref name="x"/>, output channels [<paramref name="firstChannel"/>, <paramref name="endChannel"/>) only
    /// (both multiples of <see cref="BlockChannels"/>, the end clamped to OC). <paramref name="u"/> is
    /// <see cref="Transformed"/>'s result; <paramref name="bias"/> null: none. With <paramref name="pool"/> (OH and OW
    /// even), each tile's four outputs are max-pooled into one (2×2, stride 2, PyTorch's rule) and y is the pooled
    /// tensor, [count, OC, OH / 2, OW / 2].
    /// </summary>
    internal static void Forward(DirectConvolution.Kind kind, in ConvGeometry g, float* x, int count, float* u, float* bias, float* y,
        bool relu, bool pool, int firstChannel, int endChannel)
    {
        var p = new Plan(g, kind);
        endChannel = Math.Min(endChannel, g.OutChannels);
        if (firstChannel >= endChannel) return;
        int inChannels = g.InChannels;
        long paddedLength = (long)inChannels * p.PlaneStride + 8;
        long vLength = 16 * p.VXiStride, mLength = 16 * p.MXiStride;
        if (paddedLength > Array.MaxLength || vLength > Array.MaxLength || mLength > Array.MaxLength)
            throw new ArgumentException($"The convolution {inChannels}×{g.InHeight}×{g.InWidth} → {g.OutChannels}×{g.OutHeight}×{g.OutWidth} is too large for the Winograd route's workspace.", nameof(g));
        Span<float> padded = Convolution.Grown(ref t_padded, (int)paddedLength);
        Span<float> v = Convolution.Grown(ref t_v, (int)vLength);
        Span<float> m = Convolution.Grown(ref t_m, (int)mLength);
        fixed (float* pp = padded, pv = v, pm = m)
        {
            for (int b = 0; b < count; b++)
            {
                DirectConvolution.Pad(x + (long)b * g.InputSize, inChannels, g.InHeight, g.InWidth, g.PadTop, g.PadLeft,
                    pp, p.PaddedHeight, p.PaddedWidth, p.PlaneStride, paddedLength);
                TransformInput(g, p, pp, pv);
                if (kind == DirectConvolution.Kind.Avx512) Multiply<Avx512WinogradKernel>(g, p, u, pv, pm, firstChannel, endChannel);
                else Multiply<Avx2WinogradKernel>(g, p, u, pv, pm, firstChannel, endChannel);
                float* yb = y + (long)b * (pool ? g.OutputSize / 4 : g.OutputSize);
                TransformOutput(g, p, pm, bias, yb, relu, pool, firstChannel, endChannel);
            }
        }
    }

    /// <summary>The tile grid and workspace strides of one call.</summary>
    internal readonly struct Plan
    {
        /// <summary>Tile rows, tiles per row, tiles per row padded to 8, and tiles per V/M row (padded to whole register blocks).</summary>
        public readonly int TileRows, TileColumns, TileColumnsPadded, Tiles;
        /// <summary>The padded input plane: rows, columns, floats per channel.</summary>
        public readonly int PaddedHeight, PaddedWidth, PlaneStride;
        public readonly int OutChannelsPadded;
        /// <summary>
        /// Floats between the 16 positions ξ of V and of M: one cache line more than the data, so that the 16 rows a
        /// transform reads or writes at once do not all fall in one L1 set (at 4 KB apart they did: the input transform
        /// ran 6× slower).
        /// </summary>
        public readonly long VXiStride, MXiStride;

        public Plan(in ConvGeometry g, DirectConvolution.Kind kind)
        {
            TileRows = (g.OutHeight + 1) / 2;
            TileColumns = (g.OutWidth + 1) / 2;
            TileColumnsPadded = RoundUp(TileColumns, 8);
            int lanes = kind == DirectConvolution.Kind.Avx512 ? Avx512WinogradKernel.Lanes : Avx2WinogradKernel.Lanes;
            int block = lanes * (kind == DirectConvolution.Kind.Avx512 ? Avx512WinogradKernel.TileVectors : Avx2WinogradKernel.TileVectors);
            Tiles = Math.Max(RoundUp(TileRows * TileColumnsPadded, lanes), block);
            // Tile (ty, tx) reads padded rows 2ty .. 2ty + 3 and columns 2tx .. 2tx + 3; a group of 8 tiles loads 18 columns.
            PaddedHeight = 2 * TileRows + 2;
            PaddedWidth = 2 * TileColumnsPadded + 2;
            PlaneStride = PaddedHeight * PaddedWidth;
            OutChannelsPadded = RoundUp(g.OutChannels, BlockChannels);
            VXiStride = (long)g.InChannels * Tiles + 16;
            MXiStride = (long)OutChannelsPadded * Tiles + 16;
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>
    /// V[ξ = 4i + j][c][t] = (Bᵀ d B)[i, j] for every channel and tile, Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0],
    /// [0, 1, 0, −1]], eight tiles of a row at a time: a row's even and odd columns are split apart so that lane l holds
    /// tile tx0 + l's four columns (even, odd, next even, next odd).
    /// </summary>
    internal static void TransformInput(in ConvGeometry g, in Plan p, float* padded, float* v)
    {
        long xiStride = p.VXiStride;
        for (int c = 0; c < g.InChannels; c++)
        {
            float* plane = padded + (long)c * p.PlaneStride;
            float* vc = v + (long)c * p.Tiles;
            for (int ty = 0; ty < p.TileRows; ty++)
            {
                for (int tx = 0; tx < p.TileColumnsPadded; tx += 8)
                {
                    float* d = plane + (long)2 * ty * p.PaddedWidth + 2 * tx;
                    RowTransform(d, out var t00, out var t01, out var t02, out var t03);
                    RowTransform(d + p.PaddedWidth, out var t10, out var t11, out var t12, out var t13);
                    RowTransform(d + 2 * p.PaddedWidth, out var t20, out var t21, out var t22, out var t23);
                    RowTransform(d + 3 * p.PaddedWidth, out var t30, out var t31, out var t32, out var t33);
                    float* target = vc + ty * p.TileColumnsPadded + tx;
                    Vector256.Store(t00 - t20, target);
                    Vector256.Store(t01 - t21, target + xiStride);
                    Vector256.Store(t02 - t22, target + 2 * xiStride);
                    Vector256.Store(t03 - t23, target + 3 * xiStride);
                    Vector256.Store(t10 + t20, target + 4 * xiStride);
                    Vector256.Store(t11 + t21, target + 5 * xiStride);
                    Vector256.Store(t12 + t22, target + 6 * xiStride);
                    Vector256.Store(t13 + t23, target + 7 * xiStride);
                    Vector256.Store(t20 - t10, target + 8 * xiStride);
                    Vector256.Store(t21 - t11, target + 9 * xiStride);
                    Vector256.Store(t22 - t12, target + 10 * xiStride);
                    Vector256.Store(t23 - t13, target + 11 * xiStride);
                    Vector256.Store(t10 - t30, target + 12 * xiStride);
                    Vector256.Store(t11 - t31, target + 13 * xiStride);
                    Vector256.Store(t12 - t32, target + 14 * xiStride);
                    Vector256.Store(t13 - t33, target + 15 * xiStride);
                }
            }
        }
    }

    /// <summary>One input row of eight tiles through B: (d0 − d2, d1 + d2, d2 − d1, d1 − d3) per tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowTransform(float* row, out Vector256<float> r0, out Vector256<float> r1, out Vector256<float> r2, out Vector256<float> r3)
    {
        Vector256<float> a = Vector256.Load(row), b = Vector256.Load(row + 8);
        Vector256<float> a2 = Vector256.Load(row + 2), b2 = Vector256.Load(row + 10);
        Vector256<float> d0 = Even(a, b), d1 = Odd(a, b), d2 = Even(a2, b2), d3 = Odd(a2, b2);
        r0 = d0 - d2;
        r1 = d1 + d2;
        r2 = d2 - d1;
        r3 = d1 - d3;
    }

    /// <summary>[a0, a2, a4, a6, b0, b2, b4, b6].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Even(Vector256<float> a, Vector256<float> b) =>
        Avx2.Permute4x64(Avx.Shuffle(a, b, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();

    /// <summary>[a1, a3, a5, a7, b1, b3, b5, b7].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Odd(Vector256<float> a, Vector256<float> b) =>
        Avx2.Permute4x64(Avx.Shuffle(a, b, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();

    /// <summary>M[ξ][k][t] = Σ_c U[ξ][k][c] · V[ξ][c][t] for the output channels [first, end) rounded out to blocks.</summary>
    internal static void Multiply<TKernel>(in ConvGeometry g, in Plan p, float* u, float* v, float* m, int firstChannel, int endChannel)
        where TKernel : IWinogradKernel
    {
        int inChannels = g.InChannels, vectors = p.Tiles / TKernel.Lanes, block = TKernel.TileVectors;
        int firstBlock = firstChannel / BlockChannels, endBlock = (endChannel + BlockChannels - 1) / BlockChannels;
        long uXiStride = (long)p.OutChannelsPadded * inChannels, vXiStride = p.VXiStride, mXiStride = p.MXiStride;
        for (int xi = 0; xi < 16; xi++)
        {
            for (int kb = firstBlock; kb < endBlock; kb++)
            {
                float* uk = u + xi * uXiStride + (long)kb * inChannels * BlockChannels;
                float* mk = m + xi * mXiStride + (long)kb * BlockChannels * p.Tiles;
                float* vx = v + xi * vXiStride;
                // The last block may overlap the one before it (same values, computed twice) rather than run short.
                for (int at = 0; at < vectors; at += block)
                {
                    int start = Math.Min(at, vectors - block) * TKernel.Lanes;
                    TKernel.Run(vx + start, p.Tiles, uk, inChannels, mk + start);
                }
            }
        }
    }

    /// <summary>
    /// y[k, 2ty + r, 2tx + s] = (Aᵀ M A)[r, s] + bias[k], Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]], eight tiles of a row at a
    /// time; the two output columns of each tile are interleaved back into a row of 16 and stored up to the output's
    /// edge.
    /// </summary>
    internal static void TransformOutput(in ConvGeometry g, in Plan p, float* m, float* bias, float* y, bool relu, bool pool,
        int firstChannel, int endChannel)
    {
        long xiStride = p.MXiStride;
        int outHeight = g.OutHeight, outWidth = g.OutWidth;
        int plane = pool ? outHeight * outWidth / 4 : outHeight * outWidth;
        for (int k = firstChannel; k < endChannel; k++)
        {
            Vector256<float> b = Vector256.Create(bias == null ? 0f : bias[k]);
            float* mk = m + (long)k * p.Tiles;
            float* yk = y + (long)k * plane;
            for (int ty = 0; ty < p.TileRows; ty++)
            {
                for (int tx = 0; tx < p.TileColumns; tx += 8)
                {
                    float* s = mk + ty * p.TileColumnsPadded + tx;
                    // Each row i of M through A: (m0 + m1 + m2, m1 − m2 − m3).
                    Vector256<float> m1 = Vector256.Load(s + xiStride), m2 = Vector256.Load(s + 2 * xiStride);
                    Vector256<float> a0 = Vector256.Load(s) + m1 + m2, b0 = m1 - m2 - Vector256.Load(s + 3 * xiStride);
                    m1 = Vector256.Load(s + 5 * xiStride); m2 = Vector256.Load(s + 6 * xiStride);
                    Vector256<float> a1 = Vector256.Load(s + 4 * xiStride) + m1 + m2, b1 = m1 - m2 - Vector256.Load(s + 7 * xiStride);
                    m1 = Vector256.Load(s + 9 * xiStride); m2 = Vector256.Load(s + 10 * xiStride);
                    Vector256<float> a2 = Vector256.Load(s + 8 * xiStride) + m1 + m2, b2 = m1 - m2 - Vector256.Load(s + 11 * xiStride);
                    m1 = Vector256.Load(s + 13 * xiStride); m2 = Vector256.Load(s + 14 * xiStride);
                    Vector256<float> a3 = Vector256.Load(s + 12 * xiStride) + m1 + m2, b3 = m1 - m2 - Vector256.Load(s + 15 * xiStride);
                    // Then down the columns.
                    Vector256<float> y00 = a0 + a1 + a2 + b, y10 = a1 - a2 - a3 + b;
                    Vector256<float> y01 = b0 + b1 + b2 + b, y11 = b1 - b2 - b3 + b;
                    if (relu)
                    {
                        y00 = Vector256.Max(y00, Vector256<float>.Zero); y01 = Vector256.Max(y01, Vector256<float>.Zero);
                        y10 = Vector256.Max(y10, Vector256<float>.Zero); y11 = Vector256.Max(y11, Vector256<float>.Zero);
                    }
                    if (pool)
                    {
                        StorePooled(yk + (long)ty * (outWidth / 2) + tx, y00, y01, y10, y11, Math.Min(8, p.TileColumns - tx));
                        continue;
                    }
                    int columns = Math.Min(16, outWidth - 2 * tx);
                    float* row = yk + (long)2 * ty * outWidth + 2 * tx;
                    StoreRow(row, y00, y01, columns);
                    if (2 * ty + 1 < outHeight) StoreRow(row + outWidth, y10, y11, columns);
                }
            }
        }
    }

    /// <summary>
    /// The 2×2 max pool of each tile's outputs by PyTorch's rule over top-left, top-right, bottom-left, bottom-right in
    /// order (strictly greater replaces, a NaN always replaces: <see cref="Pooling.MaxForward"/>'s), for the first
    /// <paramref name="count"/> of the eight tiles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePooled(float* target, Vector256<float> topLeft, Vector256<float> topRight, Vector256<float> bottomLeft,
        Vector256<float> bottomRight, int count)
    {
        Vector256<float> best = topLeft;
        best = Vector256.ConditionalSelect(Vector256.GreaterThan(topRight, best) | ~Vector256.Equals(topRight, topRight), topRight, best);
        best = Vector256.ConditionalSelect(Vector256.GreaterThan(bottomLeft, best) | ~Vector256.Equals(bottomLeft, bottomLeft), bottomLeft, best);
        best = Vector256.ConditionalSelect(Vector256.GreaterThan(bottomRight, best) | ~Vector256.Equals(bottomRight, bottomRight), bottomRight, best);
        if (count == 8) Vector256.Store(best, target);
        else StoreFirst(target, best, count);
    }

    /// <summary>Interleaves the tiles' left and right outputs, [l0, r0, l1, r1, …], and stores the first <paramref name="columns"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* row, Vector256<float> left, Vector256<float> right, int columns)
    {
        Vector256<float> low = Avx.UnpackLow(left, right), high = Avx.UnpackHigh(left, right);
        Vector256<float> first = Avx.Permute2x128(low, high, 0x20), second = Avx.Permute2x128(low, high, 0x31);
        if (columns == 16)
        {
            Vector256.Store(first, row);
            Vector256.Store(second, row + 8);
            return;
        }
        if (columns >= 8)
        {
            Vector256.Store(first, row);
            if (columns > 8) StoreFirst(row + 8, second, columns - 8);
        }
        else StoreFirst(row, first, columns);
    }

    /// <summary>
    /// Stores the first <paramref name="count"/> (1 … 8) lanes of <paramref name="value"/>. Not AVX's VMASKMOVPS: on Zen 5
    /// the output transform of the 16→32 layer on 14×14 (a masked store per tile row) took 7.0 µs with it against
    /// 1.25 µs with AVX-512's masked store and 2.2 µs lane by lane, in one process and not in another (loads that
    /// follow such a store at an address 4 KB apart appear to wait for it); AVX-512VL's masked store where it exists,
    /// else a lane-by-lane copy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreFirst(float* target, Vector256<float> value, int count)
    {
        if (Avx512F.VL.IsSupported)
        {
            Avx512F.VL.MaskStore(target, Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).AsSingle(), value);
            return;
        }
        float* lanes = stackalloc float[8];
        Vector256.Store(value, lanes);
        for (int i = 0; i < count; i++) target[i] = lanes[i];
    }
}

/// <summary>One instruction set's register block of <see cref="WinogradConvolution"/>'s products.</summary>
internal unsafe interface IWinogradKernel
{
    /// <summary>Tiles per vector.</summary>
    static abstract int Lanes { get; }

    /// <summary>Vectors of tiles per block.</summary>
    static abstract int TileVectors { get; }

    /// <summary>
    /// m[k · stride + t] = Σ_c u[4c + k] · v[c · stride + t] for k &lt; 4 and t &lt; Lanes · TileVectors: one position ξ's
    /// product for a block of four output channels and of tiles.
    /// </summary>
    static abstract void Run(float* v, nint stride, float* u, int inChannels, float* m);
}
