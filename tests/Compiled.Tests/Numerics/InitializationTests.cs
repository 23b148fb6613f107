using System;
using System.Linq;
using Compiled;
using Compiled.Tests.Networks;
using Xunit;

namespace Compiled.Tests.Numerics;

/// <summary>Every initializer chosen explicitly, on layers wide enough for tight moment estimates.</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 21)]
[Input(512)]
[Dense(256, Activation.Tanh, Initializer = Initializer.HeNormal)]
[Dense(384, Activation.ReLU, Initializer = Initializer.GlorotNormal)]
[Dense(200, Activation.Tanh, Initializer = Initializer.HeUniform)]
[Dense(300, Activation.ReLU, Initializer = Initializer.GlorotUniform)]
public partial class InitializerProbe;

/// <summary>The network-wide default applies to layers that do not override it.</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 21, Initializer = Initializer.HeNormal)]
[Input(400)]
[Dense(300, Activation.Tanh)]
[Dense(100, Initializer = Initializer.GlorotUniform)]
public partial class NetworkInitializerProbe;

/// <summary>Zeros and constants per layer, on every layer kind that takes an initializer; the ReLU layer keeps its default.</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 21)]
[Input(2, 6, 6)]
[Conv2D(3, 3, Activation.ReLU, Initializer = Initializer.Constant, InitialValue = 0.1)]
[Conv2DTranspose(2, 2, Initializer = Initializer.Zeros)]
[SeparableConv2D(4, 3, Activation.ReLU, DepthMultiplier = 2, Initializer = Initializer.Constant, InitialValue = -0.375)]
[Dense(40, Activation.ReLU)]
[Dense(3, Initializer = Initializer.Constant, InitialValue = 1e-3)]
public partial class ConstantInitializerProbe;

/// <summary>A network-wide constant: layers without their own initializer take it; one overrides it with zeros, one with He.</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 21, Initializer = Initializer.Constant, InitialValue = 0.25)]
[Input(30)]
[Dense(20, Activation.Tanh)]
[Dense(4000, Activation.ReLU, Initializer = Initializer.HeUniform)]
[Dense(10, Initializer = Initializer.Zeros)]
[Dense(2)]
public partial class NetworkConstantProbe;

/// <summary>
/// Initialization against the published schemes: He uniform U(±√(6/fanIn)), Glorot uniform U(±√(6/(fanIn+fanOut))),
/// He normal N(0, 2/fanIn), Glorot normal N(0, 2/(fanIn+fanOut)); biases 0.
/// </summary>
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
    public void Explicit_initializers_follow_their_schemes_whatever_the_activation()
    {
        var net = new InitializerProbe(seed: 4);
        AssertNormal(net.Dense1Weights.ToArray(), 2.0 / 512);             // He normal on a tanh layer
        AssertNormal(net.Dense2Weights.ToArray(), 2.0 / (256 + 384));     // Glorot normal on a ReLU layer
        AssertUniform(net.Dense3Weights.ToArray(), Math.Sqrt(6.0 / 384)); // He uniform on a tanh layer
        AssertUniform(net.Dense4Weights.ToArray(), Math.Sqrt(6.0 / (200 + 300)));
        Assert.All(net.Dense1Bias.ToArray(), b => Assert.Equal(0f, b));
        Assert.All(net.Dense2Bias.ToArray(), b => Assert.Equal(0f, b));
        Assert.All(net.Dense3Bias.ToArray(), b => Assert.Equal(0f, b));
        Assert.All(net.Dense4Bias.ToArray(), b => Assert.Equal(0f, b));
    }

    [Fact]
    public void Network_initializer_is_the_default_and_a_layer_overrides_it()
    {
        var net = new NetworkInitializerProbe(seed: 8);
        AssertNormal(net.Dense1Weights.ToArray(), 2.0 / 400);
        AssertUniform(net.Dense2Weights.ToArray(), Math.Sqrt(6.0 / (300 + 100)));
    }

    [Fact]
    public void Zeros_and_constants_are_exact_and_the_default_still_follows_the_activation()
    {
        var net = new ConstantInitializerProbe(seed: 3);
        Assert.All(net.Conv1Weights.ToArray(), w => Assert.Equal(0.1f, w));
        Assert.All(net.Deconv1Weights.ToArray(), w => Assert.Equal(0f, w));
        Assert.All(net.Sepconv1DepthwiseWeights.ToArray(), w => Assert.Equal(-0.375f, w));
        Assert.All(net.Sepconv1PointwiseWeights.ToArray(), w => Assert.Equal(-0.375f, w));
        Assert.All(net.Dense2Weights.ToArray(), w => Assert.Equal(1e-3f, w));
        // The ReLU Dense between them has no initializer of its own: He uniform over its fan-in 4·3·3 = 36.
        AssertUniform(net.Dense1Weights.ToArray(), Math.Sqrt(6.0 / 36));
        Assert.All(net.Parameters.ToArray().Where((_, i) => IsBias(net, i)), b => Assert.Equal(0f, b));
        Assert.True(new ConstantInitializerProbe(seed: 4).Conv1Weights.SequenceEqual(net.Conv1Weights)); // no seed enters a constant
    }

    [Fact]
    public void Network_wide_constant_applies_where_a_layer_does_not_override_it()
    {
        var net = new NetworkConstantProbe(seed: 5);
        Assert.All(net.Dense1Weights.ToArray(), w => Assert.Equal(0.25f, w));
        AssertUniform(net.Dense2Weights.ToArray(), Math.Sqrt(6.0 / 20));
        Assert.All(net.Dense3Weights.ToArray(), w => Assert.Equal(0f, w));
        Assert.All(net.Dense4Weights.ToArray(), w => Assert.Equal(0.25f, w));
        Assert.All(net.Dense1Bias.ToArray(), b => Assert.Equal(0f, b));
        Assert.All(net.Dense4Bias.ToArray(), b => Assert.Equal(0f, b));
    }

    private static bool IsBias(ConstantInitializerProbe net, int index)
    {
        foreach (var tensor in ConstantInitializerProbe.Tensors)
            if (tensor.Name.EndsWith(".bias", StringComparison.Ordinal) && index >= tensor.Offset && index < tensor.Offset + tensor.Shape.Aggregate(1, (a, b) => a * b))
                return true;
        return false;
    }

    [Fact]
    public void Same_seed_same_weights_other_seed_other_weights()
    {
        Assert.True(new DigitsNet(seed: 5).Parameters.SequenceEqual(new DigitsNet(seed: 5).Parameters));
        Assert.False(new DigitsNet(seed: 5).Parameters.SequenceEqual(new DigitsNet(seed: 6).Parameters));
        // The parameterless constructor uses [Network(Seed = 11)].
        Assert.True(new DigitsNet().Parameters.SequenceEqual(new DigitsNet(seed: 11).Parameters));
    }

    /// <summary>
    /// N(0, v) with n samples: the sample mean has σ = √(v/n), the sample variance σ ≈ v·√(2/n); both must lie
    /// within 5σ. The fraction within one standard deviation is Binomial(n, 0.6827)/n (a uniform of the same
    /// variance gives 0.577), and the fourth moment is 3v² (uniform: 1.8v²), so the shape is normal too.
    /// </summary>
    private static void AssertNormal(float[] weights, double variance)
    {
        double n = weights.Length;
        Assert.True(n >= 40_000, "too few weights for the bounds below");
        double mean = weights.Average(w => (double)w);
        double sampleVariance = weights.Average(w => ((double)w - mean) * ((double)w - mean));
        double meanSigma = Math.Sqrt(variance / n);
        Assert.InRange(mean, -5 * meanSigma, 5 * meanSigma);
        double varianceSigma = variance * Math.Sqrt(2 / n);
        Assert.InRange(sampleVariance, variance - 5 * varianceSigma, variance + 5 * varianceSigma);

        double std = Math.Sqrt(variance);
        double withinOne = weights.Count(w => Math.Abs(w) <= std) / n;
        double shareSigma = Math.Sqrt(0.6827 * 0.3173 / n);
        Assert.InRange(withinOne, 0.6827 - 5 * shareSigma, 0.6827 + 5 * shareSigma);
        double fourth = weights.Average(w => Math.Pow(w, 4)) / (variance * variance);
        Assert.InRange(fourth, 2.7, 3.3); // kurtosis 3; its estimator's σ is √(96/n) < 0.05 here
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
