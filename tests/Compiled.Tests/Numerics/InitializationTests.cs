using System;
using System.Linq;
using Compiled.Tests.Networks;
using Xunit;

namespace Compiled.Tests.Numerics;

/// <summary>Initialization against the published schemes: He uniform U(±√(6/fanIn)), Glorot uniform U(±√(6/(fanIn+fanOut))).</summary>
public sealed class InitializationTests
{
    [Fact]
    public void Relu_layer_gets_he_uniform_output_layer_glorot_uniform_biases_zero()
    {
        var net = new DigitsNet(seed: 123); // 64 → Dense 64 ReLU → Dropout → Dense 10
        AssertUniform(net.Dense1Weights.ToArray(), Math.Sqrt(6.0 / 64));
        AssertUniform(net.Dense2Weights.ToArray(), Math.Sqrt(6.0 / (64 + 10)));
        Assert.All(net.Dense1Bias.ToArray(), b => Assert.Equal(0f, b));
        Assert.All(net.Dense2Bias.ToArray(), b => Assert.Equal(0f, b));
    }

    [Fact]
    public void Same_seed_same_weights_other_seed_other_weights()
    {
        Assert.True(new DigitsNet(seed: 5).Parameters.SequenceEqual(new DigitsNet(seed: 5).Parameters));
        Assert.False(new DigitsNet(seed: 5).Parameters.SequenceEqual(new DigitsNet(seed: 6).Parameters));
        // The parameterless constructor uses [Network(Seed = 11)].
        Assert.True(new DigitsNet().Parameters.SequenceEqual(new DigitsNet(seed: 11).Parameters));
    }

    private static void AssertUniform(float[] weights, double limit)
    {
        Assert.All(weights, w => Assert.InRange(w, -limit, limit));
        // U(−a, a) has mean 0 and variance a²/3; with n samples the estimates are within a few σ.
        double mean = weights.Average(w => (double)w);
        double variance = weights.Average(w => (w - mean) * (w - mean));
        double n = weights.Length;
        Assert.InRange(mean, -4 * limit / Math.Sqrt(3 * n), 4 * limit / Math.Sqrt(3 * n));
        Assert.InRange(variance / (limit * limit / 3), 0.85, 1.15);
        // Both halves of the range are used: the limit is the scheme's, not a smaller one.
        Assert.True(weights.Max() > 0.95 * limit && weights.Min() < -0.95 * limit);
    }
}
