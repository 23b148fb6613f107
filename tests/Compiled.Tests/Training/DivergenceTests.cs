using System;
using System.Linq;
using Compiled.Tests.Networks;
using Xunit;

namespace Compiled.Tests.Training;

/// <summary>
/// A NaN or infinite loss or gradient never reaches the weights: the failing step's update is skipped,
/// Fit says which weights it kept, and with early stopping it gives back the best epoch's.
/// </summary>
public sealed class DivergenceTests
{
    private static Dataset Digits()
    {
        var data = TestData.Load("digits.csv.gz");
        MinMaxScaler.Fit(data).Transform(data);
        return data;
    }

    [Fact]
    public void Divergence_mid_epoch_keeps_the_weights_of_the_last_finite_step()
    {
        var data = Digits();
        const int batch = 10;
        // Batches 1 and 2 are clean; batch 3 holds a NaN feature.
        data.Features[2 * batch * data.FeatureCount + 5] = float.NaN;

        var net = new DigitsNet(seed: 4);
        var error = Assert.Throws<TrainingDivergedException>(() =>
            net.Fit(data, new FitOptions { Epochs = 1, BatchSize = batch, Shuffle = false, Optimizer = new Adam(0.01f) }));
        Assert.Equal((1, 3), (error.Epoch, error.Step));
        Assert.Null(error.RestoredEpoch);
        Assert.Contains("last finite step", error.Message);

        // Oracle: an identical network given exactly the two clean batches by hand.
        var twin = new DigitsNet(seed: 4);
        var adam = new Adam(0.01f);
        for (int b = 0; b < 2; b++)
            twin.TrainStep(data.Features.AsSpan(b * batch * 64, batch * 64), data.Targets.AsSpan(b * batch, batch), adam);
        Assert.True(net.Parameters.SequenceEqual(twin.Parameters), "the weights must be those after step 2, bit for bit");
    }

    [Fact]
    public void Divergence_with_early_stopping_restores_the_best_epoch()
    {
        var (train, validation) = Digits().SplitStratified(0.3, seed: 2);
        var net = new DigitsNet(seed: 5);
        var losses = new System.Collections.Generic.List<double>();
        var options = new FitOptions
        {
            Epochs = 10, BatchSize = 32, Validation = validation, Patience = 5, Seed = 3,
            // After epoch 3 the training data is poisoned: the first step of epoch 4 diverges.
            Progress = r => { losses.Add(r.ValidationLoss); if (r.Epoch == 3) train.Features[7] = float.PositiveInfinity; },
        };

        var error = Assert.Throws<TrainingDivergedException>(() => net.Fit(train, options));
        Assert.Equal(4, error.Epoch);
        int best = losses.IndexOf(losses.Min()) + 1;
        Assert.Equal(best, error.RestoredEpoch);
        Assert.Equal(3, error.History!.Epochs.Count);
        Assert.Contains($"epoch {best}", error.Message);
        Assert.All(net.Parameters.ToArray(), p => Assert.True(float.IsFinite(p)));
        Assert.Equal(losses.Min(), net.Evaluate(validation).Loss, 9);
    }

    [Fact]
    public void TrainStep_with_a_non_finite_loss_leaves_weights_and_optimizer_untouched()
    {
        var net = new DigitsNet(seed: 6);
        var before = net.Parameters.ToArray();
        var adam = new Adam();
        var inputs = new float[64];
        inputs[3] = float.NaN;

        float loss = net.TrainStep(inputs, new[] { 1f }, adam);

        Assert.True(float.IsNaN(loss));
        Assert.Equal(before, net.Parameters.ToArray());
        Assert.Equal(0, adam.StepCount);
    }

    [Fact]
    public void TryStep_refuses_non_finite_gradients_and_changes_nothing()
    {
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
            foreach (int at in new[] { 0, 7, 8, 31, 32, 36 }) // vector body and scalar tail for 4-, 8- and 16-lane vectors
            {
                var p = Enumerable.Range(0, 37).Select(i => (float)i).ToArray();
                var g = Enumerable.Repeat(0.5f, 37).ToArray();
                g[at] = bad;
                var sgd = new Sgd(0.1f);
                Assert.False(sgd.TryStep(p, g), $"{bad} at {at}");
                Assert.Equal(Enumerable.Range(0, 37).Select(i => (float)i), p);
                Assert.Equal(0, sgd.StepCount);
            }
        var q = new[] { 1f, 2f };
        Assert.True(new Sgd(0.5f).TryStep(q, new[] { 2f, -2f }));
        Assert.Equal(new[] { 0f, 3f }, q);
    }

    [Fact]
    public void AllFinite_is_exact_at_the_extremes()
    {
        // Large finite values must not count as overflow: a sum of float.MaxValue would.
        Assert.True(Optimizer.AllFinite(Enumerable.Repeat(float.MaxValue, 100).ToArray()));
        Assert.True(Optimizer.AllFinite(Enumerable.Repeat(-float.MaxValue, 3).ToArray()));
        Assert.True(Optimizer.AllFinite(new[] { float.Epsilon, 0f, -0f }));
        Assert.True(Optimizer.AllFinite(ReadOnlySpan<float>.Empty));
        Assert.False(Optimizer.AllFinite(new[] { 1f, float.NaN }));
        var many = new float[1000];
        many[999] = float.NegativeInfinity;
        Assert.False(Optimizer.AllFinite(many));
        many[999] = 0;
        many[500] = float.PositiveInfinity;
        Assert.False(Optimizer.AllFinite(many));
    }
}
