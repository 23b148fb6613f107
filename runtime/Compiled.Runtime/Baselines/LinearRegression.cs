using System;

namespace Compiled;

/// <summary>
/// Ordinary least squares (with an optional ridge penalty λ‖w‖², the intercept not penalized), the
/// regression baseline a network should beat. Solved in closed form, (XᵀX + λI)·w = Xᵀy with X's
/// columns centered, by a Cholesky factorization in double: meant for tables of up to a few thousand
/// features.
/// </summary>
public sealed class LinearRegression
{
    private readonly double[] _weights;   // [features × targets]
    private readonly double[] _intercepts; // [targets]

    private LinearRegression(int features, int targets, double[] weights, double[] intercepts)
    {
        FeatureCount = features;
        TargetCount = targets;
        _weights = weights;
        _intercepts = intercepts;
    }

    /// <summary>Features per sample.</summary>
    public int FeatureCount { get; }

    /// <summary>Targets per sample.</summary>
    public int TargetCount { get; }

    /// <summary>The coefficient of feature <paramref name="feature"/> for target <paramref name="target"/>.</summary>
    public double Weight(int feature, int target = 0) => _weights[feature * TargetCount + target];

    /// <summary>The intercept of target <paramref name="target"/>.</summary>
    public double Intercept(int target = 0) => _intercepts[target];

    /// <summary>Fits every target column of <paramref name="train"/> on its features.</summary>
    /// <param name="train">Features and one or more target columns.</param>
    /// <param name="ridge">λ ≥ 0; a small positive value keeps collinear features solvable.</param>
    /// <exception cref="ArgumentException">The set is empty, λ is negative or not finite.</exception>
    /// <exception cref="InvalidOperationException">XᵀX + λI is singular (collinear features and λ = 0): give a ridge.</exception>
    public static LinearRegression Fit(Dataset train, double ridge = 0)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0) throw new ArgumentException("Cannot fit on an empty dataset.", nameof(train));
        if (!(ridge >= 0) || double.IsInfinity(ridge)) throw new ArgumentException($"ridge is {ridge}; it must be a finite number ≥ 0.", nameof(ridge));
        int n = train.Count, d = train.FeatureCount, k = train.TargetCount;
        var meanX = new double[d];
        var meanY = new double[k];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) meanX[j] += train.Features[i * d + j];
            for (int t = 0; t < k; t++) meanY[t] += train.Targets[i * k + t];
        }
        for (int j = 0; j < d; j++) meanX[j] /= n;
        for (int t = 0; t < k; t++) meanY[t] /= n;

        var gram = new double[d * d];   // (X − x̄)ᵀ(X − x̄) + λI
        var rhs = new double[d * k];    // (X − x̄)ᵀ(Y − ȳ)
        var row = new double[d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) row[j] = train.Features[i * d + j] - meanX[j];
            for (int a = 0; a < d; a++)
            {
                double xa = row[a];
                for (int b = 0; b <= a; b++) gram[a * d + b] += xa * row[b];
                for (int t = 0; t < k; t++) rhs[a * k + t] += xa * (train.Targets[i * k + t] - meanY[t]);
            }
        }
        for (int a = 0; a < d; a++) gram[a * d + a] += ridge;

        // Cholesky: gram = L·Lᵀ (lower triangle, in place).
        for (int j = 0; j < d; j++)
        {
            double diagonal = gram[j * d + j];
            for (int p = 0; p < j; p++) diagonal -= gram[j * d + p] * gram[j * d + p];
            if (!(diagonal > 1e-12 * Math.Max(1, Math.Abs(gram[j * d + j]))))
                throw new InvalidOperationException("The features are collinear (XᵀX is singular): fit with a small ridge, such as 1e-6, or drop the redundant features.");
            double l = Math.Sqrt(diagonal);
            gram[j * d + j] = l;
            for (int i = j + 1; i < d; i++)
            {
                double v = gram[i * d + j];
                for (int p = 0; p < j; p++) v -= gram[i * d + p] * gram[j * d + p];
                gram[i * d + j] = v / l;
            }
        }
        var weights = new double[d * k];
        var z = new double[d];
        for (int t = 0; t < k; t++)
        {
            for (int i = 0; i < d; i++) // L·z = rhs
            {
                double v = rhs[i * k + t];
                for (int p = 0; p < i; p++) v -= gram[i * d + p] * z[p];
                z[i] = v / gram[i * d + i];
            }
            for (int i = d - 1; i >= 0; i--) // Lᵀ·w = z
            {
                double v = z[i];
                for (int p = i + 1; p < d; p++) v -= gram[p * d + i] * weights[p * k + t];
                weights[i * k + t] = v / gram[i * d + i];
            }
        }
        var intercepts = new double[k];
        for (int t = 0; t < k; t++)
        {
            double b = meanY[t];
            for (int j = 0; j < d; j++) b -= meanX[j] * weights[j * k + t];
            intercepts[t] = b;
        }
        return new LinearRegression(d, k, weights, intercepts);
    }

    /// <summary>Predictions for every sample of <paramref name="features"/> (row-major), TargetCount per sample.</summary>
    /// <exception cref="ArgumentException">The length is not a multiple of FeatureCount.</exception>
    public float[] Predict(ReadOnlySpan<float> features)
    {
        if (features.Length % FeatureCount != 0)
            throw new ArgumentException($"features has {features.Length} values, not a multiple of {FeatureCount}.", nameof(features));
        int n = features.Length / FeatureCount;
        var output = new float[n * TargetCount];
        for (int i = 0; i < n; i++)
            for (int t = 0; t < TargetCount; t++)
            {
                double y = _intercepts[t];
                for (int j = 0; j < FeatureCount; j++) y += features[i * FeatureCount + j] * _weights[j * TargetCount + t];
                output[i * TargetCount + t] = (float)y;
            }
        return output;
    }
}
