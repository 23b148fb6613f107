using System.Linq;
using Compiled.Tests.Generator;
using Xunit;

namespace Compiled.Tests.Images;

/// <summary>What the generator writes for image layers, beyond compiling: initialization choices and geometry.</summary>
public sealed class ImageGeneratorTests
{
    private static string Generate(string layers) =>
        GeneratorHarness.Run("using Compiled;\n\nnamespace Gen;\n\n[Network(Loss = Loss.SoftmaxCrossEntropy)]\n" + layers + "\npublic partial class Net;\n")
            .Sources.Single().Text;

    [Fact]
    public void Auto_initialization_looks_through_BatchNorm_to_the_activation()
    {
        string code = Generate("[Input(1, 8, 8)] [Conv2D(4, 3, Bias = false)] [BatchNorm] [Activation(Activation.ReLU)] [Conv2D(4, 3)] [Dense(10)]");
        // conv1 feeds ReLU through the BatchNorm: He, with fan-in 1·3·3; conv2 feeds nothing nonlinear: Glorot.
        Assert.Contains("// 'conv1': He uniform, W ~ U(±√(6/9))", code);
        Assert.Contains("// 'conv2': Glorot uniform, W ~ U(±√(6/(36+36)))", code);
        Assert.Contains("// 'batchnorm1': γ = 1, β = 0; running mean 0, running variance 1", code);
    }

    [Fact]
    public void Same_padding_with_stride_2_puts_the_odd_row_at_the_bottom()
    {
        // 8 wide, kernel 3, stride 2: output 4, total padding (4 − 1)·2 + 3 − 8 = 1: none before, 1 after.
        string code = Generate("[Input(1, 8, 8)] [Conv2D(2, 3, Stride = 2, Padding = Padding.Same)] [Dense(10)]");
        Assert.Contains("padTop: 0, padLeft: 0", code);
        Assert.Contains("outHeight: 4, outWidth: 4", code);
        // 7 wide: output 4, total (4 − 1)·2 + 3 − 7 = 2: one on each side.
        code = Generate("[Input(1, 7, 7)] [Conv2D(2, 3, Stride = 2, Padding = Padding.Same)] [Dense(10)]");
        Assert.Contains("padTop: 1, padLeft: 1", code);
    }

    [Fact]
    public void A_transposed_convolution_emits_the_geometry_of_the_convolution_back()
    {
        string code = Generate("[Input(3, 4, 4)] [Conv2DTranspose(5, 3, Stride = 2, Pad = 1, OutputPad = 1)] [Dense(10)]");
        // 4×4 → 8×8; the convolution 8×8 → 4×4 with 5 input and 3 output channels.
        Assert.Contains("inChannels: 5, inHeight: 8, inWidth: 8, outChannels: 3", code);
        Assert.Contains("outHeight: 4, outWidth: 4", code);
        Assert.Contains("Convolution.BackwardInput(in Deconv1Geometry, batch, inputs", code);
    }
}
