using System;
using System.Collections.Generic;
using System.Globalization;
using Compiled.Tests.Networks;
using Xunit;

namespace Compiled.Tests.Training;

/// <summary>
/// Fit's per-batch progress and its optional evaluation of the training set, against the same steps replayed by hand
/// (a twin network with the same seed, the same loader, the same optimizer) and against predictions counted by hand.
/// </summary>
public sealed class FitProgressTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Batch_reports_carry_the_running_mean_of_the_steps_losses(int interval)
    {
        var data = TestData.Load("digits.csv.gz");   // 1,797 samples: batches of 500 → 4 steps, the last of 297
        var reports = new List<BatchReport>();
        var net = new DigitsNet();
        var history = net.Fit(data, new FitOptions
        {
            Epochs = 2, BatchSize = 500, Seed = 9, Optimizer = new Sgd(0.1f),
            BatchProgress = reports.Add, BatchProgressInterval = interval,
        });

        // The same steps by hand: a twin network, the loader Fit builds, the same optimizer.
        var twin = new DigitsNet();
        var sgd = new Sgd(0.1f);
        var loader = new MinibatchLoader(data, 500, shuffle: true, seed: 9);
        var expected = new List<BatchReport>();
        for (int epoch = 1; epoch <= 2; epoch++)
        {
            loader.StartEpoch();
            double sum = 0;
            int seen = 0, step = 0;
            while (loader.TryNext(out var batch))
            {
                step++;
                sum += (double)twin.TrainStep(batch.Features, batch.Targets, sgd) * batch.Count;
                seen += batch.Count;
                if (step % interval == 0 || step == 4) expected.Add(new BatchReport(epoch, 2, step, 4, seen, sum / seen, 0));
            }
        }

        Assert.Equal(expected.Count, reports.Count);
        Assert.Equal(interval == 1 ? 8 : 4, reports.Count); // interval 3: steps 3 and 4 (the last) of each epoch
        for (int i = 0; i < reports.Count; i++)
        {
            BatchReport r = reports[i], e = expected[i];
            Assert.Equal((e.Epoch, e.Epochs, e.Batch, e.Batches, e.Samples), (r.Epoch, r.Epochs, r.Batch, r.Batches, r.Samples));
            Assert.Equal(e.Loss, r.Loss);
            Assert.True(r.Seconds >= 0 && r.SamplesPerSecond >= 0, r.ToString());
        }
        // The last report of an epoch is the epoch's mean loss, and nothing is left of it.
        Assert.Equal(history.Epochs[0].TrainLoss, reports[reports.Count / 2 - 1].Loss);
        Assert.Equal(history.Epochs[1].TrainLoss, reports[^1].Loss);
        Assert.Equal(0, reports[^1].SecondsLeft);
        Assert.Equal(twin.Parameters.ToArray(), net.Parameters.ToArray());
    }

    [Fact]
    public void Batch_report_estimates_the_time_left_from_the_speed_so_far()
    {
        var report = new BatchReport(Epoch: 1, Epochs: 3, Batch: 5, Batches: 20, Samples: 160, Loss: 0.5, Seconds: 2.0);
        Assert.Equal(80.0, report.SamplesPerSecond);
        Assert.Equal(6.0, report.SecondsLeft, 12);   // 15 steps left at 0.4 s each
        Assert.Equal("epoch 1/3 batch 5/20: loss 0.5000, 80 samples/s, 6.0 s left", report.ToString());
    }

    [Fact]
    public void Evaluating_the_training_set_reports_its_accuracy_and_loss_after_each_epoch()
    {
        var data = TestData.Load("digits.csv.gz");
        var (train, _) = data.SplitStratified(0.5, seed: 3);
        var net = new DigitsNet();
        var epochs = new List<(double Accuracy, double Loss, float[] Weights)>();
        var history = net.Fit(train, new FitOptions
        {
            Epochs = 2, BatchSize = 64, Optimizer = new Sgd(0.05f), EvaluateTraining = true,
            Progress = r => epochs.Add((r.TrainAccuracy, r.TrainEvaluationLoss, net.Parameters.ToArray())),
        });

        int[] labels = train.Labels();
        for (int e = 0; e < 2; e++)
        {
            // The accuracy counted by hand with the weights the epoch ended with.
            var probe = new DigitsNet();
            epochs[e].Weights.CopyTo(probe.Parameters);
            int right = 0;
            for (int i = 0; i < train.Count; i++)
                if (probe.PredictClass(train.FeatureRow(i)) == labels[i]) right++;
            Assert.Equal((double)right / train.Count, epochs[e].Accuracy, 12);
            Assert.Equal(probe.Evaluate(train.Features, train.Targets).Loss, epochs[e].Loss, 12);
            Assert.Equal(epochs[e].Accuracy, history.Epochs[e].TrainAccuracy);
        }

        var text = new System.IO.StringWriter();
        history.WriteCsv(text);
        string[] second = text.ToString().Split('\n')[2].TrimEnd('\r').Split(',');
        Assert.Equal(history.Epochs[1].TrainAccuracy, double.Parse(second[6], CultureInfo.InvariantCulture));
        Assert.Equal(history.Epochs[1].TrainEvaluationLoss, double.Parse(second[7], CultureInfo.InvariantCulture));
        Assert.Contains("train accuracy", history.Epochs[1].ToString());
    }

    [Fact]
    public void Without_the_option_the_training_set_is_not_evaluated()
    {
        var data = TestData.Load("digits.csv.gz");
        var history = new DigitsNet().Fit(data, new FitOptions { Epochs = 1, BatchSize = 256 });
        Assert.True(double.IsNaN(history.Epochs[0].TrainAccuracy));
        Assert.True(double.IsNaN(history.Epochs[0].TrainEvaluationLoss));
        Assert.DoesNotContain("train accuracy", history.Epochs[0].ToString());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void A_batch_progress_interval_below_one_is_refused(int interval)
    {
        var data = TestData.Load("digits.csv.gz");
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new DigitsNet().Fit(data, new FitOptions { Epochs = 1, BatchProgressInterval = interval }));
        Assert.Contains("FitOptions.BatchProgressInterval must be positive", error.Message);
    }
}
