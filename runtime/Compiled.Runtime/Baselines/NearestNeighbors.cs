using System;
using Compiled.Kernels;

namespace Compiled;

/// <summary>
/// k-nearest-neighbour classification, the baseline a network should beat ("establish a baseline
/// first"): a sample gets the most common label among the k training samples closest to it in
/// Euclidean distance; a tie between labels goes to the one whose nearest member is closest. Distances
/// come from ‖x‖² + ‖t‖² − 2·x·t with the packed SGEMM, in blocks of test rows, so Fashion-MNIST
/// (60,000 × 10,000 × 784) takes seconds.
/// </summary>
public sealed class NearestNeighbors
{
    private const int Block = 64;
    private readonly Dataset _train;
    private readonly int[] _labels;
    private readonly float[] _squaredNorms;
    private readonly int _classCount;

    /// <summary>Remembers <paramref name="train"/> (features and class labels); <paramref name="k"/> neighbours vote.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not between 1 and the training set's size.</exception>
    /// <exception cref="InvalidOperationException">The targets are not class labels.</exception>
    public NearestNeighbors(Dataset train, int k = 5)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (k < 1 || k > train.Count) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be between 1 and the number of training samples ({train.Count}).");
        _train = train;
        K = k;
        _labels = train.Labels();
        _classCount = train.ClassCount();
        _squaredNorms = SquaredNorms(train.Features, train.Count, train.FeatureCount);
    }

    /// <summary>Neighbours that vote.</summary>
    public int K { get; }

    private static float[] SquaredNorms(float[] features, int count, int width)
    {
        var norms = new float[count];
        for (int i = 0; i < count; i++)
        {
            double sum = 0;
            foreach (float v in features.AsSpan(i * width, width)) sum += (double)v * v;
            norms[i] = (float)sum;
        }
        return norms;
    }

    /// <summary>The predicted class of every sample of <paramref name="test"/>.</summary>
    /// <exception cref="ArgumentException">The test set has a different number of features.</exception>
    public int[] Predict(Dataset test)
    {
        ArgumentNullException.ThrowIfNull(test);
        int d = _train.FeatureCount, n = _train.Count;
        if (test.FeatureCount != d)
            throw new ArgumentException($"The test set has {test.FeatureCount} features but the training set {d}.", nameof(test));
        var predictions = new int[test.Count];
        var products = new float[Block * n];
        var nearest = new int[K];
        var nearestDistance = new float[K];
        var votes = new int[_classCount];
        for (int start = 0; start < test.Count; start += Block)
        {
            int rows = Math.Min(Block, test.Count - start);
            // products[r, j] = x_r · t_j
            Sgemm.Multiply(transA: false, transB: true, rows, n, d, 1f, test.Features.AsSpan(start * d, rows * d), d,
                _train.Features.AsSpan(0, n * d), d, 0f, products.AsSpan(0, rows * n), n);
            for (int r = 0; r < rows; r++)
            {
                // ‖x_r‖² is the same for every j, so −2·x·t + ‖t‖² ranks the neighbours.
                int found = 0;
                var row = products.AsSpan(r * n, n);
                for (int j = 0; j < n; j++)
                {
                    float distance = _squaredNorms[j] - 2 * row[j];
                    if (found == K && distance >= nearestDistance[K - 1]) continue;
                    int at = found < K ? found++ : K - 1;
                    while (at > 0 && nearestDistance[at - 1] > distance)
                    {
                        nearestDistance[at] = nearestDistance[at - 1];
                        nearest[at] = nearest[at - 1];
                        at--;
                    }
                    nearestDistance[at] = distance;
                    nearest[at] = j;
                }
                Array.Clear(votes);
                int most = 0;
                for (int i = 0; i < K; i++) most = Math.Max(most, ++votes[_labels[nearest[i]]]);
                // Of the labels with the most votes, the one whose nearest member comes first.
                int best = 0;
                for (int i = 0; i < K; i++)
                    if (votes[_labels[nearest[i]]] == most) { best = _labels[nearest[i]]; break; }
                predictions[start + r] = best;
            }
        }
        return predictions;
    }

    /// <summary>The fraction of <paramref name="test"/> whose label <see cref="Predict"/> gets right.</summary>
    public double Accuracy(Dataset test)
    {
        int[] predicted = Predict(test);
        int[] labels = test.Labels();
        int correct = 0;
        for (int i = 0; i < labels.Length; i++) if (predicted[i] == labels[i]) correct++;
        return (double)correct / labels.Length;
    }
}
