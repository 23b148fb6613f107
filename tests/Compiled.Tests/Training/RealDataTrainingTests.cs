using System;
using Compiled.Tests.Networks;
using Xunit;

namespace Compiled.Tests.Training;

/// <summary>End-to-end training on real data, judged on held-out samples.</summary>
public sealed class RealDataTrainingTests
{
    [Fact]
    public void Digits_reach_95_percent_held_out_accuracy()
    {
        var data = TestData.Load("digits.csv.gz");
        Assert.Equal(1797, data.Count);
        var (train, test) = data.SplitStratified(0.25, seed: 3);
        var scaler = MinMaxScaler.Fit(train); // fitted on training data only
        scaler.Transform(train);
        scaler.Transform(test);

        var net = new DigitsNet();
        var before = net.Evaluate(test);
        var history = net.Fit(train, new FitOptions { Epochs = 40, BatchSize = 32, Optimizer = new Adam(0.003f), Seed = 5 });

        var after = net.Evaluate(test);
        Assert.Equal(40, history.Epochs.Count);
        Assert.True(history.Epochs[^1].TrainLoss < history.Epochs[0].TrainLoss / 4, "training loss fell too little");
        Assert.True(before.Accuracy < 0.3, $"untrained accuracy {before.Accuracy} should be near chance");
        Assert.True(after.Accuracy >= 0.95, $"held-out accuracy {after.Accuracy:F4} < 0.95");
    }

    [Fact]
    public void Breast_cancer_with_binary_cross_entropy_reaches_95_percent()
    {
        var data = TestData.Load("breast_cancer.csv");
        Assert.Equal((569, 30), (data.Count, data.FeatureCount));
        var (train, test) = data.SplitStratified(0.3, seed: 3);
        var scaler = StandardScaler.Fit(train);
        scaler.Transform(train);
        scaler.Transform(test);

        var net = new CancerNet();
        net.Fit(train, new FitOptions { Epochs = 60, BatchSize = 16, Optimizer = new Adam(0.001f), Seed = 5 });

        var result = net.Evaluate(test);
        Assert.True(result.Accuracy >= 0.95, $"held-out accuracy {result.Accuracy:F4} < 0.95");
        // PredictClass agrees with the accuracy Evaluate reports.
        int correct = 0;
        for (int i = 0; i < test.Count; i++)
            if (net.PredictClass(test.FeatureRow(i)) == (int)test.TargetRow(i)[0]) correct++;
        Assert.Equal(result.Accuracy, (double)correct / test.Count, 6);
    }

    [Fact]
    public void Regression_with_mean_squared_error_fits_a_smooth_function()
    {
        // t = sin(2x₁)·cos(x₂) + 0.5·x₂ on a random sample of [−1.5, 1.5]²; the oracle is the function itself.
        static Dataset Sample(int n, ulong seed)
        {
            var rng = new Rng(seed);
            var x = new float[2 * n];
            var t = new float[n];
            for (int i = 0; i < n; i++)
            {
                float a = rng.NextUniform(-1.5f, 1.5f), b = rng.NextUniform(-1.5f, 1.5f);
                x[2 * i] = a;
                x[2 * i + 1] = b;
                t[i] = MathF.Sin(2 * a) * MathF.Cos(b) + 0.5f * b;
            }
            return new Dataset(x, 2, t, 1);
        }

        var train = Sample(2000, 1);
        var test = Sample(500, 2);
        double variance = 0, mean = 0;
        foreach (var v in test.Targets) mean += v;
        mean /= test.Count;
        foreach (var v in test.Targets) variance += (v - mean) * (v - mean);
        variance /= test.Count;

        var net = new RegressionNet();
        net.Fit(train, new FitOptions { Epochs = 150, BatchSize = 32, Optimizer = new Adam(0.003f), Seed = 5 });

        var result = net.Evaluate(test);
        Assert.True(double.IsNaN(result.Accuracy));
        double r2 = 1 - result.Loss / variance;
        Assert.True(r2 > 0.98, $"R² = {r2:F4} (test MSE {result.Loss:F5}, variance {variance:F4})");
    }

    [Fact]
    public void Multi_label_sigmoid_cross_entropy_learns_independent_labels()
    {
        // Labels per digit d: even, greater than 4, prime. Each is a function of the class, so a net
        // that reads digits well answers all three; accuracy counts each label separately.
        var digits = TestData.Load("digits.csv.gz");
        MinMaxScaler.Fit(digits).Transform(digits);
        var targets = new float[digits.Count * 3];
        for (int i = 0; i < digits.Count; i++)
        {
            int d = (int)digits.TargetRow(i)[0];
            targets[3 * i] = d % 2 == 0 ? 1 : 0;
            targets[3 * i + 1] = d > 4 ? 1 : 0;
            targets[3 * i + 2] = d is 2 or 3 or 5 or 7 ? 1 : 0;
        }
        var data = new Dataset(digits.Features, digits.FeatureCount, targets, 3);
        var (train, test) = data.Split(0.25, seed: 3);

        var net = new DigitPropertiesNet();
        net.Fit(train, new FitOptions { Epochs = 40, BatchSize = 32, Optimizer = new Adam(0.003f), Seed = 5 });

        var result = net.Evaluate(test);
        Assert.True(result.Accuracy >= 0.95, $"per-label held-out accuracy {result.Accuracy:F4} < 0.95");
        // The outputs are probabilities (the last sigmoid is the loss's).
        var p = net.Predict(test.FeatureRow(0));
        Assert.All(p, v => Assert.InRange(v, 0f, 1f));
    }
}
