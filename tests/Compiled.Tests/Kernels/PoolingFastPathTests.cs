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
    public void Matches_the_sequential_rule_bit_for_bit(int height, int width, int usedHeight, int usedWidth)
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
