using System;
using Xunit;

namespace Compiled.Tests.Training;

/// <summary>
/// Behaviours of the optimizers the mutation runs of 2026-11-25 found untested: an ε large enough to matter in
/// AdaGrad and RMSProp (vector body and scalar tail, against the formula worked in double), steps on a slice of a
/// longer buffer that must not touch the element after it, and what the constructors' errors say.
/// </summary>
public sealed class TrainingGapTests
{
    /// <summary>37 values: the vector body (4, 8 or 16 lanes) and a scalar tail on every machine.</summary>
    private const int N = 37;

    private static float[] Filled(float value, int n = N)
    {
        var a = new float[n];
        Array.Fill(a, value);
        return a;
    }

    private static void AllNear(double expected, float[] actual, int n = N)
    {
        for (int i = 0; i < n; i++)
            Assert.True(Math.Abs(actual[i] - expected) <= 1e-6 * (1 + Math.Abs(expected)), $"p[{i}] = {actual[i]:R}, expected {expected:R}");
    }

    [Fact]
    public void AdaGrad_adds_epsilon_to_the_root_of_the_sum()
    {
        // ε = 1, G from 0, g = 1, η = 0.1: step t moves p by −0.1 / (√t + 1).
        var p = new float[N];
        var adaGrad = new AdaGrad(0.1f, epsilon: 1f);
        adaGrad.Step(p, Filled(1f));
        AllNear(-0.1 / 2, p);
        adaGrad.Step(p, Filled(1f));
        AllNear(-0.1 / 2 - 0.1 / (Math.Sqrt(2) + 1), p);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RmsProp_adds_epsilon_to_the_root_mean_square(bool centered)
    {
        // ε = 1, α = 0.5, g = 1, η = 0.1. Step 1: s = 0.5 (ḡ = 0.5, s − ḡ² = 0.25 if centered);
        // step 2: s = 0.75 (ḡ = 0.75, s − ḡ² = 0.1875).
        var p = new float[N];
        var rms = new RmsProp(0.1f, alpha: 0.5f, epsilon: 1f, centered: centered);
        rms.Step(p, Filled(1f));
        double first = 0.1 / (Math.Sqrt(centered ? 0.25 : 0.5) + 1);
        AllNear(-first, p);
        rms.Step(p, Filled(1f));
        AllNear(-first - 0.1 / (Math.Sqrt(centered ? 0.1875 : 0.75) + 1), p);
    }

    public static TheoryData<string> Configurations() => new(
        "sgd", "sgd weight decay", "sgd momentum", "sgd nesterov", "sgd sutskever nesterov",
        "adagrad", "rmsprop", "rmsprop centered momentum", "adam", "adamw");

    private static Optimizer Create(string name) => name switch
    {
        "sgd" => new Sgd(0.1f),
        "sgd weight decay" => new Sgd(0.1f, weightDecay: 0.01f),
        "sgd momentum" => new Sgd(0.1f, momentum: 0.9f),
        "sgd nesterov" => new Sgd(0.1f, momentum: 0.9f, nesterov: true),
        "sgd sutskever nesterov" => new Sgd(0.1f, momentum: 0.9f, nesterov: true, form: MomentumForm.Sutskever),
        "adagrad" => new AdaGrad(0.1f),
        "rmsprop" => new RmsProp(0.01f),
        "rmsprop centered momentum" => new RmsProp(0.01f, momentum: 0.5f, centered: true),
        "adam" => new Adam(0.01f),
        "adamw" => new AdamW(0.01f),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void A_step_on_a_slice_leaves_the_next_element_alone(string name)
    {
        // The network's buffers are often views into larger arrays: the update must stop at the span's end.
        var p = Filled(0.5f, N + 1);
        var g = Filled(1f, N + 1);
        p[N] = 123f;
        var optimizer = Create(name);
        for (int t = 0; t < 3; t++) optimizer.Step(p.AsSpan(0, N), g.AsSpan(0, N));
        Assert.Equal(123f, p[N]);
        for (int i = 0; i < N; i++) Assert.NotEqual(0.5f, p[i]); // and every element of the span moved
    }

    [Fact]
    public void Constructor_errors_say_what_range_is_allowed()
    {
        static string Message(Action create) => Assert.ThrowsAny<ArgumentOutOfRangeException>(create).Message;

        Assert.Contains("ε must be positive", Message(() => new AdaGrad(epsilon: 0f)));
        Assert.Contains("initial accumulator value must be a finite number ≥ 0", Message(() => new AdaGrad(initialAccumulator: -1f)));
        Assert.Contains("learning-rate decay must be a finite number ≥ 0", Message(() => new AdaGrad(learningRateDecay: -1f)));
        Assert.Contains("α must lie in [0, 1)", Message(() => new RmsProp(alpha: 1f)));
        Assert.Contains("ε must be positive", Message(() => new RmsProp(epsilon: 0f)));
        Assert.Contains("Momentum must lie in [0, 1)", Message(() => new RmsProp(momentum: 1f)));
        Assert.Contains("Momentum must lie in [0, 1)", Message(() => new Sgd(momentum: 1f)));
        Assert.Contains("β₁ must lie in [0, 1)", Message(() => new Adam(beta1: 1f)));
        Assert.Contains("β₂ must lie in [0, 1)", Message(() => new Adam(beta2: 1f)));
        Assert.Contains("ε must be positive", Message(() => new Adam(epsilon: 0f)));
        Assert.Contains("Weight decay must be a finite number ≥ 0", Message(() => new AdaGrad(weightDecay: -1f)));
    }
}
