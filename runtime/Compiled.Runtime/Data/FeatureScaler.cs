using System;

namespace Compiled;

/// <summary>
/// A per-feature transform fitted on training data (<see cref="StandardScaler"/>, <see cref="MinMaxScaler"/>):
/// it applies in place to a whole data set or to rows of features at inference time.
/// </summary>
public abstract class FeatureScaler
{
    /// <summary>Number of features the scaler transforms.</summary>
    public abstract int FeatureCount { get; }

    /// <summary>Transforms the features of <paramref name="data"/> in place.</summary>
    /// <exception cref="ArgumentException">The dataset has a different number of features.</exception>
    public void Transform(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.FeatureCount != FeatureCount)
            throw new ArgumentException(
                $"The dataset has {data.FeatureCount} features but the scaler was fitted on {FeatureCount}.", nameof(data));
        Transform(data.Features);
    }

    /// <summary>Transforms one or more rows of features, laid out row-major, in place (for inputs at inference time).</summary>
    /// <exception cref="ArgumentException">The length is not a multiple of <see cref="FeatureCount"/>.</exception>
    public void Transform(Span<float> features)
    {
        if (features.Length % FeatureCount != 0)
            throw new ArgumentException(
                $"features has {features.Length} values, not a multiple of the scaler's {FeatureCount} features.", nameof(features));
        for (int start = 0; start < features.Length; start += FeatureCount)
            TransformRow(features.Slice(start, FeatureCount));
    }

    /// <summary>Transforms one row of exactly <see cref="FeatureCount"/> features in place.</summary>
    protected abstract void TransformRow(Span<float> row);
}
