using System;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests.Runtime;

/// <summary>Loss kernels against hand-computed values.</summary>
public sealed class LossKernelTests
{
    [Fact]
    public void Softmax_cross_entropy_of_known_logits()
    {
        // logits (1, 2, 3), label 2: L = ln(e¹ + e² + e³) − 3 = 0.40760596
        var grad = new float[3];
        double loss = LossKernels.SoftmaxCrossEntropy(new[] { 1f, 2f, 3f }, new[] { 2f }, grad, 1, 3, 1f, outputsAreProbabilities: false);
        Assert.Equal(0.40760596, loss, 6);
        // ∂L/∂z = softmax − onehot = (0.09003057, 0.24472847, 0.66524096 − 1)
        Assert.Equal(0.09003057f, grad[0], 6);
        Assert.Equal(0.24472847f, grad[1], 6);
        Assert.Equal(-0.33475904f, grad[2], 6);
    }

    [Fact]
    public void Softmax_cross_entropy_is_stable_for_huge_logits()
    {
        double loss = LossKernels.SoftmaxCrossEntropy(new[] { 1000f, 0f }, new[] { 1f }, default, 1, 2, 0f, false);
        Assert.Equal(1000, loss, 3);
    }

    /// <summary>
    /// Row widths around the kernel's vectors of four and its 64-class stack buffer, against the definition in double
    /// written here: L = Σ_r (ln Σ_j e^(z_rj) − z_r,label), ∂L/∂z = (softmax − onehot)·scale. −∞ logits take no share.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(10)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(301)]
    public void Softmax_cross_entropy_matches_the_definition_for_every_row_width(int classes)
    {
        const int rows = 5;
        var rng = new Rng((ulong)classes);
        var z = new float[rows * classes];
        var labels = new float[rows];
        for (int i = 0; i < z.Length; i++) z[i] = (rng.NextFloat() - 0.5f) * 30f;
        for (int r = 0; r < rows; r++) labels[r] = r % classes;
        if (classes > 2) z[1 * classes + classes - 1] = float.NegativeInfinity;   // row 1 never predicts its last class
        var grad = new float[z.Length];
        const float scale = 0.2f;
        double loss = LossKernels.SoftmaxCrossEntropy(z, labels, grad, rows, classes, scale, outputsAreProbabilities: false);
        double expectedLoss = 0;
        for (int r = 0; r < rows; r++)
        {
            double sum = 0;
            for (int j = 0; j < classes; j++) sum += Math.Exp((double)z[r * classes + j]);
            expectedLoss += Math.Log(sum) - z[r * classes + (int)labels[r]];
            for (int j = 0; j < classes; j++)
            {
                double expected = (Math.Exp((double)z[r * classes + j]) / sum - (j == (int)labels[r] ? 1 : 0)) * scale;
                Assert.True(Math.Abs(grad[r * classes + j] - expected) <= 1e-7 * (1 + Math.Abs(expected)), $"row {r}, class {j}: {grad[r * classes + j]} against {expected}");
            }
        }
        Assert.Equal(expectedLoss, loss, 1e-9 * Math.Abs(expectedLoss) + 1e-12);
        if (classes > 2) Assert.Equal(0f, grad[1 * classes + classes - 1]);
        Assert.True(double.IsFinite(loss));
    }

    [Fact]
    public void Target_checks_number_the_value_in_the_span_they_are_given()
    {
        LossKernels.CheckLabels(new[] { 0f, 2f, 1f, 9f }, 3, 3); // only the first three are labels of the rows
        Assert.Contains("Label of sample 2 is 3", Assert.Throws<ArgumentException>(() => LossKernels.CheckLabels(new[] { 0f, 2f, 3f }, 3, 3)).Message);
        Assert.Contains("Label of sample 0 is 0.5", Assert.Throws<ArgumentException>(() => LossKernels.CheckLabels(new[] { 0.5f }, 1, 3)).Message);
        Assert.Contains("2 labels for 3 samples", Assert.Throws<ArgumentException>(() => LossKernels.CheckLabels(new[] { 0f, 1f }, 3, 3)).Message);
        LossKernels.CheckBinaryTargets(new[] { 0f, 1f, 0.25f });
        Assert.Contains("target 3 is NaN", Assert.Throws<ArgumentException>(() => LossKernels.CheckBinaryTargets(new[] { 0f, 1f, 0.25f, float.NaN })).Message);
        Assert.Contains("target 1 is -0.5", Assert.Throws<ArgumentException>(() => LossKernels.CheckBinaryTargets(new[] { 0f, -0.5f })).Message);
    }

    [Fact]
    public void Softmax_cross_entropy_of_a_NaN_logit_is_NaN()
    {
        var grad = new float[6];
        double loss = LossKernels.SoftmaxCrossEntropy(new[] { 0f, 1f, 2f, 0f, float.NaN, 2f }, new[] { 0f, 2f }, grad, 2, 3, 1f, false);
        Assert.True(double.IsNaN(loss));
        Assert.True(float.IsNaN(grad[3]) && float.IsNaN(grad[5]));
        Assert.False(float.IsNaN(grad[0]));
    }

    [Fact]
    public void Binary_cross_entropy_from_logits_and_from_probabilities_agree()
    {
        // z = 0.5, t = 1: L = ln(1 + e^−0.5) = 0.47407698; ∂L/∂z = σ(0.5) − 1 = −0.37754067
        var g = new float[1];
        Assert.Equal(0.47407698, LossKernels.BinaryCrossEntropy(new[] { 0.5f }, new[] { 1f }, g, 1f, false), 6);
        Assert.Equal(-0.37754067f, g[0], 6);
        float p = 1f / (1f + MathF.Exp(-0.5f));
        Assert.Equal(0.47407698, LossKernels.BinaryCrossEntropy(new[] { p }, new[] { 1f }, g, 1f, true), 5);
        Assert.Equal(-0.37754067f, g[0], 6);
        // Huge logits stay finite: z = −100, t = 1 → L = 100.
        Assert.Equal(100, LossKernels.BinaryCrossEntropy(new[] { -100f }, new[] { 1f }, default, 0f, false), 4);
        Assert.Throws<ArgumentException>(() => LossKernels.BinaryCrossEntropy(new[] { 0f }, new[] { 2f }, default, 0f, false));
    }

    [Fact]
    public void Mean_squared_error_sum_and_gradient()
    {
        var g = new float[2];
        Assert.Equal(1 + 4, LossKernels.MeanSquaredError(new[] { 1f, 0f }, new[] { 0f, 2f }, g, 0.5f), 6);
        Assert.Equal(new[] { 1f, -2f }, g); // 2(y − t)·0.5
    }

    [Fact]
    public void Activation_vector_and_scalar_forms_agree()
    {
        var rng = new Rng(3);
        var z = new float[8];
        for (int round = 0; round < 200; round++)
        {
            for (int i = 0; i < 8; i++) z[i] = rng.NextUniform(-12f, 12f);
            var v = System.Runtime.Intrinsics.Vector256.Create(z);
            void Same(Func<float, float> scalar, Func<System.Runtime.Intrinsics.Vector256<float>, System.Runtime.Intrinsics.Vector256<float>> vector)
            {
                var r = vector(v);
                for (int i = 0; i < 8; i++) Assert.Equal(scalar(z[i]), r[i], 1e-5f * Math.Max(1, Math.Abs(scalar(z[i]))));
            }
            Same(ActivationMath.Sigmoid, ActivationMath.Sigmoid);
            Same(ActivationMath.Tanh, ActivationMath.Tanh);
            Same(ActivationMath.ReLU, ActivationMath.ReLU);
            Same(x => ActivationMath.LeakyReLU(x, 0.1f), x => ActivationMath.LeakyReLU(x, 0.1f));
            Same(x => ActivationMath.ELU(x, 0.7f), x => ActivationMath.ELU(x, 0.7f));
            Same(ActivationMath.Softplus, ActivationMath.Softplus);
            Same(ActivationMath.Swish, ActivationMath.Swish);
            Assert.Equal(MathF.Tanh(z[0]), ActivationMath.Tanh(z[0]), 6);
        }
    }
}
