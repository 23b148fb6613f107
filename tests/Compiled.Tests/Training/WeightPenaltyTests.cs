using System;
using System.Linq;
using Compiled.Tests.Generator;
using Xunit;

namespace Compiled.Tests.Training;

/// <summary>A penalized network, for <see cref="WeightPenaltyTests"/>.</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 3)]
[Input(5)]
[Dense(17, Activation.Tanh, L2 = 0.01)]
[Dense(3, L1 = 0.02)]
public partial class PenalizedNet;

/// <summary>The same layers without penalties (the same seed draws the same weights).</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 3)]
[Input(5)]
[Dense(17, Activation.Tanh)]
[Dense(3)]
public partial class UnpenalizedNet;

/// <summary>A convolution with both penalties.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 4)]
[Input(2, 6, 6)]
[Conv2D(4, 3, Activation.ReLU, L1 = 0.001, L2 = 0.05)]
[GlobalAveragePool]
[Dense(3)]
public partial class PenalizedConvNet;

[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 4)]
[Input(2, 6, 6)]
[Conv2D(4, 3, Activation.ReLU)]
[GlobalAveragePool]
[Dense(3)]
public partial class UnpenalizedConvNet;

/// <summary>
/// Per-layer L1 and L2: the training loss grows by exactly λ₁·Σ|W| + λ₂·ΣW² of the penalized layers' weights (computed
/// here in double from the weights), their gradient by λ₁·sign(W) + 2·λ₂·W, and nothing else changes.
/// </summary>
public sealed class WeightPenaltyTests
{
    [Fact]
    public void Dense_penalties_add_their_value_to_the_loss_and_their_derivative_to_the_weights_gradient()
    {
        var rng = new Rng(8);
        float[] x = Enumerable.Range(0, 4 * 5).Select(_ => rng.NextUniform(-1, 1)).ToArray();
        float[] t = Enumerable.Range(0, 4 * 3).Select(_ => rng.NextUniform(-1, 1)).ToArray();
        var penalized = new PenalizedNet();
        var plain = new UnpenalizedNet();
        Assert.Equal(plain.Parameters.ToArray(), penalized.Parameters.ToArray());
        float lossPenalized = penalized.ComputeGradients(x, t), lossPlain = plain.ComputeGradients(x, t);

        float[] w1 = penalized.Dense1Weights.ToArray(), w2 = penalized.Dense2Weights.ToArray();
        double expected = 0.01 * w1.Sum(w => (double)w * w) + 0.02 * w2.Sum(w => Math.Abs((double)w));
        Assert.Equal(lossPlain + expected, lossPenalized, 5);

        float[] g1 = penalized.Dense1WeightsGradient.ToArray(), g1Plain = plain.Dense1WeightsGradient.ToArray();
        for (int i = 0; i < w1.Length; i++) Assert.Equal(g1Plain[i] + 2 * 0.01f * w1[i], g1[i], 1e-6f); // a tolerance, not "6 decimal places": rounding both can split values 1e-8 apart
        float[] g2 = penalized.Dense2WeightsGradient.ToArray(), g2Plain = plain.Dense2WeightsGradient.ToArray();
        for (int i = 0; i < w2.Length; i++) Assert.Equal(g2Plain[i] + 0.02f * Math.Sign(w2[i]), g2[i], 1e-6f);
        Assert.Equal(plain.Dense1BiasGradient.ToArray(), penalized.Dense1BiasGradient.ToArray());
        Assert.Equal(plain.Dense2BiasGradient.ToArray(), penalized.Dense2BiasGradient.ToArray());
    }

    [Fact]
    public void Convolution_penalties_cover_its_weights_but_not_its_bias()
    {
        var rng = new Rng(9);
        float[] x = Enumerable.Range(0, 3 * 72).Select(_ => rng.NextUniform(-1, 1)).ToArray();
        float[] labels = { 0, 2, 1 };
        var penalized = new PenalizedConvNet();
        var plain = new UnpenalizedConvNet();
        float lossPenalized = penalized.ComputeGradients(x, labels), lossPlain = plain.ComputeGradients(x, labels);
        float[] w = penalized.Conv1Weights.ToArray();
        double expected = w.Sum(v => 0.001 * Math.Abs((double)v) + 0.05 * (double)v * v);
        Assert.Equal(lossPlain + expected, lossPenalized, 5);
        float[] g = penalized.Conv1WeightsGradient.ToArray(), gPlain = plain.Conv1WeightsGradient.ToArray();
        for (int i = 0; i < w.Length; i++) Assert.Equal(gPlain[i] + 0.001f * Math.Sign(w[i]) + 0.1f * w[i], g[i], 1e-6f);
        Assert.Equal(plain.Conv1BiasGradient.ToArray(), penalized.Conv1BiasGradient.ToArray());
        Assert.Equal(plain.Dense1WeightsGradient.ToArray(), penalized.Dense1WeightsGradient.ToArray());
    }

    [Fact]
    public void L2_shrinks_the_weights_that_training_learns()
    {
        var data = TestData.Load("digits.csv.gz");
        var strong = new PenaltyDigitsNet();
        var none = new DigitsNoPenaltyNet();
        var options = new FitOptions { Epochs = 3, BatchSize = 64, Optimizer = new Sgd(0.05f), Seed = 2 };
        strong.Fit(data, options);
        none.Fit(data, new FitOptions { Epochs = 3, BatchSize = 64, Optimizer = new Sgd(0.05f), Seed = 2 });
        double Norm(ReadOnlySpan<float> v) { double s = 0; foreach (float f in v) s += f * f; return s; }
        Assert.True(Norm(strong.Dense1Weights) < 0.9 * Norm(none.Dense1Weights), // pure decay over the 87 steps alone: × (1 − 2·0.05·0.01)^174 ≈ 0.84
            $"‖W‖² with L2 {Norm(strong.Dense1Weights)}, without {Norm(none.Dense1Weights)}");
    }

    [Theory]
    [InlineData("L2 = -0.1", "L2 = -0.1: a penalty must be 0 or a positive number")]
    [InlineData("L1 = 1e300", "L1 = 1E+300: a penalty must be 0 or a positive number")]
    [InlineData("L1 = double.NaN", "L1 = NaN: a penalty must be 0 or a positive number")]
    public void Negative_or_non_finite_penalties_are_CMP006(string argument, string message)
    {
        var run = GeneratorHarness.Run($"using Compiled;\n\nnamespace Bad;\n\n[Network(Loss = Loss.MeanSquaredError)]\n[Input(2)]\n[Dense(1, {argument})]\npublic partial class Net;\n");
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("CMP006", diagnostic.Id);
        Assert.Contains(message, diagnostic.GetMessage());
    }
}

[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 11)]
[Input(64)]
[Dense(32, Activation.ReLU, L2 = 0.01)]
[Dense(10)]
public partial class PenaltyDigitsNet;

[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 11)]
[Input(64)]
[Dense(32, Activation.ReLU)]
[Dense(10)]
public partial class DigitsNoPenaltyNet;
