using System;

namespace Compiled;

/// <summary>
/// Standardizes features: each feature has the mean of the training data subtracted and is divided by
/// its standard deviation there, so it has mean 0 and standard deviation 1 on the training data.
/// Fit it on the training set only and apply the same transform to every other set.
/// </summary>
public sealed class StandardScaler : FeatureScaler
{
    /// <summary>A scaler with known statistics, for instance restored from a saved model.</summary>
    /// <param name="mean">Per-feature mean.</param>
    /// <param name="stdDev">Per-feature standard deviation; positive.</param>
    public StandardScaler(float[] mean, float[] stdDev)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(stdDev);
        if (mean.Length != stdDev.Length)
            throw new ArgumentException($"mean has {mean.Length} values but stdDev has {stdDev.Length}.", nameof(stdDev));
        if (mean.Length == 0)
            throw new ArgumentException("A scaler needs at least one feature.", nameof(mean));
        for (int j = 0; j < stdDev.Length; j++)
        {
            if (!(stdDev[j] > 0))
                throw new ArgumentException($"stdDev[{j}] is {stdDev[j]}; it must be positive.", nameof(stdDev));
        }
        Mean = mean;
        StdDev = stdDev;
    }

    /// <summary>Per-feature mean of the training data.</summary>
    public float[] Mean { get; }

    /// <summary>Per-feature (population) standard deviation of the training data; 1 for constant features.</summary>
    public float[] StdDev { get; }

    /// <summary>Number of features the scaler transforms.</summary>
    public override int FeatureCount => Mean.Length;

    /// <summary>
    /// Computes the per-feature mean and population standard deviation (dividing by the row count) of
    /// <paramref name="train"/>. A feature that is constant there gets standard deviation 1, so it maps to 0
    /// instead of dividing by zero.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="train"/> has no rows.</exception>
    public static StandardScaler Fit(Dataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0)
            throw new ArgumentException("Cannot fit a scaler on an empty dataset.", nameof(train));
        return Fit(train.Features, train.Count, train.FeatureCount);
    }

    /// <summary>The same statistics over the targets of <paramref name="train"/>: for regression targets (see <see cref="FeatureScaler.InverseTransform"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="train"/> has no rows.</exception>
    public static StandardScaler FitTargets(Dataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0)
            throw new ArgumentException("Cannot fit a scaler on an empty dataset.", nameof(train));
        return Fit(train.Targets, train.Count, train.TargetCount);
    }

    private static StandardScaler Fit(float[] x, int n, int d)
    {
        // Two passes in double: the textbook one-pass formula cancels catastrophically for large means.
        var sum = new double[d];
        var min = new float[d];
        var max = new float[d];
        x.AsSpan(0, d).CopyTo(min);
        x.AsSpan(0, d).CopyTo(max);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                float v = x[i * d + j];
                sum[j] += v;
                min[j] = Math.Min(min[j], v);
                max[j] = Math.Max(max[j], v);
            }
        }
        var mean = new double[d];
        for (int j = 0; j < d; j++) mean[j] = sum[j] / n;

        var squares = new double[d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                double delta = x[i * d + j] - mean[j];
                squares[j] += delta * delta;
            }
        }

        var meanOut = new float[d];
        var stdOut = new float[d];
        for (int j = 0; j < d; j++)
        {
            meanOut[j] = (float)mean[j];
            // Decide constancy from min == max: rounding can leave a tiny nonzero variance for equal values.
            stdOut[j] = min[j] == max[j] ? 1f : (float)Math.Sqrt(squares[j] / n);
        }
        return new StandardScaler(meanOut, stdOut);
    }

    /// <inheritdoc />
    protected override void TransformRow(Span<float> row)
    {
        for (int j = 0; j < row.Length; j++) row[j] = (row[j] - Mean[j]) / StdDev[j];
    }

    /// <inheritdoc />
    protected override void InverseTransformRow(Span<float> row)
    {
        for (int j = 0; j < row.Length; j++) row[j] = row[j] * StdDev[j] + Mean[j];
    }
}
