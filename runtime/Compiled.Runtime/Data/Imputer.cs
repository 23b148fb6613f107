using System;
using System.Collections.Generic;

namespace Compiled;

/// <summary>How an <see cref="Imputer"/> fills a missing (NaN) feature.</summary>
public enum ImputeStrategy
{
    /// <summary>The mean of the feature's present values in the training data.</summary>
    Mean,

    /// <summary>The median of the present values (the mean of the two middle ones for an even count).</summary>
    Median,

    /// <summary>The most frequent present value (the smallest of those tied).</summary>
    MostFrequent,

    /// <summary>A fixed value (<see cref="Imputer.Fit"/>'s <c>fillValue</c>).</summary>
    Constant,
}

/// <summary>
/// Fills missing features, marked as NaN (<see cref="Csv.LoadUciClassification(string, bool)"/> with
/// allowNaN keeps them), with per-feature values learned from the training data only (scikit-learn's
/// SimpleImputer). Optionally appends one 0/1 indicator column per feature that had missing values in
/// training (scikit-learn's add_indicator), so the network can learn from missingness itself.
/// </summary>
public sealed class Imputer
{
    private readonly int[] _indicatorColumns;

    private Imputer(float[] fillValues, int[] indicatorColumns)
    {
        FillValues = fillValues;
        _indicatorColumns = indicatorColumns;
    }

    /// <summary>The value each feature's NaNs become.</summary>
    public float[] FillValues { get; }

    /// <summary>Features of the input.</summary>
    public int FeatureCount => FillValues.Length;

    /// <summary>The features that get an indicator column (those with a NaN in the training data), in order; empty without indicators.</summary>
    public IReadOnlyList<int> IndicatorColumns => _indicatorColumns;

    /// <summary>Features after <see cref="Transform"/>: the input's plus one per indicator column.</summary>
    public int OutputFeatureCount => FeatureCount + _indicatorColumns.Length;

    /// <summary>
    /// Learns a fill value per feature from <paramref name="train"/>'s present values. A feature with no
    /// present value at all gets <paramref name="fillValue"/> whatever the strategy (its mean or median does not exist).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="train"/> is empty, or <paramref name="fillValue"/> is not finite.</exception>
    public static Imputer Fit(Dataset train, ImputeStrategy strategy = ImputeStrategy.Mean, bool addIndicator = false, float fillValue = 0f)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0) throw new ArgumentException("Cannot fit an imputer on an empty dataset.", nameof(train));
        if (!float.IsFinite(fillValue)) throw new ArgumentException($"fillValue is {fillValue}; it must be a finite number.", nameof(fillValue));
        if (!Enum.IsDefined(strategy)) throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Not an ImputeStrategy value.");
        int n = train.Count, d = train.FeatureCount;
        var fills = new float[d];
        var indicators = new List<int>();
        var present = new List<float>(n);
        for (int j = 0; j < d; j++)
        {
            present.Clear();
            for (int i = 0; i < n; i++)
            {
                float v = train.Features[i * d + j];
                if (!float.IsNaN(v)) present.Add(v);
            }
            if (present.Count < n && addIndicator) indicators.Add(j);
            fills[j] = present.Count == 0 || strategy == ImputeStrategy.Constant ? fillValue : strategy switch
            {
                ImputeStrategy.Mean => Mean(present),
                ImputeStrategy.Median => Median(present),
                _ => MostFrequent(present),
            };
        }
        return new Imputer(fills, indicators.ToArray());
    }

    private static float Mean(List<float> values)
    {
        double sum = 0;
        foreach (float v in values) sum += v;
        return (float)(sum / values.Count);
    }

    private static float Median(List<float> values)
    {
        values.Sort();
        int m = values.Count / 2;
        return values.Count % 2 == 1 ? values[m] : (float)(((double)values[m - 1] + values[m]) / 2);
    }

    private static float MostFrequent(List<float> values)
    {
        values.Sort();
        float best = values[0];
        int bestRun = 0;
        for (int i = 0; i < values.Count;)
        {
            int j = i;
            while (j < values.Count && values[j] == values[i]) j++;
            if (j - i > bestRun)
            {
                bestRun = j - i;
                best = values[i];
            }
            i = j;
        }
        return best;
    }

    /// <summary>
    /// Returns <paramref name="data"/> with every NaN feature replaced by its fill value, and the indicator
    /// columns appended (1 where the feature was missing). The targets are shared, not copied; the input is not changed.
    /// </summary>
    /// <exception cref="ArgumentException">The data has a different number of features.</exception>
    public Dataset Transform(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.FeatureCount != FeatureCount)
            throw new ArgumentException($"The dataset has {data.FeatureCount} features but the imputer was fitted on {FeatureCount}.", nameof(data));
        int d = FeatureCount, e = OutputFeatureCount;
        var features = new float[(long)data.Count * e];
        for (int i = 0; i < data.Count; i++)
        {
            var row = data.FeatureRow(i);
            var output = features.AsSpan(i * e, e);
            for (int j = 0; j < d; j++) output[j] = float.IsNaN(row[j]) ? FillValues[j] : row[j];
            for (int k = 0; k < _indicatorColumns.Length; k++) output[d + k] = float.IsNaN(row[_indicatorColumns[k]]) ? 1f : 0f;
        }
        return new Dataset(features, e, data.Targets, data.TargetCount);
    }
}
