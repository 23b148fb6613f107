using System;
using System.Collections.Generic;
using Xunit;

namespace Compiled.Tests.Training;

/// <summary>Learning-rate schedules against their formulas worked out by hand, and inside Fit.</summary>
public sealed class ScheduleTests
{
    [Fact]
    public void Step_exponential_cosine_and_warmup_give_the_hand_computed_rates()
    {
        var step = LearningRateSchedule.Step(stepSize: 2, gamma: 0.5f);
        Assert.Equal(new[] { 0.1f, 0.1f, 0.05f, 0.05f, 0.025f }, Rates(step, 0.1f, 5));
        var exp = LearningRateSchedule.Exponential(0.9f);
        Assert.Equal(0.1f * 0.81f, exp.Rate(3, 0.1f), 6);
        // Cosine over 4 epochs from 1 to 0.2: 0.2 + 0.8·(1 + cos(π·k/4))/2 for k = 0 … 3, then 0.2.
        var cosine = LearningRateSchedule.Cosine(4, 0.2f);
        var expected = new[] { 1f, 0.2f + 0.4f * (1 + MathF.Sqrt(0.5f)), 0.6f, 0.2f + 0.4f * (1 - MathF.Sqrt(0.5f)), 0.2f };
        var actual = Rates(cosine, 1f, 5);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 5);
        // Warm-up of 4 epochs: 1/4, 2/4, 3/4, 4/4 of the rate, then the step schedule from its own epoch 1.
        var warm = LearningRateSchedule.Warmup(4, step);
        Assert.Equal(new[] { 0.025f, 0.05f, 0.075f, 0.1f, 0.1f, 0.1f, 0.05f }, Rates(warm, 0.1f, 7));
    }

    [Fact]
    public void Reduce_on_plateau_cuts_after_patience_epochs_without_improvement()
    {
        var plateau = new ReduceOnPlateauSchedule(factor: 0.5f, patience: 1, minimumRate: 0.01f);
        var rates = new List<float>();
        double[] losses = { 1.0, 0.9, 0.95, 0.92, 0.91, 0.8, 0.85, 0.85, 0.85, 0.85 };
        for (int epoch = 1; epoch <= losses.Length; epoch++)
        {
            rates.Add(plateau.Rate(epoch, 0.08f));
            plateau.Observe(epoch, losses[epoch - 1]);
        }
        // Best 0.9 at epoch 2; epochs 3 and 4 are worse (2 bad > patience 1): halved for epoch 5.
        // Epoch 5 (0.91) is worse again, epoch 6 improves (0.8); 7 and 8 bad: halved for 9; 9 and 10 bad: halved,
        // but not below 0.01.
        Assert.Equal(new[] { 0.08f, 0.08f, 0.08f, 0.08f, 0.04f, 0.04f, 0.04f, 0.04f, 0.02f, 0.02f }, rates);
        for (int epoch = 11; epoch <= 16; epoch++) plateau.Observe(epoch, 0.85);
        Assert.Equal(0.01f, plateau.Rate(17, 0.08f)); // the floor
        Assert.Throws<InvalidOperationException>(() => new ReduceOnPlateauSchedule().Observe(1, double.NaN));
    }

    [Fact]
    public void Fit_sets_the_rate_before_each_epoch()
    {
        var data = TestData.Load("digits.csv.gz");
        var net = new Compiled.Tests.Networks.DigitsNet();
        var adam = new Adam(0.01f);
        var seen = new List<float>();
        net.Fit(data, new FitOptions
        {
            Epochs = 4, BatchSize = 16, Optimizer = adam, Schedule = LearningRateSchedule.Step(1, 0.5f),
            Progress = _ => seen.Add(adam.LearningRate),
        });
        Assert.Equal(new[] { 0.01f, 0.005f, 0.0025f, 0.00125f }, seen);
    }

    [Fact]
    public void Bad_settings_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Step(0, 0.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Exponential(1.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Cosine(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Warmup(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceOnPlateauSchedule(factor: 1f));
    }

    private static float[] Rates(LearningRateSchedule schedule, float initial, int epochs)
    {
        var rates = new float[epochs];
        for (int e = 1; e <= epochs; e++) rates[e - 1] = schedule.Rate(e, initial);
        return rates;
    }
}

/// <summary>The history as CSV: header, one row per epoch, invariant numbers, the rate of each epoch, empty fields for NaN.</summary>
public sealed class HistoryCsvTests
{
    [Fact]
    public void History_writes_one_csv_row_per_epoch_with_its_learning_rate()
    {
        var data = TestData.Load("digits.csv.gz");
        var net = new Compiled.Tests.Networks.DigitsNet();
        var history = net.Fit(data, new FitOptions { Epochs = 3, BatchSize = 64, Optimizer = new Sgd(0.1f), Schedule = LearningRateSchedule.Step(1, 0.5f) });
        var text = new System.IO.StringWriter();
        history.WriteCsv(text);
        string[] lines = text.ToString().TrimEnd().Split('\n');
        Assert.Equal("epoch,train_loss,validation_loss,validation_accuracy,seconds,learning_rate,train_accuracy,train_evaluation_loss", lines[0].TrimEnd('\r'));
        Assert.Equal(4, lines.Length);
        string[] third = lines[3].TrimEnd('\r').Split(',');
        Assert.Equal("3", third[0]);
        Assert.Equal(history.Epochs[2].TrainLoss, double.Parse(third[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("", third[2]); // no validation data: NaN is left empty
        Assert.Equal(0.025, double.Parse(third[5], System.Globalization.CultureInfo.InvariantCulture), 6);
    }
}

/// <summary>Early stopping on validation accuracy instead of loss.</summary>
public sealed class EarlyStoppingMonitorTests
{
    [Fact]
    public void Watching_accuracy_keeps_the_epoch_with_the_best_accuracy()
    {
        var data = TestData.Load("digits.csv.gz");
        var (train, validation) = data.SplitStratified(0.3, seed: 1);
        var net = new Compiled.Tests.Networks.DigitsNet();
        var history = net.Fit(train, new FitOptions
        {
            Epochs = 12, BatchSize = 16, Optimizer = new Sgd(0.5f, momentum: 0.9f), Validation = validation,
            Patience = 3, Monitor = EarlyStoppingMonitor.ValidationAccuracy, Seed = 3,
        });
        double best = double.NegativeInfinity;
        int bestEpoch = 0;
        foreach (var e in history.Epochs)
            if (e.ValidationAccuracy > best) { best = e.ValidationAccuracy; bestEpoch = e.Epoch; }
        Assert.Equal(bestEpoch, history.BestEpoch);
        Assert.Equal(best, net.Evaluate(validation).Accuracy, 12);
    }

    [Fact]
    public void Watching_accuracy_on_a_regression_is_refused()
    {
        var data = new Dataset(new float[8 * 2], 2, new float[8], 1);
        var net = new Compiled.Tests.Networks.RegressionNet();
        Assert.Throws<InvalidOperationException>(() => net.Fit(data, new FitOptions
        {
            Epochs = 2, Validation = data, Patience = 1, Monitor = EarlyStoppingMonitor.ValidationAccuracy,
        }));
    }

    [Fact]
    public void A_plateau_schedule_after_a_warm_up_sees_the_losses_after_the_warm_up()
    {
        // Warm-up of 2 epochs, then halve the rate after one epoch without improvement (patience 0). By hand: the
        // losses of epochs 1 and 2 are not the plateau schedule's (a loss rising from 1 to 5 there changes nothing);
        // epoch 3 (its epoch 1) sets its best, 2.0; epoch 4 does not improve: the rate of epoch 5 is halved.
        var schedule = LearningRateSchedule.Warmup(2, new ReduceOnPlateauSchedule(factor: 0.5f, patience: 0));
        double[] losses = { 1, 5, 2, 3 };
        var rates = new List<float>();
        for (int epoch = 1; epoch <= 5; epoch++)
        {
            rates.Add(schedule.Rate(epoch, 0.8f));
            if (epoch <= losses.Length) schedule.Observe(epoch, losses[epoch - 1]);
        }
        Assert.Equal(new[] { 0.4f, 0.8f, 0.8f, 0.8f, 0.4f }, rates);
    }
}
