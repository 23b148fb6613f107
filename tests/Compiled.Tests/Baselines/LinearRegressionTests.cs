using System;
using Xunit;

namespace Compiled.Tests.Baselines;

/// <summary>Least squares against known coefficients and a hand-solved fit.</summary>
public sealed class LinearRegressionTests
{
    [Fact]
    public void Exact_linear_data_gives_back_its_coefficients()
    {
        // y0 = 2·x0 − 3·x1 + 1, y1 = 0.5·x1 − 4 on a grid: no noise, so OLS is exact.
        var x = new float[2 * 12];
        var y = new float[2 * 12];
        for (int i = 0; i < 12; i++)
        {
            float a = i % 4, b = i / 4 * 1.5f;
            x[2 * i] = a; x[2 * i + 1] = b;
            y[2 * i] = 2 * a - 3 * b + 1; y[2 * i + 1] = 0.5f * b - 4;
        }
        var fit = LinearRegression.Fit(new Dataset(x, 2, y, 2));
        Assert.Equal(2, fit.Weight(0, 0), 5);
        Assert.Equal(-3, fit.Weight(1, 0), 5);
        Assert.Equal(1, fit.Intercept(0), 5);
        Assert.Equal(0, fit.Weight(0, 1), 5);
        Assert.Equal(0.5, fit.Weight(1, 1), 5);
        Assert.Equal(-4, fit.Intercept(1), 5);
        Assert.Equal(new[] { 2f * 10 - 3 * 1 + 1, 0.5f - 4 }, fit.Predict(new float[] { 10, 1 }));
    }

    [Fact]
    public void A_noisy_line_is_fitted_by_hand_computed_least_squares()
    {
        // Points (0, 1), (1, 3), (2, 2), (3, 5): x̄ = 1.5, ȳ = 2.75,
        // Sxy = (−1.5)(−1.75) + (−0.5)(0.25) + (0.5)(−0.75) + (1.5)(2.25) = 5.5, Sxx = 5: slope 1.1, intercept 2.75 − 1.65 = 1.1.
        var fit = LinearRegression.Fit(new Dataset(new float[] { 0, 1, 2, 3 }, 1, new float[] { 1, 3, 2, 5 }, 1));
        Assert.Equal(1.1, fit.Weight(0), 6);
        Assert.Equal(1.1, fit.Intercept(), 6);
        // Ridge λ = 5 halves the slope: Sxy / (Sxx + λ) = 0.55.
        Assert.Equal(0.55, LinearRegression.Fit(new Dataset(new float[] { 0, 1, 2, 3 }, 1, new float[] { 1, 3, 2, 5 }, 1), ridge: 5).Weight(0), 6);
    }

    [Fact]
    public void Collinear_features_need_a_ridge()
    {
        var x = new float[] { 1, 2, 2, 4, 3, 6, 4, 8 }; // x1 = 2·x0
        var data = new Dataset(x, 2, new float[] { 1, 2, 3, 4 }, 1);
        Assert.Throws<InvalidOperationException>(() => LinearRegression.Fit(data));
        var ridge = LinearRegression.Fit(data, ridge: 1e-6);
        Assert.Equal(5f, ridge.Predict(new float[] { 5, 10 })[0], 3);
        Assert.Throws<ArgumentException>(() => LinearRegression.Fit(data, ridge: -1));
    }
}
