using System;
using System.Collections.Generic;
using System.Linq;
using Compiled;
using Compiled.Tests.Networks;
using Xunit;

namespace Compiled.Tests.Training;

/// <summary>y = w·x + b: Parameters are [w, b].</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 1)]
[Input(1)]
[Dense(1)]
public partial class ScriptedLine;

/// <summary>
/// An optimizer that ignores the gradient and sets w to the next value of a script (b = 0) at each step. With
/// one step per epoch and validation data x = 1, t = 0, the validation loss after epoch e is exactly script[e−1]².
/// </summary>
internal sealed class ScriptedOptimizer(params float[] script) : Optimizer(0.1f)
{
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step)
    {
        parameters[0] = script[step - 1];
        parameters[1] = 0f;
    }
}

/// <summary>Trainer.Fit's argument checks, one invalid option at a time, and early stopping's exact epoch.</summary>
public sealed class FitOptionsTests
{
    // Three training rows: one batch (BatchSize 32 ≥ 3), so one step per epoch.
    private static Dataset Train() => new([1f, 2f, 3f], 1, [0f, 0f, 0f], 1);
    private static Dataset Validation() => new([1f], 1, [0f], 1);

    // |w| by epoch: 3, 2, 2.5, 1, 1.5, 1.25, 1.125, 0.5, 0.25 → validation losses 9, 4, 6.25, 1, 2.25, 1.5625,
    // 1.265625, 0.25, 0.0625. Best so far after epochs 1, 2 and 4; epochs 5, 6, 7 do not improve on epoch 4.
    private static readonly float[] Script = [3f, 2f, -2.5f, 1f, 1.5f, -1.25f, 1.125f, 0.5f, 0.25f];

    [Fact]
    public void Early_stopping_stops_exactly_patience_epochs_after_the_best_and_restores_it()
    {
        var net = new ScriptedLine();
        var reports = new List<EpochReport>();
        var history = net.Fit(Train(), new FitOptions
        {
            Epochs = 9, Validation = Validation(), Patience = 3, Optimizer = new ScriptedOptimizer(Script), Progress = reports.Add,
        });

        // Epoch 3 is worse than epoch 2 but epoch 4 improves, resetting the count; 5, 6, 7 are the three without.
        Assert.Equal(new[] { 9, 4, 6.25, 1, 2.25, 1.5625, 1.265625 }, history.Epochs.Select(e => e.ValidationLoss));
        Assert.Equal(7, reports.Count);
        Assert.True(history.StoppedEarly);
        Assert.Equal(4, history.BestEpoch);
        Assert.Equal(new[] { 1f, 0f }, net.Parameters.ToArray()); // epoch 4's weights, bit for bit
        Assert.Equal(1.0, net.Evaluate(Validation()).Loss);
    }

    [Fact]
    public void A_loss_equal_to_the_best_is_not_an_improvement()
    {
        var net = new ScriptedLine();
        var history = net.Fit(Train(), new FitOptions
        {
            Epochs = 9, Validation = Validation(), Patience = 2, Optimizer = new ScriptedOptimizer(2f, 1f, -1f, 1f, 0.5f, 0.25f, 0.2f, 0.1f, 0.05f),
        });
        Assert.Equal(new[] { 4, 1, 1, 1.0 }, history.Epochs.Select(e => e.ValidationLoss));
        Assert.True(history.StoppedEarly);
        Assert.Equal(2, history.BestEpoch);
    }

    [Fact]
    public void Patience_running_out_at_the_last_planned_epoch_restores_but_is_not_an_early_stop()
    {
        var net = new ScriptedLine();
        var history = net.Fit(Train(), new FitOptions { Epochs = 7, Validation = Validation(), Patience = 3, Optimizer = new ScriptedOptimizer(Script) });
        Assert.Equal(7, history.Epochs.Count);
        Assert.False(history.StoppedEarly);
        Assert.Equal(4, history.BestEpoch);
        Assert.Equal(new[] { 1f, 0f }, net.Parameters.ToArray());
    }

    [Fact]
    public void Without_patience_every_epoch_runs_and_the_last_weights_stay()
    {
        var net = new ScriptedLine();
        var history = net.Fit(Train(), new FitOptions { Epochs = 6, Validation = Validation(), Optimizer = new ScriptedOptimizer(Script) });
        Assert.Equal(6, history.Epochs.Count);
        Assert.False(history.StoppedEarly);
        Assert.Equal(6, history.BestEpoch);
        Assert.Equal(new[] { -1.25f, 0f }, net.Parameters.ToArray()); // epoch 6's, not the better epoch 4's
    }

    /// <summary>Runs <paramref name="fit"/> on a fresh network and checks it threw before training: weights unchanged, no report.</summary>
    private static T Refused<T>(Func<INetwork, FitOptions, FitHistory> fit, FitOptions options) where T : Exception
    {
        var net = new ScriptedLine(seed: 5);
        float[] before = net.Parameters.ToArray();
        int reports = 0;
        options.Progress = _ => reports++;
        options.Optimizer ??= new Sgd(0.1f);
        var error = Assert.Throws<T>(() => fit(net, options));
        Assert.Equal(before, net.Parameters.ToArray());
        Assert.Equal(0, reports);
        Assert.Equal(0, options.Optimizer.StepCount);
        return error;
    }

    private static T Refused<T>(FitOptions options) where T : Exception => Refused<T>((net, o) => Trainer.Fit(net, Train(), o), options);

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void Epochs_must_be_positive(int epochs)
    {
        var error = Refused<ArgumentOutOfRangeException>(new FitOptions { Epochs = epochs });
        Assert.Equal("options", error.ParamName);
        Assert.Equal(epochs, error.ActualValue);
        Assert.Contains("FitOptions.Epochs must be positive", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-32)]
    public void BatchSize_must_be_positive(int batchSize)
    {
        var error = Refused<ArgumentOutOfRangeException>(new FitOptions { BatchSize = batchSize });
        Assert.Equal("options", error.ParamName);
        Assert.Equal(batchSize, error.ActualValue);
        Assert.Contains("FitOptions.BatchSize must be positive", error.Message);
    }

    [Fact]
    public void Patience_must_not_be_negative()
    {
        var error = Refused<ArgumentOutOfRangeException>(new FitOptions { Patience = -1, Validation = Validation() });
        Assert.Equal("options", error.ParamName);
        Assert.Equal(-1, error.ActualValue);
        Assert.Contains("FitOptions.Patience must be 0 (off) or positive", error.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Patience_needs_validation_data(int patience)
    {
        var error = Refused<ArgumentException>(new FitOptions { Patience = patience });
        Assert.Equal(typeof(ArgumentException), error.GetType());
        Assert.Equal("options", error.ParamName);
        Assert.Contains("needs FitOptions.Validation", error.Message);
    }

    [Fact]
    public void Null_network_or_training_set_is_refused()
    {
        Assert.Equal("network", Assert.Throws<ArgumentNullException>(() => Trainer.Fit(null!, Train())).ParamName);
        Assert.Equal("train", Refused<ArgumentNullException>((net, o) => Trainer.Fit(net, null!, o), new FitOptions()).ParamName);
    }

    [Fact]
    public void Empty_training_set_is_refused()
    {
        var error = Refused<ArgumentException>((net, o) => Trainer.Fit(net, new Dataset([], 1, [], 1), o), new FitOptions());
        Assert.Equal("train", error.ParamName);
        Assert.Contains("The training set is empty", error.Message);
    }

    [Fact]
    public void Training_data_of_the_wrong_shape_is_refused()
    {
        var features = Refused<ArgumentException>((net, o) => Trainer.Fit(net, new Dataset([1f, 2f], 2, [0f], 1), o), new FitOptions());
        Assert.Equal("train", features.ParamName);
        Assert.Contains("The data has 2 features per sample but the network takes 1.", features.Message);

        var targets = Refused<ArgumentException>((net, o) => Trainer.Fit(net, new Dataset([1f], 1, [0f, 0f], 2), o), new FitOptions());
        Assert.Equal("train", targets.ParamName);
        Assert.Contains("The data has 2 targets per sample but the network takes 1.", targets.Message);
    }

    [Fact]
    public void Validation_data_of_the_wrong_shape_is_refused()
    {
        var features = Refused<ArgumentException>(new FitOptions { Validation = new Dataset([1f, 2f, 3f], 3, [0f], 1) });
        Assert.Equal("Validation", features.ParamName);
        Assert.Contains("The data has 3 features per sample but the network takes 1.", features.Message);

        var targets = Refused<ArgumentException>(new FitOptions { Validation = new Dataset([1f], 1, [0f, 0f, 0f], 3), Patience = 1 });
        Assert.Equal("Validation", targets.ParamName);
        Assert.Contains("The data has 3 targets per sample but the network takes 1.", targets.Message);
    }

    [Fact]
    public void One_hot_targets_for_a_classifier_point_to_FromLabels()
    {
        var net = new DigitsNet();
        var oneHot = new Dataset(new float[10 * 64], 64, new float[10 * 10], 10);
        var error = Assert.Throws<ArgumentException>(() => net.Fit(oneHot, new FitOptions { Optimizer = new Sgd() }));
        Assert.Equal("train", error.ParamName);
        Assert.Contains("network takes one class label per sample: build it with Dataset.FromLabels", error.Message);
        var validation = Assert.Throws<ArgumentException>(() => net.Fit(Dataset.FromLabels(new float[64], 64, [3]), new FitOptions { Validation = oneHot }));
        Assert.Equal("Validation", validation.ParamName);
    }

    [Fact]
    public void Empty_validation_set_is_refused_before_training()
    {
        var error = Refused<ArgumentException>(new FitOptions { Validation = new Dataset([], 1, [], 1) });
        Assert.Equal("Validation", error.ParamName);
    }
}
