using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace Compiled.Tests.Fixtures;

/// <summary>
/// The PyTorch fixtures (tests/fixtures/make_image_fixtures.py) mean what they say, checked without any
/// library kernel: the reader's typed access, the shapes and padding of every case, and every layer's y,
/// dx, dweight, dbias recomputed here by the direct formulas in double (NCHW, weights [OC, IC/groups, KH, KW],
/// per-side padding, max pool padded with −∞, average pool dividing by the count of real elements). The two
/// end-to-end networks are re-run forward in double (logits, loss) and their gradients checked by central
/// differences, which pins down the parameter order.
/// </summary>
public sealed class TorchFixtureTests
{
    private static readonly string[] ConvNames =
    [
        "conv_3x3_valid", "conv_3x3_stride2_same", "conv_3x3_pad1", "conv_5x5_pad2", "conv_3x3_dilation2",
        "conv_groups2", "conv_depthwise", "conv_1x1", "conv_2x5_rect", "conv_nobias",
    ];

    private static readonly string[] PoolNames =
    [
        "maxpool_2x2_s2", "maxpool_3x3_s2_pad1", "maxpool_2x2_s2_same", "avgpool_2x2_s2", "avgpool_3x3_s2_pad1",
        "globalavgpool",
    ];

    private static readonly string[] NetworkNames = ["cnn_end_to_end", "cnn_end_to_end_avg"];

    private static readonly string[] BatchNormNames =
    [
        "batchnorm_1d", "batchnorm_2d", "convtranspose_s2_pad1_op1", "convtranspose_same_s2", "convtranspose_groups_dilation",
        "separable_s1_pad1", "prelu_2d", "prelu_2d_shared", "prelu_1d",
        "layernorm_2d", "layernorm_1d",
    ];

    public static TheoryData<string> ConvCases => Data(ConvNames);
    public static TheoryData<string> PoolCases => Data(PoolNames);
    public static TheoryData<string> LayerCases => Data(ConvNames.Concat(PoolNames));
    public static TheoryData<string> NetworkCases => Data(NetworkNames);
    public static TheoryData<string> AllCases => Data(ConvNames.Concat(PoolNames).Concat(NetworkNames).Concat(BatchNormNames));

    private static TheoryData<string> Data(IEnumerable<string> names)
    {
        var data = new TheoryData<string>();
        foreach (var name in names)
            data.Add(name);
        return data;
    }

    // ---------------------------------------------------------------------------------------- reader

    [Fact]
    public void Every_fixture_is_copied_to_the_output_and_no_other()
    {
        var expected = ConvNames.Concat(PoolNames).Concat(NetworkNames).Concat(BatchNormNames).OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(expected, TorchFixture.Names());
    }

    [Fact]
    public void Reader_gives_typed_access_by_field_name()
    {
        var f = TorchFixture.Load("conv_3x3_valid");
        Assert.Equal("conv_3x3_valid", f.Name);
        Assert.Equal("conv", f.String("kind"));
        Assert.Equal("valid", f.String("padding"));
        Assert.Equal(2, f.Int("batch"));
        Assert.Equal(1, f.Int("groups"));
        Assert.True(f.Bool("use_bias"));
        Assert.Equal(new[] { 3, 3 }, f.Ints("kernel"));
        Assert.Equal(new[] { 3, 7, 7 }, f.Ints("input_shape"));
        Assert.Equal(new[] { 4, 5, 5 }, f.Ints("output_shape"));
        Assert.Equal(2 * 3 * 7 * 7, f.Floats("x").Length);
        Assert.Equal(4, f.Floats("bias").Length);
        Assert.Equal(2.0, f.Number("batch"));
        Assert.True(f.Has("dweight"));
        Assert.False(f.Has("logits"));

        // Floats are the stored doubles rounded; the inputs are float32 values, so nothing is lost.
        var xd = f.Doubles("x");
        var xf = f.Floats("x");
        for (var i = 0; i < xd.Length; i++)
            Assert.Equal(xd[i], (double)xf[i]);

        Assert.False(TorchFixture.Load("conv_nobias").Bool("use_bias"));
        Assert.Empty(TorchFixture.Load("conv_nobias").Floats("bias"));
        Assert.Empty(TorchFixture.Load("maxpool_2x2_s2").Floats("weight"));

        var net = TorchFixture.Load("cnn_end_to_end");
        Assert.Equal(
            new[] { "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "dense1.weight", "dense1.bias" },
            net.Strings("parameter_names"));
        Assert.Equal(new[] { 0, 1, 2, 1 }, net.Ints("labels"));
        Assert.True(net.Number("loss") > 0 && double.IsFinite(net.Number("loss")));
    }

    [Fact]
    public void Reader_refuses_missing_fixtures_missing_fields_and_wrong_types()
    {
        Assert.Throws<FileNotFoundException>(() => TorchFixture.Load("no_such_fixture"));
        var f = TorchFixture.Load("conv_1x1");
        Assert.Throws<KeyNotFoundException>(() => f.Floats("no_such_field"));
        Assert.Throws<KeyNotFoundException>(() => f.Int("no_such_field"));
        Assert.Throws<InvalidOperationException>(() => f.Int("kind"));
        Assert.Throws<InvalidOperationException>(() => f.String("batch"));
        Assert.Throws<InvalidOperationException>(() => f.Floats("kind"));
        Assert.Throws<InvalidOperationException>(() => f.Bool("groups"));
        Assert.Throws<InvalidOperationException>(() => f.Int("use_bias"));
        Assert.Throws<InvalidOperationException>(() => f.Ints("x")); // not integers
    }

    // --------------------------------------------------------------------------------- consistency

    [Theory]
    [MemberData(nameof(AllCases))]
    public void Inputs_are_exactly_representable_as_float(string name)
    {
        var f = TorchFixture.Load(name);
        var inputs = f.String("kind") switch
        {
            "cnn" => new[] { "x", "parameters" },
            "batchnorm" => new[] { "x", "weight", "bias", "dy", "running_mean", "running_var" },
            "prelu" => new[] { "x", "weight", "dy" },
            _ => new[] { "x", "weight", "bias", "dy" },
        };
        foreach (var field in inputs)
            foreach (var v in f.Doubles(field))
                Assert.Equal(v, (double)(float)v);
    }

    [Theory]
    [MemberData(nameof(LayerCases))]
    public void Shapes_and_lengths_are_consistent(string name)
    {
        var f = TorchFixture.Load(name);
        var kind = f.String("kind");
        var batch = f.Int("batch");
        var input = f.Ints("input_shape");
        var output = f.Ints("output_shape");
        Assert.Equal(3, input.Length);
        Assert.Equal(3, output.Length);
        int c = input[0], h = input[1], w = input[2];

        Assert.Equal(batch * c * h * w, f.Doubles("x").Length);
        Assert.Equal(batch * c * h * w, f.Doubles("dx").Length);
        Assert.Equal(batch * output[0] * output[1] * output[2], f.Doubles("y").Length);
        Assert.Equal(batch * output[0] * output[1] * output[2], f.Doubles("dy").Length);
        Assert.Equal(f.Doubles("weight").Length, f.Doubles("dweight").Length);
        Assert.Equal(f.Doubles("bias").Length, f.Doubles("dbias").Length);

        if (kind == "globalavgpool")
        {
            Assert.Equal(new[] { c, 1, 1 }, output);
            Assert.Empty(f.Doubles("weight"));
            return;
        }

        int[] kernel = kind == "conv" ? f.Ints("kernel") : f.Ints("window");
        int[] stride = f.Ints("stride");
        int[] dilation = kind == "conv" ? f.Ints("dilation") : [1, 1];
        int pt = f.Int("pad_top"), pl = f.Int("pad_left"), pb = f.Int("pad_bottom"), pr = f.Int("pad_right");
        Assert.Equal((h + pt + pb - dilation[0] * (kernel[0] - 1) - 1) / stride[0] + 1, output[1]);
        Assert.Equal((w + pl + pr - dilation[1] * (kernel[1] - 1) - 1) / stride[1] + 1, output[2]);

        switch (f.String("padding"))
        {
            case "valid":
                Assert.Equal(new[] { 0, 0, 0, 0 }, new[] { pt, pl, pb, pr });
                break;
            case "same": // TensorFlow's split: the odd row/column goes to the bottom/right
                Assert.Equal(SamePads(h, kernel[0], stride[0], dilation[0]), (pt, pb));
                Assert.Equal(SamePads(w, kernel[1], stride[1], dilation[1]), (pl, pr));
                Assert.Equal((h + stride[0] - 1) / stride[0], output[1]);
                Assert.Equal((w + stride[1] - 1) / stride[1], output[2]);
                break;
            default:
                Assert.Equal("explicit", f.String("padding"));
                break;
        }

        if (kind == "conv")
        {
            int ic = f.Int("in_channels"), oc = f.Int("out_channels"), groups = f.Int("groups");
            Assert.Equal(c, ic);
            Assert.Equal(oc, output[0]);
            Assert.Equal(0, ic % groups);
            Assert.Equal(0, oc % groups);
            Assert.Equal(oc * (ic / groups) * kernel[0] * kernel[1], f.Doubles("weight").Length);
            Assert.Equal(f.Bool("use_bias") ? oc : 0, f.Doubles("bias").Length);
        }
        else
        {
            Assert.Equal(c, output[0]);
            Assert.Empty(f.Doubles("weight"));
            Assert.Empty(f.Doubles("bias"));
        }
    }

    [Fact]
    public void Same_padding_cases_are_asymmetric()
    {
        foreach (var name in new[] { "conv_3x3_stride2_same", "maxpool_2x2_s2_same" })
        {
            var f = TorchFixture.Load(name);
            Assert.Equal("same", f.String("padding"));
            Assert.Equal(new[] { 0, 0, 1, 1 }, new[] { f.Int("pad_top"), f.Int("pad_left"), f.Int("pad_bottom"), f.Int("pad_right") });
            Assert.Equal(4, f.Ints("output_shape")[1]);
            Assert.Equal(4, f.Ints("output_shape")[2]);
        }
    }

    // --------------------------------------------------------------------------- recomputed layers

    [Fact]
    public void Conv_3x3_valid_output_is_the_direct_formula()
    {
        // The plainest reading of the layout: y[n,o,i,j] = b[o] + Σ x[n,c,i+p,j+q] · w[o,c,p,q].
        var f = TorchFixture.Load("conv_3x3_valid");
        double[] x = f.Doubles("x"), w = f.Doubles("weight"), b = f.Doubles("bias"), y = f.Doubles("y");
        const int N = 2, C = 3, H = 7, W = 7, O = 4, K = 3, OH = 5, OW = 5;
        for (var n = 0; n < N; n++)
            for (var o = 0; o < O; o++)
                for (var i = 0; i < OH; i++)
                    for (var j = 0; j < OW; j++)
                    {
                        var sum = b[o];
                        for (var c = 0; c < C; c++)
                            for (var p = 0; p < K; p++)
                                for (var q = 0; q < K; q++)
                                    sum += x[((n * C + c) * H + i + p) * W + j + q] * w[((o * C + c) * K + p) * K + q];
                        Assert.Equal(sum, y[((n * O + o) * OH + i) * OW + j], 1e-5);
                    }
    }

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void Conv_output_and_gradients_are_recomputed(string name)
    {
        var f = TorchFixture.Load(name);
        var conv = Conv.From(f);
        double[] x = f.Doubles("x"), w = f.Doubles("weight"), b = f.Doubles("bias"), dy = f.Doubles("dy");
        AssertClose(f.Doubles("y"), conv.Forward(x, w, b), 1e-10);
        var (dx, dw, db) = conv.Backward(x, w, dy);
        AssertClose(f.Doubles("dx"), dx, 1e-10);
        AssertClose(f.Doubles("dweight"), dw, 1e-10);
        AssertClose(f.Doubles("dbias"), f.Bool("use_bias") ? db : [], 1e-10);
    }

    [Theory]
    [MemberData(nameof(PoolCases))]
    public void Pool_output_and_gradient_are_recomputed(string name)
    {
        var f = TorchFixture.Load(name);
        var pool = Pool.From(f);
        double[] x = f.Doubles("x"), dy = f.Doubles("dy");
        var y = pool.Forward(x);
        if (pool.Max)
            Assert.Equal(f.Doubles("y"), y); // a max is exact
        else
            AssertClose(f.Doubles("y"), y, 1e-12);
        AssertClose(f.Doubles("dx"), pool.Backward(x, dy), 1e-12);
    }

    [Fact]
    public void Maxpool_2x2_s2_output_is_the_max_of_each_window_in_float()
    {
        var f = TorchFixture.Load("maxpool_2x2_s2");
        float[] x = f.Floats("x"), y = f.Floats("y");
        const int Planes = 2 * 3, H = 8, W = 8;
        var k = 0;
        for (var plane = 0; plane < Planes; plane++)
            for (var i = 0; i < H; i += 2)
                for (var j = 0; j < W; j += 2)
                {
                    var at = (plane * H + i) * W + j;
                    Assert.Equal(Math.Max(Math.Max(x[at], x[at + 1]), Math.Max(x[at + W], x[at + W + 1])), y[k++]);
                }
        Assert.Equal(y.Length, k);
    }

    [Fact]
    public void Avgpool_excludes_padding_from_the_divisor()
    {
        // 7×7, window 3, stride 2, pad 1: the top-left window covers 2×2 real elements and 5 padding cells;
        // its output is their mean over 4, not over 9.
        var f = TorchFixture.Load("avgpool_3x3_s2_pad1");
        double[] x = f.Doubles("x"), y = f.Doubles("y");
        Assert.Equal((x[0] + x[1] + x[7] + x[8]) / 4, y[0], 1e-12);
        Assert.True(Math.Abs((x[0] + x[1] + x[7] + x[8]) / 9 - y[0]) > 1e-3);
        // The window at output (1, 1) lies inside the image (rows and columns 1..3): a plain mean over 9.
        var inner = 0.0;
        for (var i = 1; i <= 3; i++)
            for (var j = 1; j <= 3; j++)
                inner += x[i * 7 + j];
        Assert.Equal(inner / 9, y[1 * 4 + 1], 1e-12);
    }

    // ------------------------------------------------------------------------- end-to-end networks

    [Theory]
    [MemberData(nameof(NetworkCases))]
    public void Network_logits_loss_and_gradients_are_recomputed(string name)
    {
        var f = TorchFixture.Load(name);
        var net = new Cnn(f);
        Assert.Equal(new[] { 1, 8, 8 }, f.Ints("input_shape"));
        Assert.Equal(new[] { 36, 4, 216, 6, 72, 3 }, f.Ints("parameter_sizes"));
        var parameters = f.Doubles("parameters");
        var gradients = f.Doubles("gradients");
        Assert.Equal(337, parameters.Length);
        Assert.Equal(337, gradients.Length);
        Assert.Equal(f.Int("batch"), f.Ints("labels").Length);

        var (logits, loss) = net.Forward(parameters);
        Assert.Equal(f.Int("batch") * f.Int("classes"), f.Doubles("logits").Length);
        AssertClose(f.Doubles("logits"), logits, 1e-10);
        Assert.Equal(f.Number("loss"), loss, 1e-10);

        // Central differences in double: each gradient entry belongs to the parameter at the same index.
        const double Step = 1e-6;
        var p = (double[])parameters.Clone();
        var numeric = new double[p.Length];
        for (var i = 0; i < p.Length; i++)
        {
            p[i] = parameters[i] + Step;
            var plus = net.Forward(p).Loss;
            p[i] = parameters[i] - Step;
            var minus = net.Forward(p).Loss;
            p[i] = parameters[i];
            numeric[i] = (plus - minus) / (2 * Step);
        }
        AssertClose(gradients, numeric, 1e-6);
        Assert.Contains(gradients, g => Math.Abs(g) > 1e-3); // not vacuous
    }

    // ------------------------------------------------------------------------------------ helpers

    private static (int Before, int After) SamePads(int size, int kernel, int stride, int dilation)
    {
        var outSize = (size + stride - 1) / stride;
        var total = Math.Max((outSize - 1) * stride + dilation * (kernel - 1) + 1 - size, 0);
        return (total / 2, total - total / 2);
    }

    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            if (!(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i]))))
                Assert.Fail($"index {i}: expected {expected[i]:R}, actual {actual[i]:R} (tolerance {tolerance})");
    }

    /// <summary>Direct 2-D convolution (cross-correlation) in double, NCHW, weights [OC, C/G, KH, KW].</summary>
    private sealed record Conv(int N, int C, int H, int W, int OC, int KH, int KW, int SH, int SW, int DH, int DW,
        int Groups, int PT, int PL, int PB, int PR)
    {
        public int OH => (H + PT + PB - DH * (KH - 1) - 1) / SH + 1;
        public int OW => (W + PL + PR - DW * (KW - 1) - 1) / SW + 1;

        public static Conv From(TorchFixture f)
        {
            int[] input = f.Ints("input_shape"), k = f.Ints("kernel"), s = f.Ints("stride"), d = f.Ints("dilation");
            return new Conv(f.Int("batch"), input[0], input[1], input[2], f.Int("out_channels"), k[0], k[1], s[0], s[1],
                d[0], d[1], f.Int("groups"), f.Int("pad_top"), f.Int("pad_left"), f.Int("pad_bottom"), f.Int("pad_right"));
        }

        public double[] Forward(double[] x, double[] w, double[] b)
        {
            var y = new double[N * OC * OH * OW];
            Visit((yi, xi, wi, oc) => y[yi] += x[xi] * w[wi], (yi, oc) => y[yi] += b.Length == 0 ? 0 : b[oc]);
            return y;
        }

        public (double[] Dx, double[] Dw, double[] Db) Backward(double[] x, double[] w, double[] dy)
        {
            var dx = new double[x.Length];
            var dw = new double[w.Length];
            var db = new double[OC];
            Visit((yi, xi, wi, oc) => { dx[xi] += dy[yi] * w[wi]; dw[wi] += dy[yi] * x[xi]; }, (yi, oc) => db[oc] += dy[yi]);
            return (dx, dw, db);
        }

        /// <summary>Calls <paramref name="term"/> for every (output, input, weight) product inside the image.</summary>
        private void Visit(Action<int, int, int, int> term, Action<int, int> biasTerm)
        {
            int icPerGroup = C / Groups, ocPerGroup = OC / Groups;
            for (var n = 0; n < N; n++)
                for (var oc = 0; oc < OC; oc++)
                    for (var oh = 0; oh < OH; oh++)
                        for (var ow = 0; ow < OW; ow++)
                        {
                            var yi = ((n * OC + oc) * OH + oh) * OW + ow;
                            biasTerm(yi, oc);
                            for (var ic = 0; ic < icPerGroup; ic++)
                            {
                                var c = oc / ocPerGroup * icPerGroup + ic;
                                for (var kh = 0; kh < KH; kh++)
                                {
                                    var ih = oh * SH - PT + kh * DH;
                                    if (ih < 0 || ih >= H)
                                        continue;
                                    for (var kw = 0; kw < KW; kw++)
                                    {
                                        var iw = ow * SW - PL + kw * DW;
                                        if (iw < 0 || iw >= W)
                                            continue;
                                        term(yi, ((n * C + c) * H + ih) * W + iw, ((oc * icPerGroup + ic) * KH + kh) * KW + kw, oc);
                                    }
                                }
                            }
                        }
        }
    }

    /// <summary>Max or average pooling in double over the real elements of each window (padding never counts).</summary>
    private sealed record Pool(int N, int C, int H, int W, int KH, int KW, int SH, int SW, int PT, int PL, int PB, int PR, bool Max)
    {
        public int OH => (H + PT + PB - KH) / SH + 1;
        public int OW => (W + PL + PR - KW) / SW + 1;

        public static Pool From(TorchFixture f)
        {
            var input = f.Ints("input_shape");
            var kind = f.String("kind");
            if (kind == "globalavgpool")
                return new Pool(f.Int("batch"), input[0], input[1], input[2], input[1], input[2], 1, 1, 0, 0, 0, 0, false);
            int[] k = f.Ints("window"), s = f.Ints("stride");
            return new Pool(f.Int("batch"), input[0], input[1], input[2], k[0], k[1], s[0], s[1],
                f.Int("pad_top"), f.Int("pad_left"), f.Int("pad_bottom"), f.Int("pad_right"), kind == "maxpool");
        }

        public double[] Forward(double[] x)
        {
            var y = new double[N * C * OH * OW];
            for (var o = 0; o < y.Length; o++)
            {
                var cells = Window(o);
                Assert.NotEmpty(cells);
                y[o] = Max ? cells.Max(i => x[i]) : cells.Sum(i => x[i]) / cells.Count;
            }
            return y;
        }

        public double[] Backward(double[] x, double[] dy)
        {
            var dx = new double[x.Length];
            for (var o = 0; o < dy.Length; o++)
            {
                var cells = Window(o);
                if (Max)
                {
                    var best = cells.MaxBy(i => x[i]);
                    Assert.Single(cells, i => x[i] == x[best]); // no ties: the routing is unambiguous
                    dx[best] += dy[o];
                }
                else
                {
                    foreach (var i in cells)
                        dx[i] += dy[o] / cells.Count;
                }
            }
            return dx;
        }

        /// <summary>The flat input indices of the real (non-padding) elements under output <paramref name="o"/>.</summary>
        private List<int> Window(int o)
        {
            int ow = o % OW, oh = o / OW % OH, plane = o / (OW * OH);
            var cells = new List<int>();
            for (var kh = 0; kh < KH; kh++)
                for (var kw = 0; kw < KW; kw++)
                {
                    int ih = oh * SH - PT + kh, iw = ow * SW - PL + kw;
                    if (ih >= 0 && ih < H && iw >= 0 && iw < W)
                        cells.Add((plane * H + ih) * W + iw);
                }
            return cells;
        }
    }

    /// <summary>
    /// The end-to-end network in double: conv1 (1→4, 3×3, pad 1) + ReLU → max/avg pool 2×2 s2 → conv2 (4→6, 3×3,
    /// stride/pad from the fixture) + tanh → flatten (C, H, W order) → Linear(24→3) → mean softmax cross-entropy.
    /// </summary>
    private sealed class Cnn
    {
        private readonly int _batch, _classes;
        private readonly int[] _labels;
        private readonly double[] _x;
        private readonly Conv _conv1, _conv2;
        private readonly Pool _pool;

        public Cnn(TorchFixture f)
        {
            _batch = f.Int("batch");
            _classes = f.Int("classes");
            _labels = f.Ints("labels");
            _x = f.Doubles("x");
            int s = f.Ints("conv2_stride")[0], p = f.Ints("conv2_padding")[0];
            _conv1 = new Conv(_batch, 1, 8, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
            _pool = new Pool(_batch, 4, 8, 8, 2, 2, 2, 2, 0, 0, 0, 0, f.String("pool") == "max");
            _conv2 = new Conv(_batch, 4, 4, 4, 6, 3, 3, s, s, 1, 1, 1, p, p, p, p);
            Assert.Equal(2, _conv2.OH);
            Assert.Equal(2, _conv2.OW);
        }

        public (double[] Logits, double Loss) Forward(double[] parameters)
        {
            var at = 0;
            double[] Take(int count) { var part = parameters.AsSpan(at, count).ToArray(); at += count; return part; }
            double[] w1 = Take(36), b1 = Take(4), w2 = Take(216), b2 = Take(6), wd = Take(72), bd = Take(3);
            Assert.Equal(parameters.Length, at);

            var a1 = _conv1.Forward(_x, w1, b1).Select(v => Math.Max(v, 0)).ToArray();
            var a2 = _conv2.Forward(_pool.Forward(a1), w2, b2).Select(Math.Tanh).ToArray();
            const int Features = 24;
            var logits = new double[_batch * _classes];
            var loss = 0.0;
            for (var n = 0; n < _batch; n++)
            {
                for (var k = 0; k < _classes; k++)
                {
                    var z = bd[k];
                    for (var j = 0; j < Features; j++)
                        z += wd[k * Features + j] * a2[n * Features + j];
                    logits[n * _classes + k] = z;
                }
                var row = logits.AsSpan(n * _classes, _classes).ToArray();
                var max = row.Max();
                var logSumExp = max + Math.Log(row.Sum(v => Math.Exp(v - max)));
                loss += logSumExp - row[_labels[n]];
            }
            return (logits, loss / _batch);
        }
    }
}
