using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Compiled.Kernels;

/// <summary>
/// The column matrix of one sample's channel group and its adjoint. Row (c, kh, kw) of the
/// [(InChannels / Groups) · KH · KW] × [OH · OW] matrix holds, at column (oh, ow), input channel c at row
/// oh · SH − PadTop + kh · DH, column ow · SW − PadLeft + kw · DW, or 0 outside the input; a convolution is then the
/// product weights[OCg × K] · columns[K × OH·OW]. Both directions walk the matrix in the same order, so the
/// scatter-add of the backward pass sums in a fixed order (deterministic).
/// </summary>
internal static class Im2Col
{
    /// <summary>
    /// columns = im2col(group): <paramref name="group"/> holds the group's InChannels / Groups input planes. Row r of the
    /// column matrix starts at r · <paramref name="rowStride"/> (default OH · OW; larger to put several samples' column
    /// matrices side by side).
    /// </summary>
    public static void Pack(in ConvGeometry g, ReadOnlySpan<float> group, Span<float> columns, int rowStride = 0) =>
        Walk<Gather>(g, ref MemoryMarshal.GetReference(group), ref MemoryMarshal.GetReference(columns), rowStride);

    /// <summary>
    /// group += col2im(columns): each column entry is added to the input position it was read from. Row r of the
    /// column matrix starts at r · <paramref name="rowStride"/> (default OH · OW).
    /// </summary>
    public static void AddBack(in ConvGeometry g, ReadOnlySpan<float> columns, Span<float> group, int rowStride = 0) =>
        Walk<Scatter>(g, ref MemoryMarshal.GetReference(group), ref MemoryMarshal.GetReference(columns), rowStride);

    /// <summary>Visits every (row, oh) segment of the column matrix with the input row it reads, if any.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Walk<TTransfer>(in ConvGeometry g, ref float image, ref float columns, int rowStride) where TTransfer : struct, ITransfer
    {
        int channels = g.InChannels / g.Groups, inPlane = g.InHeight * g.InWidth;
        int outWidth = g.OutWidth, rowStep = rowStride > 0 ? rowStride : g.OutHeight * outWidth;
        ref float row = ref columns;
        for (int c = 0; c < channels; c++)
        {
            ref float plane = ref Unsafe.Add(ref image, (nint)c * inPlane);
            for (int kh = 0; kh < g.KernelHeight; kh++)
            {
                for (int kw = 0; kw < g.KernelWidth; kw++)
                {
                    // ow reads input column ow · SW + offset; [lo, hi) are the ow for which that is inside the input.
                    int offset = kw * g.DilationWidth - g.PadLeft;
                    (int lo, int hi) = InsideRange(outWidth, g.InWidth, g.StrideWidth, offset);
                    for (int oh = 0; oh < g.OutHeight; oh++)
                    {
                        // The constructor bounds (OH − 1) · SH + DH · (KH − 1) by int.MaxValue: no wrap, subtracting first.
                        int ih = oh * g.StrideHeight - g.PadTop + kh * g.DilationHeight;
                        ref float segment = ref Unsafe.Add(ref row, (nint)oh * outWidth);
                        if ((uint)ih >= (uint)g.InHeight) TTransfer.Outside(ref segment, outWidth);
                        else TTransfer.Inside(ref segment, outWidth, ref Unsafe.Add(ref plane, (nint)ih * g.InWidth), lo, hi, g.StrideWidth, offset);
                    }
                    row = ref Unsafe.Add(ref row, rowStep);
                }
            }
        }
    }

    /// <summary>The outputs o in [0, outLength) with 0 ≤ o · stride + offset &lt; inLength, as [lo, hi) (empty: lo == hi).</summary>
    internal static (int Lo, int Hi) InsideRange(int outLength, int inLength, int stride, long offset)
    {
        long lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
        long last = inLength - 1 - offset;                       // o · stride ≤ last
        long hi = last < 0 ? 0 : last / stride + 1;
        hi = Math.Min(hi, outLength);
        lo = Math.Min(lo, hi);
        return ((int)lo, (int)hi);
    }

    /// <summary>What happens to one output row's segment of a column-matrix row.</summary>
    private interface ITransfer
    {
        /// <summary>The segment reads an input row outside the image (padding).</summary>
        static abstract void Outside(ref float segment, int length);

        /// <summary>
        /// The segment reads input row <paramref name="input"/>: entry ow ↔ input[ow · stride + offset], inside the
        /// input for ow in [lo, hi) only.
        /// </summary>
        static abstract void Inside(ref float segment, int length, ref float input, int lo, int hi, int stride, int offset);
    }

    /// <summary>im2col: segment = input (0 in the padding).</summary>
    private struct Gather : ITransfer
    {
        public static void Outside(ref float segment, int length) => MemoryMarshal.CreateSpan(ref segment, length).Clear();

        public static void Inside(ref float segment, int length, ref float input, int lo, int hi, int stride, int offset)
        {
            MemoryMarshal.CreateSpan(ref segment, lo).Clear();
            if (stride == 1)
            {
                MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref input, lo + offset), hi - lo)
                    .CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref segment, lo), hi - lo));
            }
            else
            {
                for (int o = lo; o < hi; o++) Unsafe.Add(ref segment, o) = Unsafe.Add(ref input, o * stride + offset);
            }
            MemoryMarshal.CreateSpan(ref Unsafe.Add(ref segment, hi), length - hi).Clear();
        }
    }

    /// <summary>col2im: input += segment (the padding's entries are dropped).</summary>
    private struct Scatter : ITransfer
    {
        public static void Outside(ref float segment, int length) { }

        public static void Inside(ref float segment, int length, ref float input, int lo, int hi, int stride, int offset)
        {
            if (stride == 1)
            {
                ref float target = ref Unsafe.Add(ref input, lo + offset);
                ref float source = ref Unsafe.Add(ref segment, lo);
                int count = hi - lo, i = 0;
                if (Vector.IsHardwareAccelerated)
                    for (; i <= count - Vector<float>.Count; i += Vector<float>.Count)
                        (Vector.LoadUnsafe(ref target, (nuint)i) + Vector.LoadUnsafe(ref source, (nuint)i)).StoreUnsafe(ref target, (nuint)i);
                for (; i < count; i++) Unsafe.Add(ref target, i) += Unsafe.Add(ref source, i);
            }
            else
            {
                for (int o = lo; o < hi; o++) Unsafe.Add(ref input, o * stride + offset) += Unsafe.Add(ref segment, o);
            }
        }
    }
}

/// <summary>
/// Direct convolution for one input channel per group (depthwise, any channel multiplier): every output plane is a
/// sum of KH · KW shifted, scaled rows of one input plane, with no lowering and no GEMM. Measured with ConvBench
/// (batch 32, 32 channels 3×3 on 14×14, AVX-512), im2col + one SGEMM per channel ran at about 3 GFLOP/s, dominated by
/// the per-call cost of 1024 tiny products (m = 1, k = 9); see bench/ConvBench/README.md for this path's numbers.
/// Each tap's rows are visited in a fixed order (oc, kh, kw, oh), so results are deterministic.
/// </summary>
internal static class Depthwise
{
    /// <summary>output += conv(input) for one sample; output must already hold the bias (or 0).</summary>
    public static void Forward(in ConvGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> weights, Span<float> output) =>
        Walk<ForwardRow>(g, ref MemoryMarshal.GetReference(input), ref MemoryMarshal.GetReference(weights), ref MemoryMarshal.GetReference(output));

    /// <summary>inputGradient += convᵀ(outputGradient) for one sample.</summary>
    public static void BackwardInput(in ConvGeometry g, ReadOnlySpan<float> outputGradient, ReadOnlySpan<float> weights, Span<float> inputGradient) =>
        Walk<BackInputRow>(g, ref MemoryMarshal.GetReference(inputGradient), ref MemoryMarshal.GetReference(weights), ref MemoryMarshal.GetReference(outputGradient));

    /// <summary>weightGradient += the correlation of one sample's input with its output gradient.</summary>
    public static void BackwardWeights(in ConvGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> weightGradient) =>
        Walk<BackWeightsRow>(g, ref MemoryMarshal.GetReference(input), ref MemoryMarshal.GetReference(weightGradient), ref MemoryMarshal.GetReference(outputGradient));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Walk<TRow>(in ConvGeometry g, ref float image, ref float weights, ref float outputs) where TRow : struct, IRow
    {
        int multiplier = g.OutChannels / g.Groups, inPlane = g.InHeight * g.InWidth, outWidth = g.OutWidth, outPlane = g.OutHeight * outWidth;
        for (int oc = 0; oc < g.OutChannels; oc++)
        {
            ref float plane = ref Unsafe.Add(ref image, (nint)(oc / multiplier) * inPlane);
            ref float output = ref Unsafe.Add(ref outputs, (nint)oc * outPlane);
            for (int kh = 0; kh < g.KernelHeight; kh++)
            {
                for (int kw = 0; kw < g.KernelWidth; kw++)
                {
                    ref float tap = ref Unsafe.Add(ref weights, ((nint)oc * g.KernelHeight + kh) * g.KernelWidth + kw);
                    int offset = kw * g.DilationWidth - g.PadLeft;
                    (int lo, int hi) = Im2Col.InsideRange(outWidth, g.InWidth, g.StrideWidth, offset);
                    if (lo == hi) continue;
                    for (int oh = 0; oh < g.OutHeight; oh++)
                    {
                        int ih = oh * g.StrideHeight - g.PadTop + kh * g.DilationHeight;
                        if ((uint)ih >= (uint)g.InHeight) continue;
                        TRow.Row(ref Unsafe.Add(ref output, (nint)oh * outWidth), ref Unsafe.Add(ref plane, (nint)ih * g.InWidth),
                            lo, hi, g.StrideWidth, offset, ref tap);
                    }
                }
            }
        }
    }

    /// <summary>One output row segment [lo, hi) against its input row (entry o ↔ input[o · stride + offset]) and its tap.</summary>
    private interface IRow
    {
        static abstract void Row(ref float output, ref float input, int lo, int hi, int stride, int offset, ref float tap);
    }

    // Stride 1 reads input[lo + offset ..] contiguously: the vector loops start their refs at lo, never before the row.

    /// <summary>output[o] += tap · input[o · stride + offset].</summary>
    private struct ForwardRow : IRow
    {
        public static void Row(ref float output, ref float input, int lo, int hi, int stride, int offset, ref float tap)
        {
            if (stride == 1) Axpy(ref Unsafe.Add(ref output, lo), ref Unsafe.Add(ref input, lo + offset), hi - lo, tap);
            else for (int o = lo; o < hi; o++) Unsafe.Add(ref output, o) += tap * Unsafe.Add(ref input, o * stride + offset);
        }
    }

    /// <summary>input[o · stride + offset] += tap · output[o] (input is the input gradient, output the output gradient).</summary>
    private struct BackInputRow : IRow
    {
        public static void Row(ref float output, ref float input, int lo, int hi, int stride, int offset, ref float tap)
        {
            if (stride == 1) Axpy(ref Unsafe.Add(ref input, lo + offset), ref Unsafe.Add(ref output, lo), hi - lo, tap);
            else for (int o = lo; o < hi; o++) Unsafe.Add(ref input, o * stride + offset) += tap * Unsafe.Add(ref output, o);
        }
    }

    /// <summary>target[i] += w · source[i] for i in [0, count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Axpy(ref float target, ref float source, int count, float w)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vw = new Vector<float>(w);
            for (; i <= count - Vector<float>.Count; i += Vector<float>.Count)
                (Vector.LoadUnsafe(ref target, (nuint)i) + vw * Vector.LoadUnsafe(ref source, (nuint)i)).StoreUnsafe(ref target, (nuint)i);
        }
        for (; i < count; i++) Unsafe.Add(ref target, i) += w * Unsafe.Add(ref source, i);
    }

    /// <summary>tap += Σ_o output[o] · input[o · stride + offset] (output is the output gradient, tap the weight gradient).</summary>
    private struct BackWeightsRow : IRow
    {
        public static void Row(ref float output, ref float input, int lo, int hi, int stride, int offset, ref float tap)
        {
            float sum = 0f;
            if (stride != 1)
            {
                for (int o = lo; o < hi; o++) sum += Unsafe.Add(ref output, o) * Unsafe.Add(ref input, o * stride + offset);
                tap += sum;
                return;
            }
            ref float dy = ref Unsafe.Add(ref output, lo);
            ref float x = ref Unsafe.Add(ref input, lo + offset);
            int count = hi - lo, i = 0;
            if (Vector.IsHardwareAccelerated && count >= Vector<float>.Count)
            {
                Vector<float> acc = Vector<float>.Zero;
                for (; i <= count - Vector<float>.Count; i += Vector<float>.Count)
                    acc += Vector.LoadUnsafe(ref dy, (nuint)i) * Vector.LoadUnsafe(ref x, (nuint)i);
                sum = Vector.Sum(acc);
            }
            for (; i < count; i++) sum += Unsafe.Add(ref dy, i) * Unsafe.Add(ref x, i);
            tap += sum;
        }
    }
}
