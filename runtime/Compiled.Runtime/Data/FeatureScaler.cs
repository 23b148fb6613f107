using System;

namespace Compiled;

/// <summary>
/// A per-feature transform fitted on training data (<see cref="StandardScaler"/>, <see cref="MinMaxScaler"/>):
/// it applies in place to a whole data set or to rows of features at inference time. Fitted on targets
/// instead (<c>FitTargets</c>), it scales a regression's targets, and <see cref="InverseTransform"/> turns
/// the network's outputs back into the targets' units.
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

    /// <summary>Transforms the targets of <paramref name="data"/> in place (a scaler fitted with <c>FitTargets</c>).</summary>
    /// <exception cref="ArgumentException">The dataset has a different number of targets.</exception>
    public void TransformTargets(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.TargetCount != FeatureCount)
            throw new ArgumentException(
                $"The dataset has {data.TargetCount} targets but the scaler was fitted on {FeatureCount} columns.", nameof(data));
        Transform(data.Targets);
    }

    /// <summary>
    /// Undoes <see cref="Transform(Span{float})"/> in place: for a target scaler, turns predictions back
    /// into the targets' units (Predict, then InverseTransform).
    /// </summary>
    /// <exception cref="ArgumentException">The length is not a multiple of <see cref="FeatureCount"/>.</exception>
    public void InverseTransform(Span<float> values)
    {
        if (values.Length % FeatureCount != 0)
            throw new ArgumentException(
                $"values has {values.Length} values, not a multiple of the scaler's {FeatureCount} columns.", nameof(values));
        for (int start = 0; start < values.Length; start += FeatureCount)
            InverseTransformRow(values.Slice(start, FeatureCount));
    }

    /// <summary>Transforms one row of exactly <see cref="FeatureCount"/> features in place.</summary>
    protected abstract void TransformRow(Span<float> row);

    /// <summary>The inverse of <see cref="TransformRow"/>, in place.</summary>
    protected abstract void InverseTransformRow(Span<float> row);
}
