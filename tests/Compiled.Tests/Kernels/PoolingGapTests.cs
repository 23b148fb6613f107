using System;
using System.Linq;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests.Kernels;

/// <summary>
/// Closes the gaps the mutation run of 2026-11-25 found in <see cref="Pooling"/> and <see cref="PoolGeometry"/>:
/// geometries one setting away from the branch-free 2×2 stride-2 case (a 3-row or 3-column window, stride 1 or 3,
/// a top or left pad, PyTorch's ceil mode whose last window hangs over the input), which must take the general loop;
/// windows holding only −∞ (the argmax is then the window's first in-bounds element, as in PyTorch); rows of 1 to 7
/// outputs whose last step must not write past the output; and the exact argument messages. The reference is the
/// loop nest of PyTorch's definition, written here.
/// </summary>
public sealed class PoolingGapTests
{
    /// <summary>PyTorch's max pooling: scan the in-bounds window row by row, strictly greater or NaN replaces; the argmax starts at the window's first in-bounds element.</summary>
    private static (float[] Max, int[] Argmax, float[] Mean) Reference(int planes, int inH, int inW, int wh, int ww, int sh, int sw, int pt, int pl, int outH, int outW, float[] x)
    {
        var max = new float[planes * outH * outW];
        var arg = new int[max.Length];
        var mean = new float[max.Length];
        int o = 0;
        for (int p = 0; p < planes; p++)
            for (int oh = 0; oh < outH; oh++)
                for (int ow = 0; ow < outW; ow++, o++)
                {
                    int h0 = Math.Max(oh * sh - pt, 0), h1 = Math.Min(oh * sh - pt + wh, inH);
                    int w0 = Math.Max(ow * sw - pl, 0), w1 = Math.Min(ow * sw - pl + ww, inW);
                    float best = float.NegativeInfinity;
                    int at = h0 * inW + w0;
                    double sum = 0;
                    for (int h = h0; h < h1; h++)
                        for (int w = w0; w < w1; w++)
                        {
                            float v = x[p * inH * inW + h * inW + w];
                            sum += v;
                            if (v > best || float.IsNaN(v)) { best = v; at = h * inW + w; }
                        }
                    max[o] = best;
                    arg[o] = at;
                    mean[o] = (float)(sum / ((h1 - h0) * (w1 - w0)));
                }
        return (max, arg, mean);
    }

    public static TheoryData<string, int[]> Near2x2() => new()
    {
        // name, inH, inW, windowH, windowW, strideH, strideW, padTop, padLeft, outH, outW
        { "3-row window", new[] { 7, 9, 3, 2, 2, 2, 0, 0, 3, 4 } },
        { "3-column window", new[] { 9, 7, 2, 3, 2, 2, 0, 0, 4, 3 } },
        { "row stride 1", new[] { 6, 8, 2, 2, 1, 2, 0, 0, 3, 4 } },
        { "column stride 1", new[] { 8, 6, 2, 2, 2, 1, 0, 0, 4, 3 } },
        { "row stride 3", new[] { 8, 8, 2, 2, 3, 2, 0, 0, 2, 4 } },
        { "column stride 3", new[] { 8, 8, 2, 2, 2, 3, 0, 0, 4, 2 } },
        { "top pad", new[] { 6, 8, 2, 2, 2, 2, 1, 0, 3, 4 } },
        { "left pad", new[] { 8, 6, 2, 2, 2, 2, 0, 1, 4, 3 } },
        { "ceil mode rows", new[] { 5, 8, 2, 2, 2, 2, 0, 0, 3, 4 } },
        { "ceil mode columns", new[] { 8, 5, 2, 2, 2, 2, 0, 0, 4, 3 } },
        { "ceil mode, 8 outputs", new[] { 4, 15, 2, 2, 2, 2, 0, 0, 2, 8 } },
    };

    [Theory]
    [MemberData(nameof(Near2x2))]
    public void Geometries_next_to_the_2x2_case_pool_by_the_definition(string name, int[] shape)
    {
        _ = name;
        int inH = shape[0], inW = shape[1], wh = shape[2], ww = shape[3], sh = shape[4], sw = shape[5], pt = shape[6], pl = shape[7], outH = shape[8], outW = shape[9];
        const int channels = 2, batch = 2;
        var g = new PoolGeometry(channels, inH, inW, wh, ww, sh, sw, pt, pl, outH, outW);
        float[] pool = { 1f, 1f, 2f, -0f, 0f, float.NaN, -3f, float.NegativeInfinity, 0.5f, 4f };
        var rng = new Rng(11);
        // The input sits in a longer array (a kernel reading past its span reads these 9s, not foreign memory).
        var buffer = Enumerable.Repeat(9f, batch * g.InputSize + 64).ToArray();
        for (int i = 0; i < batch * g.InputSize; i++) buffer[i] = pool[rng.NextInt(pool.Length)];
        var x = buffer.AsSpan(0, batch * g.InputSize).ToArray();
        var (max, arg, _) = Reference(batch * channels, inH, inW, wh, ww, sh, sw, pt, pl, outH, outW, x);

        foreach (string path in Sgemm.AvailablePaths)
        {
            using var scope = Sgemm.ForcePath(path);
            var y = new float[batch * g.OutputSize];
            var argmax = new int[y.Length];
            Pooling.MaxForward(g, batch, buffer.AsSpan(0, x.Length), y, argmax);
            Assert.Equal(arg, argmax);
            Assert.Equal(max.Select(BitConverter.SingleToInt32Bits), y.Select(BitConverter.SingleToInt32Bits));
        }

        var finite = x.Select(v => float.IsFinite(v) ? v : 1f).ToArray();
        var (_, _, finiteMean) = Reference(batch * channels, inH, inW, wh, ww, sh, sw, pt, pl, outH, outW, finite);
        var avg = new float[batch * g.OutputSize];
        Pooling.AvgForward(g, batch, finite, avg);
        for (int i = 0; i < avg.Length; i++) Assert.Equal(finiteMean[i], avg[i], 5);
    }

    [Fact]
    public void A_window_of_minus_infinity_points_at_its_first_in_bounds_element()
    {
        // 3×3 windows, stride 2, pad 1 over a 5×6 plane of −∞: the windows start at rows/columns −1, 1, 3 (clipped to 0, 1, 3).
        var g = new PoolGeometry(1, 5, 6, 3, 3, 2, 2, 1, 1, 3, 3);
        var x = Enumerable.Repeat(float.NegativeInfinity, g.InputSize).ToArray();
        var y = new float[g.OutputSize];
        var argmax = new int[g.OutputSize];
        Pooling.MaxForward(g, 1, x, y, argmax);
        Assert.All(y, v => Assert.Equal(float.NegativeInfinity, v));
        int[] starts = { 0, 1, 3 };
        var expected = (from h in starts from w in starts select h * 6 + w).ToArray();
        Assert.Equal(expected, argmax);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(9)]
    public void The_2x2_case_writes_no_output_past_the_span(int outWidth)
    {
        // Rows of 1–3 outputs take the scalar windows, 4–7 the 4-wide steps, 9 the 8-wide ones (all with a moved-back
        // last step); the output and argmax spans are followed by sentinels that must survive on every path.
        const int channels = 2, batch = 2, outHeight = 3, sentinels = 16;
        var g = new PoolGeometry(channels, 2 * outHeight, 2 * outWidth, 2, 2, 2, 2, 0, 0, outHeight, outWidth);
        var rng = new Rng(5);
        var input = new float[batch * g.InputSize + 64];
        for (int i = 0; i < input.Length; i++) input[i] = rng.NextUniform(-1f, 1f);
        var x = input.AsSpan(0, batch * g.InputSize).ToArray();
        var (max, arg, _) = Reference(batch * channels, 2 * outHeight, 2 * outWidth, 2, 2, 2, 2, 0, 0, outHeight, outWidth, x);
        int n = batch * g.OutputSize;
        foreach (string path in Sgemm.AvailablePaths)
        {
            using var scope = Sgemm.ForcePath(path);
            var y = Enumerable.Repeat(42f, n + sentinels).ToArray();
            var argmax = Enumerable.Repeat(-7, n + sentinels).ToArray();
            Pooling.MaxForward(g, batch, input.AsSpan(0, x.Length), y.AsSpan(0, n), argmax.AsSpan(0, n));
            Assert.Equal(max, y.Take(n));
            Assert.Equal(arg, argmax.Take(n));
            Assert.All(y.Skip(n), v => Assert.Equal(42f, v));
            Assert.All(argmax.Skip(n), v => Assert.Equal(-7, v));

            var yInference = Enumerable.Repeat(42f, n + sentinels).ToArray();
            Pooling.MaxForward(g, batch, input.AsSpan(0, x.Length), yInference.AsSpan(0, n), Span<int>.Empty);
            Assert.Equal(max, yInference.Take(n));
            Assert.All(yInference.Skip(n), v => Assert.Equal(42f, v));
        }
    }

    [Fact]
    public void Geometry_errors_say_what_is_wrong()
    {
        var top = Assert.Throws<ArgumentOutOfRangeException>(() => new PoolGeometry(1, 4, 4, 2, 2, 2, 2, 2, 0, 2, 2));
        Assert.Equal("padTop", top.ParamName);
        Assert.Contains("padTop = 2 leaves the first window (windowHeight = 2) entirely in the padding.", top.Message);
        var left = Assert.Throws<ArgumentOutOfRangeException>(() => new PoolGeometry(1, 4, 4, 2, 2, 2, 2, 0, 2, 2, 2));
        Assert.Equal("padLeft", left.ParamName);
        Assert.Contains("padLeft = 2 leaves the first window (windowWidth = 2) entirely in the padding.", left.Message);

        // The window's reach past int.MaxValue names the (fixed) dilation as a convolution's message does.
        var rows = Assert.Throws<ArgumentOutOfRangeException>(() => new PoolGeometry(1, 4, 4, 2, 2, int.MaxValue, 1, 0, 0, 2, 1));
        Assert.Equal("outHeight", rows.ParamName);
        Assert.Contains("(outHeight − 1) · strideHeight + dilation · (windowHeight − 1) = 2147483648 exceeds int.MaxValue.", rows.Message);
        var columns = Assert.Throws<ArgumentOutOfRangeException>(() => new PoolGeometry(1, 4, 4, 2, 2, 1, int.MaxValue, 0, 0, 1, 2));
        Assert.Equal("outWidth", columns.ParamName);
        Assert.Contains("(outWidth − 1) · strideWidth + dilation · (windowWidth − 1) = 2147483648 exceeds int.MaxValue.", columns.Message);

        // A 1-column window, stride 2, over 4 columns: 2 outputs (columns 0 and 2); a third would start at column 4.
        var wide = Assert.Throws<ArgumentOutOfRangeException>(() => new PoolGeometry(1, 1, 4, 1, 1, 1, 2, 0, 0, 1, 3));
        Assert.Equal("outWidth", wide.ParamName);
        Assert.Contains("its last window starts at 4, past 3.", wide.Message);
        _ = new PoolGeometry(1, 1, 4, 1, 1, 1, 2, 0, 0, 1, 2);

        // 46340² values in, 46341² out (a 2×2 window, stride 1, pad 1): only the output exceeds int.MaxValue.
        var output = Assert.Throws<ArgumentException>(() => new PoolGeometry(1, 46340, 46340, 2, 2, 1, 1, 1, 1, 46341, 46341));
        Assert.Contains("OutputSize = Channels · OutHeight · OutWidth = 2147488281 exceeds int.MaxValue.", output.Message);
    }

    [Fact]
    public void Span_errors_name_the_geometry_size_they_were_checked_against()
    {
        var g = new PoolGeometry(1, 4, 4, 2, 2, 2, 2, 0, 0, 2, 2);
        var argmax = Assert.Throws<ArgumentException>(() => Pooling.MaxForward(g, 1, new float[16], new float[4], new int[3]));
        Assert.Contains("argmax holds 3 values, but batch × g.OutputSize = 1 × 4 needs exactly 4.", argmax.Message);
        var input = Assert.Throws<ArgumentException>(() => Pooling.AvgForward(g, 1, new float[15], new float[4]));
        Assert.Contains("input holds 15 values, but batch × g.InputSize = 1 × 16 needs exactly 16.", input.Message);
        var output = Assert.Throws<ArgumentException>(() => Pooling.AvgForward(g, 1, new float[16], new float[3]));
        Assert.Contains("output holds 3 values, but batch × g.OutputSize = 1 × 4 needs exactly 4.", output.Message);
        var uninitialized = Assert.Throws<ArgumentException>(() => Pooling.MaxForward(default, 0, default, default, default));
        Assert.Equal("g", uninitialized.ParamName);
        Assert.Contains("The pooling geometry is uninitialized (default); build it with its constructor.", uninitialized.Message);

        var plane = Assert.Throws<ArgumentOutOfRangeException>(() => Pooling.GlobalAverageForward(1, 1, 0, new float[0], new float[1]));
        Assert.Contains("plane must be at least 1; it is 0.", plane.Message);
        var global = Assert.Throws<ArgumentException>(() => Pooling.GlobalAverageForward(2, 1, 3, new float[5], new float[2]));
        Assert.Contains("input holds 5 values, but batch · channels × plane = 2 × 3 needs exactly 6.", global.Message);
    }
}
