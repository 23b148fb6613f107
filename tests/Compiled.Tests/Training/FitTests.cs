using System;
using System.Collections.Generic;
using System.Linq;
using Compiled.Tests.Networks;
using Xunit;

namespace Compiled.Tests.Training;

public sealed class FitTests
{
    private static (Dataset Train, Dataset Validation) Digits()
    {
        var data = TestData.Load("digits.csv.gz");
        MinMaxScaler.Fit(data).Transform(data);
        return data.SplitStratified(0.3, seed: 1);
    }

    [Fact]
    public void Reports_every_epoch_with_validation_and_same_seed_gives_same_run()
    {
        var (train, validation) = Digits();
        var reports = new List<EpochReport>();
        var a = new DigitsNet(seed: 1);
        var history = a.Fit(train, new FitOptions { Epochs = 4, Validation = validation, Seed = 9, Progress = reports.Add });

        Assert.Equal(new[] { 1, 2, 3, 4 }, reports.Select(r => r.Epoch));
        Assert.Equal(reports, history.Epochs);
        // The last report is the final network's validation result, accuracy included (not just any value in [0, 1]).
        var final = a.Evaluate(validation);
        Assert.Equal(final.Loss, reports[^1].ValidationLoss, 9);
        Assert.Equal(final.Accuracy, reports[^1].ValidationAccuracy, 9);
        Assert.True(reports[^1].ValidationAccuracy > 0.8, $"accuracy {reports[^1].ValidationAccuracy} after 4 epochs");
        Assert.True(reports[^1].ValidationLoss < reports[0].ValidationLoss);
        Assert.All(reports, r => Assert.True(r.TrainLoss > 0 && double.IsFinite(r.TrainLoss)));

        var b = new DigitsNet(seed: 1);
        b.Fit(train, new FitOptions { Epochs = 4, Validation = validation, Seed = 9 });
        Assert.True(a.Parameters.SequenceEqual(b.Parameters), "same seeds must give bit-identical weights");
    }

    [Fact]
    public void Early_stopping_restores_the_best_epoch()
    {
        var (train, validation) = Digits();
        var net = new DigitsNet(seed: 2);
        // A learning rate this high makes validation loss climb after the first epochs.
        var history = net.Fit(train, new FitOptions { Epochs = 40, Validation = validation, Patience = 2, Optimizer = new Sgd(0.5f, momentum: 0.9f), Seed = 1 });

        // Seeded, so this run is fixed: it does stop early (the exact stopping epoch is checked in
        // FitOptionsTests with a scripted validation loss).
        Assert.True(history.StoppedEarly);
        Assert.True(history.Epochs.Count < 40);
        double best = history.Epochs.Min(e => e.ValidationLoss);
        Assert.Equal(best, history.Epochs[history.BestEpoch - 1].ValidationLoss);
        Assert.Equal(history.BestEpoch + 2, history.Epochs.Count); // Patience = 2 epochs without improvement
        Assert.Equal(best, net.Evaluate(validation).Loss, 6);
    }

    [Fact]
    public void Divergence_is_reported_with_the_step()
    {
        var (train, _) = Digits();
        var net = new DigitsNet(seed: 3);
        for (int i = 0; i < 5; i++) train.Features[i] = float.NaN;
        var error = Assert.Throws<TrainingDivergedException>(() => net.Fit(train, new FitOptions { Epochs = 1, Shuffle = false }));
        Assert.Equal(1, error.Epoch);
        Assert.Equal(1, error.Step);
    }

    [Fact]
    public void Mismatched_data_gets_a_clear_error()
    {
        var net = new DigitsNet();
        var wrongFeatures = new Dataset(new float[10 * 3], 3, new float[10], 1);
        Assert.Contains("network takes 64", Assert.Throws<ArgumentException>(() => net.Fit(wrongFeatures)).Message);
        var oneHot = new Dataset(new float[10 * 64], 64, new float[10 * 10], 10);
        Assert.Contains("Dataset.FromLabels", Assert.Throws<ArgumentException>(() => net.Fit(oneHot)).Message);
        Assert.Throws<ArgumentException>(() => net.TrainStep(new float[63], new float[1], new Adam()));
        Assert.Throws<ArgumentException>(() => net.TrainStep(new float[64], new float[2], new Adam()));
        Assert.Contains("labels from 0 to 9", Assert.Throws<ArgumentException>(() => net.TrainStep(new float[64], new[] { 10f }, new Adam())).Message);
    }
}
