using System;
using Compiled.Kernels;
using Compiled.Tests.Images;
using Compiled.Tests.Networks;
using Compiled.Tests.Numerics;
using Xunit;

namespace Compiled.Tests.Training;

/// <summary>Label smoothing: a hand-computed example (which PyTorch 1.13's cross_entropy reproduces), and the generated backward against finite differences.</summary>
public sealed class LabelSmoothingTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Smoothed_loss_and_gradient_match_the_hand_computed_values(bool fromProbabilities)
    {
        // Logits (0, ln 2, ln 5): p = (1/8, 2/8, 5/8). Label 2, ε = 0.3: q = (0.1, 0.1, 0.8).
        // L = −(0.1·ln(1/8) + 0.1·ln(1/4) + 0.8·ln(5/8)) = 0.72257649…; ∂L/∂z = p − q = (0.025, 0.15, −0.175).
        // (torch.nn.functional.cross_entropy(z, [2], label_smoothing=0.3) gives the same 0.7225764936765611.)
        float[] outputs = fromProbabilities ? new[] { 0.125f, 0.25f, 0.625f } : new[] { 0f, MathF.Log(2), MathF.Log(5) };
        var gradient = new float[3];
        double loss = LossKernels.SoftmaxCrossEntropy(outputs, new float[] { 2 }, gradient, 1, 3, 1f, fromProbabilities, labelSmoothing: 0.3f);
        Assert.True(Math.Abs(loss - 0.7225764936765611) < 1e-6, $"loss {loss}");
        Assert.Equal(0.025f, gradient[0], 6);
        Assert.Equal(0.15f, gradient[1], 6);
        Assert.Equal(-0.175f, gradient[2], 6);
        Assert.Throws<ArgumentOutOfRangeException>(() => LossKernels.SoftmaxCrossEntropy(outputs, new float[] { 2 }, gradient, 1, 3, 1f, fromProbabilities, labelSmoothing: 1f));
    }

    [Theory]
    [InlineData("SmoothedClassifier")]
    [InlineData("SmoothedSoftmaxOutput")]
    public void Generated_backward_matches_central_differences(string name)
    {
        var @case = new GradientCase(() => name == "SmoothedClassifier" ? new SmoothedClassifier() : new SmoothedSoftmaxOutput(), Loss.SoftmaxCrossEntropy);
        Assert.Null(GradientCheckTests.Check(name, @case, seed: 31, batch: 6, checkedParameters: null));
    }

    [Fact]
    public void Smoothing_raises_the_loss_of_a_confident_right_answer()
    {
        // The same network and data with and without smoothing: a perfect one-hot prediction costs nothing
        // unsmoothed, but smoothing asks for ε/classes on the other classes.
        var plain = new float[] { 20f, 0f, 0f, 0f };
        var none = LossKernels.SoftmaxCrossEntropy(plain, new float[] { 0 }, default, 1, 4, 0f, false);
        var smoothed = LossKernels.SoftmaxCrossEntropy(plain, new float[] { 0 }, default, 1, 4, 0f, false, labelSmoothing: 0.2f);
        Assert.True(none < 1e-6);
        Assert.True(smoothed > 2.9); // about 0.05·3·20
    }
}
