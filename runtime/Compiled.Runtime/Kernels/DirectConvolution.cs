using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Compiled.Kernels;

/// <summary>
/// The forward pass of a stride-1, ungrouped convolution computed directly from a zero-padded copy of each sample,
/// without lowering it to a column matrix: the choice of <see cref="Convolution.Forward"/> on the AVX-512 and AVX2
/// paths. A register tile holds <c>Rows</c> output rows × one vector of output columns × <c>Channels</c> output
/// channels; for every tap (input channel, kernel row, kernel column) in order it loads the <c>Rows</c> input rows that
/// tap reads, broadcasts the <c>Channels</c> weights, and does <c>Rows · Channels</c> FMAs. Nothing is packed per
/// product (im2col + the SGEMM copy the 3×3 input nine times and pack it again); the weights are regrouped once per
/// call, [channel block][tap][Channels], so each tap's broadcasts are adjacent.
/// </summary>
/// <remarks>
/// Each output is summed as the lowered product sums it: from 0, one FMA per tap in the order (c, kh, kw), then the
/// bias is added; so it gives the same bits as the GEMM route whenever that route sums the taps in one pass.
/// Rows, columns and channels past the output's edge are computed in the tile and not stored (masked stores for the
/// columns; the padded copy has spare rows and a spare vector at its end so those reads stay inside it).
/// Measured (CnnBench, one thread, AVX-512, Zen 5): a batch-1 forward of a 16→32 3×3 layer on 14×14 took 7 µs here
/// against 24 µs through im2col + SGEMM; see docs/performance.md.
/// </remarks>
internal static unsafe class DirectConvolution
{
    /// <summary>Which micro-kernel a call runs (decided on the calling thread: workers run what it chose).</summary>
    internal enum Kind : byte { None, Avx512, Avx2 }

    /// <summary>This thread's zero-padded copy of one sample, grown on demand.</summary>
    [ThreadStatic] private static float[]? t_padded;

    /// <summary>This thread's regrouped weights and bias, grown on demand.</summary>
    [ThreadStatic] private static float[]? t_weights;

    /// <summary>This thread's offsets of the weight gradient's taps in the padded planes, grown on demand.</summary>
    [ThreadStatic] private static nint[]? t_offsets;

    /// <summary>
    /// The kernel for <paramref name="g"/> on the calling thread's SGEMM path (<see cref="Sgemm.CurrentPath"/>, which tests
    /// can force), or <see cref="Kind.None"/>: strided, grouped and pointwise (1×1 with the input as its column matrix)
    /// convolutions keep the GEMM route, and so do outputs whose rows fill less than 3/4 of the vectors covering
    /// them, and the scalar path.
    /// </summary>
    internal static Kind Choose(in ConvGeometry g)
    {
        Kind kind = Instructions(g);
        // A row narrower than most of a vector wastes the lanes past its end: 7 columns in 16 lanes ran at 64 % of
        // the GEMM route's speed (ConvBench, 32→64 on 7×7), 13 to 16 columns and 28 in 32 at twice it. Channels short
        // of a block waste the block's rest alike (1 channel in 8: a third of the GEMM route's speed).
        return kind != Kind.None && Fills(kind, g.OutWidth, g.OutChannels) ? kind : Kind.None;
    }

    /// <summary>The kernel of the calling thread's path if <paramref name="g"/> is stride 1, one group, and not pointwise.</summary>
    private static Kind Instructions(in ConvGeometry g)
    {
        if (g.Groups != 1 || g.StrideHeight != 1 || g.StrideWidth != 1) return Kind.None;
        if (g.KernelHeight == 1 && g.KernelWidth == 1 && g.PadTop == 0 && g.PadLeft == 0) return Kind.None;
        return Sgemm.CurrentPath switch
        {
            "avx512" when Avx512F.IsSupported => Kind.Avx512,
            "avx2" when Avx2.IsSupported && Fma.IsSupported => Kind.Avx2,
            _ => Kind.None,
        };
    }

    /// <summary>
    /// Whether rows of <paramref name="width"/> outputs fill at least 3/4 of the vectors that cover them, and
    /// <paramref name="channels"/> output channels 3/4 of the channel blocks.
    /// </summary>
    private static bool Fills(Kind kind, int width, int channels) =>
        FillsLanes(kind, width) && 4 * channels >= 3 * ChannelBlocks(kind, channels) * BlockChannels(kind);

    /// <summary>Whether rows of <paramref name="width"/> outputs fill at least 3/4 of the vectors that cover them.</summary>
    private static bool FillsLanes(Kind kind, int width)
    {
        int lanes = kind == Kind.Avx512 ? Avx512DirectKernel.Lanes : Avx2DirectKernel.Lanes;
        return 4 * width >= 3 * ((width + lanes - 1) / lanes * lanes);
    }

    /// <summary>Output channels per register tile of the forward kernel of <paramref name="kind"/>.</summary>
    internal static int BlockChannels(Kind kind) => kind == Kind.Avx512 ? Avx512DirectKernel.Channels : Avx2DirectKernel.Channels;

    /// <summary>
    /// The kernel for <see cref="Convolution.BackwardInput"/> on <paramref name="g"/>: a stride-1 convolution's input
    /// gradient is itself a stride-1 convolution, dx = W′ ⊛ dy with W′[c, oc, kh, kw] = W[oc, c, KH − 1 − kh, KW − 1 − kw]
    /// and padding DH · (KH − 1) − PadTop (left alike), which must not be negative. Same rules as <see cref="Choose"/>,
    /// the rows being dx's.
    /// </summary>
    internal static Kind ChooseBackwardInput(in ConvGeometry g)
    {
        if (g.DilationHeight * (g.KernelHeight - 1) < g.PadTop || g.DilationWidth * (g.KernelWidth - 1) < g.PadLeft) return Kind.None;
        Kind kind = Instructions(g);
        return kind != Kind.None && Fills(kind, g.InWidth, g.InChannels) ? kind : Kind.None;
    }

    /// <summary>
    /// The kernel for <see cref="Convolution.BackwardWeights"/> on <paramref name="g"/>: the rows of dy (and of the
    /// input windows) must fill 3/4 of the vectors, as in <see cref="Choose"/>; channels and taps are cut into tiles of
    /// 4 × 6 (AVX-512) or 3 × 4 (AVX2), whose last ones may be partly empty.
    /// </summary>
    internal static Kind ChooseBackwardWeights(in ConvGeometry g)
    {
        Kind kind = Instructions(g);
        return kind != Kind.None && FillsLanes(kind, g.OutWidth) ? kind : Kind.None;
    }

    /// <summary>
    /// y[b] = W ⊛ x[b] + bias for the <paramref name="count"/> samples at <paramref name="x"/> (NCHW, stride 1, one
    /// group; <paramref name="bias"/> null: none), then max(0, ·) if <paramref name="relu"/>. The caller has checked the
    /// spans against <paramref name="g"/>.
    /// </summary>
    internal static void Forward(Kind kind, in ConvGeometry g, float* x, int count, float* w, float* bias, float* y, bool relu,
        int firstBlock, int endBlock)
    {
        var shape = new Shape(g.InChannels, g.InHeight, g.InWidth, g.OutChannels, g.OutHeight, g.OutWidth,
            g.KernelHeight, g.KernelWidth, g.DilationHeight, g.DilationWidth, g.PadTop, g.PadLeft);
        if (kind == Kind.Avx512) Run<Avx512DirectKernel>(shape, x, count, w, flipped: false, bias, y, relu, firstBlock, endBlock);
        else Run<Avx2DirectKernel>(shape, x, count, w, flipped: false, bias, y, relu, firstBlock, endBlock);
    }

    /// <summary>
    /// The blocks of output channels the kernel of <paramref name="kind"/> cuts <paramref name="channels"/> into: the
    /// parts of a one-sample call, which threads can take independently ([firstBlock, endBlock) of Forward and
    /// BackwardInput).
    /// </summary>
    internal static int ChannelBlocks(Kind kind, int channels) => (channels + BlockChannels(kind) - 1) / BlockChannels(kind);

    /// <summary>
    /// dx[b] = W′ ⊛ dy[b] (see <see cref="ChooseBackwardInput"/>) for the <paramref name="count"/> samples at
    /// <paramref name="dy"/>, overwriting <paramref name="dx"/>.
    /// </summary>
    internal static void BackwardInput(Kind kind, in ConvGeometry g, float* dy, int count, float* w, float* dx,
        int firstBlock, int endBlock)
    {
        var shape = new Shape(g.OutChannels, g.OutHeight, g.OutWidth, g.InChannels, g.InHeight, g.InWidth,
            g.KernelHeight, g.KernelWidth, g.DilationHeight, g.DilationWidth,
            g.DilationHeight * (g.KernelHeight - 1) - g.PadTop, g.DilationWidth * (g.KernelWidth - 1) - g.PadLeft);
        if (kind == Kind.Avx512) Run<Avx512DirectKernel>(shape, dy, count, w, flipped: true, null, dx, relu: false, firstBlock, endBlock);
        else Run<Avx2DirectKernel>(shape, dy, count, w, flipped: true, null, dx, relu: false, firstBlock, endBlock);
    }

    /// <summary>
    /// dW[oc, c, kh, kw] = Σ_b Σ_{oh, ow} dy[b, oc, oh, ow] · x[b, c, oh − PadTop + kh · DH, ow − PadLeft + kw · DW] over the
    /// <paramref name="count"/> samples at <paramref name="x"/> and <paramref name="dy"/>, overwriting
    /// <paramref name="dw"/> ([OC, IC, KH, KW]). Each value is one register's lanes summed over the samples in order,
    /// rows, then vectors of columns, and added up at the end: the same bits on every call.
    /// </summary>
    internal static void BackwardWeights(Kind kind, in ConvGeometry g, float* x, int count, float* dy, float* dw)
    {
        var shape = new Shape(g.InChannels, g.InHeight, g.InWidth, g.OutChannels, g.OutHeight, g.OutWidth,
            g.KernelHeight, g.KernelWidth, g.DilationHeight, g.DilationWidth, g.PadTop, g.PadLeft);
        if (kind == Kind.Avx512) RunWeights<Avx512WeightGradientKernel>(shape, x, count, dy, dw);
        else RunWeights<Avx2WeightGradientKernel>(shape, x, count, dy, dw);
    }

    private static void RunWeights<TKernel>(in Shape g, float* x, int count, float* dy, float* dw)
        where TKernel : IDirectWeightGradientKernel
    {
        int channels = TKernel.Channels, tapTile = TKernel.Taps, taps = g.Taps;
        int paddedHeight = g.OutHeight + g.DilationHeight * (g.KernelHeight - 1);
        int paddedWidth = g.OutWidth + g.DilationWidth * (g.KernelWidth - 1);
        long plane = (long)paddedHeight * paddedWidth, sample = g.InChannels * plane;
        long paddedLength = count * sample;
        int tiles = (taps + tapTile - 1) / tapTile;
        if (paddedLength > Array.MaxLength)
            throw new ArgumentException($"The convolution {g.InChannels}×{g.InHeight}×{g.InWidth} → {g.OutChannels}×{g.OutHeight}×{g.OutWidth} over {count} samples is too large for the direct route's workspace.", nameof(g));
        Span<float> padded = Convolution.Grown(ref t_padded, (int)paddedLength);
        nint[] offsets = t_offsets is { } o && o.Length >= tiles * tapTile ? o : t_offsets = new nint[tiles * tapTile];
        int outPlane = g.OutHeight * g.OutWidth;
        // Tap t = (c, kh, kw) reads the padded plane c at (kh · DH, kw · DW) from the output's position; taps past the
        // last repeat it (computed, never stored).
        for (int t = 0; t < tiles * tapTile; t++)
        {
            int tap = Math.Min(t, taps - 1), area = g.KernelHeight * g.KernelWidth;
            int c = tap / area, kh = tap % area / g.KernelWidth, kw = tap % g.KernelWidth;
            offsets[t] = (nint)(c * plane + (long)kh * g.DilationHeight * paddedWidth + kw * g.DilationWidth);
        }
        nint* channelOffsets = stackalloc nint[channels];
        fixed (float* pp = padded)
        fixed (nint* po = offsets)
        {
            for (int b = 0; b < count; b++)
                Pad(g, x + b * g.InputSize, pp + b * sample, paddedHeight, paddedWidth, plane, sample);
            for (int oc = 0; oc < g.OutChannels; oc += channels)
            {
                int validChannels = Math.Min(channels, g.OutChannels - oc);
                for (int j = 0; j < channels; j++) channelOffsets[j] = (nint)Math.Min(oc + j, g.OutChannels - 1) * outPlane;
                for (int t = 0; t < taps; t += tapTile)
                {
                    TKernel.Run(pp, (nint)sample, paddedWidth, count, po + t, dy, (nint)g.OutputSize, channelOffsets,
                        g.OutHeight, g.OutWidth, dw + (long)oc * taps + t, taps, validChannels, Math.Min(tapTile, taps - t));
                }
            }
        }
    }

    /// <summary>The stride-1 convolution one call computes: the layer's forward pass, or its input gradient's.</summary>
    private readonly struct Shape
    {
        public readonly int InChannels, InHeight, InWidth, OutChannels, OutHeight, OutWidth;
        public readonly int KernelHeight, KernelWidth, DilationHeight, DilationWidth, PadTop, PadLeft;

        public Shape(int inChannels, int inHeight, int inWidth, int outChannels, int outHeight, int outWidth,
            int kernelHeight, int kernelWidth, int dilationHeight, int dilationWidth, int padTop, int padLeft)
        {
            InChannels = inChannels; InHeight = inHeight; InWidth = inWidth;
            OutChannels = outChannels; OutHeight = outHeight; OutWidth = outWidth;
            KernelHeight = kernelHeight; KernelWidth = kernelWidth; DilationHeight = dilationHeight; DilationWidth = dilationWidth;
            PadTop = padTop; PadLeft = padLeft;
        }

        public long InputSize => (long)InChannels * InHeight * InWidth;
        public long OutputSize => (long)OutChannels * OutHeight * OutWidth;
        public int Taps => InChannels * KernelHeight * KernelWidth;
    }

    /// <summary>The blocks [firstBlock, min(endBlock, all)) of output channels of the <paramref name="count"/> samples.</summary>
    private static void Run<TKernel>(in Shape g, float* x, int count, float* w, bool flipped, float* bias, float* y, bool relu,
        int firstBlock, int endBlock)
        where TKernel : IDirectConvolutionKernel
    {
        int lanes = TKernel.Lanes, rows = TKernel.Rows, channels = TKernel.Channels;
        int taps = g.Taps;
        int blocks = (g.OutChannels + channels - 1) / channels;
        endBlock = Math.Min(endBlock, blocks);
        // The padded plane: every row and column a stride-1 window reads, plus Rows − 1 spare rows for a tile's rows
        // past the bottom, and one spare vector at the end for its lanes past the right edge.
        int paddedHeight = g.OutHeight + g.DilationHeight * (g.KernelHeight - 1);
        int paddedWidth = g.OutWidth + g.DilationWidth * (g.KernelWidth - 1);
        long plane = (long)(paddedHeight + rows - 1) * paddedWidth;
        long paddedLength = g.InChannels * plane + lanes;
        long packedLength = (long)blocks * channels * (taps + 1);
        if (paddedLength > Array.MaxLength || packedLength > Array.MaxLength)
            throw new ArgumentException($"The convolution {g.InChannels}×{g.InHeight}×{g.InWidth} → {g.OutChannels}×{g.OutHeight}×{g.OutWidth} is too large for the direct route's workspace.", nameof(g));
        Span<float> padded = Convolution.Grown(ref t_padded, (int)paddedLength);
        Span<float> packed = Convolution.Grown(ref t_weights, (int)packedLength);
        fixed (float* pp = padded, pw = packed)
        {
            Pack(g, w, flipped, bias, channels, firstBlock, endBlock, pw);
            float* packedBias = pw + (long)blocks * channels * taps;
            int outPlane = g.OutHeight * g.OutWidth;
            for (int b = 0; b < count; b++)
            {
                Pad(g, x + b * g.InputSize, pp, paddedHeight, paddedWidth, plane, paddedLength);
                float* yb = y + b * g.OutputSize;
                for (int block = firstBlock; block < endBlock; block++)
                {
                    int oc = block * channels, validChannels = Math.Min(channels, g.OutChannels - oc);
                    float* wb = pw + (long)block * channels * taps;
                    for (int oh = 0; oh < g.OutHeight; oh += rows)
                    {
                        int validRows = Math.Min(rows, g.OutHeight - oh);
                        for (int ow = 0; ow < g.OutWidth; ow += lanes)
                        {
                            TKernel.Run(pp + (long)oh * paddedWidth + ow, paddedWidth, (nint)plane, g.InChannels,
                                g.KernelHeight, g.KernelWidth, (nint)g.DilationHeight * paddedWidth, g.DilationWidth,
                                wb, packedBias + oc, yb + (long)oc * outPlane + (long)oh * g.OutWidth + ow, g.OutWidth, outPlane,
                                validRows, validChannels, Math.Min(lanes, g.OutWidth - ow), relu);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// packed[block][tap][j] = the weight of output channel block · channels + j at tap (c, kh, kw) (0 past the last
    /// channel) for the blocks [firstBlock, endBlock), then the bias of every block, padded the same way (zeros
    /// without one). The weight is W[oc, tap] for a forward pass and
    /// W[c, j, KH − 1 − kh, KW − 1 − kw] of the layer's [OC = g.InChannels, IC = g.OutChannels, KH, KW] weights when
    /// <paramref name="flipped"/> (an input gradient: g's channels are the layer's, exchanged).
    /// </summary>
    private static void Pack(in Shape g, float* w, bool flipped, float* bias, int channels, int firstBlock, int endBlock, float* packed)
    {
        int taps = g.Taps, kh = g.KernelHeight, kw = g.KernelWidth, area = kh * kw;
        int blocks = (g.OutChannels + channels - 1) / channels;
        for (int block = firstBlock; block < endBlock; block++)
        {
            float* target = packed + (long)block * channels * taps;
            for (int j = 0; j < channels; j++)
            {
                int oc = block * channels + j;
                if (oc >= g.OutChannels)
                {
                    for (int t = 0; t < taps; t++) target[(long)t * channels + j] = 0f;
                }
                else if (!flipped)
                {
                    float* source = w + (long)oc * taps;
                    for (int t = 0; t < taps; t++) target[(long)t * channels + j] = source[t];
                }
                else
                {
                    // Tap t = (c, r, q) reads the layer's W[c, oc, KH − 1 − r, KW − 1 − q]: its plane reversed.
                    for (int c = 0; c < g.InChannels; c++)
                    {
                        float* source = w + ((long)c * g.OutChannels + oc) * area + area - 1;
                        for (int r = 0; r < area; r++) target[((long)c * area + r) * channels + j] = source[-r];
                    }
                }
            }
        }
        float* packedBias = packed + (long)blocks * channels * taps;
        for (int oc = 0; oc < blocks * channels; oc++) packedBias[oc] = bias != null && oc < g.OutChannels ? bias[oc] : 0f;
    }

    /// <summary>Copies one sample into the padded planes: input (h, w) lands at (h + PadTop, w + PadLeft); the rest is 0.</summary>
    private static void Pad(in Shape g, float* x, float* padded, int paddedHeight, int paddedWidth, long plane, long length) =>
        Pad(x, g.InChannels, g.InHeight, g.InWidth, g.PadTop, g.PadLeft, padded, paddedHeight, paddedWidth, plane, length);

    /// <summary>
    /// Zeroes <paramref name="length"/> floats at <paramref name="padded"/>, then copies each of the <paramref name="channels"/>
    /// planes of one sample so that input (h, w) lands at (h + padTop, w + padLeft) of a plane of paddedHeight ×
    /// paddedWidth, <paramref name="plane"/> floats apart; what falls outside is not copied. Shared with
    /// <see cref="WinogradConvolution"/>.
    /// </summary>
    internal static void Pad(float* x, int channels, int inHeight, int inWidth, int padTop, int padLeft,
        float* padded, int paddedHeight, int paddedWidth, long plane, long length)
    {
        new Span<float>(padded, (int)length).Clear();
        int rowsCopied = Math.Min(inHeight, paddedHeight - padTop);
        int columnsCopied = Math.Min(inWidth, paddedWidth - padLeft);
        for (int c = 0; c < channels; c++)
        {
            float* source = x + (long)c * inHeight * inWidth;
            float* target = padded + c * plane + (long)padTop * paddedWidth + padLeft;
            for (int h = 0; h < rowsCopied; h++)
                CopyRow(source + (long)h * inWidth, target + (long)h * paddedWidth, columnsCopied);
        }
    }

    /// <summary>
    /// A short row (typically 7 to 32 floats): 8 at a time, the last 8 overlapping the ones before; a span copy's call
    /// per row cost 15 % of a batch-1 input gradient (448 rows of 14 floats).
    /// </summary>
    private static void CopyRow(float* source, float* target, int count)
    {
        if (count < 8)
        {
            for (int i = 0; i < count; i++) target[i] = source[i];
            return;
        }
        int at = 0;
        for (; at + 8 < count; at += 8) Vector256.Store(Vector256.Load(source + at), target + at);
        Vector256.Store(Vector256.Load(source + count - 8), target + count - 8);
    }
}

/// <summary>One instruction set's register tile of <see cref="DirectConvolution"/>.</summary>
internal unsafe interface IDirectConvolutionKernel
{
    /// <summary>Output columns per vector.</summary>
    static abstract int Lanes { get; }

    /// <summary>Output rows per tile.</summary>
    static abstract int Rows { get; }

    /// <summary>Output channels per tile (the weights' block width).</summary>
    static abstract int Channels { get; }

    /// <summary>
    /// One tile: y[j, r, l] = bias[j] + Σ_{c, kh, kw} w[(c, kh, kw)][j] · x[c, r + kh · DH, l + kw · DW] for r &lt; rows,
    /// j &lt; channels, l &lt; lanes (the valid part, which alone is stored), then max(0, ·) (NaN stays NaN) if
    /// <paramref name="relu"/>. <paramref name="x"/> points at the tile's
    /// top-left input, <paramref name="y"/> at its top-left output of its first channel.
    /// </summary>
    static abstract void Run(float* x, nint rowStride, nint planeStride, int inChannels, int kernelHeight, int kernelWidth,
        nint kernelRowStep, nint kernelColumnStep, float* w, float* bias, float* y, nint outputRowStride, nint outputPlaneStride,
        int rows, int channels, int lanes, bool relu);
}

/// <summary>One instruction set's register tile of <see cref="DirectConvolution"/>'s weight gradient.</summary>
internal unsafe interface IDirectWeightGradientKernel
{
    /// <summary>Output columns per vector.</summary>
    static abstract int Lanes { get; }

    /// <summary>Output channels per tile.</summary>
    static abstract int Channels { get; }

    /// <summary>Taps (input channel, kernel row, kernel column) per tile.</summary>
    static abstract int Taps { get; }

    /// <summary>
    /// One tile: dw[j · dwRowStride + t] = Σ_{b &lt; count, oh, ow} dy[b][channelOffsets[j] + oh · outWidth + ow] ·
    /// x[b][tapOffsets[t] + oh · rowStride + ow] for j &lt; channels, t &lt; taps (the valid part, which alone is
    /// stored); samples are <paramref name="sampleStride"/> (x) and <paramref name="dySampleStride"/> (dy) apart.
    /// </summary>
    static abstract void Run(float* x, nint sampleStride, nint rowStride, int count, nint* tapOffsets, float* dy, nint dySampleStride,
        nint* channelOffsets, int outHeight, int outWidth, float* dw, nint dwRowStride, int channels, int taps);
}
