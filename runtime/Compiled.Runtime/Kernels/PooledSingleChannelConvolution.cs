using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Compiled.Kernels;

/// <summary>
/// A 3×3 convolution of ONE input channel (an image network's first layer) followed by 2×2, stride-2 max pooling, in one
/// pass vectorized over 16 output channels (AVX-512): each pooled output's four convolution outputs are vectors of 16
/// channels, one FMA per tap (the input value broadcast, the tap's 16 weights held in a register), biased, rectified and
/// pooled; 16 pooled outputs of a row are then transposed so that each channel's row is stored whole. The unpooled
/// convolution is never stored.
/// </summary>
/// <remarks>
/// <para>
/// Why: with one input channel the direct kernel (vectors over output columns) does 9 taps per call and stores
/// 24 accumulators, about half the FMA peak, and the pooling then reads its 16 × 28 × 28 outputs back. Measured on Zen 5,
/// one thread, batch 1, the 1→16 layer with pad 1 on 28×28 and its pooling: see docs/images.md (route table).
/// </para>
/// <para>
/// Same bits as the direct route followed by <see cref="Pooling.MaxForward"/>: each output sums its nine taps by FMAs
/// from zero in (kh, kw) order over the zero-padded input (padding taps included, as the direct kernel does), then
/// adds the bias (zero without one), then max(v, 0) when rectified; the pooling takes top-left, top-right,
/// bottom-left, bottom-right in turn, each replacing the best where strictly greater or NaN (PyTorch's rule).
/// </para>
/// </remarks>
internal static unsafe class PooledSingleChannelConvolution
{
    private const int Lanes = 16;

    /// <summary>This thread's zero-padded input plane.</summary>
    [ThreadStatic] private static float[]? t_padded;

    /// <summary>Whether the pooled forward pass of <paramref name="g"/> takes this route when <paramref name="kind"/> was chosen for it.</summary>
    internal static bool Applies(in ConvGeometry g, DirectConvolution.Kind kind) =>
        kind == DirectConvolution.Kind.Avx512 && g.InChannels == 1 && g.KernelHeight == 3 && g.KernelWidth == 3
        && g.OutHeight % 2 == 0 && g.OutWidth % 2 == 0;

    private struct Job
    {
        public ConvGeometry G;
        public float* X, W, Bias, Y;
        public int Groups;
        public bool ReLU;
    }

    /// <summary>
    /// y = maxpool2x2(act(W ⊛ x + bias)) for <paramref name="batch"/> samples; <paramref name="bias"/> null: none. The
    /// caller has checked the spans against <paramref name="g"/> (y: [batch, OC, OH / 2, OW / 2]). Parts (a sample's
    /// group of 16 channels each) are shared with <see cref="ConvolutionWorkers"/> when the work is large enough.
    /// </summary>
    internal static void Forward(in ConvGeometry g, int batch, float* x, float* w, float* bias, float* y, bool relu)
    {
        var job = new Job { G = g, X = x, W = w, Bias = bias, Y = y, Groups = (g.OutChannels + Lanes - 1) / Lanes, ReLU = relu };
        int parts = batch * job.Groups;
        bool parallel = Sgemm.MaxThreads > 1 && parts > 1 && 2.0 * batch * g.OutputSize * 9 >= Convolution.MinParallelFlops
            && ConvolutionWorkers.TryRun(parts, Sgemm.MaxThreads, &Part, &job);
        if (!parallel)
            for (int part = 0; part < parts; part++) Part(&job, part);
    }

    private static void Part(void* arguments, int part)
    {
        ref Job j = ref Unsafe.AsRef<Job>(arguments);
        ref readonly ConvGeometry g = ref j.G;
        int sample = part / j.Groups, group = part % j.Groups;
        int paddedHeight = g.OutHeight + 2 * g.DilationHeight, paddedWidth = g.OutWidth + 2 * g.DilationWidth;
        int plane = paddedHeight * paddedWidth;
        // Sample and group order does not matter: each part pads its own sample (the same zeros and copies each time).
        Span<float> padded = Convolution.Grown(ref t_padded, plane);
        fixed (float* pp = padded)
        {
            DirectConvolution.Pad(j.X + (long)sample * g.InputSize, 1, g.InHeight, g.InWidth, g.PadTop, g.PadLeft,
                pp, paddedHeight, paddedWidth, plane, plane);
            int first = group * Lanes, channels = Math.Min(Lanes, g.OutChannels - first);
            float* yb = j.Y + (long)sample * (g.OutputSize / 4) + (long)first * (g.OutHeight / 2) * (g.OutWidth / 2);
            Group(g, pp, paddedWidth, j.W + first * 9, j.Bias == null ? null : j.Bias + first, channels, yb, j.ReLU);
        }
    }

    /// <summary>The pooled outputs of <paramref name="channels"/> (1 … 16) output channels of one sample.</summary>
    private static void Group(in ConvGeometry g, float* padded, int paddedWidth, float* w, float* bias, int channels, float* y, bool relu)
    {
        // The tap (kh, kw)'s weights of the 16 channels, channel c in lane c (zero past the last channel).
        float* tw = stackalloc float[9 * Lanes];
        float* b = stackalloc float[Lanes];
        for (int c = 0; c < Lanes; c++)
        {
            for (int t = 0; t < 9; t++) tw[t * Lanes + c] = c < channels ? w[c * 9 + t] : 0f;
            b[c] = c < channels && bias != null ? bias[c] : 0f;
        }
        Vector512<float> w0 = Vector512.Load(tw), w1 = Vector512.Load(tw + 16), w2 = Vector512.Load(tw + 32);
        Vector512<float> w3 = Vector512.Load(tw + 48), w4 = Vector512.Load(tw + 64), w5 = Vector512.Load(tw + 80);
        Vector512<float> w6 = Vector512.Load(tw + 96), w7 = Vector512.Load(tw + 112), w8 = Vector512.Load(tw + 128);
        Vector512<float> vb = Vector512.Load(b);

        nint row = (nint)g.DilationHeight * paddedWidth, column = g.DilationWidth;
        int pooledHeight = g.OutHeight / 2, pooledWidth = g.OutWidth / 2, outPlane = pooledHeight * pooledWidth;
        // 16 pooled outputs (rows of the tile) × 16 channels (lanes), transposed before they are stored.
        float* tile = stackalloc float[Lanes * Lanes];
        for (int ph = 0; ph < pooledHeight; ph++)
        {
            for (int pw0 = 0; pw0 < pooledWidth; pw0 += Lanes)
            {
                int count = Math.Min(Lanes, pooledWidth - pw0);
                for (int i = 0; i < count; i++)
                {
                    // The window of output (2ph, 2pw) starts at padded row 2ph, column 2pw (stride 1).
                    float* r = padded + (nint)2 * ph * paddedWidth + 2 * (pw0 + i);
                    Vector512<float> topLeft = Output(r, row, column, w0, w1, w2, w3, w4, w5, w6, w7, w8, vb, relu);
                    Vector512<float> topRight = Output(r + 1, row, column, w0, w1, w2, w3, w4, w5, w6, w7, w8, vb, relu);
                    Vector512<float> bottomLeft = Output(r + paddedWidth, row, column, w0, w1, w2, w3, w4, w5, w6, w7, w8, vb, relu);
                    Vector512<float> bottomRight = Output(r + paddedWidth + 1, row, column, w0, w1, w2, w3, w4, w5, w6, w7, w8, vb, relu);
                    Vector512<float> best = topLeft;
                    best = Vector512.ConditionalSelect(Vector512.GreaterThan(topRight, best) | ~Vector512.Equals(topRight, topRight), topRight, best);
                    best = Vector512.ConditionalSelect(Vector512.GreaterThan(bottomLeft, best) | ~Vector512.Equals(bottomLeft, bottomLeft), bottomLeft, best);
                    best = Vector512.ConditionalSelect(Vector512.GreaterThan(bottomRight, best) | ~Vector512.Equals(bottomRight, bottomRight), bottomRight, best);
                    Vector512.Store(best, tile + i * Lanes);
                }
                float* target = y + (long)ph * pooledWidth + pw0;
                StoreTransposed(tile, target, outPlane, channels, count);
            }
        }
    }

    /// <summary>One convolution output for 16 channels: Σ over the taps in (kh, kw) order, by FMAs from zero; + bias; ReLU.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Output(float* r, nint row, nint column, Vector512<float> w0, Vector512<float> w1,
        Vector512<float> w2, Vector512<float> w3, Vector512<float> w4, Vector512<float> w5, Vector512<float> w6,
        Vector512<float> w7, Vector512<float> w8, Vector512<float> bias, bool relu)
    {
        Vector512<float> a = Vector512<float>.Zero;
        a = Avx512F.FusedMultiplyAdd(Vector512.Create(r[0]), w0, a);
        a = Avx512F.FusedMultiplyAdd(Vector512.Create(r[column]), w1, a);
        a = Avx512F.FusedMultiplyAdd(Vector512.Create(r[2 * column]), w2, a);
        a = Avx512F.FusedMultiplyAdd(Vector512.Create(r[row]), w3, a);
        a = Avx512F.FusedMultiplyAdd(Vector512.Create(r[row + column]), w4, a);
        a = Avx512F.FusedMultiplyAdd(Vector512.Create(r[row + 2 * column]), w5, a);
        a = Avx512F.FusedMultiplyAdd(Vector512.Create(r[2 * row]), w6, a);
        a = Avx512F.FusedMultiplyAdd(Vector512.Create(r[2 * row + column]), w7, a);
        a = Avx512F.FusedMultiplyAdd(Vector512.Create(r[2 * row + 2 * column]), w8, a);
        a += bias;
        return relu ? Vector512.Max(a, Vector512<float>.Zero) : a;
    }

    /// <summary>
    /// The 16 × 16 tile (row i: pooled output i's 16 channels) transposed, so that channel c's <paramref name="count"/>
    /// outputs are stored at <paramref name="target"/> + c · <paramref name="plane"/>, for the first
    /// <paramref name="channels"/> channels. Rows of the tile past <paramref name="count"/> are never stored.
    /// </summary>
    private static void StoreTransposed(float* tile, float* target, int plane, int channels, int count)
    {
        // Within each 128-bit lane: pairs of rows interleaved, then quads, then the lanes exchanged twice.
        Vector512<float> t0 = Avx512F.UnpackLow(Vector512.Load(tile), Vector512.Load(tile + 16));
        Vector512<float> t1 = Avx512F.UnpackHigh(Vector512.Load(tile), Vector512.Load(tile + 16));
        Vector512<float> t2 = Avx512F.UnpackLow(Vector512.Load(tile + 32), Vector512.Load(tile + 48));
        Vector512<float> t3 = Avx512F.UnpackHigh(Vector512.Load(tile + 32), Vector512.Load(tile + 48));
        Vector512<float> t4 = Avx512F.UnpackLow(Vector512.Load(tile + 64), Vector512.Load(tile + 80));
        Vector512<float> t5 = Avx512F.UnpackHigh(Vector512.Load(tile + 64), Vector512.Load(tile + 80));
        Vector512<float> t6 = Avx512F.UnpackLow(Vector512.Load(tile + 96), Vector512.Load(tile + 112));
        Vector512<float> t7 = Avx512F.UnpackHigh(Vector512.Load(tile + 96), Vector512.Load(tile + 112));
        Vector512<float> t8 = Avx512F.UnpackLow(Vector512.Load(tile + 128), Vector512.Load(tile + 144));
        Vector512<float> t9 = Avx512F.UnpackHigh(Vector512.Load(tile + 128), Vector512.Load(tile + 144));
        Vector512<float> t10 = Avx512F.UnpackLow(Vector512.Load(tile + 160), Vector512.Load(tile + 176));
        Vector512<float> t11 = Avx512F.UnpackHigh(Vector512.Load(tile + 160), Vector512.Load(tile + 176));
        Vector512<float> t12 = Avx512F.UnpackLow(Vector512.Load(tile + 192), Vector512.Load(tile + 208));
        Vector512<float> t13 = Avx512F.UnpackHigh(Vector512.Load(tile + 192), Vector512.Load(tile + 208));
        Vector512<float> t14 = Avx512F.UnpackLow(Vector512.Load(tile + 224), Vector512.Load(tile + 240));
        Vector512<float> t15 = Avx512F.UnpackHigh(Vector512.Load(tile + 224), Vector512.Load(tile + 240));

        // u[4q + j], lane L: rows 4q … 4q + 3 of column 4L + j.
        Vector512<float> u0 = Low(t0, t2), u1 = High(t0, t2), u2 = Low(t1, t3), u3 = High(t1, t3);
        Vector512<float> u4 = Low(t4, t6), u5 = High(t4, t6), u6 = Low(t5, t7), u7 = High(t5, t7);
        Vector512<float> u8 = Low(t8, t10), u9 = High(t8, t10), u10 = Low(t9, t11), u11 = High(t9, t11);
        Vector512<float> u12 = Low(t12, t14), u13 = High(t12, t14), u14 = Low(t13, t15), u15 = High(t13, t15);

        // v[j] = [col j r0–3, col 8+j r0–3, col j r4–7, col 8+j r4–7]; v[4+j] the same for columns 4+j and 12+j;
        // v[8+j], v[12+j] the same for rows 8–15.
        Vector512<float> v0 = Avx512F.Shuffle4x128(u0, u4, 0x88), v1 = Avx512F.Shuffle4x128(u1, u5, 0x88);
        Vector512<float> v2 = Avx512F.Shuffle4x128(u2, u6, 0x88), v3 = Avx512F.Shuffle4x128(u3, u7, 0x88);
        Vector512<float> v4 = Avx512F.Shuffle4x128(u0, u4, 0xDD), v5 = Avx512F.Shuffle4x128(u1, u5, 0xDD);
        Vector512<float> v6 = Avx512F.Shuffle4x128(u2, u6, 0xDD), v7 = Avx512F.Shuffle4x128(u3, u7, 0xDD);
        Vector512<float> v8 = Avx512F.Shuffle4x128(u8, u12, 0x88), v9 = Avx512F.Shuffle4x128(u9, u13, 0x88);
        Vector512<float> v10 = Avx512F.Shuffle4x128(u10, u14, 0x88), v11 = Avx512F.Shuffle4x128(u11, u15, 0x88);
        Vector512<float> v12 = Avx512F.Shuffle4x128(u8, u12, 0xDD), v13 = Avx512F.Shuffle4x128(u9, u13, 0xDD);
        Vector512<float> v14 = Avx512F.Shuffle4x128(u10, u14, 0xDD), v15 = Avx512F.Shuffle4x128(u11, u15, 0xDD);

        Vector512<float> mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();
        bool full = count == Lanes;
        // Column c of the tile is channel c: [col c rows 0–3, rows 4–7, rows 8–11, rows 12–15].
        Store(target, 0, plane, channels, Avx512F.Shuffle4x128(v0, v8, 0x88), full, mask);
        Store(target, 1, plane, channels, Avx512F.Shuffle4x128(v1, v9, 0x88), full, mask);
        Store(target, 2, plane, channels, Avx512F.Shuffle4x128(v2, v10, 0x88), full, mask);
        Store(target, 3, plane, channels, Avx512F.Shuffle4x128(v3, v11, 0x88), full, mask);
        Store(target, 4, plane, channels, Avx512F.Shuffle4x128(v4, v12, 0x88), full, mask);
        Store(target, 5, plane, channels, Avx512F.Shuffle4x128(v5, v13, 0x88), full, mask);
        Store(target, 6, plane, channels, Avx512F.Shuffle4x128(v6, v14, 0x88), full, mask);
        Store(target, 7, plane, channels, Avx512F.Shuffle4x128(v7, v15, 0x88), full, mask);
        Store(target, 8, plane, channels, Avx512F.Shuffle4x128(v0, v8, 0xDD), full, mask);
        Store(target, 9, plane, channels, Avx512F.Shuffle4x128(v1, v9, 0xDD), full, mask);
        Store(target, 10, plane, channels, Avx512F.Shuffle4x128(v2, v10, 0xDD), full, mask);
        Store(target, 11, plane, channels, Avx512F.Shuffle4x128(v3, v11, 0xDD), full, mask);
        Store(target, 12, plane, channels, Avx512F.Shuffle4x128(v4, v12, 0xDD), full, mask);
        Store(target, 13, plane, channels, Avx512F.Shuffle4x128(v5, v13, 0xDD), full, mask);
        Store(target, 14, plane, channels, Avx512F.Shuffle4x128(v6, v14, 0xDD), full, mask);
        Store(target, 15, plane, channels, Avx512F.Shuffle4x128(v7, v15, 0xDD), full, mask);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Low(Vector512<float> a, Vector512<float> b) => Avx512F.UnpackLow(a.AsDouble(), b.AsDouble()).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> High(Vector512<float> a, Vector512<float> b) => Avx512F.UnpackHigh(a.AsDouble(), b.AsDouble()).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* target, int channel, int plane, int channels, Vector512<float> value, bool full, Vector512<float> mask)
    {
        if (channel >= channels) return;
        float* at = target + (long)channel * plane;
        if (full) Vector512.Store(value, at);
        else Avx512F.MaskStore(at, mask, value);
    }
}
