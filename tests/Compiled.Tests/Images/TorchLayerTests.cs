using System;
using System.Linq;
using Compiled.Kernels;
using Compiled.Tests.Fixtures;
using Xunit;

namespace Compiled.Tests.Images;

/// <summary>
/// The convolution and pooling kernels against PyTorch 1.13, layer by layer (fixtures of
/// tests/fixtures/make_image_fixtures.py): output, ∂x for a random upstream gradient, ∂W and ∂b.
/// Covers stride 1 and 2, valid, explicit and Same (asymmetric) padding, dilation 2, groups, depthwise,
/// 1×1, a rectangular kernel, no bias, max and average pooling with and without padding, global average.
/// </summary>
public sealed class TorchLayerTests
{
    public static TheoryData<string> ConvCases() => Named("conv_");

    public static TheoryData<string> PoolCases() => Named("pool");

    private static TheoryData<string> Named(string part)
    {
        var data = new TheoryData<string>();
        foreach (string name in TorchFixture.Names().Where(n => n.Contains(part, StringComparison.Ordinal) && !n.StartsWith("cnn", StringComparison.Ordinal)))
            data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void Convolution_matches_PyTorch(string name)
    {
        var f = TorchFixture.Load(name);
        int[] input = f.Ints("input_shape"), output = f.Ints("output_shape"), kernel = f.Ints("kernel"), stride = f.Ints("stride"), dilation = f.Ints("dilation");
        var g = new ConvGeometry(input[0], input[1], input[2], output[0], kernel[0], kernel[1], stride[0], stride[1],
            f.Int("pad_top"), f.Int("pad_left"), dilation[0], dilation[1], f.Int("groups"), output[1], output[2]);
        int batch = f.Int("batch");
        bool bias = f.Bool("use_bias");

        var y = new float[batch * g.OutputSize];
        Convolution.Forward(in g, batch, f.Floats("x"), f.Floats("weight"), bias ? f.Floats("bias") : default, y);
        TorchNetworkTests.AssertClose(f.Doubles("y"), y, name + " y");

        var dx = new float[batch * g.InputSize];
        Convolution.BackwardInput(in g, batch, f.Floats("dy"), f.Floats("weight"), dx);
        TorchNetworkTests.AssertClose(f.Doubles("dx"), dx, name + " dx");

        var dw = new float[g.WeightCount];
        var db = new float[bias ? g.OutChannels : 0];
        Convolution.BackwardWeights(in g, batch, f.Floats("x"), f.Floats("dy"), dw, db);
        TorchNetworkTests.AssertClose(f.Doubles("dweight"), dw, name + " dW");
        if (bias) TorchNetworkTests.AssertClose(f.Doubles("dbias"), db, name + " db");
    }

    [Theory]
    [MemberData(nameof(PoolCases))]
    public void Pooling_matches_PyTorch(string name)
    {
        var f = TorchFixture.Load(name);
        int[] input = f.Ints("input_shape"), output = f.Ints("output_shape");
        int batch = f.Int("batch");
        var x = f.Floats("x");
        var dy = f.Floats("dy");
        var y = new float[batch * output[0] * output[1] * output[2]];
        var dx = new float[batch * input[0] * input[1] * input[2]];
        string kind = f.String("kind");
        if (kind == "globalavgpool")
        {
            Pooling.GlobalAverageForward(batch, input[0], input[1] * input[2], x, y);
            Pooling.GlobalAverageBackward(batch, input[0], input[1] * input[2], dy, dx);
        }
        else
        {
            int[] window = f.Ints("window"), stride = f.Ints("stride");
            var g = new PoolGeometry(input[0], input[1], input[2], window[0], window[1], stride[0], stride[1],
                f.Int("pad_top"), f.Int("pad_left"), output[1], output[2]);
            if (kind == "maxpool")
            {
                var argmax = new int[y.Length];
                Pooling.MaxForward(in g, batch, x, y, argmax);
                Pooling.MaxBackward(in g, batch, dy, argmax, dx);
            }
            else
            {
                Pooling.AvgForward(in g, batch, x, y);
                Pooling.AvgBackward(in g, batch, dy, dx);
            }
        }
        TorchNetworkTests.AssertClose(f.Doubles("y"), y, name + " y");
        TorchNetworkTests.AssertClose(f.Doubles("dx"), dx, name + " dx");
    }
}
