using System;
using System.IO;
using System.Linq;
using Compiled.Kernels;
using Compiled.Tests.Fixtures;
using Compiled.Tests.Numerics;
using Compiled.Tests.Networks;
using Xunit;
using Xunit.Abstractions;

namespace Compiled.Tests.Images;

/// <summary>
/// PReLU against PyTorch 1.13's nn.PReLU (fixtures prelu_2d: a slope per channel of 3 × 4×5×5 images; prelu_2d_shared:
/// one slope; prelu_1d: a slope per feature; each with inputs exactly 0), the generated backward by central
/// differences, its tensor, initialization, the training step's allocations, and the kernels' argument checks.
/// </summary>
public sealed class PReLUTests
{
    private readonly ITestOutputHelper _output;

    public PReLUTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string> Cases() => new() { "prelu_2d", "prelu_2d_shared", "prelu_1d" };

    private static (int Batch, int Channels, int Plane) Shape(TorchFixture f)
    {
        int[] shape = f.Ints("input_shape");
        return (f.Int("batch"), shape[0], shape.Length == 3 ? shape[1] * shape[2] : 1);
    }

    private void Close(double[] expected, float[] actual, string what) => TorchNetworkTests.AssertClose(expected, actual, what, _output);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Kernels_match_PyTorch(string name)
    {
        var f = TorchFixture.Load(name);
        var (batch, channels, plane) = Shape(f);
        var x = f.Floats("x");
        var slopes = f.Floats("weight");
        Assert.Contains(0f, x); // the tie: PyTorch takes the slope's branch at 0
        var y = new float[x.Length];
        ParametricRelu.Forward(batch, channels, plane, x, slopes, y);
        Close(f.Doubles("y"), y, name + " y");

        var dx = new float[x.Length];
        var da = new float[slopes.Length];
        ParametricRelu.Backward(batch, channels, plane, x, f.Floats("dy"), slopes, da, dx);
        Close(f.Doubles("dx"), dx, name + " dx");
        Close(f.Doubles("dweight"), da, name + " da");

        // Without an input gradient the slopes' gradient is the same, and it is written, not added.
        var again = Enumerable.Repeat(9f, slopes.Length).ToArray();
        ParametricRelu.Backward(batch, channels, plane, x, f.Floats("dy"), slopes, again, Span<float>.Empty);
        Assert.Equal(da, again);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generated_layer_matches_PyTorch(string name)
    {
        var f = TorchFixture.Load(name);
        INetwork net = name switch { "prelu_2d" => new TorchPReLU2d(), "prelu_2d_shared" => new TorchPReLU2dShared(), _ => new TorchPReLU1d() };
        var slopes = f.Floats("weight");
        Assert.Equal(slopes.Length, net.ParameterCount);
        Assert.All(net.Parameters.ToArray(), a => Assert.Equal(0.25f, a)); // nn.PReLU's init
        var tensor = Assert.Single(net.Tensors);
        Assert.Equal("prelu1.weight", tensor.Name);
        Assert.Equal(new[] { slopes.Length }, tensor.Shape);

        slopes.CopyTo(net.Parameters);
        var x = f.Floats("x");
        var y = new float[x.Length];
        net.Predict(x, y);
        Close(f.Doubles("y"), y, name + " Predict");

        // MSE's ∂L/∂y = 2(y − t)/M, so t = y − dy·M/2 makes the upstream gradient PyTorch's dy.
        var dy = f.Doubles("dy");
        var targets = f.Doubles("y").Select((v, i) => (float)(v - dy[i] * x.Length / 2)).ToArray();
        net.ComputeGradients(x, targets);
        Close(f.Doubles("dweight"), net.Gradients.ToArray(), name + " ∂a");
    }

    [Theory]
    [InlineData("ImgPReLU")]
    [InlineData("VecPReLU")]
    public void Backward_matches_central_differences(string name)
    {
        var @case = name == "ImgPReLU"
            ? new GradientCase(() => new ImgPReLU(), Loss.SoftmaxCrossEntropy)
            : new GradientCase(() => new VecPReLU(), Loss.MeanSquaredError);
        Assert.Null(GradientCheckTests.CheckAvoidingKinks(name, @case, seed: 31UL, batch: 5));
    }

    [Fact]
    public void Slopes_start_where_declared_and_the_layers_before_take_He()
    {
        var net = new ImgPReLU(seed: 3);
        Assert.All(net.Prelu1Weights.ToArray(), a => Assert.Equal(0.1f, a));
        Assert.Equal(3, net.Prelu1Weights.Length);
        Assert.Equal(0.25f, Assert.Single(net.ActWeights.ToArray()));
        // He uniform: |W| ≤ √(6/fanIn), fan-in 2·3·3 = 18 for the convolution, 3·3·3 = 27 for the Dense; Glorot would be tighter.
        double he = Math.Sqrt(6.0 / 18), glorot = Math.Sqrt(6.0 / (18 + 27));
        Assert.All(net.Conv1Weights.ToArray(), w => Assert.InRange(w, -he, he));
        Assert.Contains(net.Conv1Weights.ToArray(), w => Math.Abs(w) > glorot);
        Assert.Equal(new[] { 1 }, ImgPReLU.Tensors.Single(t => t.Name == "act.weight").Shape);
        Assert.Equal(new[] { 3 }, ImgPReLU.Tensors.Single(t => t.Name == "prelu1.weight").Shape);
        Assert.Equal(-0.5f, new VecPReLU().Prelu2Weights[5]);
    }

    [Fact]
    public void Slopes_round_trip_through_safetensors_and_train()
    {
        var net = new ImgPReLU(seed: 4);
        var rng = new Rng(8);
        for (int i = 0; i < net.Prelu1Weights.Length; i++) net.Prelu1Weights[i] = rng.NextUniform(-1, 1);
        var stream = new MemoryStream();
        Safetensors.Write(stream, net);
        var loaded = new ImgPReLU(seed: 5);
        stream.Position = 0;
        Safetensors.Read(stream, loaded);
        Assert.Equal(net.Parameters.ToArray(), loaded.Parameters.ToArray());

        var x = new float[16 * ImgPReLU.InputSize];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextUniform(-1, 1);
        var t = Enumerable.Range(0, 16).Select(i => (float)(i % 3)).ToArray();
        var before = net.ActWeights[0];
        var adam = new Adam(0.01f);
        float first = net.TrainStep(x, t, adam), last = first;
        for (int i = 0; i < 60; i++) last = net.TrainStep(x, t, adam);
        Assert.NotEqual(before, net.ActWeights[0]); // the slopes are trained with the rest
        Assert.True(last < 0.5f * first, $"{first} → {last}");
    }

    [Fact]
    public void Training_step_allocates_nothing_once_warm()
    {
        var net = new ImgPReLU(seed: 1);
        var x = new float[8 * ImgPReLU.InputSize];
        var rng = new Rng(2);
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextUniform(-1, 1);
        var t = Enumerable.Range(0, 8).Select(i => (float)(i % 3)).ToArray();
        var sgd = new Sgd(1e-3f);
        var y = new float[8 * ImgPReLU.OutputSize];
        Allocations.AssertSteadyStateIsAllocationFree(() =>
        {
            net.TrainStep(x, t, sgd);
            net.Predict(x, y);
        });
    }

    [Fact]
    public void Kernels_refuse_wrong_lengths()
    {
        var x = new float[2 * 3 * 4];
        Assert.Throws<ArgumentException>(() => ParametricRelu.Forward(2, 3, 4, x, new float[2], new float[x.Length]));
        Assert.Throws<ArgumentException>(() => ParametricRelu.Forward(2, 3, 4, x, new float[3], new float[x.Length - 1]));
        Assert.Throws<ArgumentException>(() => ParametricRelu.Forward(2, 3, 5, x, new float[1], new float[x.Length]));
        Assert.Throws<ArgumentException>(() => ParametricRelu.Backward(2, 3, 4, x, new float[x.Length], new float[3], new float[1], new float[x.Length]));
        Assert.Throws<ArgumentException>(() => ParametricRelu.Backward(2, 3, 4, x, new float[x.Length], new float[1], new float[1], new float[3]));
    }
}
