using System;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests.Kernels;

/// <summary>
/// Closes the gaps the mutation run of 2026-11-25 found in <see cref="BatchNormalization"/>: every size check of the
/// four kernels with its parameter name and message (the PyTorch fixtures only ever pass right sizes), the smallest
/// batches that train (2 values per channel) and the empty batch, and the running-statistics update at the bounds of
/// its count and momentum, against the formula worked by hand.
/// </summary>
public sealed class BatchNormGapTests
{
    private static float[] F(int n) => new float[n];

    private static void Throws<T>(string param, string message, Action call) where T : ArgumentException
    {
        var e = Assert.Throws<T>(call);
        Assert.Equal(param, e.ParamName);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Training_forward_checks_every_span_and_size()
    {
        // batch 2, channels 3, plane 1: 6 values, 9 statistics.
        Throws<ArgumentOutOfRangeException>("batch", "The batch size must not be negative.", () => BatchNormalization.TrainingForward(-1, 3, 1, F(0), F(3), F(3), 1e-5f, F(9), F(0)));
        Throws<ArgumentOutOfRangeException>("channels", "There must be at least one channel.", () => BatchNormalization.TrainingForward(2, 0, 1, F(0), F(0), F(0), 1e-5f, F(0), F(0)));
        Throws<ArgumentOutOfRangeException>("plane", "The plane must hold at least one value.", () => BatchNormalization.TrainingForward(2, 3, 0, F(0), F(3), F(3), 1e-5f, F(9), F(0)));
        Throws<ArgumentException>("input", "input has 5 values: expected batch · channels · plane = 6.", () => BatchNormalization.TrainingForward(2, 3, 1, F(5), F(3), F(3), 1e-5f, F(9), F(6)));
        Throws<ArgumentException>("output", "output has 7 values: expected batch · channels · plane = 6.", () => BatchNormalization.TrainingForward(2, 3, 1, F(6), F(3), F(3), 1e-5f, F(9), F(7)));
        Throws<ArgumentException>("gamma", "gamma has 2 values: expected one per channel (3).", () => BatchNormalization.TrainingForward(2, 3, 1, F(6), F(2), F(3), 1e-5f, F(9), F(6)));
        Throws<ArgumentException>("beta", "beta has 4 values: expected one per channel (3).", () => BatchNormalization.TrainingForward(2, 3, 1, F(6), F(3), F(4), 1e-5f, F(9), F(6)));
        Throws<ArgumentException>("statistics", "as many as 3 · channels", () => BatchNormalization.TrainingForward(2, 3, 1, F(6), F(3), F(3), 1e-5f, F(8), F(6)));
        // An empty batch is a size the shape check accepts; training refuses it for having fewer than 2 values per channel.
        Throws<ArgumentException>("batch", "needs at least 2 values per channel, but a batch of 0 gives 0", () => BatchNormalization.TrainingForward(0, 3, 1, F(0), F(3), F(3), 1e-5f, F(9), F(0)));
    }

    [Fact]
    public void Two_values_per_channel_are_enough_to_train()
    {
        // Channel 0 holds {1, 3}: mean 2, biased variance 1; channel 1 holds {−2, 4}: mean 1, variance 9.
        float[] x = { 1f, -2f, 3f, 4f };
        var statistics = F(6);
        var y = F(4);
        BatchNormalization.TrainingForward(2, 2, 1, x, new[] { 2f, 1f }, new[] { 0.5f, -1f }, 0f, statistics, y);
        Assert.Equal(new[] { 2f, 1f, 1f, 9f, 1f, (float)(1 / 3.0) }, statistics);
        // y = γ·(x − μ)/σ + β: channel 0 → 2·(∓1) + 0.5, channel 1 → (∓3)/3 − 1.
        Assert.Equal(-1.5f, y[0]);
        Assert.Equal(2.5f, y[2]);
        Assert.Equal(-2f, y[1], 5);
        Assert.Equal(0f, y[3], 5);
    }

    [Fact]
    public void Backward_checks_every_span()
    {
        float[] x = F(6), g = F(3), s = F(9);
        Throws<ArgumentException>("input", "input has 5 values", () => BatchNormalization.Backward(2, 3, 1, F(5), F(5), g, s, F(3), F(3), default));
        Throws<ArgumentException>("output", "output has 5 values", () => BatchNormalization.Backward(2, 3, 1, x, F(5), g, s, F(3), F(3), default));
        Throws<ArgumentException>("gamma", "gamma has 2 values", () => BatchNormalization.Backward(2, 3, 1, x, F(6), F(2), s, F(3), F(3), default));
        Throws<ArgumentException>("statistics", "as many as 3 · channels", () => BatchNormalization.Backward(2, 3, 1, x, F(6), g, F(6), F(3), F(3), default));
        Throws<ArgumentException>("gammaGradient", "as many as channels", () => BatchNormalization.Backward(2, 3, 1, x, F(6), g, s, F(2), F(3), default));
        Throws<ArgumentException>("betaGradient", "as many as channels", () => BatchNormalization.Backward(2, 3, 1, x, F(6), g, s, F(3), F(4), default));
        Throws<ArgumentException>("inputGradient", "as many as input", () => BatchNormalization.Backward(2, 3, 1, x, F(6), g, s, F(3), F(3), F(5)));
    }

    [Fact]
    public void Inference_checks_every_span_and_takes_an_empty_batch()
    {
        float[] g = F(3);
        Throws<ArgumentException>("input", "input has 5 values", () => BatchNormalization.InferenceForward(2, 3, 1, F(5), g, g, g, g, 1e-5f, F(6)));
        Throws<ArgumentException>("output", "output has 5 values", () => BatchNormalization.InferenceForward(2, 3, 1, F(6), g, g, g, g, 1e-5f, F(5)));
        Throws<ArgumentException>("gamma", "gamma has 2 values", () => BatchNormalization.InferenceForward(2, 3, 1, F(6), F(2), g, g, g, 1e-5f, F(6)));
        Throws<ArgumentException>("runningMean", "as many as channels", () => BatchNormalization.InferenceForward(2, 3, 1, F(6), g, g, F(2), g, 1e-5f, F(6)));
        Throws<ArgumentException>("runningVariance", "as many as channels", () => BatchNormalization.InferenceForward(2, 3, 1, F(6), g, g, g, F(4), 1e-5f, F(6)));
        BatchNormalization.InferenceForward(0, 3, 1, F(0), g, g, g, g, 1e-5f, F(0));
    }

    [Fact]
    public void Running_statistics_follow_the_formula_at_the_bounds_of_count_and_momentum()
    {
        // statistics: means {1, −2}, biased variances {0.5, 2}, inverse deviations (unused here).
        float[] statistics = { 1f, -2f, 0.5f, 2f, 9f, 9f };
        float[] mean = { 4f, 0f }, variance = { 3f, 1f };
        // count 2: the unbiased variance is twice the biased one. momentum 0.25:
        // mean = 0.75·{4, 0} + 0.25·{1, −2} = {3.25, −0.5}; variance = 0.75·{3, 1} + 0.25·{1, 4} = {2.5, 1.75}.
        BatchNormalization.UpdateRunningStatistics(2, statistics, 0.25f, mean, variance);
        Assert.Equal(new[] { 3.25f, -0.5f }, mean);
        Assert.Equal(new[] { 2.5f, 1.75f }, variance);

        // momentum 0 keeps the running values, momentum 1 takes the batch's (count 5: unbiased = 5/4 of the biased).
        BatchNormalization.UpdateRunningStatistics(5, statistics, 0f, mean, variance);
        Assert.Equal(new[] { 3.25f, -0.5f }, mean);
        Assert.Equal(new[] { 2.5f, 1.75f }, variance);
        BatchNormalization.UpdateRunningStatistics(5, statistics, 1f, mean, variance);
        Assert.Equal(new[] { 1f, -2f }, mean);
        Assert.Equal(new[] { 0.625f, 2.5f }, variance);

        Throws<ArgumentException>("count", "count is 1: the unbiased variance needs at least 2 values per channel.", () => BatchNormalization.UpdateRunningStatistics(1, statistics, 0.1f, F(2), F(2)));
        foreach (float m in new[] { -0.25f, 1.25f, float.NaN })
            Throws<ArgumentOutOfRangeException>("momentum", "The momentum must be in [0, 1].", () => BatchNormalization.UpdateRunningStatistics(2, statistics, m, F(2), F(2)));
        Throws<ArgumentException>("runningVariance", "as many as runningMean", () => BatchNormalization.UpdateRunningStatistics(2, statistics, 0.1f, F(2), F(3)));
        Throws<ArgumentException>("statistics", "as many as 3 · channels", () => BatchNormalization.UpdateRunningStatistics(2, F(5), 0.1f, F(2), F(2)));
    }
}
