using System;

namespace Compiled;

/// <summary>Regression metrics of a network's predictions against targets (all outputs pooled).</summary>
/// <param name="MeanAbsoluteError">mean |y − t|.</param>
/// <param name="RootMeanSquaredError">√(mean (y − t)²).</param>
/// <param name="RSquared">1 − Σ(y − t)² / Σ(t − mean t)², per output column, averaged (scikit-learn's uniform average); NaN for a constant target column.</param>
/// <param name="Count">Samples.</param>
public readonly record struct RegressionMetrics(double MeanAbsoluteError, double RootMeanSquaredError, double RSquared, int Count)
{
    /// <inheritdoc />
    public override string ToString() => $"MAE {MeanAbsoluteError:G4}, RMSE {RootMeanSquaredError:G4}, R² {RSquared:F4} on {Count} samples";
}

/// <summary>
/// Metrics that go beyond <see cref="INetwork.Evaluate"/>'s loss and accuracy: the confusion matrix
/// with per-class precision, recall and F1, top-k accuracy, and MAE, RMSE and R² for regression. Each
/// predicts in chunks through <see cref="INetwork.Predict"/> (thread-safe, like it).
/// </summary>
public static class Metrics
{
    private const int Chunk = 256;

    /// <summary>
    /// The confusion matrix of a classifier on <paramref name="data"/> (labels as targets, as for softmax
    /// cross-entropy): the predicted class is the largest output, or, for a single output (binary
    /// cross-entropy), output &gt; <paramref name="threshold"/> (0 for logits; pass 0.5 for a network ending in a sigmoid).
    /// </summary>
    /// <exception cref="ArgumentException">The data does not fit the network, or a label is not a class index.</exception>
    public static ConfusionMatrix Confusion(INetwork network, Dataset data, float threshold = 0f)
    {
        Check(network, data, labels: true);
        int classes = network.OutputSize == 1 ? 2 : network.OutputSize;
        var matrix = new ConfusionMatrix(classes);
        var outputs = new float[Math.Min(Chunk, data.Count) * network.OutputSize];
        ForEachChunk(network, data, outputs, (start, rows, y) =>
        {
            for (int r = 0; r < rows; r++)
            {
                var row = y.Slice(r * network.OutputSize, network.OutputSize);
                int predicted = network.OutputSize == 1 ? (row[0] > threshold ? 1 : 0) : ArgMax(row);
                matrix.Add(Label(data, start + r, classes), predicted);
            }
        });
        return matrix;
    }

    /// <summary>The fraction of samples whose label is among the <paramref name="k"/> largest outputs (ties count in the label's favour only when strictly needed: a label scores when fewer than k outputs are larger than its own).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not in [1, OutputSize].</exception>
    public static double TopKAccuracy(INetwork network, Dataset data, int k)
    {
        Check(network, data, labels: true);
        if (k < 1 || k > network.OutputSize)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be between 1 and the number of classes ({network.OutputSize}).");
        long hits = 0;
        var outputs = new float[Math.Min(Chunk, data.Count) * network.OutputSize];
        ForEachChunk(network, data, outputs, (start, rows, y) =>
        {
            for (int r = 0; r < rows; r++)
            {
                var row = y.Slice(r * network.OutputSize, network.OutputSize);
                float own = row[Label(data, start + r, network.OutputSize)];
                int larger = 0;
                foreach (float v in row) if (v > own) larger++;
                if (larger < k) hits++;
            }
        });
        return (double)hits / data.Count;
    }

    /// <summary>MAE, RMSE and R² of a regression network on <paramref name="data"/> (one target per output).</summary>
    /// <exception cref="ArgumentException">The data does not fit the network.</exception>
    public static RegressionMetrics Regression(INetwork network, Dataset data)
    {
        Check(network, data, labels: false);
        int outputs = network.OutputSize;
        var meanTarget = new double[outputs];
        for (int i = 0; i < data.Count; i++)
            for (int j = 0; j < outputs; j++) meanTarget[j] += data.Targets[i * outputs + j];
        for (int j = 0; j < outputs; j++) meanTarget[j] /= data.Count;

        double absolute = 0, squared = 0;
        var residual = new double[outputs];
        var total = new double[outputs];
        var buffer = new float[Math.Min(Chunk, data.Count) * outputs];
        ForEachChunk(network, data, buffer, (start, rows, y) =>
        {
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < outputs; j++)
                {
                    double t = data.Targets[(start + r) * outputs + j], e = y[r * outputs + j] - t;
                    absolute += Math.Abs(e);
                    squared += e * e;
                    residual[j] += e * e;
                    total[j] += (t - meanTarget[j]) * (t - meanTarget[j]);
                }
        });
        double r2 = 0;
        for (int j = 0; j < outputs; j++) r2 += total[j] == 0 ? double.NaN : 1 - residual[j] / total[j];
        long n = (long)data.Count * outputs;
        return new RegressionMetrics(absolute / n, Math.Sqrt(squared / n), r2 / outputs, data.Count);
    }

    private delegate void ChunkAction(int start, int rows, ReadOnlySpan<float> outputs);

    private static void ForEachChunk(INetwork network, Dataset data, float[] buffer, ChunkAction action)
    {
        for (int start = 0; start < data.Count; start += Chunk)
        {
            int rows = Math.Min(Chunk, data.Count - start);
            var y = buffer.AsSpan(0, rows * network.OutputSize);
            network.Predict(data.Features.AsSpan(start * network.InputSize, rows * network.InputSize), y);
            action(start, rows, y);
        }
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int j = 1; j < row.Length; j++) if (row[j] > row[best]) best = j;
        return best;
    }

    private static int Label(Dataset data, int sample, int classes)
    {
        float label = data.Targets[sample];
        if (!(label >= 0 && label < classes && label == MathF.Floor(label)))
            throw new ArgumentException($"Sample {sample} has label {label}, not a class index in [0, {classes}).", nameof(data));
        return (int)label;
    }

    private static void Check(INetwork network, Dataset data, bool labels)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0) throw new ArgumentException("The data set is empty.", nameof(data));
        if (data.FeatureCount != network.InputSize)
            throw new ArgumentException($"The data has {data.FeatureCount} features per sample but the network takes {network.InputSize}.", nameof(data));
        if (labels && data.TargetCount != 1)
            throw new ArgumentException($"The data has {data.TargetCount} targets per sample: classification metrics need one class label per sample (Dataset.FromLabels).", nameof(data));
        if (!labels && data.TargetCount != network.OutputSize)
            throw new ArgumentException($"The data has {data.TargetCount} targets per sample but the network has {network.OutputSize} outputs.", nameof(data));
    }
}
