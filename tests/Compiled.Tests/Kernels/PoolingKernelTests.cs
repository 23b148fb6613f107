using System;
using System.Collections.Generic;
using System.Linq;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests.Kernels;

/// <summary>
/// <see cref="Pooling"/>: hand-computed examples (the 4×4 example, ties, NaN, padding, the count of a padded average),
/// a naive double reference over random shapes, argument checks and allocation.
/// </summary>
public sealed class PoolingKernelTests
{
    // [[1,1,2,5],[5,7,7,8],[3,1,1,0],[1,2,3,4]]
    private static readonly float[] Example = { 1, 1, 2, 5, 5, 7, 7, 8, 3, 1, 1, 0, 1, 2, 3, 4 };
    private static readonly PoolGeometry TwoByTwo = new(1, 4, 4, 2, 2, 2, 2, 0, 0, 2, 2);

    [Fact]
    public void Hand_computed_2x2_stride_2()
    {
        float[] max = new float[4], mean = new float[4];
        int[] argmax = new int[4];
        Pooling.MaxForward(TwoByTwo, 1, Example, max, argmax);
        Pooling.AvgForward(TwoByTwo, 1, Example, mean);
        Assert.Equal(new float[] { 7, 8, 3, 4 }, max);
        // 7 at (1,1), 8 at (1,3), 3 at (2,0), 4 at (3,3); as h · 4 + w.
        Assert.Equal(new[] { 5, 7, 8, 15 }, argmax);
        // (1+1+5+7)/4, (2+5+7+8)/4, (3+1+1+2)/4, (1+0+3+4)/4
        Assert.Equal(new[] { 3.5f, 5.5f, 1.75f, 2f }, mean);

        // Max backward routes each dy to its window's maximum.
        float[] dx = Enumerable.Repeat(float.NaN, 16).ToArray();
        Pooling.MaxBackward(TwoByTwo, 1, new float[] { 10, 20, 30, 40 }, argmax, dx);
        Assert.Equal(new float[] { 0, 0, 0, 0, 0, 10, 0, 20, 30, 0, 0, 0, 0, 0, 0, 40 }, dx);

        // Average backward spreads dy / 4 over each window.
        Pooling.AvgBackward(TwoByTwo, 1, new float[] { 4, 8, 12, 16 }, dx);
        Assert.Equal(new float[] { 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4 }, dx);
    }

    [Fact]
    public void Max_backward_accumulates_where_windows_overlap()
    {
        // 2×2 windows, stride 1, over [[1,2,3],[4,9,5],[6,7,8]]: 9 (index 4) is the maximum of all four windows.
        var g = new PoolGeometry(1, 3, 3, 2, 2, 1, 1, 0, 0, 2, 2);
        float[] y = new float[4], dx = new float[9];
        int[] argmax = new int[4];
        Pooling.MaxForward(g, 1, new float[] { 1, 2, 3, 4, 9, 5, 6, 7, 8 }, y, argmax);
        Assert.Equal(new[] { 4, 4, 4, 4 }, argmax);
        Pooling.MaxBackward(g, 1, new float[] { 1, 2, 3, 4 }, argmax, dx);
        Assert.Equal(new float[] { 0, 0, 0, 0, 10, 0, 0, 0, 0 }, dx);
    }

    [Fact]
    public void Max_ties_go_to_the_first_and_nan_wins()
    {
        var g = new PoolGeometry(1, 2, 2, 2, 2, 2, 2, 0, 0, 1, 1);
        float[] y = new float[1];
        int[] argmax = new int[1];
        Pooling.MaxForward(g, 1, new float[] { 2, 2, 2, 2 }, y, argmax);
        Assert.Equal((2f, 0), (y[0], argmax[0]));
        Pooling.MaxForward(g, 1, new float[] { 1, 3, 3, 0 }, y, argmax);
        Assert.Equal((3f, 1), (y[0], argmax[0]));
        // A NaN beats the larger value after it, and it propagates (PyTorch).
        Pooling.MaxForward(g, 1, new float[] { 1, float.NaN, 3, 2 }, y, argmax);
        Assert.True(float.IsNaN(y[0]));
        Assert.Equal(1, argmax[0]);
        Pooling.MaxForward(g, 1, new float[] { float.NaN, 5, 6, 7 }, y, argmax);
        Assert.True(float.IsNaN(y[0]));
        Assert.Equal(0, argmax[0]);
    }

    [Fact]
    public void Padding_never_wins_a_max()
    {
        // x = −1 … −9 in a 3×3 plane; 2×2 windows, stride 2, pad 1: the windows are {x00}, {x01, x02}, {x10, x20},
        // {x11, x12, x21, x22}. A zero from the padding would win every one of them.
        var g = new PoolGeometry(1, 3, 3, 2, 2, 2, 2, 1, 1, 2, 2);
        float[] x = Enumerable.Range(1, 9).Select(v => (float)-v).ToArray(), y = new float[4];
        int[] argmax = new int[4];
        Pooling.MaxForward(g, 1, x, y, argmax);
        Assert.Equal(new float[] { -1, -2, -4, -5 }, y);
        Assert.Equal(new[] { 0, 1, 3, 4 }, argmax);
    }

    [Fact]
    public void Average_excludes_padding_from_the_count()
    {
        // x = 1 … 9 in a 3×3 plane; 3×3 windows, stride 1, pad 1 (out 3×3). Corner (0,0) holds x00, x01, x10, x11:
        // (1+2+4+5)/4 = 3; edge (0,1) holds the top two rows: 21/6 = 3.5; the centre all nine: 5.
        var g = new PoolGeometry(1, 3, 3, 3, 3, 1, 1, 1, 1, 3, 3);
        float[] x = Enumerable.Range(1, 9).Select(v => (float)v).ToArray(), y = new float[9], dx = new float[9];
        Pooling.AvgForward(g, 1, x, y);
        Assert.Equal(new[] { 3f, 3.5f, 4f, 4.5f, 5f, 5.5f, 6f, 6.5f, 7f }, y);
        // dy = 1 everywhere: x00 is in the windows of outputs (0,0) (count 4), (0,1) and (1,0) (count 6), (1,1) (count 9).
        Pooling.AvgBackward(g, 1, Enumerable.Repeat(1f, 9).ToArray(), dx);
        Assert.Equal(1.0 / 4 + 1.0 / 6 + 1.0 / 6 + 1.0 / 9, dx[0], 1e-6);
        // x01 is in the windows of outputs (0,0), (0,2) (count 4), (0,1), (1,0), (1,2) (count 6) and (1,1) (count 9).
        Assert.Equal(2.0 / 4 + 3.0 / 6 + 1.0 / 9, dx[1], 1e-6);
    }

    [Fact]
    public void Global_average_hand_computed()
    {
        // Two samples, two channels, planes of 4: means 2.5, 10, −1, 0.
        float[] x = { 1, 2, 3, 4, 10, 10, 10, 10, -1, -1, -1, -1, -2, 2, -3, 3 }, y = new float[4];
        Pooling.GlobalAverageForward(2, 2, 4, x, y);
        Assert.Equal(new[] { 2.5f, 10f, -1f, 0f }, y);
        float[] dx = new float[16];
        Pooling.GlobalAverageBackward(2, 2, 4, new float[] { 4, 8, -2, 0 }, dx);
        Assert.Equal(new float[] { 1, 1, 1, 1, 2, 2, 2, 2, -0.5f, -0.5f, -0.5f, -0.5f, 0, 0, 0, 0 }, dx);
    }

    [Fact]
    public void Global_average_matches_double_over_vector_tails()
    {
        var rng = new Rng(3);
        foreach (int plane in new[] { 1, 7, 8, 15, 16, 17, 37, 196 })
        {
            float[] x = Enumerable.Range(0, 3 * 5 * plane).Select(_ => rng.NextUniform(-1, 1)).ToArray(), y = new float[15];
            Pooling.GlobalAverageForward(3, 5, plane, x, y);
            for (int i = 0; i < 15; i++)
                Assert.Equal(x.Skip(i * plane).Take(plane).Sum(v => (double)v) / plane, y[i], 1e-6);
        }
    }

    /// <summary>Random shapes: name → (geometry, batch).</summary>
    private static readonly Dictionary<string, (PoolGeometry G, int Batch)> Shapes = new()
    {
        ["2x2 stride 2"] = (new PoolGeometry(3, 8, 10, 2, 2, 2, 2, 0, 0, 4, 5), 2),
        ["2x2 stride 2, odd input, ceil mode"] = (new PoolGeometry(2, 7, 9, 2, 2, 2, 2, 0, 0, 4, 5), 2),
        ["3x3 stride 2 pad 1"] = (new PoolGeometry(2, 9, 8, 3, 3, 2, 2, 1, 1, 5, 4), 3),
        ["3x3 stride 1 pad 1 (overlapping)"] = (new PoolGeometry(1, 6, 7, 3, 3, 1, 1, 1, 1, 6, 7), 2),
        ["2x3 stride 3x1 (gaps, rectangular)"] = (new PoolGeometry(2, 8, 7, 2, 3, 3, 1, 0, 1, 3, 7), 1),
        ["TF same 3x3 stride 2 (pad 0 top, 1 bottom)"] = (new PoolGeometry(2, 8, 8, 3, 3, 2, 2, 0, 0, 4, 4), 2),
    };

    public static IEnumerable<object[]> ShapeNames() => Shapes.Keys.Select(name => new object[] { name });

    [Theory]
    [MemberData(nameof(ShapeNames))]
    public void Matches_a_naive_double_reference(string name)
    {
        (PoolGeometry g, int batch) = Shapes[name];
        var rng = new Rng(11);
        // Values on a coarse grid, so ties occur and the first-of-equals rule is exercised too.
        float[] x = Enumerable.Range(0, batch * g.InputSize).Select(_ => (float)rng.NextInt(7)).ToArray();
        float[] dy = Enumerable.Range(0, batch * g.OutputSize).Select(_ => rng.NextUniform(-1, 1)).ToArray();
        int outputs = batch * g.OutputSize, inPlane = g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        var max = new double[outputs]; var at = new int[outputs]; var mean = new double[outputs];
        var dxMax = new double[x.Length]; var dxMean = new double[x.Length];
        for (int o = 0; o < outputs; o++)
        {
            int p = o / outPlane, oh = o % outPlane / g.OutWidth, ow = o % g.OutWidth, count = 0;
            max[o] = double.NegativeInfinity;
            for (int h = oh * g.StrideHeight - g.PadTop; h < oh * g.StrideHeight - g.PadTop + g.WindowHeight; h++)
                for (int w = ow * g.StrideWidth - g.PadLeft; w < ow * g.StrideWidth - g.PadLeft + g.WindowWidth; w++)
                {
                    if (h < 0 || h >= g.InHeight || w < 0 || w >= g.InWidth) continue;
                    double v = x[p * inPlane + h * g.InWidth + w];
                    if (v > max[o]) { max[o] = v; at[o] = h * g.InWidth + w; }
                    mean[o] += v;
                    count++;
                }
            mean[o] /= count;
            dxMax[p * inPlane + at[o]] += dy[o];
            for (int h = Math.Max(0, oh * g.StrideHeight - g.PadTop); h < Math.Min(g.InHeight, oh * g.StrideHeight - g.PadTop + g.WindowHeight); h++)
                for (int w = Math.Max(0, ow * g.StrideWidth - g.PadLeft); w < Math.Min(g.InWidth, ow * g.StrideWidth - g.PadLeft + g.WindowWidth); w++)
                    dxMean[p * inPlane + h * g.InWidth + w] += dy[o] / count;
        }

        float[] y = new float[outputs], yMean = new float[outputs], dx = new float[x.Length], dxAvg = new float[x.Length];
        int[] argmax = new int[outputs];
        Pooling.MaxForward(g, batch, x, y, argmax);
        Pooling.AvgForward(g, batch, x, yMean);
        Pooling.MaxBackward(g, batch, dy, argmax, dx);
        Pooling.AvgBackward(g, batch, dy, dxAvg);
        Assert.Equal(at, argmax);
        Assert.Equal(max.Select(v => (float)v), y);
        for (int o = 0; o < outputs; o++) Assert.Equal(mean[o], yMean[o], 1e-5);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal(dxMax[i], dx[i], 1e-5);
            Assert.Equal(dxMean[i], dxAvg[i], 1e-5);
        }

        // Inference: no argmax, the same maxima.
        float[] yInference = new float[outputs];
        Pooling.MaxForward(g, batch, x, yInference, Span<int>.Empty);
        Assert.Equal(y, yInference);
    }

    private static void Throws<TException>(string parameter, Action call) where TException : ArgumentException
    {
        var e = Assert.Throws<TException>(call);
        Assert.Equal(parameter, e.ParamName);
        Assert.Contains(parameter, e.Message);
    }

    [Fact]
    public void Bad_geometry_throws_naming_what_is_wrong()
    {
        Throws<ArgumentOutOfRangeException>("strideHeight", () => new PoolGeometry(1, 4, 4, 2, 2, 0, 2, 0, 0, 2, 2));
        Throws<ArgumentOutOfRangeException>("windowWidth", () => new PoolGeometry(1, 4, 4, 2, 0, 2, 2, 0, 0, 2, 2));
        Throws<ArgumentOutOfRangeException>("channels", () => new PoolGeometry(0, 4, 4, 2, 2, 2, 2, 0, 0, 2, 2));
        Throws<ArgumentOutOfRangeException>("padTop", () => new PoolGeometry(1, 4, 4, 2, 2, 2, 2, -1, 0, 2, 2));
        // The first window entirely in the padding.
        Throws<ArgumentOutOfRangeException>("padLeft", () => new PoolGeometry(1, 4, 4, 2, 2, 2, 2, 0, 2, 2, 3));
        // The last window starting past the input: 2×2 stride 2 on 4 rows has 2 outputs, not 3.
        Throws<ArgumentOutOfRangeException>("outHeight", () => new PoolGeometry(1, 4, 4, 2, 2, 2, 2, 0, 0, 3, 2));
        // A window larger than the padded input: 5 columns over an input of 3 without padding.
        Throws<ArgumentOutOfRangeException>("outWidth", () => new PoolGeometry(1, 4, 3, 2, 5, 2, 1, 0, 0, 2, 1));
        Assert.Contains("InputSize", Assert.Throws<ArgumentException>(() => new PoolGeometry(65536, 65536, 1, 1, 1, 1, 1, 0, 0, 65536, 1)).Message);
    }

    [Fact]
    public void Wrong_span_lengths_and_bad_argmax_throw_naming_the_span()
    {
        const int B = 2;
        PoolGeometry g = TwoByTwo;
        float[] F(int n) => new float[n];
        int xs = B * 16, ys = B * 4;
        Throws<ArgumentException>("input", () => Pooling.MaxForward(g, B, F(xs - 1), F(ys), new int[ys]));
        Throws<ArgumentException>("output", () => Pooling.MaxForward(g, B, F(xs), F(ys + 1), new int[ys]));
        Throws<ArgumentException>("argmax", () => Pooling.MaxForward(g, B, F(xs), F(ys), new int[ys - 1]));
        Throws<ArgumentException>("argmax", () => Pooling.MaxBackward(g, B, F(ys), new int[ys - 1], F(xs)));
        Throws<ArgumentException>("inputGradient", () => Pooling.MaxBackward(g, B, F(ys), new int[ys], F(xs + 1)));
        Throws<ArgumentException>("outputGradient", () => Pooling.AvgBackward(g, B, F(ys - 1), F(xs)));
        Throws<ArgumentException>("output", () => Pooling.AvgForward(g, B, F(xs), F(ys - 1)));
        Throws<ArgumentOutOfRangeException>("batch", () => Pooling.AvgForward(g, -1, F(0), F(0)));
        Throws<ArgumentException>("g", () => Pooling.AvgForward(default, 0, F(0), F(0)));
        int[] bad = new int[ys];
        bad[5] = 16; // one past the 4×4 plane
        Assert.Contains("argmax[5] = 16", Assert.Throws<ArgumentException>(() => Pooling.MaxBackward(g, B, F(ys), bad, F(xs))).Message);
        bad[5] = -1;
        Throws<ArgumentException>("argmax", () => Pooling.MaxBackward(g, B, F(ys), bad, F(xs)));
        Throws<ArgumentOutOfRangeException>("plane", () => Pooling.GlobalAverageForward(1, 1, 0, F(0), F(1)));
        Throws<ArgumentException>("input", () => Pooling.GlobalAverageForward(2, 3, 4, F(23), F(6)));
        Throws<ArgumentException>("output", () => Pooling.GlobalAverageForward(2, 3, 4, F(24), F(5)));
        Throws<ArgumentException>("inputGradient", () => Pooling.GlobalAverageBackward(2, 3, 4, F(6), F(25)));
        Throws<ArgumentOutOfRangeException>("channels", () => Pooling.GlobalAverageBackward(2, -3, 4, F(6), F(24)));
    }

    [Fact]
    public void Allocates_nothing()
    {
        var g = new PoolGeometry(4, 12, 12, 3, 3, 2, 2, 1, 1, 6, 6);
        const int B = 3;
        var rng = new Rng(2);
        float[] x = Enumerable.Range(0, B * g.InputSize).Select(_ => rng.NextUniform(-1, 1)).ToArray();
        float[] y = new float[B * g.OutputSize], dx = new float[x.Length], gap = new float[B * 4];
        int[] argmax = new int[y.Length];
        void Step()
        {
            Pooling.MaxForward(g, B, x, y, argmax);
            Pooling.MaxBackward(g, B, y, argmax, dx);
            Pooling.AvgForward(g, B, x, y);
            Pooling.AvgBackward(g, B, y, dx);
            Pooling.GlobalAverageForward(B, 4, 144, x, gap);
            Pooling.GlobalAverageBackward(B, 4, 144, gap, dx);
        }
        Step();
        Allocations.AssertSteadyStateIsAllocationFree(Step);
    }
}
