using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Compiled.Kernels;

/// <summary>
/// Max, average and global-average pooling over NCHW batches, forward and backward, with PyTorch's semantics:
/// max ignores the padding, average divides by the window's in-bounds count (count_include_pad = False).
/// </summary>
/// <remarks>
/// The windowed kernels are scalar except max pooling's common 2×2 stride-2 case (see <see cref="MaxForward2x2"/>):
/// a window is a few elements, strided across the plane, and the loops are memory-bound. The global average sums each
/// plane with <see cref="System.Numerics.Vector{T}"/>. Nothing is allocated; every result is computed in a fixed order.
/// </remarks>
public static class Pooling
{
    /// <summary>
    /// Max over each window's in-bounds elements (padding never wins). Ties: the first (lowest row, then column)
    /// wins; a NaN wins and propagates, as in PyTorch. <paramref name="argmax"/> is empty (inference) or receives, for
    /// every output, the index h · InWidth + w of its maximum within its channel plane.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="g"/> is uninitialized, or a span's length is not exactly what the geometry and batch need
    /// (<paramref name="argmax"/>: empty or batch · OutputSize).
    /// </exception>
    public static void MaxForward(in PoolGeometry g, int batch, ReadOnlySpan<float> input, Span<float> output, Span<int> argmax)
    {
        Check(g, batch, input.Length, nameof(input), output.Length, nameof(output));
        if (!argmax.IsEmpty) KernelChecks.Exactly(argmax.Length, batch, g.OutputSize, nameof(argmax), nameof(batch), "g.OutputSize");
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth, planes = batch * g.Channels;
        if (g.WindowHeight == 2 && g.WindowWidth == 2 && g.StrideHeight == 2 && g.StrideWidth == 2 && g.PadTop == 0 && g.PadLeft == 0
            && 2 * g.OutHeight <= g.InHeight && 2 * g.OutWidth <= g.InWidth)
        {
            MaxForward2x2(g, planes, input, output, argmax);
            return;
        }
        for (int p = 0; p < planes; p++)
        {
            ReadOnlySpan<float> x = input.Slice(p * inPlane, inPlane);
            int o = p * outPlane;
            for (int oh = 0; oh < g.OutHeight; oh++)
            {
                (int h0, int h1) = Window(oh, g.StrideHeight, g.PadTop, g.WindowHeight, g.InHeight);
                for (int ow = 0; ow < g.OutWidth; ow++, o++)
                {
                    (int w0, int w1) = Window(ow, g.StrideWidth, g.PadLeft, g.WindowWidth, g.InWidth);
                    float best = float.NegativeInfinity;
                    int at = h0 * g.InWidth + w0;
                    for (int h = h0; h < h1; h++)
                    {
                        for (int w = w0; w < w1; w++)
                        {
                            float v = x[h * g.InWidth + w];
                            // PyTorch's rule: strictly greater replaces (so the first of equals stays); NaN always replaces.
                            if (v > best || float.IsNaN(v)) { best = v; at = h * g.InWidth + w; }
                        }
                    }
                    output[o] = best;
                    if (!argmax.IsEmpty) argmax[o] = at;
                }
            }
        }
    }

    /// <summary>
    /// The common 2×2, stride 2, unpadded case, vectorized and without data-dependent branches: a branch per element
    /// costs a misprediction on real images half the time (CnnBench measured the two pooling layers of a small CNN at
    /// 41 and 21 µs per sample on changing inputs, against 10 and 5 µs on a repeated one), and even branch-free
    /// scalar code spent 45 of a batch-1 Predict's 86 µs here. Each output row reads two input rows; their even and
    /// odd columns are split by shuffles into the window's four elements a, b, c, d (8 or 4 outputs per step; a row's
    /// last step is moved back to end at the row's end, recomputing a few outputs identically), and
    /// PyTorch's sequential rule is applied lane-wise: best = a, then b, c, d each replace best where they are
    /// strictly greater or NaN (a select, so the first of equal values and −0 stay; the last NaN wins). The argmax
    /// follows the same selects. Rows narrower than 4 outputs take <see cref="MaxWindow2x2"/>, the same rule in scalar code.
    /// The vector steps run where <see cref="Sgemm.CurrentPath"/> is AVX2 or AVX-512 (tests force "scalar").
    /// </summary>
    private static void MaxForward2x2(in PoolGeometry g, int planes, ReadOnlySpan<float> input, Span<float> output, Span<int> argmax)
    {
        int width = g.InWidth, inPlane = g.InHeight * width, outWidth = g.OutWidth, outPlane = g.OutHeight * outWidth;
        bool keep = !argmax.IsEmpty;
        bool vector = Avx2.IsSupported && Sgemm.CurrentPath != "scalar";
        ref float x0 = ref MemoryMarshal.GetReference(input);
        ref float y0 = ref MemoryMarshal.GetReference(output);
        ref int a0 = ref MemoryMarshal.GetReference(argmax);
        for (int p = 0; p < planes; p++)
        {
            ref float x = ref Unsafe.Add(ref x0, p * inPlane);
            for (int oh = 0; oh < g.OutHeight; oh++)
            {
                int row = 2 * oh * width, o = p * outPlane + oh * outWidth, ow = 0;
                if (vector && outWidth >= 8)
                {
                    // Steps of 8, the last one moved back to end at the row's end (it recomputes a few outputs).
                    for (; ow < outWidth; ow += 8)
                    {
                        int at = Math.Min(ow, outWidth - 8);
                        MaxWindows8(ref x, row + 2 * at, width, ref Unsafe.Add(ref y0, o + at), keep, ref Unsafe.Add(ref a0, keep ? o + at : 0));
                    }
                }
                else if (vector && outWidth >= 4)
                {
                    for (; ow < outWidth; ow += 4)
                    {
                        int at = Math.Min(ow, outWidth - 4);
                        MaxWindows4(ref x, row + 2 * at, width, ref Unsafe.Add(ref y0, o + at), keep, ref Unsafe.Add(ref a0, keep ? o + at : 0));
                    }
                }
                for (; ow < outWidth; ow++)
                {
                    int at = MaxWindow2x2(ref x, row + 2 * ow, width);
                    Unsafe.Add(ref y0, o + ow) = Unsafe.Add(ref x, at); // the element itself: −0 stays −0
                    if (keep) Unsafe.Add(ref a0, o + ow) = at;
                }
            }
        }
    }

    /// <summary>
    /// The index (within the plane) of the maximum of the window whose top-left element is <paramref name="i"/>, by
    /// PyTorch's rule over a, b, c, d in order (strictly greater replaces; a NaN always replaces, so the last NaN wins).
    /// </summary>
    private static int MaxWindow2x2(ref float x, int i, int width)
    {
        float a = Unsafe.Add(ref x, i), b = Unsafe.Add(ref x, i + 1);
        float c = Unsafe.Add(ref x, i + width), d = Unsafe.Add(ref x, i + width + 1);
        float m = MathF.Max(MathF.Max(a, b), MathF.Max(c, d));
        if (float.IsNaN(m))
            return float.IsNaN(d) ? i + width + 1 : float.IsNaN(c) ? i + width : float.IsNaN(b) ? i + 1 : i;
        int mask = (a == m ? 1 : 0) | (b == m ? 2 : 0) | (c == m ? 4 : 0) | 8;
        int k = BitOperations.TrailingZeroCount(mask); // 0 a, 1 b, 2 c, 3 d
        return i + (k >> 1) * width + (k & 1);
    }

    /// <summary>
    /// Eight windows side by side (16 columns of two rows from <paramref name="i"/>). Avx.Shuffle splits even from odd
    /// columns within 128-bit halves, so the lanes hold outputs 0, 1, 4, 5, 2, 3, 6, 7; a 64-bit permute restores the
    /// order before the stores.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MaxWindows8(ref float x, int i, int width, ref float y, bool keep, ref int argmax)
    {
        Vector256<float> top0 = Vector256.LoadUnsafe(ref x, (nuint)i), top1 = Vector256.LoadUnsafe(ref x, (nuint)(i + 8));
        Vector256<float> bottom0 = Vector256.LoadUnsafe(ref x, (nuint)(i + width)), bottom1 = Vector256.LoadUnsafe(ref x, (nuint)(i + width + 8));
        Vector256<float> best = Avx.Shuffle(top0, top1, 0b10_00_10_00);
        Vector256<int> at = Vector256.Create(i) + Vector256.Create(0, 2, 8, 10, 4, 6, 12, 14), first = at;
        Replace(ref best, ref at, Avx.Shuffle(top0, top1, 0b11_01_11_01), first + Vector256<int>.One);
        Replace(ref best, ref at, Avx.Shuffle(bottom0, bottom1, 0b10_00_10_00), first + Vector256.Create(width));
        Replace(ref best, ref at, Avx.Shuffle(bottom0, bottom1, 0b11_01_11_01), first + Vector256.Create(width + 1));
        Vector256.StoreUnsafe(Avx2.Permute4x64(best.AsDouble(), 0b11_01_10_00).AsSingle(), ref y);
        if (keep) Vector256.StoreUnsafe(Avx2.Permute4x64(at.AsInt64(), 0b11_01_10_00).AsInt32(), ref argmax);

        // best ← v where v > best or v is NaN, and at ← v's index there.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Replace(ref Vector256<float> best, ref Vector256<int> at, Vector256<float> v, Vector256<int> index)
        {
            Vector256<float> take = Vector256.GreaterThan(v, best) | ~Vector256.Equals(v, v);
            best = Vector256.ConditionalSelect(take, v, best);
            at = Vector256.ConditionalSelect(take.AsInt32(), index, at);
        }
    }

    /// <summary>Four windows side by side (8 columns of two rows from <paramref name="i"/>); Sse.Shuffle keeps the order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MaxWindows4(ref float x, int i, int width, ref float y, bool keep, ref int argmax)
    {
        Vector128<float> top0 = Vector128.LoadUnsafe(ref x, (nuint)i), top1 = Vector128.LoadUnsafe(ref x, (nuint)(i + 4));
        Vector128<float> bottom0 = Vector128.LoadUnsafe(ref x, (nuint)(i + width)), bottom1 = Vector128.LoadUnsafe(ref x, (nuint)(i + width + 4));
        Vector128<float> best = Sse.Shuffle(top0, top1, 0b10_00_10_00);
        Vector128<int> at = Vector128.Create(i) + Vector128.Create(0, 2, 4, 6), first = at;
        Replace(ref best, ref at, Sse.Shuffle(top0, top1, 0b11_01_11_01), first + Vector128<int>.One);
        Replace(ref best, ref at, Sse.Shuffle(bottom0, bottom1, 0b10_00_10_00), first + Vector128.Create(width));
        Replace(ref best, ref at, Sse.Shuffle(bottom0, bottom1, 0b11_01_11_01), first + Vector128.Create(width + 1));
        Vector128.StoreUnsafe(best, ref y);
        if (keep) Vector128.StoreUnsafe(at, ref argmax);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Replace(ref Vector128<float> best, ref Vector128<int> at, Vector128<float> v, Vector128<int> index)
        {
            Vector128<float> take = Vector128.GreaterThan(v, best) | ~Vector128.Equals(v, v);
            best = Vector128.ConditionalSelect(take, v, best);
            at = Vector128.ConditionalSelect(take.AsInt32(), index, at);
        }
    }

    /// <summary>
    /// dx = 0, then dx[b, c, argmax] += dy[b, c, oh, ow] for every output (overlapping windows accumulate, in output
    /// order). Overwrites <paramref name="inputGradient"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="g"/> is uninitialized, a span's length is not exactly what the geometry and batch need, or an
    /// <paramref name="argmax"/> entry is outside its InHeight · InWidth plane (the message names its position).
    /// </exception>
    public static void MaxBackward(in PoolGeometry g, int batch, ReadOnlySpan<float> outputGradient, ReadOnlySpan<int> argmax, Span<float> inputGradient)
    {
        Check(g, batch, inputGradient.Length, nameof(inputGradient), outputGradient.Length, nameof(outputGradient));
        KernelChecks.SameLength(argmax.Length, outputGradient.Length, nameof(argmax), nameof(outputGradient));
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth, planes = batch * g.Channels;
        inputGradient.Clear();
        for (int p = 0; p < planes; p++)
        {
            Span<float> dx = inputGradient.Slice(p * inPlane, inPlane);
            for (int o = p * outPlane, end = o + outPlane; o < end; o++)
            {
                int at = argmax[o];
                if ((uint)at >= (uint)inPlane)
                    throw new ArgumentException($"{nameof(argmax)}[{o}] = {at} is outside its plane of {g.InHeight} × {g.InWidth}.", nameof(argmax));
                dx[at] += outputGradient[o];
            }
        }
    }

    /// <summary>Mean over each window's in-bounds elements (padding excluded from the count, PyTorch's count_include_pad = False).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="g"/> is uninitialized, or a span's length is not exactly what the geometry and batch need.</exception>
    public static void AvgForward(in PoolGeometry g, int batch, ReadOnlySpan<float> input, Span<float> output)
    {
        Check(g, batch, input.Length, nameof(input), output.Length, nameof(output));
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth, planes = batch * g.Channels;
        for (int p = 0; p < planes; p++)
        {
            ReadOnlySpan<float> x = input.Slice(p * inPlane, inPlane);
            int o = p * outPlane;
            for (int oh = 0; oh < g.OutHeight; oh++)
            {
                (int h0, int h1) = Window(oh, g.StrideHeight, g.PadTop, g.WindowHeight, g.InHeight);
                for (int ow = 0; ow < g.OutWidth; ow++, o++)
                {
                    (int w0, int w1) = Window(ow, g.StrideWidth, g.PadLeft, g.WindowWidth, g.InWidth);
                    float sum = 0f;
                    for (int h = h0; h < h1; h++)
                        for (int w = w0; w < w1; w++) sum += x[h * g.InWidth + w];
                    output[o] = sum / ((h1 - h0) * (w1 - w0));
                }
            }
        }
    }

    /// <summary>
    /// dx = 0, then each dy[b, c, oh, ow] / (its window's in-bounds count) is added to every in-bounds element of its
    /// window. Overwrites <paramref name="inputGradient"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="g"/> is uninitialized, or a span's length is not exactly what the geometry and batch need.</exception>
    public static void AvgBackward(in PoolGeometry g, int batch, ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
    {
        Check(g, batch, inputGradient.Length, nameof(inputGradient), outputGradient.Length, nameof(outputGradient));
        int inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth, planes = batch * g.Channels;
        inputGradient.Clear();
        for (int p = 0; p < planes; p++)
        {
            Span<float> dx = inputGradient.Slice(p * inPlane, inPlane);
            int o = p * outPlane;
            for (int oh = 0; oh < g.OutHeight; oh++)
            {
                (int h0, int h1) = Window(oh, g.StrideHeight, g.PadTop, g.WindowHeight, g.InHeight);
                for (int ow = 0; ow < g.OutWidth; ow++, o++)
                {
                    (int w0, int w1) = Window(ow, g.StrideWidth, g.PadLeft, g.WindowWidth, g.InWidth);
                    float share = outputGradient[o] / ((h1 - h0) * (w1 - w0));
                    for (int h = h0; h < h1; h++)
                        for (int w = w0; w < w1; w++) dx[h * g.InWidth + w] += share;
                }
            }
        }
    }

    /// <summary>y[b, c] = the mean of the <paramref name="plane"/> values x[b, c, ·] (plane = H · W).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> or <paramref name="channels"/> is negative, or <paramref name="plane"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="output"/> does not hold exactly batch · channels values, or <paramref name="input"/> batch · channels · plane.
    /// </exception>
    public static void GlobalAverageForward(int batch, int channels, int plane, ReadOnlySpan<float> input, Span<float> output)
    {
        CheckGlobal(batch, channels, plane, input.Length, nameof(input), output.Length, nameof(output));
        for (int i = 0; i < output.Length; i++) output[i] = Convolution.Sum(input.Slice(i * plane, plane)) / plane;
    }

    /// <summary>dx[b, c, ·] = dy[b, c] / plane: the mean's gradient, spread evenly over the plane. Overwrites <paramref name="inputGradient"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> or <paramref name="channels"/> is negative, or <paramref name="plane"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="outputGradient"/> does not hold exactly batch · channels values, or <paramref name="inputGradient"/> batch · channels · plane.
    /// </exception>
    public static void GlobalAverageBackward(int batch, int channels, int plane, ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
    {
        CheckGlobal(batch, channels, plane, inputGradient.Length, nameof(inputGradient), outputGradient.Length, nameof(outputGradient));
        for (int i = 0; i < outputGradient.Length; i++) inputGradient.Slice(i * plane, plane).Fill(outputGradient[i] / plane);
    }

    /// <summary>The in-bounds part [lo, hi) of the window of output <paramref name="o"/> along one axis (never empty, by the geometry's checks).</summary>
    private static (int Lo, int Hi) Window(int o, int stride, int pad, int size, int length)
    {
        int start = o * stride - pad;
        return (Math.Max(start, 0), (int)Math.Min((long)start + size, length));
    }

    private static void Check(in PoolGeometry g, int batch, int inputLength, string inputName, int outputLength, string outputName)
    {
        PoolGeometry.CheckConstructed(g, nameof(g));
        KernelChecks.Exactly(inputLength, batch, g.InputSize, inputName, nameof(batch), "g.InputSize");
        KernelChecks.Exactly(outputLength, batch, g.OutputSize, outputName, nameof(batch), "g.OutputSize");
    }

    private static void CheckGlobal(int batch, int channels, int plane, int inputLength, string inputName, int outputLength, string outputName)
    {
        if (plane < 1) throw new ArgumentOutOfRangeException(nameof(plane), plane, $"{nameof(plane)} must be at least 1; it is {plane}.");
        KernelChecks.Exactly(outputLength, batch, channels, outputName, nameof(batch), nameof(channels));
        // batch · channels now equals a span's length, so it fits in int.
        KernelChecks.Exactly(inputLength, batch * channels, plane, inputName, "batch · channels", nameof(plane));
    }
}
