using System;

namespace Compiled.Kernels;

/// <summary>
/// PReLU over [rows, channels, plane] values (plane = height·width for an image, 1 for a vector), PyTorch's
/// nn.PReLU: y = x for x &gt; 0, a·x otherwise, with one learned slope a per channel or one for all
/// (<c>slopes</c> of length channels or 1). The slopes' gradient sums in double, channel by channel in a
/// fixed order, so results are deterministic. No allocation.
/// </summary>
public static class ParametricRelu
{
    /// <summary>y = x &gt; 0 ? x : a[c]·x. <paramref name="output"/> may be <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">A span has the wrong length, or <paramref name="slopes"/> holds neither 1 nor <paramref name="channels"/> values.</exception>
    public static void Forward(int rows, int channels, int plane, ReadOnlySpan<float> input, ReadOnlySpan<float> slopes, Span<float> output)
    {
        Check(rows, channels, plane, input.Length, slopes.Length);
        KernelChecks.SameLength(output.Length, input.Length, nameof(output), nameof(input));
        bool shared = slopes.Length == 1;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < channels; c++)
            {
                float a = slopes[shared ? 0 : c];
                int start = (r * channels + c) * plane;
                var x = input.Slice(start, plane);
                var y = output.Slice(start, plane);
                for (int p = 0; p < x.Length; p++) y[p] = x[p] > 0f ? x[p] : a * x[p];
            }
    }

    /// <summary>
    /// Backward: ∂L/∂a[c] = Σ over x ≤ 0 of dy·x (over every channel for a shared slope), written (not added) into
    /// <paramref name="slopeGradient"/>; and, unless <paramref name="inputGradient"/> is empty, dx = dy for x &gt; 0,
    /// a·dy otherwise (PyTorch's choice at 0).
    /// </summary>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public static void Backward(int rows, int channels, int plane, ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient,
        ReadOnlySpan<float> slopes, Span<float> slopeGradient, Span<float> inputGradient)
    {
        Check(rows, channels, plane, input.Length, slopes.Length);
        KernelChecks.SameLength(outputGradient.Length, input.Length, nameof(outputGradient), nameof(input));
        KernelChecks.SameLength(slopeGradient.Length, slopes.Length, nameof(slopeGradient), nameof(slopes));
        bool dx = !inputGradient.IsEmpty;
        if (dx) KernelChecks.SameLength(inputGradient.Length, input.Length, nameof(inputGradient), nameof(input));
        bool shared = slopes.Length == 1;
        double total = 0;
        for (int c = 0; c < channels; c++)
        {
            float a = slopes[shared ? 0 : c];
            double sum = 0;
            for (int r = 0; r < rows; r++)
            {
                int start = (r * channels + c) * plane;
                var x = input.Slice(start, plane);
                var dy = outputGradient.Slice(start, plane);
                for (int p = 0; p < x.Length; p++)
                    if (!(x[p] > 0f)) sum += (double)dy[p] * x[p];
                if (dx)
                {
                    var g = inputGradient.Slice(start, plane);
                    for (int p = 0; p < x.Length; p++) g[p] = x[p] > 0f ? dy[p] : a * dy[p];
                }
            }
            if (shared) total += sum;
            else slopeGradient[c] = (float)sum;
        }
        if (shared) slopeGradient[0] = (float)total;
    }

    private static void Check(int rows, int channels, int plane, int length, int slopes)
    {
        KernelChecks.NonNegative(plane, nameof(plane));
        KernelChecks.Exactly(length, rows, checked(channels * plane), "input", nameof(rows), "channels · plane");
        if (slopes != 1 && slopes != channels)
            throw new ArgumentException($"PReLU takes 1 slope or one per channel ({channels}), not {slopes}.", nameof(slopes));
    }
}
