using System;
using Xunit;

namespace Compiled.Tests.Evaluation;

/// <summary>The metrics against values worked out by hand, through a network that returns fixed outputs.</summary>
public sealed class MetricsTests
{
    /// <summary>A stand-in network: sample i's "feature" is i, and its output row is outputs[i].</summary>
    private sealed class TableNetwork : INetwork
    {
        private readonly float[][] _outputs;

        public TableNetwork(float[][] outputs) => _outputs = outputs;

        public int InputSize => 1;
        public int OutputSize => _outputs[0].Length;
        public int TargetSize => 1;
        public int ParameterCount => 0;
        public string Architecture => "table";
        public Span<float> Parameters => Span<float>.Empty;
        public Span<float> Gradients => Span<float>.Empty;
        public System.Collections.Generic.IReadOnlyList<TensorInfo> Tensors => Array.Empty<TensorInfo>();
        public float TrainStep(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, Optimizer optimizer) => throw new NotSupportedException();
        public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets) => throw new NotSupportedException();
        public EvaluationResult Evaluate(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets) => throw new NotSupportedException();

        public void Predict(ReadOnlySpan<float> inputs, Span<float> outputs)
        {
            for (int r = 0; r < inputs.Length; r++) _outputs[(int)inputs[r]].CopyTo(outputs.Slice(r * OutputSize, OutputSize));
        }
    }

    private static Dataset Indexed(params int[] labels)
    {
        var features = new float[labels.Length];
        for (int i = 0; i < features.Length; i++) features[i] = i;
        return Dataset.FromLabels(features, 1, labels);
    }

    private static float[] OneHot(int c, int classes)
    {
        var row = new float[classes];
        row[c] = 1;
        return row;
    }

    [Fact]
    public void Confusion_matrix_precision_recall_and_F1_match_the_hand_computed_values()
    {
        int[] actual = { 0, 0, 0, 1, 1, 2, 2, 2, 2 };
        int[] predicted = { 0, 0, 1, 1, 2, 2, 2, 0, 0 };
        var net = new TableNetwork(Array.ConvertAll(predicted, p => OneHot(p, 3)));
        var m = Metrics.Confusion(net, Indexed(actual));

        // Rows actual, columns predicted: [2 1 0], [0 1 1], [2 0 2].
        Assert.Equal(new long[] { 2, 1, 0, 0, 1, 1, 2, 0, 2 },
            new[] { m[0, 0], m[0, 1], m[0, 2], m[1, 0], m[1, 1], m[1, 2], m[2, 0], m[2, 1], m[2, 2] });
        Assert.Equal(9, m.Total);
        Assert.Equal(5.0 / 9, m.Accuracy, 12);
        // Class 0: predicted 4 times, right 2: P = 1/2; 3 samples: R = 2/3; F1 = 2·(1/2)(2/3)/(7/6) = 4/7.
        Assert.Equal(0.5, m.Precision(0), 12);
        Assert.Equal(2.0 / 3, m.Recall(0), 12);
        Assert.Equal(4.0 / 7, m.F1(0), 12);
        // Class 1: P = R = F1 = 1/2. Class 2: P = 2/3, R = 1/2, F1 = 4/7.
        Assert.Equal(0.5, m.F1(1), 12);
        Assert.Equal(2.0 / 3, m.Precision(2), 12);
        Assert.Equal(0.5, m.Recall(2), 12);
        Assert.Equal(4.0 / 7, m.F1(2), 12);
        Assert.Equal((4.0 / 7 + 0.5 + 4.0 / 7) / 3, m.MacroF1, 12);
        Assert.Equal(4, m.Support(2));

        string text = m.ToString(new[] { "cat", "dog", "bird" });
        Assert.Contains("bird", text);
        Assert.Contains("0.5714", text);
        Assert.Contains("macro avg", text);
    }

    [Fact]
    public void A_class_never_predicted_has_precision_0_not_NaN()
    {
        var net = new TableNetwork(new[] { OneHot(0, 2), OneHot(0, 2) });
        var m = Metrics.Confusion(net, Indexed(0, 1));
        Assert.Equal(0, m.Precision(1));
        Assert.Equal(0, m.F1(1));
        Assert.Equal(0.5, m.Accuracy);
    }

    [Fact]
    public void A_single_output_is_thresholded()
    {
        var net = new TableNetwork(new[] { new[] { -0.3f }, new[] { 0.2f }, new[] { 0.7f } });
        var logits = Metrics.Confusion(net, Indexed(0, 1, 1));
        Assert.Equal(1.0, logits.Accuracy);
        var probabilities = Metrics.Confusion(net, Indexed(0, 1, 1), threshold: 0.5f);
        Assert.Equal(1, probabilities[1, 0]); // 0.2 is below 0.5
    }

    [Fact]
    public void Top_k_accuracy_counts_the_label_among_the_k_largest()
    {
        var net = new TableNetwork(new[]
        {
            new[] { 0.1f, 0.5f, 0.3f, 0.1f }, // label 2: second largest
            new[] { 0.7f, 0.1f, 0.1f, 0.1f }, // label 0: largest
            new[] { 0.4f, 0.3f, 0.2f, 0.1f }, // label 3: smallest
        });
        var data = Indexed(2, 0, 3);
        Assert.Equal(1.0 / 3, Metrics.TopKAccuracy(net, data, 1), 12);
        Assert.Equal(2.0 / 3, Metrics.TopKAccuracy(net, data, 2), 12);
        Assert.Equal(2.0 / 3, Metrics.TopKAccuracy(net, data, 3), 12);
        Assert.Equal(1.0, Metrics.TopKAccuracy(net, data, 4), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => Metrics.TopKAccuracy(net, data, 5));
    }

    [Fact]
    public void Regression_metrics_match_the_hand_computed_values()
    {
        // y = [1.5, 2, 2, 5] for t = [1, 2, 3, 4]: errors 0.5, 0, −1, 1.
        var net = new TableNetwork(new[] { new[] { 1.5f }, new[] { 2f }, new[] { 2f }, new[] { 5f } });
        var data = new Dataset(new float[] { 0, 1, 2, 3 }, 1, new float[] { 1, 2, 3, 4 }, 1);
        var r = Metrics.Regression(net, data);
        Assert.Equal(0.625, r.MeanAbsoluteError, 12);       // 2.5 / 4
        Assert.Equal(0.75, r.RootMeanSquaredError, 12);     // √(2.25 / 4)
        Assert.Equal(0.55, r.RSquared, 12);                 // 1 − 2.25 / 5 (Σ(t − 2.5)² = 5)
        Assert.Equal(4, r.Count);
    }

    [Fact]
    public void Bad_input_is_refused_with_a_message()
    {
        var net = new TableNetwork(new[] { OneHot(0, 2) });
        Assert.Throws<ArgumentException>(() => Metrics.Confusion(net, Indexed(5)));
        Assert.Throws<ArgumentException>(() => Metrics.Regression(net, Indexed(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConfusionMatrix(1));
        var m = new ConfusionMatrix(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Add(2, 0));
        Assert.True(double.IsNaN(m.Accuracy));
    }

    [Fact]
    public void On_a_trained_network_the_matrix_agrees_with_Evaluate()
    {
        var data = TestData.Load("digits.csv.gz");
        var (train, test) = data.SplitStratified(0.25, seed: 3);
        var scaler = MinMaxScaler.Fit(train);
        scaler.Transform(train);
        scaler.Transform(test);
        var net = new Compiled.Tests.Networks.DigitsNet();
        net.Fit(train, new FitOptions { Epochs = 5, BatchSize = 32, Seed = 1 });
        var m = Metrics.Confusion(net, test);
        Assert.Equal(net.Evaluate(test).Accuracy, m.Accuracy, 12);
        Assert.Equal(test.Count, m.Total);
        Assert.True(Metrics.TopKAccuracy(net, test, 3) >= m.Accuracy);
    }
}

/// <summary>Evaluate of a regression network reports the mean absolute error, not a NaN accuracy alone.</summary>
public sealed class RegressionEvaluateTests
{
    [Fact]
    public void Evaluate_gives_the_mean_absolute_error_of_the_predictions()
    {
        var net = new Compiled.Tests.Networks.RegressionNet();
        var rng = new Rng(3);
        var x = new float[150 * 2];
        var t = new float[150];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextUniform(-1, 1);
        for (int i = 0; i < t.Length; i++) t[i] = rng.NextUniform(-1, 1);
        var y = net.Predict(x);
        double expected = 0, squares = 0;
        for (int i = 0; i < t.Length; i++)
        {
            expected += Math.Abs((double)y[i] - t[i]);
            squares += ((double)y[i] - t[i]) * ((double)y[i] - t[i]);
        }
        expected /= t.Length;
        var result = net.Evaluate(x, t);
        Assert.Equal(expected, result.MeanAbsoluteError, 6);
        Assert.Equal(squares / t.Length, result.Loss, 5);
        Assert.True(double.IsNaN(result.Accuracy));
        Assert.Contains("MAE", result.ToString());
        Assert.True(double.IsNaN(new Compiled.Tests.Networks.DigitsNet().Evaluate(new float[64], new float[] { 1 }).MeanAbsoluteError));
    }
}
