using System;
using System.Collections.Generic;

namespace Compiled;

/// <summary>
/// An in-memory table of samples: <see cref="Count"/> rows, each with <see cref="FeatureCount"/> input
/// values and <see cref="TargetCount"/> target values, stored row-major in two flat arrays.
/// For classification the target is a single column holding the class index as a float
/// (see <see cref="FromLabels"/>, <see cref="Labels"/>).
/// </summary>
public sealed class Dataset
{
    /// <summary>
    /// The largest number of classes a classification dataset may have: labels are below 65,536. The class
    /// count is the largest label plus one and sizes per-class tables (stratified splits, class names), so a
    /// corrupt label such as 2·10^9 must be rejected rather than allowed to allocate gigabytes.
    /// </summary>
    public const int MaxClassCount = 1 << 16;

    /// <summary>
    /// Wraps <paramref name="features"/> and <paramref name="targets"/> (not copied) as a dataset.
    /// </summary>
    /// <param name="features">Row-major inputs: <c>Count × featureCount</c> values.</param>
    /// <param name="featureCount">Number of input values per row; positive.</param>
    /// <param name="targets">Row-major targets: <c>Count × targetCount</c> values.</param>
    /// <param name="targetCount">Number of target values per row; positive.</param>
    /// <exception cref="ArgumentException">The lengths do not describe the same number of whole rows.</exception>
    public Dataset(float[] features, int featureCount, float[] targets, int targetCount)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetCount);
        if (features.Length % featureCount != 0)
            throw new ArgumentException(
                $"features has {features.Length} values, not a multiple of featureCount {featureCount}.", nameof(features));
        if (targets.Length % targetCount != 0)
            throw new ArgumentException(
                $"targets has {targets.Length} values, not a multiple of targetCount {targetCount}.", nameof(targets));
        int rows = features.Length / featureCount;
        int targetRows = targets.Length / targetCount;
        if (rows != targetRows)
            throw new ArgumentException(
                $"features has {rows} rows but targets has {targetRows} rows.", nameof(targets));

        Features = features;
        FeatureCount = featureCount;
        Targets = targets;
        TargetCount = targetCount;
        Count = rows;
    }

    /// <summary>Number of rows (samples).</summary>
    public int Count { get; }

    /// <summary>Number of input values per row.</summary>
    public int FeatureCount { get; }

    /// <summary>Number of target values per row.</summary>
    public int TargetCount { get; }

    /// <summary>All inputs, row-major (<see cref="Count"/> × <see cref="FeatureCount"/>). Scalers modify it in place.</summary>
    public float[] Features { get; }

    /// <summary>All targets, row-major (<see cref="Count"/> × <see cref="TargetCount"/>).</summary>
    public float[] Targets { get; }

    /// <summary>The inputs of row <paramref name="i"/>.</summary>
    public ReadOnlySpan<float> FeatureRow(int i)
    {
        CheckRow(i);
        return Features.AsSpan(i * FeatureCount, FeatureCount);
    }

    /// <summary>The targets of row <paramref name="i"/>.</summary>
    public ReadOnlySpan<float> TargetRow(int i)
    {
        CheckRow(i);
        return Targets.AsSpan(i * TargetCount, TargetCount);
    }

    /// <summary>
    /// A classification dataset: one target column holding each row's class index (as a float).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A label is negative or not below <see cref="MaxClassCount"/>, or the row counts differ.
    /// </exception>
    public static Dataset FromLabels(float[] features, int featureCount, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var targets = new float[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= MaxClassCount)
                throw new ArgumentException(
                    $"labels[{i}] is {labels[i]}; class labels must be in [0, {MaxClassCount}) (Dataset.MaxClassCount).", nameof(labels));
            targets[i] = labels[i];
        }
        return new Dataset(features, featureCount, targets, 1);
    }

    /// <summary>A new dataset holding copies of the given rows, in the given order (repeats allowed).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [0, <see cref="Count"/>).</exception>
    public Dataset Subset(ReadOnlySpan<int> indices)
    {
        // In 64 bits: a long index list times a wide row would wrap to a negative or too-small size.
        if ((long)indices.Length * Math.Max(FeatureCount, TargetCount) > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(indices),
                $"{indices.Length} rows of {FeatureCount} features are too many for one array.");
        var features = new float[indices.Length * FeatureCount];
        var targets = new float[indices.Length * TargetCount];
        for (int k = 0; k < indices.Length; k++)
        {
            int row = indices[k];
            if ((uint)row >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"indices[{k}] is {row}, outside [0, {Count}).");
            Features.AsSpan(row * FeatureCount, FeatureCount).CopyTo(features.AsSpan(k * FeatureCount));
            Targets.AsSpan(row * TargetCount, TargetCount).CopyTo(targets.AsSpan(k * TargetCount));
        }
        return new Dataset(features, FeatureCount, targets, TargetCount);
    }

    /// <summary>
    /// Shuffles the rows (deterministically from <paramref name="seed"/>) and splits them into a training
    /// and a test set; the test set gets <c>round(Count × testFraction)</c> rows, at least one and leaving
    /// at least one for training.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="testFraction"/> is not strictly between 0 and 1.</exception>
    /// <exception cref="InvalidOperationException">There are fewer than two rows.</exception>
    public (Dataset Train, Dataset Test) Split(double testFraction, long seed)
    {
        CheckFraction(testFraction);
        if (Count < 2)
            throw new InvalidOperationException($"Cannot split a dataset of {Count} rows into two non-empty parts.");
        int testCount = Math.Clamp((int)Math.Round(Count * testFraction), 1, Count - 1);

        var order = new int[Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        new Rng(seed).Shuffle(order);
        return (Subset(order.AsSpan(testCount)), Subset(order.AsSpan(0, testCount)));
    }

    /// <summary>
    /// Like <see cref="Split"/>, but for classification data (see <see cref="Labels"/>): each class is
    /// split separately, its test share being <c>round(classCount × testFraction)</c>, so both parts keep
    /// the class proportions. The rows of each part are then shuffled together.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="testFraction"/> is not strictly between 0 and 1.</exception>
    /// <exception cref="InvalidOperationException">
    /// The targets are not a single column of class labels below <see cref="MaxClassCount"/>.
    /// </exception>
    public (Dataset Train, Dataset Test) SplitStratified(double testFraction, long seed)
    {
        CheckFraction(testFraction);
        var byClass = RowsByClass();

        var rng = new Rng(seed);
        var train = new List<int>(Count);
        var test = new List<int>(Count);
        foreach (List<int> members in byClass)
        {
            int[] shuffled = members.ToArray();
            rng.Shuffle(shuffled);
            int testCount = (int)Math.Round(shuffled.Length * testFraction);
            test.AddRange(shuffled.AsSpan(0, testCount));
            train.AddRange(shuffled.AsSpan(testCount));
        }

        // Without this, each part would list class 0 first, then class 1, ...
        int[] trainOrder = train.ToArray();
        int[] testOrder = test.ToArray();
        rng.Shuffle(trainOrder);
        rng.Shuffle(testOrder);
        return (Subset(trainOrder), Subset(testOrder));
    }

    /// <summary>The class label of each row, for datasets whose single target column holds class indices.</summary>
    /// <exception cref="InvalidOperationException">
    /// <see cref="TargetCount"/> is not 1, or a target is not an integer in [0, <see cref="MaxClassCount"/>).
    /// </exception>
    public int[] Labels()
    {
        if (TargetCount != 1)
            throw new InvalidOperationException(
                $"Labels need a single target column holding class indices; this dataset has {TargetCount} target columns.");
        var labels = new int[Count];
        for (int i = 0; i < labels.Length; i++)
        {
            float t = Targets[i];
            if (!(t >= 0 && t < MaxClassCount && t == MathF.Floor(t)))
                throw new InvalidOperationException(
                    $"Target of row {i} is {t}, not a class label: an integer in [0, {MaxClassCount}) (Dataset.MaxClassCount).");
            labels[i] = (int)t;
        }
        return labels;
    }

    /// <summary>The number of classes, taken as the largest label plus one (0 for an empty dataset).</summary>
    /// <exception cref="InvalidOperationException">The targets are not a single column of class labels.</exception>
    public int ClassCount() => ClassCount(Labels());

    /// <summary>The row indices of each class, in row order (classification data, see <see cref="Labels"/>).</summary>
    internal List<int>[] RowsByClass()
    {
        int[] labels = Labels();
        var byClass = new List<int>[ClassCount(labels)];
        for (int c = 0; c < byClass.Length; c++) byClass[c] = new List<int>();
        for (int i = 0; i < labels.Length; i++) byClass[labels[i]].Add(i);
        return byClass;
    }

    internal static int ClassCount(int[] labels)
    {
        int max = -1;
        foreach (int label in labels) max = Math.Max(max, label);
        return max + 1;
    }

    private void CheckRow(int i)
    {
        if ((uint)i >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(i), i, $"Row index must be in [0, {Count}).");
    }

    private static void CheckFraction(double testFraction)
    {
        if (!(testFraction > 0 && testFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "Must be strictly between 0 and 1.");
    }
}
