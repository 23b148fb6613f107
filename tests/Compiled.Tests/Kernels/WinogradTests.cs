using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests.Kernels;

/// <summary>
/// The Winograd F(2×2, 3×3) route of <see cref="Convolution.Forward"/> (<see cref="WinogradConvolution"/>): which layers
/// take it, its weight transform against the definition, and its cache of transformed weights, which must never hand
/// back a transform of weights that have since changed. Its outputs against the double reference are in
/// <see cref="ConvolutionKernelTests"/> (the "Winograd:" shapes and 16 → 32 on 14 × 14).
/// </summary>
public sealed class WinogradTests
{
    private static readonly ConvGeometry Layer = new(16, 14, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 14, 14);

    [Fact]
    public void Takes_3x3_stride_1_layers_with_at_least_8_input_channels_on_the_avx_paths()
    {
        foreach (string path in Sgemm.AvailablePaths)
        {
            using var scope = Sgemm.ForcePath(path);
            bool avx = path is "avx512" or "avx2"; // Vector128 and scalar take im2col + SGEMM
            Assert.Equal(avx, WinogradConvolution.Applies(Layer, DirectConvolution.Choose(Layer)));
            // 7 input channels, a 5×5 kernel, dilation 2, stride 2: not this route.
            var fewChannels = new ConvGeometry(7, 14, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 14, 14);
            var fiveByFive = new ConvGeometry(16, 14, 14, 32, 5, 5, 1, 1, 2, 2, 1, 1, 1, 14, 14);
            var dilated = new ConvGeometry(16, 14, 14, 32, 3, 3, 1, 1, 2, 2, 2, 2, 1, 14, 14);
            var strided = new ConvGeometry(16, 14, 14, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1, 7, 7);
            foreach (ConvGeometry g in new[] { fewChannels, fiveByFive, dilated, strided })
                Assert.False(WinogradConvolution.Applies(g, DirectConvolution.Choose(g)), $"{path}: {g.InChannels} channels, {g.KernelHeight}×{g.KernelWidth}, dilation {g.DilationHeight}, stride {g.StrideHeight}");
        }
    }

    [Fact]
    public unsafe void Weight_transform_is_G_g_G_transposed_with_empty_channels_zero()
    {
        // One output channel (padded to a block of 4), one input channel, g = 1..9 row by row. By hand, with
        // G = [[1,0,0],[½,½,½],[½,−½,½],[0,0,1]]: G g = [[1,2,3],[6,7.5,9],[2,2.5,3],[7,8,9]] (rows), then each row
        // through G again: U = [[1,3,1,3],[6,11.25,3.75,9],[2,3.75,1.25,3],[7,12,4,9]].
        float[] w = Enumerable.Range(1, 9).Select(v => (float)v).ToArray();
        float[] expected = { 1, 3, 1, 3, 6, 11.25f, 3.75f, 9, 2, 3.75f, 1.25f, 3, 7, 12, 4, 9 };
        var u = new float[16 * 4];
        fixed (float* pw = w, pu = u) WinogradConvolution.TransformWeights(pw, 1, 1, pu);
        for (int xi = 0; xi < 16; xi++)
        {
            Assert.Equal(expected[xi], u[xi * 4]);
            for (int k = 1; k < 4; k++) Assert.Equal(0f, u[xi * 4 + k]);
        }
    }

    [Fact]
    public void Weights_changed_in_place_between_calls_are_used()
    {
        var rng = new Rng(21);
        float[] x = Random(rng, Layer.InputSize), w = Random(rng, Layer.WeightCount), bias = Random(rng, Layer.OutChannels);
        foreach (string path in Sgemm.AvailablePaths)
        {
            using var scope = Sgemm.ForcePath(path);
            float[] first = Forward(x, w, bias);
            float[] original = (float[])w.Clone();
            // One weight of the last output channel and input channel, then every weight, then back: each call must
            // see what the array holds now (a stale transform would repeat the previous output).
            w[^1] += 0.5f;
            float[] oneChanged = Forward(x, w, bias);
            Assert.Equal(Fresh(x, w, bias), oneChanged);
            Assert.False(oneChanged.SequenceEqual(first), $"{path}: a changed weight did not change the output");
            for (int i = 0; i < w.Length; i++) w[i] = -w[i];
            Assert.Equal(Fresh(x, w, bias), Forward(x, w, bias));
            // A sign-only change of a zero weight (0 → −0) is a different bit pattern: recomputed, same values.
            original.CopyTo(w, 0);
            Assert.Equal(first, Forward(x, w, bias));
        }
    }

    [Fact]
    public void More_weight_sets_than_the_cache_holds_each_give_their_own_output()
    {
        var rng = new Rng(22);
        float[] x = Random(rng, Layer.InputSize), bias = new float[Layer.OutChannels];
        float[][] weights = Enumerable.Range(0, 7).Select(_ => Random(rng, Layer.WeightCount)).ToArray();
        foreach (string path in Sgemm.AvailablePaths.Where(p => p != "scalar"))
        {
            using var scope = Sgemm.ForcePath(path);
            float[][] expected = weights.Select(w => Fresh(x, w, bias)).ToArray();
            for (int round = 0; round < 3; round++)
                for (int i = 0; i < weights.Length; i++)
                    Assert.Equal(expected[i], Forward(x, weights[i], bias));
        }
    }

    [Fact]
    public unsafe void A_call_over_several_samples_equals_one_call_per_sample_pooled_or_not()
    {
        // Convolution cuts batches into one-sample parts, so this is the kernel's own contract: sample b's input and
        // output (pooled or not) sit b sample sizes along.
        var rng = new Rng(23);
        const int count = 3;
        float[] x = Random(rng, count * Layer.InputSize), w = Random(rng, Layer.WeightCount), bias = Random(rng, Layer.OutChannels);
        foreach (string path in Sgemm.AvailablePaths.Where(p => p is "avx512" or "avx2")) // the route's paths
        {
            using var scope = Sgemm.ForcePath(path);
            var kind = DirectConvolution.Choose(Layer);
            foreach (bool pool in new[] { false, true })
            {
                int size = pool ? Layer.OutputSize / 4 : Layer.OutputSize;
                float[] together = Enumerable.Repeat(float.NaN, count * size).ToArray(), apart = new float[count * size];
                fixed (float* pw = w)
                {
                    float[] u = WinogradConvolution.Transformed(Layer, pw);
                    fixed (float* px = x, pu = u, pb = bias, py = together, pa = apart)
                    {
                        WinogradConvolution.Forward(kind, Layer, px, count, pu, pb, py, relu: true, pool, 0, Layer.OutChannels);
                        for (int b = 0; b < count; b++)
                            WinogradConvolution.Forward(kind, Layer, px + b * Layer.InputSize, 1, pu, pb, pa + b * size, relu: true, pool, 0, Layer.OutChannels);
                    }
                }
                Assert.Equal(apart, together);
                Assert.DoesNotContain(together, float.IsNaN); // every sample's output written (it started as NaN)
            }
        }
    }

    private static float[] Forward(float[] x, float[] w, float[] bias)
    {
        var y = new float[Layer.OutputSize];
        Convolution.Forward(Layer, 1, x, w, bias, y);
        return y;
    }

    /// <summary>The output from a copy of the weights in a new array (so any cache entry must match by value).</summary>
    private static float[] Fresh(float[] x, float[] w, float[] bias) => Forward(x, (float[])w.Clone(), bias);

    private static float[] Random(Rng rng, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = rng.NextUniform(-1f, 1f);
        return values;
    }
}

/// <summary>
/// <see cref="Convolution.ForwardMaxPool2x2"/>, which generated inference code calls for a Conv2D followed by MaxPool(2):
/// the same bits as the convolution, the ReLU and <see cref="Pooling.MaxForward"/> one after another, on the Winograd
/// route (pooling fused into its output transform) and off it, on every path and thread count (process-wide
/// <see cref="Sgemm.MaxThreads"/>, hence the collection).
/// </summary>
[Collection("Sgemm threading")]
public sealed class FusedPoolingTests
{
    // Each case by its name (a string xUnit can serialize): one test case per shape in the runner and in Stryker's per-test
    // coverage, which for a theory of unserializable rows keeps only the first row's (docs/mutation.md).
    public static IEnumerable<object[]> CaseNames() => Cases.Select(c => new object[] { c.Name });

    private static readonly (string Name, int Batch, ConvGeometry G)[] Cases =
    {
        ("16 to 32 on 14x14 pad 1 (Winograd, 7 tiles a row)", 1, new ConvGeometry(16, 14, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 14, 14)),
        ("16 to 32 on 14x14 pad 1, batch 3", 3, new ConvGeometry(16, 14, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 14, 14)),
        ("12 to 6 on 28x28 pad 1 (Winograd, 14 tiles a row)", 2, new ConvGeometry(12, 28, 28, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 28, 28)),
        ("9 to 8 valid, 18x12 output", 1, new ConvGeometry(9, 20, 14, 8, 3, 3, 1, 1, 0, 0, 1, 1, 1, 18, 12)),
        ("1 to 16 on 28x28 pad 1 (one input channel: pooled as computed on AVX-512), batch 11", 11, new ConvGeometry(1, 28, 28, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 28, 28)),
        ("1 to 16 on 28x28 pad 1, batch 1", 1, new ConvGeometry(1, 28, 28, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 28, 28)),
        // Pooled rows of 18 (a block of 16 and a tail of 2), 20 channels (a group of 16 and one of 4), dilation 2.
        ("1 to 20 on 36x40 valid, dilation 2, batch 2", 2, new ConvGeometry(1, 36, 40, 20, 3, 3, 1, 1, 0, 0, 2, 2, 1, 32, 36)),
        ("1 to 32 on 16x16 pad 1 (two channel groups), batch 1", 1, new ConvGeometry(1, 16, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 16, 16)),
        ("8 to 8 stride 2 (GEMM, then pooled)", 9, new ConvGeometry(8, 16, 16, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 8, 8)),
        // Direct routes beside the one-channel one: two input channels (too few for Winograd), and one channel with 5×5.
        ("2 to 16 on 28x28 pad 1 (direct, not pooled as computed)", 2, new ConvGeometry(2, 28, 28, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 28, 28)),
        ("1 to 16 on 28x28, 5x5 pad 2 (direct, not pooled as computed)", 2, new ConvGeometry(1, 28, 28, 16, 5, 5, 1, 1, 2, 2, 1, 1, 1, 28, 28)),
    };

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Equals_convolution_relu_then_pooling_bit_for_bit(string name)
    {
        var (_, batch, g) = Cases.Single(c => c.Name == name);
        var rng = new Rng(31);
        float[] x = Random(rng, batch * g.InputSize), w = Random(rng, g.WeightCount), bias = Random(rng, g.OutChannels);
        // NaN inputs: the pooling rule must pick the same NaN either way. The one at (3 − PadTop, 3 − PadLeft) is the last
        // corner of the first 2×2 tile's 4×4 window, which on the Winograd route makes only that tile's bottom-right
        // output NaN (the rule's last comparison); the other, somewhere in the middle, whole windows of them.
        x[(3 - g.PadTop) * g.InWidth + 3 - g.PadLeft] = float.NaN;
        x[x.Length / 3] = float.NaN;
        var pool = new PoolGeometry(g.OutChannels, g.OutHeight, g.OutWidth, 2, 2, 2, 2, 0, 0, g.OutHeight / 2, g.OutWidth / 2);
        int saved = Sgemm.MaxThreads;
        try
        {
            foreach (string path in Sgemm.AvailablePaths)
            {
                using var scope = Sgemm.ForcePath(path);
                foreach (int threads in new[] { 1, 2 })
                {
                    Sgemm.MaxThreads = threads;
                    foreach (bool relu in new[] { true, false })
                    foreach (float[] b in new[] { bias, Array.Empty<float>() })
                    {
                        var y = new float[batch * g.OutputSize];
                        if (relu) Convolution.ForwardReLU(g, batch, x, w, b, y);
                        else Convolution.Forward(g, batch, x, w, b, y);
                        var expected = new float[batch * pool.OutputSize];
                        Pooling.MaxForward(pool, batch, y, expected, Span<int>.Empty);
                        float[] actual = Enumerable.Repeat(float.NaN, expected.Length).ToArray();
                        actual[0] = 12345f;
                        Convolution.ForwardMaxPool2x2(g, batch, x, w, b, relu, actual);
                        ReadOnlySpan<int> e = MemoryMarshal.Cast<float, int>(expected), a = MemoryMarshal.Cast<float, int>(actual);
                        for (int i = 0; i < e.Length; i++)
                            Assert.True(e[i] == a[i], $"{name}, {path}, {threads} threads, relu {relu}, bias {b.Length > 0}: value {i} is {actual[i]:R}, expected {expected[i]:R}");
                        Assert.Contains(expected, float.IsNaN);
                    }
                }
            }
        }
        finally
        {
            Sgemm.MaxThreads = saved;
        }
    }

    [Fact]
    public void Refuses_odd_outputs_and_wrong_lengths()
    {
        var odd = new ConvGeometry(8, 7, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 7, 8);
        var oddError = Assert.Throws<ArgumentException>(() => Convolution.ForwardMaxPool2x2(odd, 1, new float[odd.InputSize], new float[odd.WeightCount], new float[8], true, new float[8 * 3 * 4]));
        Assert.Contains("7×8", oddError.Message);
        var g = new ConvGeometry(8, 8, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 8, 8);
        var lengthError = Assert.Throws<ArgumentException>(() => Convolution.ForwardMaxPool2x2(g, 2, new float[2 * g.InputSize], new float[g.WeightCount], new float[8], true, new float[2 * g.OutputSize]));
        Assert.Equal("output", lengthError.ParamName);
        Assert.Throws<ArgumentException>(() => Convolution.ForwardMaxPool2x2(g, 2, new float[g.InputSize], new float[g.WeightCount], new float[8], true, new float[2 * g.OutputSize / 4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Convolution.ForwardMaxPool2x2(g, -1, new float[0], new float[g.WeightCount], new float[8], true, new float[0]));
        // The message names the pooled shape the output must hold: 2 samples of 8 × 4 × 4.
        Assert.Contains("2 pooled outputs of 8×4×4 need 256", lengthError.Message);
        // An unconstructed geometry is refused by name, not run as an empty convolution.
        Assert.Contains("uninitialized", Assert.Throws<ArgumentException>(() =>
            Convolution.ForwardMaxPool2x2(default, 1, new float[0], new float[0], new float[0], true, new float[0])).Message);
        // A bias of the wrong length, on each route (Winograd; one input channel pooled as computed; the GEMM route then
        // pooling), named as such and not read past its end.
        foreach (var route in new[]
        {
            new ConvGeometry(8, 8, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 8, 8),
            new ConvGeometry(1, 28, 28, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 28, 28),
            new ConvGeometry(8, 16, 16, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 8, 8),
        })
        {
            var biasError = Assert.Throws<ArgumentException>(() => Convolution.ForwardMaxPool2x2(route, 1, new float[route.InputSize],
                new float[route.WeightCount], new float[route.OutChannels - 1], true, new float[route.OutputSize / 4]));
            Assert.Equal("bias", biasError.ParamName);
        }
    }

    private static float[] Random(Rng rng, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = rng.NextUniform(-1f, 1f);
        return values;
    }
}
