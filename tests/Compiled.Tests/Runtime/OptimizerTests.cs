using System;
using Xunit;

namespace Compiled.Tests.Runtime;

/// <summary>Optimizer updates against values computed by hand from the published update rules.</summary>
public sealed class OptimizerTests
{
    [Fact]
    public void Sgd_without_momentum_steps_against_the_gradient()
    {
        var p = new[] { 1f, -2f, 0.5f };
        new Sgd(0.1f).Step(p, new[] { 0.5f, -1f, 0f });
        Assert.Equal(new[] { 0.95f, -1.9f, 0.5f }, p);
    }

    [Fact]
    public void Sgd_momentum_accumulates_velocity()
    {
        // v₁ = g = 1 → p = 1 − 0.1 = 0.9; v₂ = 0.9·1 + 1 = 1.9 → p = 0.9 − 0.19 = 0.71
        var p = new[] { 1f };
        var sgd = new Sgd(0.1f, momentum: 0.9f);
        sgd.Step(p, new[] { 1f });
        Assert.Equal(0.9f, p[0], 6);
        sgd.Step(p, new[] { 1f });
        Assert.Equal(0.71f, p[0], 6);
    }

    [Fact]
    public void Adam_first_steps_match_the_paper()
    {
        // Step 1: m̂ = g, v̂ = g², so p −= η·g/(|g| + ε) ≈ η·sign(g), whatever the gradient's scale.
        var p = new float[20];
        var g = new float[20];
        for (int i = 0; i < g.Length; i++) g[i] = (i % 2 == 0 ? 1 : -1) * (i + 1) * 0.37f;
        var adam = new Adam(0.01f);
        adam.Step(p, g);
        for (int i = 0; i < p.Length; i++) Assert.Equal(-0.01f * MathF.Sign(g[i]), p[i], 5);

        // Step 2 with gradient 0.5g: m = 0.9·0.1g + 0.1·0.5g = 0.14g, m̂ = 0.14g/0.19;
        // v = 0.999·0.001g² + 0.001·0.25g² = 0.001249g², v̂ = v/(1 − 0.999²).
        for (int i = 0; i < g.Length; i++) g[i] *= 0.5f;
        var before = (float[])p.Clone();
        adam.Step(p, g);
        for (int i = 0; i < p.Length; i++)
        {
            double g0 = g[i] * 2;
            double mHat = 0.14 * g0 / 0.19, vHat = 0.001249 * g0 * g0 / (1 - 0.999 * 0.999);
            Assert.Equal(before[i] - 0.01 * mHat / (Math.Sqrt(vHat) + 1e-8), p[i], 5);
        }
        Assert.Equal(2, adam.StepCount);
    }

    [Fact]
    public void Bad_settings_and_size_changes_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta1: 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(momentum: 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(float.NaN));
        var adam = new Adam();
        adam.Step(new float[3], new float[3]);
        Assert.Throws<InvalidOperationException>(() => adam.Step(new float[4], new float[4]));
        Assert.Throws<ArgumentException>(() => adam.Step(new float[3], new float[2]));
    }

    /// <summary>
    /// ε matters where √v̂ is small: with g = 1e-6 and ε = 1e-6 the first step is η·g/(|g| + ε) = η/2,
    /// not η. 37 parameters: the vector body (4, 8 or 16 lanes) and the scalar tail both run.
    /// </summary>
    [Fact]
    public void Adam_epsilon_enters_as_in_the_paper()
    {
        var p = new float[37];
        var g = new float[37];
        for (int i = 0; i < g.Length; i++) g[i] = i % 3 == 0 ? -1e-6f : 1e-6f;
        var adam = new Adam(0.1f, epsilon: 1e-6f);
        adam.Step(p, g);
        for (int i = 0; i < p.Length; i++) Assert.Equal(-0.05 * Math.Sign(g[i]), p[i], 1e-5);

        // Step 2, gradient unchanged: m̂ = g, v̂ = g² (both corrections exact), ε_t enters as ε·√(1−β₂²)/√(1−β₂²) = ε.
        adam.Step(p, g);
        for (int i = 0; i < p.Length; i++) Assert.Equal(-0.1 * Math.Sign(g[i]), p[i], 1e-5);
    }

    /// <summary>Momentum over 37 parameters (vector body and tail): v₁ = g, v₂ = μv₁ + g, v₃ = μv₂ + g.</summary>
    [Fact]
    public void Sgd_momentum_accumulates_in_every_lane()
    {
        var p = new float[37];
        var g = new float[37];
        for (int i = 0; i < g.Length; i++) g[i] = 0.25f * (i + 1) * (i % 2 == 0 ? 1 : -1);
        var sgd = new Sgd(0.1f, momentum: 0.5f);
        for (int step = 0; step < 3; step++) sgd.Step(p, g);
        // Σ of velocities: g + 1.5g + 1.75g = 4.25g; p = −η·4.25g.
        for (int i = 0; i < p.Length; i++) Assert.Equal(-0.1 * 4.25 * g[i], p[i], 1e-5 * Math.Abs(g[i]));
    }

    [Fact]
    public void Sgd_without_momentum_updates_every_lane()
    {
        var p = new float[37];
        var g = new float[37];
        for (int i = 0; i < g.Length; i++) g[i] = i - 18;
        new Sgd(0.5f).Step(p, g);
        for (int i = 0; i < p.Length; i++) Assert.Equal(-0.5f * (i - 18), p[i]);
    }

    /// <summary>Every bound of every setting, with the inclusive ends accepted.</summary>
    [Fact]
    public void Every_setting_bound_is_checked_at_its_edge()
    {
        foreach (float bad in new[] { -0.1f, 1f, float.NaN })
        {
            Assert.Equal("beta1", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta1: bad)).ParamName);
            Assert.Equal("beta2", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta2: bad)).ParamName);
            Assert.Equal("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(momentum: bad)).ParamName);
        }
        foreach (float bad in new[] { 0f, -1e-8f, float.NaN })
            Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(epsilon: bad)).ParamName);
        foreach (float bad in new[] { 0f, -0.1f, float.NaN, float.PositiveInfinity })
            Assert.Contains("positive finite", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(bad)).Message);
        // The edges that are allowed.
        Assert.Equal(0f, new Adam(beta1: 0f, beta2: 0f).Beta1);
        Assert.Equal(0f, new Sgd(momentum: 0f).Momentum);
        Assert.Equal(float.Epsilon, new Adam(epsilon: float.Epsilon).Epsilon);
    }
}
