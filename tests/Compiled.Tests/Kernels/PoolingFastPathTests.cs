using System;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests.Kernels;

/// <summary>
/// The branch-free 2×2 stride-2 max pooling against PyTorch's rule written out here (scan the window row by
/// row; strictly greater replaces, a NaN always replaces), on inputs full of ties, signed zeros and NaNs.
/// </summary>
public sealed class PoolingFastPathTests
{
    [Theory]
    [InlineData(6, 6, 6, 6)]   // even: every row and column used
    [InlineData(7, 5, 6, 4)]   // odd: the last row and column lie outside every window
    [InlineData(4, 30, 4, 30)] // 15 outputs per row: 8-wide steps at 0 and 7 (overlapping)
    [InlineData(5, 35, 4, 34)] // 17 per row, odd width: 8-wide steps at 0, 8 and 9
    [InlineData(3, 29, 2, 28)] // 14 per row (a CNN's 28 → 14): 8-wide steps at 0 and 6
    [InlineData(4, 14, 4, 14)] // 7 per row (14 → 7): 4-wide steps at 0 and 3
    [InlineData(2, 9, 2, 8)]   // 4 per row: one 4-wide step
    public void Matches_the_sequential_rule_bit_for_bit(int height, int width, int usedHeight, int usedWidth)
    {
        foreach (string path in Sgemm.AvailablePaths) // the vector steps and the scalar windows, on every machine
        {
            using var scope = Sgemm.ForcePath(path);
            Check(height, width, usedHeight, usedWidth);
        }
    }

    private static void Check(int height, int width, int usedHeight, int usedWidth)
    {
        const int channels = 3, batch = 2;
        int oh = usedHeight / 2, ow = usedWidth / 2;
        var g = new PoolGeometry(channels, height, width, 2, 2, 2, 2, 0, 0, oh, ow);
        float[] pool = { 1f, 1f, 2f, -0f, 0f, float.NaN, -3f, float.NegativeInfinity };
        var rng = new Rng(7);
        var x = new float[batch * g.InputSize];
        for (int i = 0; i < x.Length; i++) x[i] = pool[rng.NextInt(pool.Length)];

        var y = new float[batch * g.OutputSize];
        var argmax = new int[y.Length];
        Pooling.MaxForward(in g, batch, x, y, argmax);
        var yInference = new float[y.Length];
        Pooling.MaxForward(in g, batch, x, yInference, Span<int>.Empty);

        int o = 0;
        for (int plane = 0; plane < batch * channels; plane++)
            for (int r = 0; r < oh; r++)
                for (int c = 0; c < ow; c++, o++)
                {
                    float best = float.NegativeInfinity;
                    int at = 2 * r * width + 2 * c;
                    for (int h = 2 * r; h < 2 * r + 2; h++)
                        for (int w = 2 * c; w < 2 * c + 2; w++)
                        {
                            float v = x[plane * height * width + h * width + w];
                            if (v > best || float.IsNaN(v)) { best = v; at = h * width + w; }
                        }
                    Assert.Equal(at, argmax[o]);
                    Assert.Equal(BitConverter.SingleToInt32Bits(best), BitConverter.SingleToInt32Bits(y[o]));
                    Assert.Equal(BitConverter.SingleToInt32Bits(best), BitConverter.SingleToInt32Bits(yInference[o]));
                }
    }
}
