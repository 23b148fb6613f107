using System;
using Compiled.Kernels;
using Compiled.Tests.Networks;
using Compiled.Tests.Numerics;
using Xunit;

namespace Compiled.Tests.Training;

/// <summary>Class-weighted softmax cross-entropy: PyTorch's numbers, the generated backward by finite differences, and the setter's checks.</summary>
public sealed class ClassWeightTests
{
    [Fact]
    public void Weighted_mean_loss_and_gradient_match_PyTorch()
    {
        // torch.nn.functional.cross_entropy(z, [2, 1], weight=[1, 3, 0.5]) in float64 (PyTorch 1.13):
        float[] z = { 0.2f, -0.1f, 0.5f, 1.0f, 0f, -1.0f };
        float[] labels = { 2, 1 };
        float[] weights = { 1f, 3f, 0.5f };
        double total = LossKernels.LabelWeightTotal(labels, weights, 2, 3); // 0.5 + 3
        Assert.Equal(3.5, total);
        var g = new float[6];
        double loss = LossKernels.SoftmaxCrossEntropy(z, labels, g, 2, 3, (float)(1 / total), false, classWeights: weights) / total;
        Assert.True(Math.Abs(loss - 1.324860850938915) < 1e-6, $"loss {loss}");
        double[] expected = { 0.04622195769762278, 0.03424206845797854, -0.08046402615560132, 0.5702065335212758, -0.6473755962387449, 0.07716906271746894 };
        for (int i = 0; i < 6; i++) Assert.True(Math.Abs(g[i] - expected[i]) < 1e-6, $"g[{i}] = {g[i]} vs {expected[i]}");
        Assert.Throws<NotSupportedException>(() => LossKernels.SoftmaxCrossEntropy(z, labels, g, 2, 3, 1f, false, labelSmoothing: 0.1f, classWeights: weights));
    }

    [Fact]
    public void Weights_of_one_change_nothing_bit_for_bit()
    {
        var rng = new Rng(4);
        var x = new float[7 * 64];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextFloat();
        var t = new float[] { 0, 3, 9, 1, 1, 5, 2 };
        var plain = new DigitsNet();
        var ones = new DigitsNet { ClassWeights = new float[10] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 } };
        Assert.Equal(plain.ComputeGradients(x, t), ones.ComputeGradients(x, t));
        Assert.Equal(plain.Gradients.ToArray(), ones.Gradients.ToArray());
        Assert.Equal(plain.Evaluate(x, t).Loss, ones.Evaluate(x, t).Loss);
    }

    [Fact]
    public void Weighted_backward_matches_central_differences()
    {
        var @case = new GradientCase(() => new GradSceTanh { ClassWeights = new[] { 0.5f, 2f, 1.25f } }, Loss.SoftmaxCrossEntropy);
        Assert.Null(GradientCheckTests.Check("weighted", @case, seed: 12, batch: 9, checkedParameters: null));
    }

    [Fact]
    public void Bad_weights_are_refused_and_the_array_is_copied()
    {
        var net = new DigitsNet();
        Assert.Throws<ArgumentException>(() => net.ClassWeights = new float[9]);
        Assert.Throws<ArgumentException>(() => net.ClassWeights = new float[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 0 });
        Assert.Throws<ArgumentException>(() => net.ClassWeights = new float[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, float.NaN });
        var weights = new float[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 2 };
        net.ClassWeights = weights;
        weights[9] = 100;
        Assert.Equal(2f, net.ClassWeights![9]);
        net.ClassWeights = null;
        Assert.Null(net.ClassWeights);
        Assert.Throws<NotSupportedException>(() => new Compiled.Tests.Images.SmoothedClassifier { ClassWeights = new float[4] { 1, 1, 1, 1 } });
    }
}
