using System;
using Xunit;

namespace Compiled.Tests.Training;

/// <summary>
/// The learning-rate schedules at their edges, worked by hand: every setting just inside and just outside its
/// range (with the parameter named and the value reported), the constant schedule, cosine annealing past its
/// last epoch, warm-up into the constant rate, the plateau's relative threshold of 1e-4, and the floors.
/// </summary>
public sealed class ScheduleEdgeTests
{
    [Fact]
    public void Settings_are_checked_at_both_ends_of_their_ranges()
    {
        Refused("stepSize", 0, () => LearningRateSchedule.Step(0, 0.5f));
        Refused("stepSize", -2, () => LearningRateSchedule.Step(-2, 0.5f));
        foreach (float gamma in new[] { 0f, -0.5f, 1.0001f, float.NaN })
        {
            Refused("gamma", gamma, () => LearningRateSchedule.Step(1, gamma));
            Refused("gamma", gamma, () => LearningRateSchedule.Exponential(gamma));
        }
        Refused("epochs", 0, () => LearningRateSchedule.Cosine(0));
        foreach (float minimum in new[] { -0.1f, float.NaN, float.PositiveInfinity })
        {
            Refused("minimumRate", minimum, () => LearningRateSchedule.Cosine(3, minimum));
            Refused("minimumRate", minimum, () => new ReduceOnPlateauSchedule(minimumRate: minimum));
        }
        Refused("warmupEpochs", 0, () => LearningRateSchedule.Warmup(0));
        foreach (float factor in new[] { 0f, 1f, -0.5f, float.NaN })
            Refused("factor", factor, () => new ReduceOnPlateauSchedule(factor: factor));
        Refused("patience", -1, () => new ReduceOnPlateauSchedule(patience: -1));

        // The edges that are allowed.
        Assert.Equal(0.5f, LearningRateSchedule.Step(1, 1f).Rate(9, 0.5f));
        Assert.Equal(0.5f, LearningRateSchedule.Exponential(1f).Rate(9, 0.5f));
        Assert.Equal(0.5f, LearningRateSchedule.Warmup(1).Rate(1, 0.5f));
        var plateau = new ReduceOnPlateauSchedule(factor: 0.25f, patience: 0, minimumRate: 0f);
        Assert.Equal((0.25f, 0, 0f), (plateau.Factor, plateau.Patience, plateau.MinimumRate));
    }

    [Fact]
    public void Constant_step_exponential_and_warmup_by_hand()
    {
        var constant = LearningRateSchedule.Constant();
        for (int epoch = 1; epoch <= 4; epoch++) Assert.Equal(0.3f, constant.Rate(epoch, 0.3f));

        // Step 3, γ = 0.5 from 0.8: epochs 1–3 0.8, 4–6 0.4, 7 0.2 (all exact in float).
        var step = LearningRateSchedule.Step(3, 0.5f);
        Assert.Equal(new[] { 0.8f, 0.8f, 0.8f, 0.4f, 0.4f, 0.4f, 0.2f }, Rates(step, 0.8f, 7));
        Assert.Equal(new[] { 0.8f, 0.4f, 0.2f, 0.1f }, Rates(LearningRateSchedule.Exponential(0.5f), 0.8f, 4));

        // Warm-up over 4 epochs without a schedule after it: 1/4 … 4/4 of 0.8, then 0.8 for good.
        Assert.Equal(new[] { 0.2f, 0.4f, 0.6f, 0.8f, 0.8f, 0.8f }, Rates(LearningRateSchedule.Warmup(4), 0.8f, 6));
        // Warm-up over 2, then halving every epoch counted from the end of the warm-up.
        Assert.Equal(new[] { 0.4f, 0.8f, 0.8f, 0.4f, 0.2f },
            Rates(LearningRateSchedule.Warmup(2, LearningRateSchedule.Exponential(0.5f)), 0.8f, 5));
    }

    /// <summary>
    /// Cosine over 4 epochs from 1.1 down to 0.1: 0.1 + 1·(1 + cos(π·(e − 1)/4))/2 = 1.1, 0.1 + (1 + √½)/2, 0.6,
    /// 0.1 + (1 − √½)/2; from epoch 5 on it stays at 0.1 (the curve itself would climb again from epoch 6:
    /// 0.1 + (1 − √½)/2 once more). With no minimum the floor is the smallest positive float, never 0.
    /// </summary>
    [Fact]
    public void Cosine_stays_at_its_minimum_after_the_last_epoch()
    {
        var cosine = LearningRateSchedule.Cosine(4, 0.1f);
        float half = MathF.Sqrt(0.5f);
        float[] expected = { 1.1f, 0.1f + (1 + half) / 2, 0.6f, 0.1f + (1 - half) / 2, 0.1f, 0.1f, 0.1f };
        float[] actual = Rates(cosine, 1.1f, 7);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 5);
        Assert.Equal(0.1f, cosine.Rate(100, 1.1f));

        var toZero = LearningRateSchedule.Cosine(2);
        Assert.Equal(float.Epsilon, toZero.Rate(3, 1f));
        Assert.Equal(float.Epsilon, toZero.Rate(4, 1f));
        Assert.Equal(0.5f, toZero.Rate(2, 1f), 6);
    }

    /// <summary>
    /// An improvement counts only when the loss falls below best·(1 − 1e-4): from 1, 0.99995 is a plateau
    /// (cut at once with patience 0), 0.9998 is progress. The scale then keeps shrinking, floored at the
    /// smallest positive float when the minimum is 0.
    /// </summary>
    [Fact]
    public void Plateau_needs_a_relative_improvement_of_one_in_ten_thousand()
    {
        var plateau = new ReduceOnPlateauSchedule(factor: 0.5f, patience: 0);
        plateau.Observe(1, 1.0);
        Assert.Equal(0.8f, plateau.Rate(2, 0.8f));
        plateau.Observe(2, 0.99995);
        Assert.Equal(0.4f, plateau.Rate(3, 0.8f));
        plateau.Observe(3, 0.9998);
        Assert.Equal(0.4f, plateau.Rate(4, 0.8f));
        plateau.Observe(4, 0.9998);
        Assert.Equal(0.2f, plateau.Rate(5, 0.8f));

        // Exactly at the threshold is not "more than" 1e-4 better: a plateau.
        var edge = new ReduceOnPlateauSchedule(factor: 0.5f, patience: 0);
        edge.Observe(1, 2.0);
        edge.Observe(2, 2.0 * (1 - 1e-4));
        Assert.Equal(0.4f, edge.Rate(3, 0.8f));

        var tiny = new ReduceOnPlateauSchedule(factor: 1e-30f, patience: 0);
        tiny.Observe(1, 1.0);
        tiny.Observe(2, 1.0);
        tiny.Observe(3, 1.0);   // scale 1e-60: 0 in float
        Assert.Equal(float.Epsilon, tiny.Rate(4, 1f));

        var error = Assert.Throws<InvalidOperationException>(() => new ReduceOnPlateauSchedule().Observe(1, double.NaN));
        Assert.Contains("FitOptions.Validation", error.Message);
    }

    private static void Refused(string name, object value, Action create)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(create);
        Assert.Equal(name, error.ParamName);
        Assert.Equal(value, error.ActualValue);
        Assert.False(string.IsNullOrWhiteSpace(error.Message.Split(" (Parameter")[0]), $"{name}: no message");
    }

    private static float[] Rates(LearningRateSchedule schedule, float initial, int epochs)
    {
        var rates = new float[epochs];
        for (int epoch = 1; epoch <= epochs; epoch++) rates[epoch - 1] = schedule.Rate(epoch, initial);
        return rates;
    }
}
