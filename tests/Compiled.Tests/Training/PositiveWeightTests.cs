using System;
using Compiled.Kernels;
using Compiled.Tests.Networks;
using Compiled.Tests.Numerics;
using Xunit;

namespace Compiled.Tests.Training;

/// <summary>
/// Class-weighted binary cross-entropy (PyTorch's pos_weight): PyTorch's numbers and a hand-computed value, the
/// sigmoid-output form against the logit form, the generated backward by finite differences, and the setter's checks.
/// </summary>
public sealed class PositiveWeightTests
{
    private static readonly float[] Z = { 0.2f, -1.5f, 3.0f, -0.7f, 0f, -4.0f };
    private static readonly float[] T = { 1, 0, 1, 0, 1, 1 };
    private static readonly float[] W = { 3f, 0.5f, 2f };

    [Fact]
    public void Loss_and_gradient_match_PyTorch_pos_weight()
    {
        // torch.nn.functional.binary_cross_entropy_with_logits(z, t, pos_weight=[3, 0.5, 2]) on 2 × 3 in float64
        // (PyTorch 1.13), the mean over the 6 values, and its gradient:
        var g = new float[6];
        double loss = LossKernels.BinaryCrossEntropy(Z, T, g, 1f / 6, outputsAreProbabilities: false, positiveWeights: W) / 6;
        Assert.True(Math.Abs(loss - 1.8131773473793433) < 1e-6, $"loss {loss}");
        double[] expected = { -0.22508300134376102, 0.030404253967726058, -0.015808624392522213, 0.05530203797197231, -0.041666666666666664, -0.32733793001263617 };
        for (int i = 0; i < 6; i++) Assert.True(Math.Abs(g[i] - expected[i]) < 1e-7, $"g[{i}] = {g[i]} vs {expected[i]}");

        // By hand, value 4 (z = 0, t = 1, w = 0.5): loss w·ln 2, gradient (w·σ(0) − w)/6 = −0.25/6.
        var one = new float[1];
        double single = LossKernels.BinaryCrossEntropy(new[] { 0f }, new[] { 1f }, one, 1f / 6, false, new[] { 0.5f });
        Assert.Equal(0.5 * Math.Log(2), single, 12);
        Assert.Equal(-0.25f / 6, one[0], 7);
    }

    [Fact]
    public void Probability_form_agrees_with_the_logit_form()
    {
        var p = new float[6];
        for (int i = 0; i < 6; i++) p[i] = ActivationMath.Sigmoid(Z[i]);
        var fromLogits = new float[6];
        var fromProbabilities = new float[6];
        double a = LossKernels.BinaryCrossEntropy(Z, T, fromLogits, 1f, false, W);
        double b = LossKernels.BinaryCrossEntropy(p, T, fromProbabilities, 1f, true, W);
        Assert.True(Math.Abs(a - b) < 1e-5 * Math.Abs(a), $"{a} vs {b}");
        for (int i = 0; i < 6; i++) Assert.Equal(fromLogits[i], fromProbabilities[i], 6);
    }

    [Fact]
    public void Loss_kernel_gradient_matches_central_differences_of_the_loss()
    {
        // The kernel's gradient against (L(z + ε) − L(z − ε)) / 2ε of its own sum, value by value, soft targets too.
        float[] t = { 1, 0, 0.3f, 0, 1, 0.8f };
        var g = new float[6];
        LossKernels.BinaryCrossEntropy(Z, t, g, 1f, false, W);
        double worst = 0;
        for (int i = 0; i < 6; i++)
        {
            const float eps = 1e-2f;
            var plus = (float[])Z.Clone();
            var minus = (float[])Z.Clone();
            plus[i] += eps;
            minus[i] -= eps;
            double fd = (LossKernels.BinaryCrossEntropy(plus, t, default, 0f, false, W) - LossKernels.BinaryCrossEntropy(minus, t, default, 0f, false, W)) / (plus[i] - minus[i]);
            worst = Math.Max(worst, Math.Abs(fd - g[i]));
        }
        Assert.True(worst < 2e-4, $"largest difference {worst}");
    }

    [Theory]
    [InlineData("bce from logits")]
    [InlineData("bce after a sigmoid")]
    [InlineData("multi-label from logits")]
    [InlineData("multi-label after a sigmoid")]
    public void Weighted_backward_matches_central_differences(string which)
    {
        GradientCase @case = which switch
        {
            "bce from logits" => new(() => new GradBceTanh { PositiveWeights = new[] { 3f } }, Loss.BinaryCrossEntropy),
            "bce after a sigmoid" => new(() => new GradBceSigmoidOutput { PositiveWeights = new[] { 0.25f } }, Loss.BinaryCrossEntropy),
            "multi-label from logits" => new(() => new GradMultiLabelTanh { PositiveWeights = new[] { 0.5f, 2f, 4f } }, Loss.MultiLabelBinaryCrossEntropy),
            _ => new(() => new GradMultiLabelSigmoidOutput { PositiveWeights = new[] { 5f, 1f, 0.2f } }, Loss.MultiLabelBinaryCrossEntropy),
        };
        Assert.Null(GradientCheckTests.Check(which, @case, seed: 21, batch: 9, checkedParameters: null));
    }

    [Fact]
    public void Weights_change_the_loss_as_declared_and_weights_of_one_change_nothing()
    {
        var rng = new Rng(7);
        var x = new float[8 * 5];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextUniform(-1, 1);
        var t = new float[8 * 3];
        for (int i = 0; i < t.Length; i++) t[i] = (i * 7 % 3) == 0 ? 1 : 0;
        var plain = new GradMultiLabelTanh();
        var ones = new GradMultiLabelTanh { PositiveWeights = new[] { 1f, 1f, 1f } };
        var heavy = new GradMultiLabelTanh { PositiveWeights = new[] { 2f, 2f, 2f } };
        float l0 = plain.ComputeGradients(x, t), l1 = ones.ComputeGradients(x, t), l2 = heavy.ComputeGradients(x, t);
        Assert.Equal(l0, l1, 6);
        var g0 = plain.Gradients.ToArray();
        var g1 = ones.Gradients.ToArray();
        for (int i = 0; i < g0.Length; i++) Assert.Equal(g0[i], g1[i], 6);
        // Doubling every positive weight adds exactly the positives' part once more: the loss lies between 1 and 2 times.
        Assert.True(l2 > l0 && l2 < 2 * l0, $"{l0} → {l2}");
        Assert.Equal(heavy.Evaluate(x, t).Loss, l2, 5);
    }

    [Fact]
    public void Bad_weights_are_refused_and_the_array_is_copied()
    {
        var net = new GradMultiLabelTanh();
        Assert.Throws<ArgumentException>(() => net.PositiveWeights = new float[2]);
        Assert.Throws<ArgumentException>(() => net.PositiveWeights = new float[] { 1, 0, 1 });
        Assert.Throws<ArgumentException>(() => net.PositiveWeights = new float[] { 1, -1, 1 });
        Assert.Throws<ArgumentException>(() => net.PositiveWeights = new float[] { 1, float.NaN, 1 });
        Assert.Throws<ArgumentException>(() => net.PositiveWeights = new float[] { 1, float.PositiveInfinity, 1 });
        var weights = new float[] { 1, 2, 3 };
        net.PositiveWeights = weights;
        weights[2] = 100;
        Assert.Equal(3f, net.PositiveWeights![2]);
        net.PositiveWeights = null;
        Assert.Null(net.PositiveWeights);
        Assert.Throws<ArgumentException>(() => LossKernels.BinaryCrossEntropy(Z, T, default, 0f, false, new float[4]));
        Assert.Throws<ArgumentException>(() => LossKernels.BinaryCrossEntropy(Z, T, default, 0f, false, Array.Empty<float>()));
    }
}
