using System;
using System.Linq;
using Compiled.Tests.Networks;
using Xunit;

namespace Compiled.Tests.Numerics;

public sealed class DropoutTests
{
    /// <summary>
    /// Input(1000) → Dropout(0.5) → Dense(1) with x = 1: ∂L/∂wⱼ = dz·mⱼ and ∂L/∂b = dz, so the weight
    /// gradient reveals the mask: about half zeros, the rest exactly dz/(1 − p) = 2·dz.
    /// </summary>
    [Fact]
    public void Training_mask_drops_about_p_and_scales_survivors_by_inverse_keep()
    {
        var net = new DropoutProbe(seed: 9);
        var x = Enumerable.Repeat(1f, DropoutProbe.InputSize).ToArray();
        net.ComputeGradients(x, new[] { 3f });
        float dz = net.Dense1BiasGradient[0];
        Assert.NotEqual(0f, dz);
        var dw = net.Dense1WeightsGradient.ToArray();
        int zeros = dw.Count(g => g == 0f);
        Assert.InRange(zeros, 450, 550); // Binomial(1000, 0.5): ±3.2σ
        foreach (var g in dw.Where(g => g != 0f)) Assert.Equal(2 * dz, g, 5);
    }

    [Fact]
    public void Masks_differ_between_steps_and_inference_is_the_identity()
    {
        var net = new DropoutProbe(seed: 9);
        var x = Enumerable.Repeat(1f, DropoutProbe.InputSize).ToArray();
        net.ComputeGradients(x, new[] { 3f });
        var first = net.Dense1WeightsGradient.ToArray().Select(g => g != 0f).ToArray();
        net.ComputeGradients(x, new[] { 3f });
        var second = net.Dense1WeightsGradient.ToArray().Select(g => g != 0f).ToArray();
        Assert.False(first.SequenceEqual(second));

        // Inference: y = Σ wⱼ·1 + b exactly, no mask and no scaling.
        double expected = net.Dense1Weights.ToArray().Sum(w => (double)w) + net.Dense1Bias[0];
        var y = new float[1];
        net.Predict(x, y);
        Assert.Equal(expected, y[0], 3);
    }
}
