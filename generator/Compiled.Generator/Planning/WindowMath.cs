using System;
using Compiled.Generator.Model;

namespace Compiled.Generator.Planning;

/// <summary>One axis of a sliding window, resolved: output length and the padding before and after.</summary>
internal readonly struct WindowAxis
{
    public WindowAxis(long output, long padBefore, long padAfter)
    {
        Output = output;
        PadBefore = padBefore;
        PadAfter = padAfter;
    }

    /// <summary>Output positions; below 1 when the window does not fit (the planner reports it).</summary>
    public long Output { get; }

    public long PadBefore { get; }

    /// <summary>Padding the last window reaches past the input (implicit in the kernels: reads as zero).</summary>
    public long PadAfter { get; }
}

/// <summary>The shape rule of convolution and pooling windows, in 64 bits so absurd arguments cannot wrap.</summary>
internal static class WindowMath
{
    /// <summary>
    /// Valid/explicit: O = floor((W + 2P − D·(K − 1) − 1) / S) + 1.
    /// Same: O = ceil(W / S), total padding max((O − 1)·S + D·(K − 1) + 1 − W, 0), the smaller half before (TensorFlow).
    /// </summary>
    public static WindowAxis Axis(long input, int kernel, int stride, int dilation, PaddingKind padding, int pad)
    {
        long span = (long)dilation * (kernel - 1) + 1; // the window's extent
        if (padding == PaddingKind.Same)
        {
            long output = (input + stride - 1) / stride;
            long total = Math.Max((output - 1) * stride + span - input, 0);
            return new WindowAxis(output, total / 2, total - total / 2);
        }
        long reach = input + 2L * pad - span;
        long count = reach < 0 ? 0 : reach / stride + 1;
        // Only the part of the trailing padding that the last window reaches is padding "after".
        long after = count < 1 ? pad : Math.Max(0, (count - 1) * stride + span - input - pad);
        return new WindowAxis(count, pad, after);
    }

    /// <summary>
    /// A transposed convolution's axis: output (W − 1)·S − 2P + D·(K − 1) + OutputPad + 1, or W·S with Same.
    /// <see cref="WindowAxis.PadBefore"/> is the padding of the convolution that maps that output back to
    /// the input (the one whose input gradient the transposed convolution computes).
    /// </summary>
    public static WindowAxis TransposedAxis(long input, int kernel, int stride, int dilation, PaddingKind padding, int pad, int outputPad)
    {
        if (padding == PaddingKind.Same)
        {
            long same = input * stride;
            var back = Axis(same, kernel, stride, dilation, PaddingKind.Same, 0);
            return new WindowAxis(same, back.PadBefore, back.PadAfter);
        }
        long output = (input - 1) * stride - 2L * pad + (long)dilation * (kernel - 1) + outputPad + 1;
        return new WindowAxis(output, pad, pad - outputPad);
    }

    public static WindowAxis Height(WindowSpec w, long input) => Axis(input, w.KernelHeight, w.Stride, w.Dilation, w.Padding, w.PadHeight);

    public static WindowAxis Width(WindowSpec w, long input) => Axis(input, w.KernelWidth, w.Stride, w.Dilation, w.Padding, w.PadWidth);
}
