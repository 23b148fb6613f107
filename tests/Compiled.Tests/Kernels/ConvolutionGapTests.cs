using System;
using System.Linq;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests.Kernels;

/// <summary>
/// Closes gaps the mutation run of 2026-11-25 found in the convolution files (<see cref="ConvGeometry"/>, the lowering,
/// the direct route): the geometry's messages (an <see cref="ArgumentOutOfRangeException"/> names its parameter in its
/// message by itself, so asserting the name proves nothing about the text), the output sizes exactly at the limits the
/// documentation states, and <see cref="ConvGeometry.OutputLength"/>'s own argument checks.
/// </summary>
public sealed class ConvolutionGapTests
{
    private static void Throws<T>(string param, string message, Func<object> call) where T : ArgumentException
    {
        var e = Assert.Throws<T>(() => call());
        Assert.Equal(param, e.ParamName);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Geometry_messages_say_what_is_wrong()
    {
        Throws<ArgumentOutOfRangeException>("inChannels", "inChannels must be at least 1; it is 0.",
            () => new ConvGeometry(0, 4, 4, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 4, 4));
        Throws<ArgumentOutOfRangeException>("outChannels", "outChannels must be at least 1; it is 0.",
            () => new ConvGeometry(1, 4, 4, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 4, 4));
        Throws<ArgumentOutOfRangeException>("inHeight", "inHeight must be at least 1; it is 0.",
            () => new ConvGeometry(1, 0, 4, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 4));
        Throws<ArgumentOutOfRangeException>("strideWidth", "strideWidth must be at least 1; it is 0.",
            () => new ConvGeometry(1, 4, 4, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 4, 4));
        Throws<ArgumentException>("inChannels", "inChannels = 4 is not divisible by groups = 3.",
            () => new ConvGeometry(4, 4, 4, 6, 1, 1, 1, 1, 0, 0, 1, 1, 3, 4, 4));
        Throws<ArgumentException>("outChannels", "outChannels = 5 is not divisible by groups = 2.",
            () => new ConvGeometry(4, 4, 4, 5, 1, 1, 1, 1, 0, 0, 1, 1, 2, 4, 4));
        Throws<ArgumentOutOfRangeException>("outHeight",
            "(outHeight − 1) · strideHeight + dilationHeight · (kernelHeight − 1) = 2147483648 exceeds int.MaxValue.",
            () => new ConvGeometry(1, 4, 4, 1, 2, 1, int.MaxValue, 1, 0, 0, 1, 1, 1, 2, 4));
        Throws<ArgumentOutOfRangeException>("outWidth",
            "(outWidth − 1) · strideWidth + dilationWidth · (kernelWidth − 1) = 2147483648 exceeds int.MaxValue.",
            () => new ConvGeometry(1, 4, 4, 1, 1, 2, 1, int.MaxValue, 0, 0, 1, 1, 1, 4, 2));
        // 3×3, pad 1 on 4 rows: 4 outputs; 7 would start its last window at row 5, past 4 − 1 + 1.
        Throws<ArgumentOutOfRangeException>("outHeight", "outHeight = 7 is too large for an input of 4: its last window starts at 5, past 4.",
            () => new ConvGeometry(1, 4, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 7, 4));
        Throws<ArgumentOutOfRangeException>("outWidth", "outWidth = 7 is too large for an input of 4: its last window starts at 5, past 4.",
            () => new ConvGeometry(1, 4, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 4, 7));
        // Stride 2, 1×1 kernel on 4 rows: outputs at rows 0 and 2; a third would start at row 4.
        Throws<ArgumentOutOfRangeException>("outHeight", "outHeight = 3 is too large for an input of 4: its last window starts at 4, past 3.",
            () => new ConvGeometry(1, 4, 1, 1, 1, 1, 2, 1, 0, 0, 1, 1, 1, 3, 1));
        Throws<ArgumentOutOfRangeException>("outWidth",
            "outWidth = 1 with a window of 5 needs 2 padding after an input of 3, more than pad + stride = 1: the window is larger than the padded input.",
            () => new ConvGeometry(1, 5, 3, 1, 1, 5, 1, 1, 0, 0, 1, 1, 1, 5, 1));
        // Sizes past int.MaxValue, each with the others in range.
        Throws<ArgumentException>(null!, "OutputSize = OutChannels · OutHeight · OutWidth = 4294967296 exceeds int.MaxValue.",
            () => new ConvGeometry(1, 1, 65536, 65536, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 65536));
        Throws<ArgumentException>(null!, "WeightCount = OutChannels · (InChannels / Groups) · KernelHeight · KernelWidth = 4294967296 exceeds int.MaxValue.",
            () => new ConvGeometry(65536, 1, 1, 65536, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1));
        // A 256×256 kernel padded 255 around one pixel: 65536 taps, 65536 outputs, their product 2³² only in the workspace.
        Throws<ArgumentException>(null!, "the im2col workspace (InChannels / Groups) · KernelHeight · KernelWidth · OutHeight · OutWidth = 4294967296 exceeds int.MaxValue.",
            () => new ConvGeometry(1, 1, 1, 1, 256, 256, 1, 1, 255, 255, 1, 1, 1, 256, 256));
        var uninitialized = Assert.Throws<ArgumentException>(() =>
            Convolution.Forward(default, 0, default, default, default, default));
        Assert.Equal("g", uninitialized.ParamName);
        Assert.Contains("The convolution geometry is uninitialized (default); build it with its constructor.", uninitialized.Message);
    }

    [Fact]
    public void Output_sizes_exactly_at_the_documented_limits_are_accepted()
    {
        // The last window may start at input − 1 + pad: 1×1 kernel, pad 1 on 4 rows, 6 outputs start at −1 … 4.
        var start = new ConvGeometry(1, 4, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 6, 1);
        Assert.Equal(6, start.OutHeight);
        // The implicit padding after the input may reach pad + stride: a 5-wide kernel, stride 2, on 3 columns needs 2.
        var after = new ConvGeometry(1, 1, 3, 1, 1, 5, 1, 2, 0, 0, 1, 1, 1, 1, 1);
        Assert.Equal(1, after.OutWidth);
        // And both are convolutions like any other: the single output of the second sums the 3 columns it covers.
        var y = new float[1];
        // (The input is cut from a longer array: the taps past its end must read nothing, not the 1000 after it.)
        Convolution.Forward(after, 1, new[] { 1f, 2f, 3f, 1000f }.AsSpan(0, 3), new[] { 1f, 10f, 100f, 1000f, 10000f }, default, y);
        Assert.Equal(321f, y[0]);

        // Sizes of exactly int.MaxValue fit: int.MaxValue input channels of one pixel (input and weights).
        var widest = new ConvGeometry(int.MaxValue, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1);
        Assert.Equal((int.MaxValue, int.MaxValue), (widest.InputSize, widest.WeightCount));
        // A reach of exactly int.MaxValue fits: a 2-row kernel dilated by int.MaxValue, padded so that one window exists.
        var reach = new ConvGeometry(1, 1, 1, 1, 2, 1, 1, 1, 1 << 30, 0, int.MaxValue, 1, 1, 1, 1);
        Assert.Equal(int.MaxValue, reach.DilationHeight);
    }

    /// <summary>Forward, input and weight gradients in double from the definition (the taps inside the input only).</summary>
    private static (double[] Y, double[] Dx, double[] Dw) Reference(ConvGeometry g, int batch, float[] x, float[] w, float[] dy)
    {
        var y = new double[batch * g.OutputSize];
        var dx = new double[batch * g.InputSize];
        var dw = new double[g.WeightCount];
        ConvolutionKernelTests.ForEachTap(g, batch, (xi, wi, yi) =>
        {
            y[yi] += (double)w[wi] * x[xi];
            dx[xi] += (double)w[wi] * dy[yi];
            dw[wi] += (double)dy[yi] * x[xi];
        });
        return (y, dx, dw);
    }

    /// <summary>Forward, input gradient and weight gradient of two samples on every path, against <see cref="Reference"/>.</summary>
    private static void EveryPathMatchesTheDefinition(ConvGeometry g, ulong seed)
    {
        const int batch = 2;
        var rng = new Rng(seed);
        float[] x = Random(rng, batch * g.InputSize), w = Random(rng, g.WeightCount), dy = Random(rng, batch * g.OutputSize);
        var (y, dx, dw) = Reference(g, batch, x, w, dy);
        foreach (string path in Sgemm.AvailablePaths)
        {
            using var scope = Sgemm.ForcePath(path);
            float[] actualY = new float[y.Length], actualDx = new float[dx.Length], actualDw = new float[dw.Length];
            Convolution.Forward(g, batch, x, w, default, actualY);
            Convolution.BackwardInput(g, batch, dy, w, actualDx);
            Convolution.BackwardWeights(g, batch, x, dy, actualDw, default);
            Close(path + " y", y, actualY);
            Close(path + " dx", dx, actualDx);
            Close(path + " dW", dw, actualDw);
        }
    }

    internal static float[] Random(Rng rng, int n)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = rng.NextUniform(-1f, 1f);
        return a;
    }

    internal static void Close(string what, double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-4 * (1 + Math.Abs(expected[i])), $"{what}[{i}] = {actual[i]}, expected {expected[i]}");
    }

    [Theory]
    [InlineData(1, 1, 1, 1)] // 1×1 kernel, pad 1: the input gradient's own padding would be 0 − 1
    [InlineData(3, 3, 3, 3)] // 3×3 kernel, pad 3: 2 − 3
    [InlineData(1, 3, 1, 1)] // beyond the reach in rows only (1×3, pad 1 each way)
    [InlineData(3, 1, 1, 1)] // beyond the reach in columns only
    public void Padding_beyond_the_kernels_reach_on_wide_stride_1_layers(int kernelHeight, int kernelWidth, int padTop, int padLeft)
    {
        // Wide and deep enough for the direct kernels on the AVX paths (16 columns, 8 channels each way); the input
        // gradient of such a layer is not a convolution with a non-negative pad, so it must take the GEMM route.
        int outHeight = 16 + 2 * padTop - kernelHeight + 1, outWidth = 16 + 2 * padLeft - kernelWidth + 1;
        var g = new ConvGeometry(8, 16, 16, 8, kernelHeight, kernelWidth, 1, 1, padTop, padLeft, 1, 1, 1, outHeight, outWidth);
        EveryPathMatchesTheDefinition(g, seed: 31);
    }

    public static TheoryData<string, int[]> EdgeLayers() => new()
    {
        // name, in/out channels, groups, in height/width, kernel, stride, pad, dilation, out height/width
        // Dilated, stride 1, 16 columns and 8 channels: the direct kernels on the AVX paths (not Winograd, which is undilated).
        { "dilation 2 on the direct route", new[] { 8, 8, 1, 16, 16, 3, 1, 2, 2, 16, 16 } },
        // Depthwise with dilation 2, stride 1 and 2: the depthwise loops.
        { "depthwise dilation 2", new[] { 4, 4, 4, 9, 10, 3, 1, 2, 2, 9, 10 } },
        { "depthwise dilation 2 stride 2", new[] { 4, 8, 4, 9, 10, 3, 2, 2, 2, 5, 5 } },
        // An output smaller than the input allows (the size is given, not derived): 12×12 of a possible 16×16, pad 1,
        // on the direct route; the padded copy must not take the input columns and rows the outputs never read.
        { "cropped output on the direct route", new[] { 8, 8, 1, 16, 16, 3, 1, 1, 1, 12, 12 } },
    };

    [Theory]
    [MemberData(nameof(EdgeLayers))]
    public void Dilated_and_cropped_layers_match_the_definition(string name, int[] s)
    {
        _ = name;
        var g = new ConvGeometry(s[0], s[3], s[4], s[1], s[5], s[5], s[6], s[6], s[7], s[7], s[8], s[8], s[2], s[9], s[10]);
        EveryPathMatchesTheDefinition(g, seed: 53);
    }

    [Fact]
    public unsafe void The_direct_kernel_over_several_samples_equals_one_call_per_sample()
    {
        // Convolution hands the direct kernel one sample per part, so only a direct call reaches sample 2 and on:
        // sample b's input and output sit b sample sizes along.
        var g = new ConvGeometry(3, 9, 16, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 9, 16);
        const int count = 3;
        var rng = new Rng(41);
        float[] x = Random(rng, count * g.InputSize), w = Random(rng, g.WeightCount), bias = Random(rng, g.OutChannels);
        foreach (string path in Sgemm.AvailablePaths.Where(p => p is "avx512" or "avx2")) // the direct kernel's paths
        {
            using var scope = Sgemm.ForcePath(path);
            var kind = DirectConvolution.Choose(g);
            Assert.NotEqual(DirectConvolution.Kind.None, kind);
            float[] together = Enumerable.Repeat(float.NaN, count * g.OutputSize).ToArray(), apart = new float[count * g.OutputSize];
            fixed (float* px = x, pw = w, pb = bias, pt = together, pa = apart)
            {
                DirectConvolution.Forward(kind, g, px, count, pw, pb, pt, relu: false, 0, int.MaxValue);
                for (int b = 0; b < count; b++)
                    DirectConvolution.Forward(kind, g, px + b * g.InputSize, 1, pw, pb, pa + b * g.OutputSize, relu: false, 0, int.MaxValue);
            }
            Assert.Equal(apart, together);
        }
    }

    [Fact]
    public void Output_length_checks_its_arguments_by_name()
    {
        Throws<ArgumentOutOfRangeException>("kernel", "kernel must be at least 1; it is 0.", () => ConvGeometry.OutputLength(5, 0, 1, 0, 0, 1));
        Throws<ArgumentOutOfRangeException>("dilation", "dilation must be at least 1; it is 0.", () => ConvGeometry.OutputLength(5, 3, 1, 0, 0, 0));
        Throws<ArgumentOutOfRangeException>("padBefore", "padBefore must be non-negative; it is -1.", () => ConvGeometry.OutputLength(5, 3, 1, -1, 0, 1));
        Throws<ArgumentOutOfRangeException>("padAfter", "padAfter must be non-negative; it is -1.", () => ConvGeometry.OutputLength(5, 3, 1, 0, -1, 1));
        // floor((5 + 1 + 2 − 2·2 − 1) / 3) + 1 = floor(3 / 3) + 1 = 2; the pads and the dilation each count.
        Assert.Equal(2, ConvGeometry.OutputLength(5, 3, 3, 1, 2, 2));
    }
}
