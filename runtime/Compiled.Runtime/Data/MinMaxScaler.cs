using System;

namespace Compiled;

/// <summary>
/// Rescales each feature linearly so that its range on the training data becomes [0, 1]. Values outside
/// the training range (in other sets) map outside [0, 1]; they are not clipped.
/// Fit it on the training set only and apply the same transform to every other set.
/// </summary>
public sealed class MinMaxScaler : FeatureScaler
{
    /// <summary>A scaler with known ranges, for instance restored from a saved model.</summary>
    /// <param name="min">Per-feature minimum.</param>
    /// <param name="max">Per-feature maximum; at least the minimum.</param>
    public MinMaxScaler(float[] min, float[] max)
    {
        ArgumentNullException.ThrowIfNull(min);
        ArgumentNullException.ThrowIfNull(max);
        if (min.Length != max.Length)
            throw new ArgumentException($"min has {min.Length} values but max has {max.Length}.", nameof(max));
        if (min.Length == 0)
            throw new ArgumentException("A scaler needs at least one feature.", nameof(min));
        for (int j = 0; j < min.Length; j++)
        {
            if (!(max[j] >= min[j]))
                throw new ArgumentException($"max[{j}] is {max[j]}, below min[{j}] = {min[j]}.", nameof(max));
        }
        Min = min;
        Max = max;
    }

    /// <summary>Per-feature minimum of the training data; it maps to 0.</summary>
    public float[] Min { get; }

    /// <summary>Per-feature maximum of the training data; it maps to 1 (a constant feature maps to 0).</summary>
    public float[] Max { get; }

    /// <summary>Number of features the scaler transforms.</summary>
    public override int FeatureCount => Min.Length;

    /// <summary>Computes the per-feature minimum and maximum of <paramref name="train"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="train"/> has no rows.</exception>
    public static MinMaxScaler Fit(Dataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0)
            throw new ArgumentException("Cannot fit a scaler on an empty dataset.", nameof(train));
        return Fit(train.Features, train.Count, train.FeatureCount);
    }

    /// <summary>The per-column minimum and maximum of the targets of <paramref name="train"/> (see <see cref="FeatureScaler.InverseTransform"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="train"/> has no rows.</exception>
    public static MinMaxScaler FitTargets(Dataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0)
            throw new ArgumentException("Cannot fit a scaler on an empty dataset.", nameof(train));
        return Fit(train.Targets, train.Count, train.TargetCount);
    }

    private static MinMaxScaler Fit(float[] values, int n, int d)
    {
        var min = values.AsSpan(0, d).ToArray();
        var max = values.AsSpan(0, d).ToArray();
        for (int i = 1; i < n; i++)
        {
            ReadOnlySpan<float> row = values.AsSpan(i * d, d);
            for (int j = 0; j < d; j++)
            {
                min[j] = Math.Min(min[j], row[j]);
                max[j] = Math.Max(max[j], row[j]);
            }
        }
        return new MinMaxScaler(min, max);
    }

    /// <inheritdoc />
    protected override void TransformRow(Span<float> row)
    {
        for (int j = 0; j < row.Length; j++)
        {
            float range = Max[j] - Min[j];
            row[j] = (row[j] - Min[j]) / (range > 0 ? range : 1f);
        }
    }

    /// <inheritdoc />
    protected override void InverseTransformRow(Span<float> row)
    {
        for (int j = 0; j < row.Length; j++)
        {
            float range = Max[j] - Min[j];
            row[j] = row[j] * (range > 0 ? range : 1f) + Min[j];
        }
    }
}
