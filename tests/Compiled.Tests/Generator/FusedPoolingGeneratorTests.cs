using System.Text.RegularExpressions;
using Xunit;

namespace Compiled.Tests.Generator;

/// <summary>
/// Which layer pairs the generated inference pass runs as one Convolution.ForwardMaxPool2x2 call: a Conv2D with ReLU or
/// no activation directly followed by MaxPool 2×2 stride 2 over an even output; everything else keeps two calls. (That
/// the fused call computes the same values is tested in Kernels.FusedPoolingTests and, end to end, against PyTorch.)
/// </summary>
public sealed class FusedPoolingGeneratorTests
{
    [Theory]
    [InlineData("[Conv2D(8, 3, Activation.ReLU, Pad = 1)]\n[MaxPool(2)]", 8, "true")]
    [InlineData("[Conv2D(8, 3, Pad = 1)]\n[MaxPool(2)]", 8, "false")]
    [InlineData("[Conv2D(8, 3, Activation.ReLU)]\n[MaxPool(2)]", 10, "true")]     // valid: 8×8, even
    [InlineData("[Conv2D(8, 3, Activation.Tanh, Pad = 1)]\n[MaxPool(2)]", 8, null)] // tanh runs after the product
    [InlineData("[Conv2D(8, 3, Activation.ReLU)]\n[MaxPool(2)]", 9, null)]        // 7×7: the last row and column are dropped
    [InlineData("[Conv2D(8, 3, Activation.ReLU, Pad = 1)]\n[MaxPool(2, Stride = 1)]", 8, null)]
    [InlineData("[Conv2D(8, 3, Activation.ReLU, Pad = 1)]\n[MaxPool(3)]", 9, null)]
    [InlineData("[Conv2D(8, 3, Activation.ReLU, Pad = 1)]\n[AvgPool(2)]", 8, null)]
    [InlineData("[Conv2D(8, 3, Activation.ReLU, Pad = 1)]\n[BatchNorm]\n[MaxPool(2)]", 8, null)]
    [InlineData("[Conv2DTranspose(8, 3, Activation.ReLU, Pad = 1)]\n[MaxPool(2)]", 8, null)]
    public void Fuses_exactly_the_conv_relu_maxpool2_pairs(string layers, int size, string? relu)
    {
        var run = GeneratorHarness.Run($$"""
            using Compiled;

            namespace Fused;

            /// <summary>A test network.</summary>
            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            [Input(3, {{size}}, {{size}})]
            {{layers}}
            [Dense(4)]
            public partial class Net;
            """);
        Assert.True(run.GeneratorDiagnostics.IsEmpty, run.Describe());
        GeneratorSnapshotTests.AssertCompilesCleanly(run);
        var calls = Regex.Matches(run.SingleSource, @"Convolution\.ForwardMaxPool2x2\(in Conv1Geometry, rows, x, .*, relu: (true|false), maxpool1Y\);");
        if (relu is null)
        {
            Assert.Empty(calls);
            Assert.DoesNotContain("ForwardMaxPool2x2", run.SingleSource);
            return;
        }
        Assert.Equal(relu, Assert.Single(calls).Groups[1].Value);
        // The training pass keeps both layers (its backward needs the convolution's output and the argmax).
        Assert.Contains("Pooling.MaxForward(in Maxpool1Geometry, batch,", run.SingleSource);
    }
}
