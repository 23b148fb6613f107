using System;
using Xunit;

namespace Compiled.Tests.Training;

/// <summary>
/// Every optimizer and option against two steps worked out by hand from the published update rule (PyTorch's
/// documentation of torch.optim), on p = [1, −2] with g₁ = [0.5, −1] then g₂ = [1, 2] unless a test says
/// otherwise. The arithmetic is in the comments; square roots that do not come out even are left to Math.Sqrt.
/// </summary>
public sealed class OptimizerRuleTests
{
    private static readonly float[] G1 = { 0.5f, -1f }, G2 = { 1f, 2f };

    /// <summary>Two steps from p = [1, −2]; after each, the parameters must be within 1e-6 of the hand values.</summary>
    private static void TwoSteps(Optimizer optimizer, double[] afterFirst, double[] afterSecond, float? secondLearningRate = null,
        float[]? g1 = null, float[]? g2 = null)
    {
        var p = new[] { 1f, -2f };
        optimizer.Step(p, g1 ?? G1);
        Close(afterFirst, p, "step 1");
        if (secondLearningRate is float lr) optimizer.LearningRate = lr;
        optimizer.Step(p, g2 ?? G2);
        Close(afterSecond, p, "step 2");
        Assert.Equal(2, optimizer.StepCount);
    }

    private static void Close(double[] expected, float[] actual, string when)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6, $"{when}, p[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

    // ---- SGD ----

    [Fact]
    public void Sgd_plain()
    {
        // η = 0.1. Step 1: p = [1 − 0.05, −2 + 0.1] = [0.95, −1.9]. Step 2: [0.95 − 0.1, −1.9 − 0.2] = [0.85, −2.1].
        TwoSteps(new Sgd(0.1f), [0.95, -1.9], [0.85, -2.1]);
    }

    [Fact]
    public void Sgd_weight_decay_adds_lambda_p_to_the_gradient()
    {
        // η = 0.1, λ = 0.5. Step 1: g' = [0.5 + 0.5, −1 − 1] = [1, −2]; p = [0.9, −1.8].
        // Step 2: g' = [1 + 0.45, 2 − 0.9] = [1.45, 1.1]; p = [0.9 − 0.145, −1.8 − 0.11] = [0.755, −1.91].
        TwoSteps(new Sgd(0.1f, weightDecay: 0.5f), [0.9, -1.8], [0.755, -1.91]);
    }

    [Fact]
    public void Sgd_momentum_pytorch_form()
    {
        // η = 0.1, μ = 0.9. Step 1: v = g₁ = [0.5, −1]; p = [0.95, −1.9].
        // Step 2: v = 0.9·[0.5, −1] + [1, 2] = [1.45, 1.1]; p = [0.95 − 0.145, −1.9 − 0.11] = [0.805, −2.01].
        TwoSteps(new Sgd(0.1f, momentum: 0.9f), [0.95, -1.9], [0.805, -2.01]);
    }

    [Fact]
    public void Sgd_momentum_pytorch_form_scales_the_whole_velocity_by_a_new_learning_rate()
    {
        // Step 2 with η = 0.05: v = [1.45, 1.1] as above; p = [0.95 − 0.0725, −1.9 − 0.055] = [0.8775, −1.955].
        TwoSteps(new Sgd(0.1f, momentum: 0.9f), [0.95, -1.9], [0.8775, -1.955], secondLearningRate: 0.05f);
    }

    [Fact]
    public void Sgd_momentum_sutskever_form_equals_pytorch_while_the_learning_rate_is_constant()
    {
        // η = 0.1, μ = 0.9. Step 1: v = −0.1·[0.5, −1] = [−0.05, 0.1]; p = [0.95, −1.9].
        // Step 2: v = 0.9·[−0.05, 0.1] − 0.1·[1, 2] = [−0.145, −0.11]; p = [0.805, −2.01].
        TwoSteps(new Sgd(0.1f, momentum: 0.9f, form: MomentumForm.Sutskever), [0.95, -1.9], [0.805, -2.01]);
    }

    [Fact]
    public void Sgd_momentum_sutskever_form_applies_a_new_learning_rate_to_new_gradients_only()
    {
        // Step 2 with η = 0.05: v = 0.9·[−0.05, 0.1] − 0.05·[1, 2] = [−0.095, −0.01]; p = [0.855, −1.91]
        // (the PyTorch form gives [0.8775, −1.955]).
        TwoSteps(new Sgd(0.1f, momentum: 0.9f, form: MomentumForm.Sutskever), [0.95, -1.9], [0.855, -1.91], secondLearningRate: 0.05f);
    }

    [Fact]
    public void Sgd_nesterov_pytorch_form()
    {
        // η = 0.1, μ = 0.9. Step 1: v = [0.5, −1]; d = g + μv = [0.5 + 0.45, −1 − 0.9] = [0.95, −1.9];
        // p = [1 − 0.095, −2 + 0.19] = [0.905, −1.81].
        // Step 2: v = [1.45, 1.1]; d = [1 + 1.305, 2 + 0.99] = [2.305, 2.99]; p = [0.905 − 0.2305, −1.81 − 0.299] = [0.6745, −2.109].
        TwoSteps(new Sgd(0.1f, momentum: 0.9f, nesterov: true), [0.905, -1.81], [0.6745, -2.109]);
    }

    [Fact]
    public void Sgd_nesterov_sutskever_form()
    {
        // η = 0.1, μ = 0.9, with step 2 at η = 0.05 (where the forms differ).
        // Step 1: v = [−0.05, 0.1]; p += μv − ηg = [−0.045 − 0.05, 0.09 + 0.1] = [−0.095, 0.19] → [0.905, −1.81].
        // Step 2: v = 0.9·[−0.05, 0.1] − 0.05·[1, 2] = [−0.095, −0.01];
        // p += 0.9·[−0.095, −0.01] − 0.05·[1, 2] = [−0.0855 − 0.05, −0.009 − 0.1] = [−0.1355, −0.109] → [0.7695, −1.919].
        TwoSteps(new Sgd(0.1f, momentum: 0.9f, nesterov: true, form: MomentumForm.Sutskever), [0.905, -1.81], [0.7695, -1.919], secondLearningRate: 0.05f);
    }

    [Fact]
    public void Sgd_sutskever_form_with_weight_decay()
    {
        // η = 0.1, μ = 0.5, λ = 0.5. Step 1: g' = [1, −2]; v = −0.1·g' = [−0.1, 0.2]; p = [0.9, −1.8].
        // Step 2: g' = [1 + 0.45, 2 − 0.9] = [1.45, 1.1]; v = 0.5·[−0.1, 0.2] − [0.145, 0.11] = [−0.195, −0.01];
        // p = [0.705, −1.81].
        TwoSteps(new Sgd(0.1f, momentum: 0.5f, weightDecay: 0.5f, form: MomentumForm.Sutskever), [0.9, -1.8], [0.705, -1.81]);
    }

    [Fact]
    public void Sgd_nesterov_with_weight_decay()
    {
        // η = 0.1, μ = 0.5, λ = 0.5. Step 1: g' = [1, −2]; v = g'; d = g' + 0.5v = [1.5, −3]; p = [0.85, −1.7].
        // Step 2: g' = [1 + 0.425, 2 − 0.85] = [1.425, 1.15]; v = 0.5·[1, −2] + g' = [1.925, 0.15];
        // d = g' + 0.5v = [1.425 + 0.9625, 1.15 + 0.075] = [2.3875, 1.225]; p = [0.85 − 0.23875, −1.7 − 0.1225] = [0.61125, −1.8225].
        TwoSteps(new Sgd(0.1f, momentum: 0.5f, nesterov: true, weightDecay: 0.5f), [0.85, -1.7], [0.61125, -1.8225]);
    }

    // ---- AdaGrad ----

    [Fact]
    public void AdaGrad_plain()
    {
        // η = 0.1, ε = 1e-10. Step 1: G = [0.25, 1]; √G = [0.5, 1]; p −= 0.1·[1, −1] → [0.9, −1.9].
        // Step 2: G = [1.25, 5]; p −= 0.1·[1/√1.25, 2/√5] (both 0.894427…) → [0.810557…, −1.989443…].
        TwoSteps(new AdaGrad(0.1f), [1 - 0.1 * 0.5 / (0.5 + 1e-10), -2 + 0.1],
            [0.9 - 0.1 * 1 / (Math.Sqrt(1.25) + 1e-10), -1.9 - 0.1 * 2 / (Math.Sqrt(5) + 1e-10)]);
    }

    [Fact]
    public void AdaGrad_initial_accumulator_and_learning_rate_decay()
    {
        // η = 0.1, G₀ = 0.75, δ = 1; g₁ = [0.5, −0.5]. Step 1 (η₁ = 0.1): G = [1, 1]; p = [0.95, −1.95].
        // Step 2 (η₂ = 0.1/(1 + 1·1) = 0.05): G = [1 + 1, 1 + 4] = [2, 5]; p = [0.95 − 0.05/√2, −1.95 − 0.05·2/√5].
        TwoSteps(new AdaGrad(0.1f, initialAccumulator: 0.75f, learningRateDecay: 1f), [0.95, -1.95],
            [0.95 - 0.05 / Math.Sqrt(2), -1.95 - 0.05 * 2 / Math.Sqrt(5)], g1: [0.5f, -0.5f]);
    }

    [Fact]
    public void AdaGrad_weight_decay()
    {
        // η = 0.1, λ = 0.5. Step 1: g' = [1, −2]; G = [1, 4]; p −= 0.1·[1, −1] → [0.9, −1.9].
        // Step 2: g' = [1 + 0.45, 2 − 0.95] = [1.45, 1.05]; G = [1 + 2.1025, 4 + 1.1025] = [3.1025, 5.1025];
        // p −= 0.1·g'/√G.
        TwoSteps(new AdaGrad(0.1f, weightDecay: 0.5f), [0.9, -1.9],
            [0.9 - 0.1 * 1.45 / Math.Sqrt(3.1025), -1.9 - 0.1 * 1.05 / Math.Sqrt(5.1025)]);
    }

    // ---- RMSProp ----

    [Fact]
    public void RmsProp_plain()
    {
        // η = 0.01, α = 0.99. Step 1: s = 0.01·g² = [0.0025, 0.01]; √s = [0.05, 0.1]; g/√s = [10, −10]; p = [0.9, −1.9].
        // Step 2: s = 0.99·[0.0025, 0.01] + 0.01·[1, 4] = [0.012475, 0.0499]; p −= 0.01·[1/√0.012475, 2/√0.0499].
        TwoSteps(new RmsProp(0.01f), [0.9, -1.9], [0.9 - 0.01 / Math.Sqrt(0.012475), -1.9 - 0.02 / Math.Sqrt(0.0499)]);
    }

    [Fact]
    public void RmsProp_momentum()
    {
        // η = 0.01, α = 0.75, μ = 0.5. Step 1: s = 0.25·g² = [0.0625, 0.25]; √s = [0.25, 0.5]; b = g/√s = [2, −2];
        // p = [0.98, −1.98]. Step 2: s = 0.75·[0.0625, 0.25] + 0.25·[1, 4] = [0.296875, 1.1875];
        // b = 0.5·[2, −2] + [1/√0.296875, 2/√1.1875]; p −= 0.01·b.
        double b0 = 1 + 1 / Math.Sqrt(0.296875), b1 = -1 + 2 / Math.Sqrt(1.1875);
        TwoSteps(new RmsProp(0.01f, alpha: 0.75f, momentum: 0.5f), [0.98, -1.98], [0.98 - 0.01 * b0, -1.98 - 0.01 * b1]);
    }

    [Fact]
    public void RmsProp_centered()
    {
        // η = 0.01, α = 0.75. Step 1: s = [0.0625, 0.25]; ḡ = 0.25·g = [0.125, −0.25];
        // s − ḡ² = [0.0625 − 0.015625, 0.25 − 0.0625] = [0.046875, 0.1875]; p = [1 − 0.01·0.5/√0.046875, −2 + 0.01/√0.1875].
        // Step 2: s = [0.296875, 1.1875]; ḡ = 0.75·[0.125, −0.25] + 0.25·[1, 2] = [0.34375, 0.3125];
        // s − ḡ² = [0.296875 − 0.1181640625, 1.1875 − 0.09765625] = [0.1787109375, 1.08984375]; p −= 0.01·[1, 2]/√(s − ḡ²).
        double a0 = 1 - 0.005 / Math.Sqrt(0.046875), a1 = -2 + 0.01 / Math.Sqrt(0.1875);
        TwoSteps(new RmsProp(0.01f, alpha: 0.75f, centered: true), [a0, a1],
            [a0 - 0.01 / Math.Sqrt(0.1787109375), a1 - 0.02 / Math.Sqrt(1.08984375)]);
    }

    [Fact]
    public void RmsProp_weight_decay()
    {
        // η = 0.01, α = 0.75, λ = 0.5. Step 1: g' = [1, −2]; s = 0.25·[1, 4] = [0.25, 1]; g'/√s = [2, −2]; p = [0.98, −1.98].
        // Step 2: g' = [1 + 0.49, 2 − 0.99] = [1.49, 1.01]; s = [0.1875 + 0.25·2.2201, 0.75 + 0.25·1.0201] = [0.742525, 1.005025].
        TwoSteps(new RmsProp(0.01f, alpha: 0.75f, weightDecay: 0.5f), [0.98, -1.98],
            [0.98 - 0.01 * 1.49 / Math.Sqrt(0.742525), -1.98 - 0.01 * 1.01 / Math.Sqrt(1.005025)]);
    }

    // ---- Adam and AdamW ----

    /// <summary>Step 2 of Adam with the default betas from p₁ after g₁ = [0.5, −1], g₂ = [1, 2]: the update η·m̂/(√v̂ + ε).</summary>
    private static double[] AdamSecondStep(double lr)
    {
        // m = 0.9·0.1·g₁ + 0.1·g₂ = [0.045 + 0.1, −0.09 + 0.2] = [0.145, 0.11]; m̂ = m/(1 − 0.9²) = m/0.19.
        // v = 0.999·0.001·g₁² + 0.001·g₂² = [0.00024975 + 0.001, 0.000999 + 0.004] = [0.00124975, 0.004999]; v̂ = v/(1 − 0.999²) = v/0.001999.
        return [lr * (0.145 / 0.19) / (Math.Sqrt(0.00124975 / 0.001999) + 1e-8), lr * (0.11 / 0.19) / (Math.Sqrt(0.004999 / 0.001999) + 1e-8)];
    }

    [Fact]
    public void Adam_plain()
    {
        // η = 0.01. Step 1: m̂ = g, v̂ = g², so p −= 0.01·g/(|g| + ε) = [0.99, −1.99]. Step 2: see AdamSecondStep.
        var d = AdamSecondStep(0.01);
        TwoSteps(new Adam(0.01f), [1 - 0.01 * 0.5 / (0.5 + 1e-8), -2 + 0.01 / (1 + 1e-8)], [0.99 - d[0], -1.99 - d[1]]);
    }

    [Fact]
    public void Adam_bias_corrections_with_other_betas()
    {
        // η = 0.01, β₁ = 0.5, β₂ = 0.75. Step 1: m = 0.5g, v = 0.25g²: m̂ = g, v̂ = g²; p = [0.99, −1.99].
        // Step 2: m = 0.5·0.5·[0.5, −1] + 0.5·[1, 2] = [0.625, 0.75]; m̂ = m/(1 − 0.25) = [0.8333…, 1];
        // v = 0.75·0.25·[0.25, 1] + 0.25·[1, 4] = [0.296875, 1.1875]; v̂ = v/(1 − 0.5625) = v/0.4375.
        TwoSteps(new Adam(0.01f, beta1: 0.5f, beta2: 0.75f), [0.99, -1.99],
            [0.99 - 0.01 * (0.625 / 0.75) / Math.Sqrt(0.296875 / 0.4375), -1.99 - 0.01 * 1 / Math.Sqrt(1.1875 / 0.4375)]);
    }

    [Fact]
    public void Adam_l2_weight_decay_passes_through_the_moments()
    {
        // η = 0.01, λ = 0.5. Step 1: g' = g + 0.5p = [1, −2]; p = [0.99, −1.99].
        // Step 2: g' = [1 + 0.495, 2 − 0.995] = [1.495, 1.005]; m = 0.09·[1, −2] + 0.1·g' = [0.2395, −0.0795];
        // v = 0.000999·[1, 4] + 0.001·[2.235025, 1.010025] = [0.003234025, 0.005006025].
        TwoSteps(new Adam(0.01f, weightDecay: 0.5f), [0.99, -1.99],
            [0.99 - 0.01 * (0.2395 / 0.19) / Math.Sqrt(0.003234025 / 0.001999), -1.99 - 0.01 * (-0.0795 / 0.19) / Math.Sqrt(0.005006025 / 0.001999)]);
    }

    [Fact]
    public void AdamW_decays_the_parameters_before_the_adam_step()
    {
        // η = 0.01, λ = 0.5: each step first multiplies p by 1 − 0.01·0.5 = 0.995; the moments see the raw gradient.
        // Step 1: p = 0.995·[1, −2] − 0.01·sign(g) = [0.985, −1.98]. Step 2: p = 0.995·[0.985, −1.98] − AdamSecondStep.
        var d = AdamSecondStep(0.01);
        TwoSteps(new AdamW(0.01f, weightDecay: 0.5f), [0.995 - 0.01 * 0.5 / (0.5 + 1e-8), -1.99 + 0.01 / (1 + 1e-8)],
            [0.995 * 0.985 - d[0], 0.995 * -1.98 - d[1]]);
    }

    [Fact]
    public void Adam_with_decoupled_weight_decay_is_adamw()
    {
        // As AdamW_decays_the_parameters_before_the_adam_step: PyTorch's Adam(decoupled_weight_decay=True).
        var d = AdamSecondStep(0.01);
        var adam = new Adam(0.01f, weightDecay: 0.5f, decoupledWeightDecay: true);
        TwoSteps(adam, [0.985, -1.98], [0.995 * 0.985 - d[0], 0.995 * -1.98 - d[1]]);
        Assert.True(new AdamW().DecoupledWeightDecay);
    }

    [Fact]
    public void AdamW_with_zero_decay_is_adam()
    {
        var d = AdamSecondStep(0.01);
        TwoSteps(new AdamW(0.01f, weightDecay: 0f), [0.99, -1.99], [0.99 - d[0], -1.99 - d[1]]);
    }

    // ---- Defaults and settings ----

    [Fact]
    public void Defaults_are_pytorchs()
    {
        var adamW = new AdamW();
        Assert.Equal((0.001f, 0.9f, 0.999f, 1e-8f, 0.01f), (adamW.LearningRate, adamW.Beta1, adamW.Beta2, adamW.Epsilon, adamW.WeightDecay));
        var adam = new Adam();
        Assert.Equal((0.001f, 0.9f, 0.999f, 1e-8f, 0f), (adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon, adam.WeightDecay));
        var adaGrad = new AdaGrad();
        Assert.Equal((0.01f, 1e-10f, 0f, 0f, 0f), (adaGrad.LearningRate, adaGrad.Epsilon, adaGrad.InitialAccumulator, adaGrad.LearningRateDecay, adaGrad.WeightDecay));
        var rms = new RmsProp();
        Assert.Equal((0.01f, 0.99f, 1e-8f, 0f, false, 0f), (rms.LearningRate, rms.Alpha, rms.Epsilon, rms.Momentum, rms.Centered, rms.WeightDecay));
        var sgd = new Sgd();
        Assert.Equal((0.01f, 0f, false, 0f, MomentumForm.PyTorch), (sgd.LearningRate, sgd.Momentum, sgd.Nesterov, sgd.WeightDecay, sgd.Form));
    }

    [Fact]
    public void Bad_settings_are_refused_by_name_with_a_fix()
    {
        void Refused(string name, Action create) =>
            Assert.Equal(name, Assert.ThrowsAny<ArgumentException>(create).ParamName);

        foreach (float bad in new[] { -0.1f, float.NaN, float.PositiveInfinity })
        {
            Refused("weightDecay", () => new Sgd(weightDecay: bad));
            Refused("weightDecay", () => new Adam(weightDecay: bad));
            Refused("weightDecay", () => new AdamW(weightDecay: bad));
            Refused("weightDecay", () => new AdaGrad(weightDecay: bad));
            Refused("weightDecay", () => new RmsProp(weightDecay: bad));
            Refused("initialAccumulator", () => new AdaGrad(initialAccumulator: bad));
            Refused("learningRateDecay", () => new AdaGrad(learningRateDecay: bad));
        }
        foreach (float bad in new[] { -0.1f, 1f, float.NaN })
        {
            Refused("alpha", () => new RmsProp(alpha: bad));
            Refused("momentum", () => new RmsProp(momentum: bad));
            Refused("beta1", () => new AdamW(beta1: bad));
            Refused("beta2", () => new AdamW(beta2: bad));
        }
        foreach (float bad in new[] { 0f, -1e-8f, float.NaN })
        {
            Refused("epsilon", () => new AdaGrad(epsilon: bad));
            Refused("epsilon", () => new RmsProp(epsilon: bad));
            Refused("epsilon", () => new AdamW(epsilon: bad));
        }
        Assert.Contains("momentum above 0", Assert.Throws<ArgumentException>(() => new Sgd(0.1f, nesterov: true)).Message);
        Refused("form", () => new Sgd(form: (MomentumForm)7));
        Assert.Contains("positive finite", Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(0f)).Message);
        // Inclusive ends.
        Assert.Equal(0f, new RmsProp(alpha: 0f).Alpha);
        Assert.Equal(0f, new AdaGrad(initialAccumulator: 0f).InitialAccumulator);
    }

    [Fact]
    public void New_optimizers_refuse_a_change_of_size()
    {
        foreach (Optimizer optimizer in new Optimizer[] { new AdaGrad(), new RmsProp(centered: true, momentum: 0.5f), new AdamW(), new Sgd(momentum: 0.5f) })
        {
            optimizer.Step(new float[3], new float[3]);
            Assert.Contains("one optimizer per network", Assert.Throws<InvalidOperationException>(() => optimizer.Step(new float[4], new float[4])).Message);
        }
    }
}
