using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Compiled.Tests.Interop;
using Xunit;

namespace Compiled.Tests.Training;

/// <summary>
/// What the mutation run of Trainer, FitOptions, FitHistory and TrainingDivergedException (2026-11-25, second
/// session) found untested: early stopping's snapshot of BatchNorm's running statistics, the schedule seeing each
/// epoch's validation loss, the remaining option checks, the batch report's derived numbers, the CSV file, and the
/// divergence message's account of which weights the network holds.
/// </summary>
public sealed class TrainerGapTests
{
    private static Dataset Random(int rows, int features, int targets, int seed, float shift = 0f)
    {
        var rng = new Rng(seed);
        var x = new float[rows * features];
        var y = new float[rows * targets];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextGaussian() + shift;
        for (int i = 0; i < y.Length; i++) y[i] = rng.NextGaussian();
        return new Dataset(x, features, y, targets);
    }

    [Fact]
    public void Early_stopping_restores_the_running_statistics_of_the_best_epoch_with_its_weights()
    {
        // Targets are noise, so the validation loss soon stops improving; the running statistics change every epoch.
        var net = new TinyBn(seed: 3);
        var parameters = new List<float[]>();
        var state = new List<float[]>();
        var history = net.Fit(Random(64, 2, 2, seed: 1), new FitOptions
        {
            Epochs = 60, BatchSize = 8, Patience = 2, Seed = 4, Validation = Random(16, 2, 2, seed: 2, shift: 0.5f),
            Optimizer = new Adam(0.05f),
            Progress = _ => { parameters.Add(net.Parameters.ToArray()); state.Add(net.State.ToArray()); },
        });
        Assert.True(history.StoppedEarly);
        Assert.Equal(history.BestEpoch + 2, history.Epochs.Count);
        Assert.NotEqual(state[^1], state[history.BestEpoch - 1]); // restoring them is visible
        Assert.Equal(parameters[history.BestEpoch - 1], net.Parameters.ToArray());
        Assert.Equal(state[history.BestEpoch - 1], net.State.ToArray());
    }

    /// <summary>Keeps the rate and records what Fit reports to it.</summary>
    private sealed class Recording : LearningRateSchedule
    {
        public List<(int Epoch, double Loss)> Seen { get; } = [];

        public override float Rate(int epoch, float initialRate) => initialRate;

        public override void Observe(int epoch, double validationLoss) => Seen.Add((epoch, validationLoss));
    }

    [Fact]
    public void The_schedule_observes_every_epoch_s_validation_loss()
    {
        var schedule = new Recording();
        var history = new ScriptedLine().Fit(new Dataset([1f, 2f], 1, [0f, 0f], 1), new FitOptions
        {
            Epochs = 3, Validation = new Dataset([1f], 1, [0f], 1), Schedule = schedule,
            Optimizer = new ScriptedOptimizer(3f, 2f, 1f),
        });
        // Validation x = 1, t = 0, w scripted to 3, 2, 1: losses 9, 4, 1 (as in FitOptionsTests).
        Assert.Equal(new[] { (1, 9.0), (2, 4.0), (3, 1.0) }, schedule.Seen.Select(s => (s.Epoch, Math.Round(s.Loss, 6))));
        Assert.Equal(history.Epochs.Select(e => e.ValidationLoss), schedule.Seen.Select(s => s.Loss));
    }

    private static Dataset Line() => new([1f, 2f, 3f], 1, [0f, 0f, 0f], 1);

    [Fact]
    public void Remaining_option_checks_explain_themselves()
    {
        var net = new ScriptedLine();
        var monitor = Assert.Throws<ArgumentOutOfRangeException>(() => net.Fit(Line(), new FitOptions { Monitor = (EarlyStoppingMonitor)5 }));
        Assert.Equal("options", monitor.ParamName);
        Assert.Contains("FitOptions.Monitor is not an EarlyStoppingMonitor value", monitor.Message);

        var empty = Assert.Throws<ArgumentException>(() => net.Fit(Line(), new FitOptions { Validation = new Dataset([], 1, [], 1) }));
        Assert.Contains("FitOptions.Validation is empty", empty.Message);

        // A 1×2×3 image is 6 values; the network takes 1.
        var augmentation = Assert.Throws<ArgumentException>(() => net.Fit(Line(), new FitOptions { Augmentation = new ImageAugmentation(1, 2, 3) }));
        Assert.Equal("options", augmentation.ParamName);
        Assert.Contains("FitOptions.Augmentation works on 1×2×3 images (6 values) but the network takes 1.", augmentation.Message);

        // Early stopping on accuracy needs a loss with an accuracy: MSE has none.
        var accuracy = Assert.Throws<InvalidOperationException>(() => net.Fit(Line(), new FitOptions
        {
            Epochs = 2, Validation = new Dataset([1f], 1, [0f], 1), Patience = 1, Monitor = EarlyStoppingMonitor.ValidationAccuracy,
        }));
        Assert.Contains("this network's loss has no accuracy (regression): watch ValidationLoss", accuracy.Message);
    }

    [Theory]
    // epoch, epochs, batch, batches, samples, seconds → samples/s, seconds left
    [InlineData(1, 2, 1, 4, 32, 2.0, 16.0, 6.0)]   // 2 s for 1 of 4 batches: 3 more at 2 s each
    [InlineData(1, 2, 3, 4, 96, 1.5, 64.0, 0.5)]
    [InlineData(1, 2, 4, 4, 128, 2.0, 64.0, 0.0)]  // the last batch: nothing left
    [InlineData(1, 2, 0, 4, 0, 0.0, 0.0, 0.0)]     // before any batch or any time: no rate, no estimate
    [InlineData(1, 2, 2, 4, 64, 0.0, 0.0, 0.0)]    // a clock that has not moved: no rate (not ∞), no time left
    public void Batch_report_derives_speed_and_time_left(int epoch, int epochs, int batch, int batches, int samples, double seconds, double perSecond, double left)
    {
        var report = new BatchReport(epoch, epochs, batch, batches, samples, 0.5, seconds);
        Assert.Equal(perSecond, report.SamplesPerSecond);
        Assert.Equal(left, report.SecondsLeft);
    }

    [Fact]
    public void History_csv_goes_to_a_file_and_a_null_writer_is_refused()
    {
        var history = new FitHistory();
        history.Add(new EpochReport(1, 2, 0.5, 0.25, double.NaN, 1.5) { LearningRate = 0.125 });
        string path = Path.Combine(Path.GetTempPath(), $"compiled-history-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllText(path, "old contents that must go\n");
            history.WriteCsv(path);
            Assert.Equal(
                ["epoch,train_loss,validation_loss,validation_accuracy,seconds,learning_rate,train_accuracy,train_evaluation_loss", "1,0.5,0.25,,1.5,0.125,,"],
                File.ReadAllLines(path));
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Equal("writer", Assert.Throws<ArgumentNullException>(() => history.WriteCsv((TextWriter)null!)).ParamName);
    }

    [Theory]
    [InlineData(1, 1, "The failing update was not applied: the network holds its initial weights.")]
    [InlineData(1, 2, "The failing update was not applied: the network holds the weights after the last finite step.")]
    [InlineData(2, 1, "The failing update was not applied: the network holds the weights after the last finite step.")]
    public void Divergence_message_says_which_weights_the_network_holds(int epoch, int step, string kept)
    {
        var e = new TrainingDivergedException(epoch, step, float.NaN, null, null);
        Assert.Equal($"Training diverged: the loss or a gradient became NaN at epoch {epoch}, step {step}. {kept} "
            + "Lower the learning rate, scale the inputs (StandardScaler), or check the data for NaN.", e.Message);
    }
}
