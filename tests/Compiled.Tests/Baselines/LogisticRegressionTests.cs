using System;
using Xunit;

namespace Compiled.Tests.Baselines;

/// <summary>
/// Softmax regression against a one-weight problem solved by bisection, the optimality condition (zero gradient)
/// recomputed here in double, and the published accuracy on the UCI digits.
/// </summary>
public sealed class LogisticRegressionTests
{
    [Fact]
    public void Two_mirrored_points_give_the_weight_that_solves_the_stationarity_equation()
    {
        // x = +1 is class 1, x = −1 class 0. By symmetry w1 = −w0 = w and both intercepts are 0, and the objective is
        // ln(1 + e^(−2w)) + λw², whose derivative vanishes where λ·w·(1 + e^(2w)) = 1: solved here by bisection.
        const double lambda = 0.1;
        double lo = 0, hi = 10;
        for (int i = 0; i < 200; i++)
        {
            double mid = (lo + hi) / 2;
            if (lambda * mid * (1 + Math.Exp(2 * mid)) < 1) lo = mid; else hi = mid;
        }
        var data = Dataset.FromLabels(new float[] { 1, -1 }, 1, new[] { 1, 0 });
        var fit = LogisticRegression.Fit(data, l2: lambda, tolerance: 1e-9);
        Assert.True(fit.Converged, $"{fit.Iterations} iterations, w = {fit.Weight(0, 1):R}, expected {lo:R}");
        Assert.Equal(lo, fit.Weight(0, 1), 7);
        Assert.Equal(-lo, fit.Weight(0, 0), 7);
        Assert.Equal(0, fit.Intercept(0), 7);
        Assert.Equal(0, fit.Intercept(1), 7);
        Assert.Equal(Math.Log(1 + Math.Exp(-2 * lo)) + lambda * lo * lo, fit.Loss, 9);
        Span<double> p = stackalloc double[2];
        fit.Probabilities(new float[] { 1 }, p);
        Assert.Equal(1 / (1 + Math.Exp(-2 * lo)), p[1], 8);
    }

    [Fact]
    public void On_the_digits_the_gradient_vanishes_and_held_out_accuracy_matches_the_published_figure()
    {
        var data = TestData.Load("digits.csv.gz");
        var (train, test) = data.SplitStratified(0.25, seed: 7);
        var scaler = MinMaxScaler.Fit(train);
        scaler.Transform(train);
        scaler.Transform(test);
        const double lambda = 1e-3;
        var fit = LogisticRegression.Fit(train, l2: lambda, maxIterations: 1000, tolerance: 1e-6);
        Assert.True(fit.Converged, $"{fit.Iterations} iterations");

        // The gradient of the objective at the returned weights, computed independently: every component near 0.
        int d = train.FeatureCount, k = fit.ClassCount, n = train.Count;
        int[] labels = train.Labels();
        var gw = new double[k, d];
        var gb = new double[k];
        var z = new double[k];
        for (int i = 0; i < n; i++)
        {
            var row = train.FeatureRow(i);
            double max = double.NegativeInfinity, sum = 0;
            for (int c = 0; c < k; c++)
            {
                z[c] = fit.Intercept(c);
                for (int j = 0; j < d; j++) z[c] += fit.Weight(j, c) * row[j];
                max = Math.Max(max, z[c]);
            }
            for (int c = 0; c < k; c++) sum += Math.Exp(z[c] - max);
            for (int c = 0; c < k; c++)
            {
                double dz = Math.Exp(z[c] - max) / sum - (labels[i] == c ? 1 : 0);
                gb[c] += dz / n;
                for (int j = 0; j < d; j++) gw[c, j] += dz * row[j] / n;
            }
        }
        for (int c = 0; c < k; c++)
        {
            Assert.True(Math.Abs(gb[c]) < 1e-5, $"∂/∂b{c} = {gb[c]}");
            for (int j = 0; j < d; j++)
                Assert.True(Math.Abs(gw[c, j] + lambda * fit.Weight(j, c)) < 1e-5, $"∂/∂W[{c},{j}] = {gw[c, j] + lambda * fit.Weight(j, c)}");
        }

        // Published multinomial logistic regression on this data set: about 0.96–0.97 held out.
        double accuracy = fit.Accuracy(test);
        Assert.True(accuracy >= 0.95, $"held-out accuracy {accuracy}");
    }

    [Fact]
    public void Bad_arguments_are_refused_with_their_names()
    {
        var data = Dataset.FromLabels(new float[] { 1, -1 }, 1, new[] { 1, 0 });
        Assert.Equal("l2", Assert.Throws<ArgumentException>(() => LogisticRegression.Fit(data, l2: -1)).ParamName);
        Assert.Equal("l2", Assert.Throws<ArgumentException>(() => LogisticRegression.Fit(data, l2: double.NaN)).ParamName);
        Assert.Equal("tolerance", Assert.Throws<ArgumentException>(() => LogisticRegression.Fit(data, tolerance: 0)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => LogisticRegression.Fit(data, maxIterations: 0));
        Assert.Throws<ArgumentException>(() => LogisticRegression.Fit(Dataset.FromLabels(Array.Empty<float>(), 1, Array.Empty<int>())));
        var fit = LogisticRegression.Fit(data);
        Assert.Equal("features", Assert.Throws<ArgumentException>(() => fit.Predict(new float[] { 1, 2 })).ParamName);
        Assert.Equal(1, fit.Predict(new float[] { 3 }));
        Assert.Equal(0, fit.Predict(new float[] { -3 }));
    }
}
