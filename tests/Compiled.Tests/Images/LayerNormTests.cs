using System;
using System.IO;
using System.Linq;
using Compiled.Kernels;
using Compiled.Tests.Fixtures;
using Compiled.Tests.Networks;
using Compiled.Tests.Numerics;
using Xunit;
using Xunit.Abstractions;

namespace Compiled.Tests.Images;

/// <summary>
/// LayerNorm against PyTorch 1.13's F.layer_norm (fixtures layernorm_2d: 3 samples of 3×4×5, normalized over all 60
/// values, elementwise γ and β; layernorm_1d: 5 samples of 9 features, ε = 1e-3), the generated backward by central
/// differences, its tensors, initialization, the training step's allocations, and the kernels' argument checks.
/// </summary>
public sealed class LayerNormTests
{
    private readonly ITestOutputHelper _output;

    public LayerNormTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string> Cases() => new() { "layernorm_2d", "layernorm_1d" };

    private void Close(double[] expected, float[] actual, string what) => TorchNetworkTests.AssertClose(expected, actual, what, _output);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Kernels_match_PyTorch(string name)
    {
        var f = TorchFixture.Load(name);
        int batch = f.Int("batch"), size = f.Ints("input_shape").Aggregate(1, (a, b) => a * b);
        float eps = (float)f.Number("epsilon");
        var x = f.Floats("x");
        var y = new float[x.Length];
        LayerNormalization.Forward(batch, size, x, f.Floats("weight"), f.Floats("bias"), eps, y);
        Close(f.Doubles("y"), y, name + " y");

        var dx = new float[x.Length];
        var dgamma = Enumerable.Repeat(5f, size).ToArray(); // written, not added
        var dbeta = Enumerable.Repeat(5f, size).ToArray();
        LayerNormalization.Backward(batch, size, x, f.Floats("dy"), f.Floats("weight"), eps, dgamma, dbeta, dx);
        Close(f.Doubles("dx"), dx, name + " dx");
        Close(f.Doubles("dweight"), dgamma, name + " dγ");
        Close(f.Doubles("dbias"), dbeta, name + " dβ");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generated_layer_matches_PyTorch(string name)
    {
        var f = TorchFixture.Load(name);
        INetwork net = name == "layernorm_2d" ? new TorchLayerNorm2d() : new TorchLayerNorm1d();
        int[] shape = f.Ints("input_shape");
        int size = shape.Aggregate(1, (a, b) => a * b);
        Assert.Equal(2 * size, net.ParameterCount);
        Assert.All(net.Parameters[..size].ToArray(), g => Assert.Equal(1f, g)); // nn.LayerNorm's init
        Assert.All(net.Parameters[size..].ToArray(), b => Assert.Equal(0f, b));
        Assert.Equal(new[] { "layernorm1.weight", "layernorm1.bias" }, net.Tensors.Select(t => t.Name));
        Assert.All(net.Tensors, t => Assert.Equal(shape, t.Shape));
        Assert.Equal((float)f.Number("epsilon"), net.Layers[0].Epsilon);

        f.Floats("weight").CopyTo(net.Parameters);
        f.Floats("bias").CopyTo(net.Parameters[size..]);
        var x = f.Floats("x");
        var y = new float[x.Length];
        net.Predict(x, y);
        Close(f.Doubles("y"), y, name + " Predict");

        // MSE's ∂L/∂y = 2(y − t)/M, so t = y − dy·M/2 makes the upstream gradient PyTorch's dy.
        var dy = f.Doubles("dy");
        var targets = f.Doubles("y").Select((v, i) => (float)(v - dy[i] * x.Length / 2)).ToArray();
        net.ComputeGradients(x, targets);
        Close(f.Doubles("dweight").Concat(f.Doubles("dbias")).ToArray(), net.Gradients.ToArray(), name + " ∂γ, ∂β");
    }

    [Theory]
    [InlineData("ImgLayerNorm")]
    [InlineData("VecLayerNorm")]
    public void Backward_matches_central_differences(string name)
    {
        var @case = name == "ImgLayerNorm"
            ? new GradientCase(() => new ImgLayerNorm(), Loss.SoftmaxCrossEntropy)
            : new GradientCase(() => new VecLayerNorm(), Loss.MeanSquaredError);
        Assert.Null(GradientCheckTests.CheckAvoidingKinks(name, @case, seed: 51UL, batch: 5));
    }

    [Fact]
    public void Each_sample_is_normalized_on_its_own_and_the_rest_of_the_batch_does_not_matter()
    {
        var net = new ImgLayerNorm(seed: 2);
        var rng = new Rng(3);
        var x = new float[6 * ImgLayerNorm.InputSize];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextUniform(-2, 2);
        var all = new float[6 * ImgLayerNorm.OutputSize];
        net.Predict(x, all);
        var one = new float[ImgLayerNorm.OutputSize];
        for (int s = 0; s < 6; s++)
        {
            net.Predict(x.AsSpan(s * ImgLayerNorm.InputSize, ImgLayerNorm.InputSize), one);
            var batched = all.AsSpan(s * ImgLayerNorm.OutputSize, ImgLayerNorm.OutputSize).ToArray();
            for (int i = 0; i < one.Length; i++) Assert.Equal(batched[i], one[i], 5); // the convolution may take another path at batch 1
        }
        // γ = 1, β = 0: the first LayerNorm's output has mean 0 and variance 1/(1 + ε/σ²) per sample.
        var y = new float[2 * 3 * 4 * 4];
        LayerNormalization.Forward(2, 48, x.AsSpan(0, 96), net.Layernorm1Weights, net.Layernorm1Bias, 1e-5f, y);
        for (int s = 0; s < 2; s++)
        {
            var row = y.AsSpan(s * 48, 48).ToArray();
            Assert.InRange(row.Average(v => (double)v), -1e-6, 1e-6);
            Assert.InRange(row.Average(v => (double)v * v), 1 - 1e-4, 1 + 1e-6);
        }
    }

    [Fact]
    public void Parameters_round_trip_through_safetensors_and_the_step_allocates_nothing()
    {
        var net = new ImgLayerNorm(seed: 4);
        var rng = new Rng(8);
        for (int i = 0; i < net.NormWeights.Length; i++) net.NormWeights[i] = rng.NextUniform(0.5f, 1.5f);
        var stream = new MemoryStream();
        Safetensors.Write(stream, net);
        var loaded = new ImgLayerNorm(seed: 5);
        stream.Position = 0;
        Safetensors.Read(stream, loaded);
        Assert.Equal(net.Parameters.ToArray(), loaded.Parameters.ToArray());
        Assert.Equal(new[] { 3, 4, 4 }, ImgLayerNorm.Tensors.Single(t => t.Name == "layernorm1.weight").Shape);
        Assert.Equal(new[] { 6 }, ImgLayerNorm.Tensors.Single(t => t.Name == "norm.bias").Shape);

        var x = new float[8 * ImgLayerNorm.InputSize];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextUniform(-1, 1);
        var t = Enumerable.Range(0, 8).Select(i => (float)(i % 3)).ToArray();
        var y = new float[8 * ImgLayerNorm.OutputSize];
        var sgd = new Sgd(1e-3f);
        Allocations.AssertSteadyStateIsAllocationFree(() =>
        {
            net.TrainStep(x, t, sgd);
            net.Predict(x, y);
        });
    }

    [Fact]
    public void Kernels_refuse_wrong_lengths()
    {
        var x = new float[12];
        Assert.Throws<ArgumentException>(() => LayerNormalization.Forward(2, 6, x, new float[5], new float[6], 1e-5f, new float[12]));
        Assert.Throws<ArgumentException>(() => LayerNormalization.Forward(2, 6, x, new float[6], new float[6], 1e-5f, new float[11]));
        Assert.Throws<ArgumentException>(() => LayerNormalization.Forward(3, 6, x, new float[6], new float[6], 1e-5f, new float[12]));
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerNormalization.Forward(0, 0, default, default, default, 1e-5f, default));
        Assert.Throws<ArgumentException>(() => LayerNormalization.Backward(2, 6, x, new float[12], new float[6], 1e-5f, new float[6], new float[5], new float[12]));
        Assert.Throws<ArgumentException>(() => LayerNormalization.Backward(2, 6, x, new float[12], new float[6], 1e-5f, new float[6], new float[6], new float[3]));
    }
}
