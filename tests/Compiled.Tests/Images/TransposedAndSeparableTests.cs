using System;
using System.Linq;
using Compiled.Tests.Fixtures;
using Xunit;

namespace Compiled.Tests.Images;

/// <summary>
/// Conv2DTranspose and SeparableConv2D as generated layers against PyTorch (ConvTranspose2d; a grouped
/// depthwise Conv2d then a 1×1 Conv2d): PyTorch's weights copied into the parameters in their layout,
/// Predict against its output, and ComputeGradients, with the upstream gradient injected through MSE,
/// against its weight and bias gradients.
/// </summary>
public sealed class TransposedAndSeparableTests
{
    public static TheoryData<string> Cases() => new()
    {
        "convtranspose_s2_pad1_op1", "convtranspose_same_s2", "convtranspose_groups_dilation", "separable_s1_pad1",
    };

    private static INetwork Create(string fixture) => fixture switch
    {
        "convtranspose_s2_pad1_op1" => new TorchDeconvS2(),
        "convtranspose_same_s2" => new TorchDeconvSame(),
        "convtranspose_groups_dilation" => new TorchDeconvGroups(),
        _ => new TorchSeparable(),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generated_layer_matches_PyTorch(string name)
    {
        var f = TorchFixture.Load(name);
        var net = Create(name);
        int[] output = f.Ints("output_shape");
        Assert.Equal(output[0] * output[1] * output[2], net.OutputSize);
        var parameters = f.Floats("weight").Concat(f.Floats("bias")).ToArray();
        Assert.Equal(parameters.Length, net.ParameterCount);
        parameters.AsSpan().CopyTo(net.Parameters);

        var x = f.Floats("x");
        var y = new float[f.Int("batch") * net.OutputSize];
        net.Predict(x, y);
        TorchNetworkTests.AssertClose(f.Doubles("y"), y, "y");

        // MSE: ∂L/∂y = 2(y − t)/M, so t = y − dy·M/2 injects PyTorch's upstream gradient.
        var dy = f.Doubles("dy");
        var targets = f.Doubles("y").Select((v, i) => (float)(v - dy[i] * y.Length / 2)).ToArray();
        net.ComputeGradients(x, targets);
        TorchNetworkTests.AssertClose(f.Doubles("dweight").Concat(f.Doubles("dbias")).ToArray(), net.Gradients.ToArray(), "∂W, ∂b");
    }

    [Fact]
    public void Output_sizes_follow_the_transposed_rule()
    {
        // (4 − 1)·2 − 2·1 + (3 − 1) + 1 + 1 = 8; Same: 3·2 × 4·2; (4 − 1) − 2 + 2·2 + 1 = 6.
        Assert.Equal((4, 8, 8), (TorchDeconvS2.Deconv1OutputChannels, TorchDeconvS2.Deconv1OutputHeight, TorchDeconvS2.Deconv1OutputWidth));
        Assert.Equal((3, 6, 8), (TorchDeconvSame.Deconv1OutputChannels, TorchDeconvSame.Deconv1OutputHeight, TorchDeconvSame.Deconv1OutputWidth));
        Assert.Equal((6, 6, 6), (TorchDeconvGroups.Deconv1OutputChannels, TorchDeconvGroups.Deconv1OutputHeight, TorchDeconvGroups.Deconv1OutputWidth));
        // Weights [in, out/groups, 3, 3]: 3·4·9 + 4; 4·3·9, no bias.
        Assert.Equal(3 * 4 * 9 + 4, TorchDeconvS2.Deconv1ParameterCount);
        Assert.Equal(4 * 3 * 9, TorchDeconvGroups.Deconv1ParameterCount);
        // Separable: depthwise 6·9, pointwise 4·6, bias 4 (a full 3×3 convolution 3→4 would have 112).
        Assert.Equal(6 * 9 + 4 * 6 + 4, TorchSeparable.Sepconv1ParameterCount);
        Assert.Equal(6 * 9, new TorchSeparable().Sepconv1DepthwiseWeights.Length);
        // ImgDeconv: 5 → 3 (Same, stride 2) → 6 → 12.
        Assert.Equal((2, 12, 12), (ImgDeconv.Deconv2OutputChannels, ImgDeconv.Deconv2OutputHeight, ImgDeconv.Deconv2OutputWidth));
    }
}
