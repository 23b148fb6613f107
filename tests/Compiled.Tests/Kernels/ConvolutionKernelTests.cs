using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests.Kernels;

/// <summary>
/// <see cref="Convolution"/> against a double-precision reference written straight from the formula (nested loops over
/// b, oc, oh, ow, c, kh, kw with bounds checks; the gradients by its adjoint), over shapes covering each feature and
/// the lowering's special cases, on every SGEMM path the machine has; plus finite differences, hand-computed values,
/// argument checks, allocation and concurrency.
/// </summary>
public sealed class ConvolutionKernelTests
{
    /// <summary>A test shape; the output size follows from explicit bottom/right pads, as a caller computes it.</summary>
    public sealed record Shape(int Batch, int InC, int H, int W, int OutC, int KH, int KW, int SH, int SW,
        int PadTop, int PadLeft, int PadBottom, int PadRight, int DH, int DW, int Groups, bool Bias)
    {
        public ConvGeometry Geometry => new(InC, H, W, OutC, KH, KW, SH, SW, PadTop, PadLeft, DH, DW, Groups,
            (int)ConvGeometry.OutputLength(H, KH, SH, PadTop, PadBottom, DH), (int)ConvGeometry.OutputLength(W, KW, SW, PadLeft, PadRight, DW));
    }

    private static readonly Dictionary<string, Shape> Shapes = new()
    {
        ["3x3 stride 1 pad 0"] = new(2, 2, 7, 9, 3, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1, true),
        // TF "same": out = ceil(in / stride); total pad (out − 1)·s + k − in; top = total / 2, the odd pixel at the bottom.
        ["3x3 stride 2 TF same (totals 1 and 2)"] = new(2, 2, 8, 9, 3, 3, 3, 2, 2, 0, 1, 1, 1, 1, 1, 1, true),
        ["5x5 stride 2 TF same (total 3)"] = new(1, 2, 8, 8, 2, 5, 5, 2, 2, 1, 1, 2, 2, 1, 1, 1, true),
        ["pad 1, 17 output channels, width 13"] = new(3, 3, 6, 13, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true),
        ["pad 2"] = new(1, 2, 5, 6, 4, 3, 3, 1, 1, 2, 2, 2, 2, 1, 1, 1, true),
        ["pad beyond kernel (all-padding windows)"] = new(1, 1, 3, 3, 2, 1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 1, true),
        ["dilation 2"] = new(2, 3, 9, 10, 5, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1, true),
        ["dilation 2x3 stride 2x1 asymmetric, rectangular 3x2"] = new(1, 2, 11, 9, 3, 3, 2, 2, 1, 1, 0, 2, 1, 2, 3, 1, true),
        ["groups 2"] = new(2, 4, 7, 8, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, true),
        ["depthwise multiplier 1"] = new(2, 5, 8, 9, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 5, true),
        ["depthwise multiplier 2 stride 2, no bias"] = new(2, 3, 9, 9, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 3, false),
        ["1x1 pointwise (no im2col)"] = new(3, 8, 5, 13, 17, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, true),
        ["1x1 pointwise groups 2, no bias"] = new(1, 4, 3, 5, 6, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 2, false),
        ["1x1 stride 2 (im2col)"] = new(2, 4, 7, 7, 3, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, true),
        ["rectangular 2x5 stride 1x2"] = new(2, 3, 6, 11, 4, 2, 5, 1, 2, 1, 2, 0, 2, 1, 1, 1, true),
        // Stride 1 and one group take the direct kernels on the AVX paths: 16 columns fill a 512-bit vector exactly,
        // 7 rows leave one of a 3-row tile; 14 output channels (forward) and 6 input channels (input gradient) leave
        // part of the last 8-channel (AVX-512) or 4-channel (AVX2) block empty.
        ["4x4 stride 1 TF same (top 1, bottom 2), width 16"] = new(2, 6, 7, 16, 14, 4, 4, 1, 1, 1, 1, 2, 2, 1, 1, 1, true),
        ["1 to 16 on 28x28 pad 1, batch 1, no bias"] = new(1, 1, 28, 28, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, false),
        ["16 to 32 on 14x14 pad 1 (parallel SGEMM)"] = new(2, 16, 14, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true),
        // 3×3 with ≥ 8 input channels: the forward pass takes Winograd's F(2×2, 3×3) on the AVX paths. An odd output
        // (13 × 7: the last tiles' second column and row are not stored), 6 output channels (a block of 4 half empty);
        // 28 columns (two groups of 8 tiles, the second with 6); padding on two sides only.
        ["Winograd: 9 to 6, valid, 13x7 output"] = new(2, 9, 9, 15, 6, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1, true),
        ["Winograd: 12 to 16 on 28x28 pad 1, no bias"] = new(1, 12, 28, 28, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, false),
        ["Winograd: 8 to 8, pad top 2 and left 2 only"] = new(2, 8, 12, 14, 8, 3, 3, 1, 1, 2, 2, 0, 0, 1, 1, 1, true),
        // Forward lowers up to 20 samples of 7×7 into one GEMM, backward-input 5: one block of 7, and 5 + 2.
        ["16 to 24 on 7x7 pad 1, batch 7 (samples side by side)"] = new(7, 16, 7, 7, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true),
    };

    public static IEnumerable<object[]> ShapeNames() => Shapes.Keys.Select(name => new object[] { name });

    // ---- The reference: one loop nest visits every tap (output yi reads input xi through weight wi).

    internal static void ForEachTap(ConvGeometry g, int batch, Action<int, int, int> tap)
    {
        int icg = g.InChannels / g.Groups, ocg = g.OutChannels / g.Groups;
        for (int b = 0; b < batch; b++)
            for (int oc = 0; oc < g.OutChannels; oc++)
                for (int oh = 0; oh < g.OutHeight; oh++)
                    for (int ow = 0; ow < g.OutWidth; ow++)
                        for (int c = 0; c < icg; c++)
                            for (int kh = 0; kh < g.KernelHeight; kh++)
                                for (int kw = 0; kw < g.KernelWidth; kw++)
                                {
                                    int ih = oh * g.StrideHeight - g.PadTop + kh * g.DilationHeight;
                                    int iw = ow * g.StrideWidth - g.PadLeft + kw * g.DilationWidth;
                                    if (ih < 0 || ih >= g.InHeight || iw < 0 || iw >= g.InWidth) continue;
                                    int ic = oc / ocg * icg + c;
                                    int xi = ((b * g.InChannels + ic) * g.InHeight + ih) * g.InWidth + iw;
                                    int wi = ((oc * icg + c) * g.KernelHeight + kh) * g.KernelWidth + kw;
                                    int yi = ((b * g.OutChannels + oc) * g.OutHeight + oh) * g.OutWidth + ow;
                                    tap(xi, wi, yi);
                                }
    }

    /// <summary>Forward in double, with Σ|term| per output (the scale of its float rounding error).</summary>
    private static (double[] Y, double[] Scale) ReferenceForward(ConvGeometry g, int batch, float[] x, float[] w, float[] bias)
    {
        var y = new double[batch * g.OutputSize];
        var scale = new double[y.Length];
        ForEachTap(g, batch, (xi, wi, yi) => { y[yi] += (double)w[wi] * x[xi]; scale[yi] += Math.Abs((double)w[wi] * x[xi]); });
        int plane = g.OutHeight * g.OutWidth;
        if (bias.Length > 0)
            for (int i = 0; i < y.Length; i++) { double v = bias[i / plane % g.OutChannels]; y[i] += v; scale[i] += Math.Abs(v); }
        return (y, scale);
    }

    private static (double[] Dx, double[] Scale) ReferenceBackwardInput(ConvGeometry g, int batch, float[] dy, float[] w)
    {
        var dx = new double[batch * g.InputSize];
        var scale = new double[dx.Length];
        ForEachTap(g, batch, (xi, wi, yi) => { dx[xi] += (double)w[wi] * dy[yi]; scale[xi] += Math.Abs((double)w[wi] * dy[yi]); });
        return (dx, scale);
    }

    private static (double[] Dw, double[] DwScale, double[] Db, double[] DbScale) ReferenceBackwardWeights(ConvGeometry g, int batch, float[] x, float[] dy)
    {
        var dw = new double[g.WeightCount];
        var dwScale = new double[dw.Length];
        ForEachTap(g, batch, (xi, wi, yi) => { dw[wi] += (double)dy[yi] * x[xi]; dwScale[wi] += Math.Abs((double)dy[yi] * x[xi]); });
        var db = new double[g.OutChannels];
        var dbScale = new double[db.Length];
        int plane = g.OutHeight * g.OutWidth;
        for (int i = 0; i < dy.Length; i++) { db[i / plane % g.OutChannels] += dy[i]; dbScale[i / plane % g.OutChannels] += Math.Abs(dy[i]); }
        return (dw, dwScale, db, dbScale);
    }

    private static float[] Random(Rng rng, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = rng.NextUniform(-1f, 1f);
        return values;
    }

    private static float[] Filled(int length, float value) => Enumerable.Repeat(value, length).ToArray();

    private static void AssertClose(string what, float[] actual, double[] expected, double[] scale)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < actual.Length; i++)
            if (!(Math.Abs(actual[i] - expected[i]) <= 1e-4 * scale[i] + 1e-6))
                Assert.Fail($"{what}[{i}] = {actual[i]}, expected {expected[i]} (scale {scale[i]})");
    }

    [Theory]
    [MemberData(nameof(ShapeNames))]
    public void Matches_the_double_reference_on_every_sgemm_path(string name)
    {
        Shape shape = Shapes[name];
        ConvGeometry g = shape.Geometry;
        int batch = shape.Batch;
        var rng = new Rng(1234);
        float[] x = Random(rng, batch * g.InputSize), w = Random(rng, g.WeightCount), dy = Random(rng, batch * g.OutputSize);
        float[] bias = shape.Bias ? Random(rng, g.OutChannels) : Array.Empty<float>();
        (double[] y, double[] yScale) = ReferenceForward(g, batch, x, w, bias);
        (double[] dx, double[] dxScale) = ReferenceBackwardInput(g, batch, dy, w);
        (double[] dw, double[] dwScale, double[] db, double[] dbScale) = ReferenceBackwardWeights(g, batch, x, dy);

        foreach (string path in Sgemm.AvailablePaths)
        {
            using var scope = Sgemm.ForcePath(path);
            // Outputs start as NaN: every kernel must overwrite, never accumulate into, what it is given.
            float[] actualY = Filled(y.Length, float.NaN), actualDx = Filled(dx.Length, float.NaN), actualDw = Filled(dw.Length, float.NaN);
            float[] actualDb = Filled(bias.Length, float.NaN);
            Convolution.Forward(g, batch, x, w, bias, actualY);
            Convolution.BackwardInput(g, batch, dy, w, actualDx);
            Convolution.BackwardWeights(g, batch, x, dy, actualDw, actualDb);
            AssertClose($"{path} y", actualY, y, yScale);
            // ForwardReLU: max(0, ·) of the same outputs, whichever route (direct or GEMM) the shape takes.
            float[] actualRelu = Filled(y.Length, float.NaN);
            Convolution.ForwardReLU(g, batch, x, w, bias, actualRelu);
            AssertClose($"{path} relu(y)", actualRelu, y.Select(v => Math.Max(0.0, v)).ToArray(), yScale);
            AssertClose($"{path} dx", actualDx, dx, dxScale);
            AssertClose($"{path} dW", actualDw, dw, dwScale);
            if (shape.Bias) AssertClose($"{path} dbias", actualDb, db, dbScale);

            // Deterministic: a second run is bit-identical.
            float[] again = new float[actualY.Length], againDw = new float[actualDw.Length];
            Convolution.Forward(g, batch, x, w, bias, again);
            Convolution.BackwardWeights(g, batch, x, dy, againDw, actualDb);
            Assert.True(again.AsSpan().SequenceEqual(actualY), $"{path}: forward differs between runs");
            Assert.True(againDw.AsSpan().SequenceEqual(actualDw), $"{path}: weight gradient differs between runs");
        }
    }

    [Fact]
    public void Gradients_match_central_finite_differences_of_a_linear_loss()
    {
        // L = Σ r · y with y the double reference forward; the kernel's backward with dy = r must be ∂L/∂(x, W, bias).
        var g = new ConvGeometry(2, 4, 5, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1, 2, 3);
        const int Batch = 2;
        var rng = new Rng(99);
        float[] x = Random(rng, Batch * g.InputSize), w = Random(rng, g.WeightCount), bias = Random(rng, g.OutChannels), r = Random(rng, Batch * g.OutputSize);
        double Loss(float[] xs, float[] ws, float[] bs)
        {
            double[] y = ReferenceForward(g, Batch, xs, ws, bs).Y;
            double sum = 0;
            for (int i = 0; i < y.Length; i++) sum += r[i] * y[i];
            return sum;
        }
        void CheckAgainstDifferences(string what, float[] parameters, float[] gradient)
        {
            const float H = 1f / 64; // exact in float; L is linear, so the difference quotient is exact up to rounding
            for (int i = 0; i < parameters.Length; i++)
            {
                float saved = parameters[i];
                parameters[i] = saved + H; double plus = Loss(x, w, bias);
                parameters[i] = saved - H; double minus = Loss(x, w, bias);
                parameters[i] = saved;
                double numeric = (plus - minus) / (2 * H);
                Assert.True(Math.Abs(gradient[i] - numeric) <= 1e-4 * (1 + Math.Abs(numeric)), $"{what}[{i}] = {gradient[i]}, finite difference {numeric}");
            }
        }

        float[] dx = new float[x.Length], dw = new float[w.Length], db = new float[bias.Length];
        Convolution.BackwardInput(g, Batch, r, w, dx);
        Convolution.BackwardWeights(g, Batch, x, r, dw, db);
        CheckAgainstDifferences("dx", x, dx);
        CheckAgainstDifferences("dW", w, dw);
        CheckAgainstDifferences("dbias", bias, db);
    }

    private static readonly float[] Ramp4x4 = Enumerable.Range(1, 16).Select(v => (float)v).ToArray();
    private static readonly float[] Kernel1To9 = Enumerable.Range(1, 9).Select(v => (float)v).ToArray();

    [Fact]
    public void Hand_computed_valid_3x3()
    {
        // x = [[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]], W = [[1,2,3],[4,5,6],[7,8,9]], bias 0.5.
        // y[0,0] = 1·1 + 2·2 + 3·3 + 4·5 + 5·6 + 6·7 + 7·9 + 8·10 + 9·11 = 348; a step right adds Σw = 45 (393),
        // a step down adds 4·Σw = 180 (528), both 225 (573).
        var g = new ConvGeometry(1, 4, 4, 1, 3, 3, 1, 1, 0, 0, 1, 1, 1, 2, 2);
        float[] y = new float[4];
        Convolution.Forward(g, 1, Ramp4x4, Kernel1To9, new[] { 0.5f }, y);
        Assert.Equal(new[] { 348.5f, 393.5f, 528.5f, 573.5f }, y);

        // dy = [[1,0],[0,0]]: only output (0,0), whose window is the top-left 3×3 of x.
        float[] dy = { 1, 0, 0, 0 }, dx = new float[16], dw = new float[9], db = new float[1];
        Convolution.BackwardInput(g, 1, dy, Kernel1To9, dx);
        Assert.Equal(new float[] { 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0, 0, 0, 0, 0 }, dx);
        Convolution.BackwardWeights(g, 1, Ramp4x4, dy, dw, db);
        Assert.Equal(new float[] { 1, 2, 3, 5, 6, 7, 9, 10, 11 }, dw);
        Assert.Equal(new float[] { 1 }, db);
    }

    [Fact]
    public void Hand_computed_padded_corners()
    {
        // Pad 1, same size. y[0,0] sees x rows/cols −1..1: W[1,1]·x[0,0] + W[1,2]·x[0,1] + W[2,1]·x[1,0] + W[2,2]·x[1,1]
        // = 5·1 + 6·2 + 8·5 + 9·6 = 111. y[3,3] sees rows/cols 2..4: W[0,0]·11 + W[0,1]·12 + W[1,0]·15 + W[1,1]·16 = 175.
        // y[0,3]: W[1,0]·x[0,2] + W[1,1]·x[0,3] + W[2,0]·x[1,2] + W[2,1]·x[1,3] = 4·3 + 5·4 + 7·7 + 8·8 = 145.
        var g = new ConvGeometry(1, 4, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 4, 4);
        float[] y = new float[16];
        Convolution.Forward(g, 1, Ramp4x4, Kernel1To9, ReadOnlySpan<float>.Empty, y);
        Assert.Equal(111f, y[0]);
        Assert.Equal(145f, y[3]);
        Assert.Equal(175f, y[15]);
    }

    [Fact]
    public void Geometry_reports_its_sizes_and_pytorch_output_lengths()
    {
        var g = new ConvGeometry(4, 7, 9, 6, 3, 2, 1, 1, 1, 0, 1, 1, 2, 7, 8);
        Assert.Equal((4 * 7 * 9, 6 * 7 * 8, 6 * 2 * 3 * 2), (g.InputSize, g.OutputSize, g.WeightCount));
        Assert.Equal((4, 7, 9, 6, 3, 2, 1, 1, 1, 0, 1, 1, 2, 7, 8),
            (g.InChannels, g.InHeight, g.InWidth, g.OutChannels, g.KernelHeight, g.KernelWidth, g.StrideHeight, g.StrideWidth,
             g.PadTop, g.PadLeft, g.DilationHeight, g.DilationWidth, g.Groups, g.OutHeight, g.OutWidth));
        Assert.Equal(26, ConvGeometry.OutputLength(28, 3, 1, 0, 0, 1));
        Assert.Equal(14, ConvGeometry.OutputLength(28, 3, 2, 1, 1, 1));   // floor(29 / 2) + 1
        Assert.Equal(22, ConvGeometry.OutputLength(28, 3, 1, 0, 0, 3));   // dilated extent 7: 28 − 7 + 1
        Assert.Equal(0, ConvGeometry.OutputLength(3, 5, 2, 0, 0, 1));     // floor(−2 / 2) + 1
        Assert.Equal(-1, ConvGeometry.OutputLength(2, 5, 2, 0, 0, 1));    // floor(−3 / 2) + 1 = −2 + 1: floor, not truncation
    }

    private static void Throws<TException>(string parameter, Action call) where TException : ArgumentException
    {
        var e = Assert.Throws<TException>(call);
        Assert.Equal(parameter, e.ParamName);
        Assert.Contains(parameter, e.Message);
    }

    private static ConvGeometry Make(int inC = 4, int h = 5, int w = 5, int outC = 6, int k = 3, int stride = 1, int pad = 1,
        int dilation = 1, int groups = 1, int outH = 5, int outW = 5) =>
        new(inC, h, w, outC, k, k, stride, stride, pad, pad, dilation, dilation, groups, outH, outW);

    [Fact]
    public void Bad_geometry_throws_naming_what_is_wrong()
    {
        Throws<ArgumentOutOfRangeException>("strideHeight", () => Make(stride: 0));
        Throws<ArgumentOutOfRangeException>("kernelHeight", () => Make(k: 0));
        Throws<ArgumentOutOfRangeException>("padTop", () => Make(pad: -1));
        Throws<ArgumentOutOfRangeException>("dilationHeight", () => Make(dilation: 0));
        Throws<ArgumentOutOfRangeException>("groups", () => Make(groups: 0));
        Throws<ArgumentOutOfRangeException>("inChannels", () => Make(inC: 0));
        Throws<ArgumentOutOfRangeException>("outHeight", () => Make(outH: 0));
        Throws<ArgumentException>("inChannels", () => Make(groups: 3, outC: 6, inC: 4));
        Throws<ArgumentException>("outChannels", () => Make(groups: 2, outC: 5));
        // Output too large: the last window would start below the input plus the top pad ((7 − 1) − 1 = 5 > 4 − 1 + 1).
        Throws<ArgumentOutOfRangeException>("outHeight", () => Make(h: 4, w: 5, outH: 7));
        // Kernel larger than the padded input: 5×5 on a 3×3 input without padding needs 2 implicit pad rows > 0 + 1.
        Throws<ArgumentOutOfRangeException>("outWidth", () => new ConvGeometry(1, 5, 3, 1, 1, 5, 1, 1, 0, 0, 1, 1, 1, 5, 1));
        var tooBig = Assert.Throws<ArgumentException>(() => new ConvGeometry(65536, 65536, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 65536, 1));
        Assert.Contains("InputSize", tooBig.Message);
        Assert.Contains("im2col", Assert.Throws<ArgumentException>(() => new ConvGeometry(4096, 1, 1024, 1, 1, 1024, 1, 1, 1023, 1023, 1, 1, 1, 1, 1024)).Message);
        Throws<ArgumentOutOfRangeException>("stride", () => ConvGeometry.OutputLength(5, 3, 0, 0, 0, 1));
    }

    [Fact]
    public void Wrong_span_lengths_throw_naming_the_span()
    {
        ConvGeometry g = Make();
        const int B = 2;
        float[] F(int n) => new float[n];
        int xs = B * g.InputSize, ys = B * g.OutputSize, ws = g.WeightCount, bs = g.OutChannels;
        Throws<ArgumentException>("input", () => Convolution.Forward(g, B, F(xs - 1), F(ws), F(bs), F(ys)));
        Throws<ArgumentException>("weights", () => Convolution.Forward(g, B, F(xs), F(ws + 1), F(bs), F(ys)));
        Throws<ArgumentException>("bias", () => Convolution.Forward(g, B, F(xs), F(ws), F(bs - 1), F(ys)));
        Throws<ArgumentException>("output", () => Convolution.Forward(g, B, F(xs), F(ws), F(bs), F(ys + 1)));
        Throws<ArgumentOutOfRangeException>("batch", () => Convolution.Forward(g, -1, F(0), F(ws), F(bs), F(0)));
        Throws<ArgumentException>("outputGradient", () => Convolution.BackwardInput(g, B, F(ys - 1), F(ws), F(xs)));
        Throws<ArgumentException>("weights", () => Convolution.BackwardInput(g, B, F(ys), F(ws - 1), F(xs)));
        Throws<ArgumentException>("inputGradient", () => Convolution.BackwardInput(g, B, F(ys), F(ws), F(xs + 1)));
        Throws<ArgumentException>("input", () => Convolution.BackwardWeights(g, B, F(xs + 1), F(ys), F(ws), F(bs)));
        Throws<ArgumentException>("outputGradient", () => Convolution.BackwardWeights(g, B, F(xs), F(ys - 1), F(ws), F(bs)));
        Throws<ArgumentException>("weightGradient", () => Convolution.BackwardWeights(g, B, F(xs), F(ys), F(ws - 1), F(bs)));
        Throws<ArgumentException>("biasGradient", () => Convolution.BackwardWeights(g, B, F(xs), F(ys), F(ws), F(bs + 1)));
        Throws<ArgumentException>("g", () => Convolution.Forward(default, 0, F(0), F(0), F(0), F(0)));
        // Batch 0 is valid and leaves zero gradients.
        float[] dw = Filled(ws, 7f), db = Filled(bs, 7f);
        Convolution.BackwardWeights(g, 0, F(0), F(0), dw, db);
        Assert.All(dw.Concat(db), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Allocates_nothing_after_warm_up()
    {
        var rng = new Rng(5);
        foreach (Shape shape in new[] { Shapes["pad 1, 17 output channels, width 13"], Shapes["1x1 pointwise (no im2col)"], Shapes["groups 2"] })
        {
            ConvGeometry g = shape.Geometry;
            int batch = shape.Batch;
            float[] x = Random(rng, batch * g.InputSize), w = Random(rng, g.WeightCount), bias = Random(rng, g.OutChannels);
            float[] y = new float[batch * g.OutputSize], dx = new float[x.Length], dw = new float[w.Length], db = new float[bias.Length];
            void Step()
            {
                Convolution.Forward(g, batch, x, w, bias, y);
                Convolution.BackwardInput(g, batch, y, w, dx);
                Convolution.BackwardWeights(g, batch, x, y, dw, db);
            }
            Step();
            Allocations.AssertSteadyStateIsAllocationFree(Step);
        }
    }

    [Fact]
    public void Concurrent_calls_match_single_threaded_results()
    {
        string[] names = { "pad 1, 17 output channels, width 13", "dilation 2", "groups 2", "16 to 32 on 14x14 pad 1 (parallel SGEMM)" };
        var rng = new Rng(8);
        var cases = names.Select(name =>
        {
            Shape s = Shapes[name];
            ConvGeometry g = s.Geometry;
            return (G: g, s.Batch, X: Random(rng, s.Batch * g.InputSize), W: Random(rng, g.WeightCount), Bias: Random(rng, g.OutChannels));
        }).ToArray();
        float[] Run(int i)
        {
            var c = cases[i];
            float[] y = new float[c.Batch * c.G.OutputSize], dx = new float[c.X.Length];
            Convolution.Forward(c.G, c.Batch, c.X, c.W, c.Bias, y);
            Convolution.BackwardInput(c.G, c.Batch, y, c.W, dx);
            return y.Concat(dx).ToArray();
        }
        float[][] sequential = Enumerable.Range(0, cases.Length).Select(Run).ToArray();

        var failures = new List<string>();
        Concurrently.Run(4, thread =>
        {
            for (int repeat = 0; repeat < 6; repeat++)
            {
                int i = (thread + repeat) % cases.Length;
                if (!Run(i).AsSpan().SequenceEqual(sequential[i]))
                    lock (failures) failures.Add($"thread {thread}, repeat {repeat}: {names[i]}");
            }
        });
        Assert.Empty(failures);
    }
}

/// <summary>
/// <see cref="Convolution"/> over samples on several threads (<see cref="Sgemm.MaxThreads"/>, process-wide, hence the
/// non-parallel collection): every pass must give the same bits on 1, 2, 3 and 4 threads, on every SGEMM path.
/// </summary>
[Collection("Sgemm threading")]
public sealed class ConvolutionThreadingTests
{
    /// <summary>Shapes large enough to be split (see <see cref="Convolution.MinParallelFlops"/>), with batches that cut unevenly.</summary>
    public static IEnumerable<object[]> Cases() => new (string Name, int Batch, ConvGeometry G)[]
    {
        ("1 to 16 on 28x28 pad 1", 9, new ConvGeometry(1, 28, 28, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 28, 28)),
        ("16 to 32 on 14x14 pad 1", 11, new ConvGeometry(16, 14, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 14, 14)),
        // One sample on the direct route: the threads split the channel blocks (forward: 32 → 4 or 8, input gradient: 24 → 3 or 6).
        ("24 to 32 on 14x14 pad 1, batch 1", 1, new ConvGeometry(24, 14, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 14, 14)),
        ("groups 2 stride 2", 12, new ConvGeometry(8, 15, 15, 12, 3, 3, 2, 2, 1, 1, 1, 1, 2, 8, 8)),
        ("depthwise 24 on 14x14", 8, new ConvGeometry(24, 14, 14, 24, 3, 3, 1, 1, 1, 1, 1, 1, 24, 14, 14)),
        ("pointwise 32 to 48 on 9x9", 5, new ConvGeometry(32, 9, 9, 48, 1, 1, 1, 1, 0, 0, 1, 1, 1, 9, 9)),
        ("32 to 64 on 7x7 pad 1, batch 23 (blocks of 20 + 3 and 5 · 4 + 3 samples)", 23, new ConvGeometry(32, 7, 7, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 7, 7)),
        ("batch 70 (16 weight chunks of 4 or 5)", 70, new ConvGeometry(3, 10, 10, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 10, 10)),
    }.Select(c => new object[] { c.Name, c.Batch, c.G });

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_pass_is_bit_identical_for_any_thread_count(string name, int batch, ConvGeometry g)
    {
        Assert.True(2.0 * batch * g.OutputSize * (g.InChannels / g.Groups) * g.KernelHeight * g.KernelWidth >= Convolution.MinParallelFlops, name);
        var rng = new Rng(77);
        float[] x = Random(rng, batch * g.InputSize), w = Random(rng, g.WeightCount), bias = Random(rng, g.OutChannels);
        float[] dy = Random(rng, batch * g.OutputSize);
        float[] Run(int threads)
        {
            int saved = Sgemm.MaxThreads;
            try
            {
                Sgemm.MaxThreads = threads;
                float[] y = new float[dy.Length], dx = new float[x.Length], dw = new float[w.Length], db = new float[bias.Length];
                Convolution.Forward(g, batch, x, w, bias, y);
                Convolution.BackwardInput(g, batch, dy, w, dx);
                Convolution.BackwardWeights(g, batch, x, dy, dw, db);
                return y.Concat(dx).Concat(dw).Concat(db).ToArray();
            }
            finally
            {
                Sgemm.MaxThreads = saved;
            }
        }

        foreach (string path in Sgemm.AvailablePaths)
        {
            using var scope = Sgemm.ForcePath(path);
            float[] one = Run(1);
            foreach (int threads in new[] { 2, 3, 4, 1 })
            {
                float[] many = Run(threads);
                ReadOnlySpan<int> expected = MemoryMarshal.Cast<float, int>(one), actual = MemoryMarshal.Cast<float, int>(many);
                for (int i = 0; i < expected.Length; i++)
                    Assert.True(expected[i] == actual[i], $"{name}, {path}, {threads} threads: value {i} is {many[i]:R}, one thread {one[i]:R}");
            }
        }
    }

    [Fact]
    public void Weight_chunks_depend_on_batch_and_weight_count_only()
    {
        Assert.Equal(0, Convolution.WeightChunks(0, 100));
        Assert.Equal(1, Convolution.WeightChunks(4, 100));
        Assert.Equal(2, Convolution.WeightChunks(5, 100));
        Assert.Equal(8, Convolution.WeightChunks(32, 4608));
        Assert.Equal(Convolution.MaxChunks, Convolution.WeightChunks(128, 4608));
        // A layer too large for 15 partial gradients in the budget gets fewer chunks.
        Assert.Equal(3, Convolution.WeightChunks(128, (int)(Convolution.PartialBudget / 2)));
    }

    [Fact]
    public void Concurrent_parallel_calls_match_and_fall_back_when_the_workers_are_busy()
    {
        var g = new ConvGeometry(16, 14, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 14, 14);
        const int Batch = 6;
        var rng = new Rng(3);
        float[] x = Random(rng, Batch * g.InputSize), w = Random(rng, g.WeightCount), dy = Random(rng, Batch * g.OutputSize);
        float[] Run()
        {
            float[] y = new float[dy.Length], dw = new float[w.Length];
            Convolution.Forward(g, Batch, x, w, ReadOnlySpan<float>.Empty, y);
            Convolution.BackwardWeights(g, Batch, x, dy, dw, Span<float>.Empty);
            return y.Concat(dw).ToArray();
        }
        int saved = Sgemm.MaxThreads;
        try
        {
            Sgemm.MaxThreads = 2;
            float[] expected = Run();
            var failures = new List<string>();
            Concurrently.Run(4, thread =>
            {
                for (int repeat = 0; repeat < 10; repeat++)
                    if (!Run().AsSpan().SequenceEqual(expected))
                        lock (failures) failures.Add($"thread {thread}, repeat {repeat}");
            });
            Assert.Empty(failures);
        }
        finally
        {
            Sgemm.MaxThreads = saved;
        }
    }

    private static float[] Random(Rng rng, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = rng.NextUniform(-1f, 1f);
        return values;
    }
}
