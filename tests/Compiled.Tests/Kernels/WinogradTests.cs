using System;
using System.Linq;
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
    public void Takes_3x3_stride_1_layers_with_at_least_8_input_channels_on_the_vector_paths()
    {
        foreach (string path in Sgemm.AvailablePaths)
        {
            using var scope = Sgemm.ForcePath(path);
            bool vector = path != "scalar";
            Assert.Equal(vector, WinogradConvolution.Applies(Layer, DirectConvolution.Choose(Layer)));
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
