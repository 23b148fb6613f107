using System;
using System.Linq;
using Compiled;
using Xunit;

namespace Compiled.Tests.Data;

public class ScalerTests
{
    // Three rows: feature 0 is 1, 2, 3; feature 1 is 10, 20, 60; feature 2 is constant 0.1.
    private static Dataset ThreeRows() => new([1, 10, 0.1f, 2, 20, 0.1f, 3, 60, 0.1f], 3, [0, 0, 0], 1);

    [Fact]
    public void StandardScaler_FitsMeanAndPopulationStdDev()
    {
        var scaler = StandardScaler.Fit(ThreeRows());

        // Feature 0: mean 2, variance (1 + 0 + 1) / 3. Feature 1: mean 30, variance (400 + 100 + 900) / 3.
        Assert.Equal([2f, 30f, 0.1f], scaler.Mean);
        Assert.Equal(MathF.Sqrt(2f / 3f), scaler.StdDev[0], 1e-6f);
        Assert.Equal(MathF.Sqrt(1400f / 3f), scaler.StdDev[1], 1e-4f);
        Assert.Equal(1f, scaler.StdDev[2]); // constant feature
    }

    [Fact]
    public void StandardScaler_TransformStandardizesInPlace()
    {
        Dataset data = ThreeRows();
        var scaler = StandardScaler.Fit(data);

        scaler.Transform(data);

        float s0 = MathF.Sqrt(2f / 3f), s1 = MathF.Sqrt(1400f / 3f);
        float[] expected = [-1 / s0, -20 / s1, 0, 0, -10 / s1, 0, 1 / s0, 30 / s1, 0];
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], data.Features[i], 1e-5f);
    }

    [Fact]
    public void StandardScaler_TransformsSingleRows()
    {
        var scaler = new StandardScaler([1, 2], [2, 4]);
        float[] row = [5, 2];

        scaler.Transform(row);

        Assert.Equal([2f, 0f], row);
        Assert.Throws<ArgumentException>(() => scaler.Transform(new float[3]));
    }

    [Fact]
    public void Scalers_RejectMismatchedFeatureCounts()
    {
        var other = new Dataset([1, 2], 2, [0], 1);
        var e = Assert.Throws<ArgumentException>(() => StandardScaler.Fit(ThreeRows()).Transform(other));
        Assert.Contains("2 features", e.Message);
        Assert.Throws<ArgumentException>(() => MinMaxScaler.Fit(ThreeRows()).Transform(other));
    }

    [Fact]
    public void Scalers_RejectEmptyTrainingData()
    {
        var empty = new Dataset([], 3, [], 1);
        Assert.Throws<ArgumentException>(() => StandardScaler.Fit(empty));
        Assert.Throws<ArgumentException>(() => MinMaxScaler.Fit(empty));
    }

    [Fact]
    public void MinMaxScaler_MapsTheTrainingRangeToUnitInterval()
    {
        Dataset data = ThreeRows();
        var scaler = MinMaxScaler.Fit(data);

        scaler.Transform(data);

        Assert.Equal([1f, 10f, 0.1f], scaler.Min);
        Assert.Equal([3f, 60f, 0.1f], scaler.Max);
        Assert.Equal([0f, 0f, 0f, 0.5f, 0.2f, 0f, 1f, 1f, 0f], data.Features);
    }

    [Fact]
    public void MinMaxScaler_DoesNotClipValuesOutsideTheTrainingRange()
    {
        var scaler = MinMaxScaler.Fit(ThreeRows());
        var test = new Dataset([0, 110, 0.1f], 3, [0], 1);

        scaler.Transform(test);

        Assert.Equal([-0.5f, 2f, 0f], test.Features);
    }

    [Fact]
    public void StandardScaler_GivesZeroMeanUnitVariance_DespiteALargeOffset()
    {
        var data = new Dataset(Enumerable.Range(0, 200).Select(i => 1000f + (i * 37 % 101) * 0.01f).ToArray(), 2, new float[100], 1);

        StandardScaler.Fit(data).Transform(data);

        for (int j = 0; j < 2; j++)
        {
            float[] column = Enumerable.Range(0, 100).Select(i => data.Features[2 * i + j]).ToArray();
            double mean = column.Average();
            double variance = column.Select(v => (v - mean) * (v - mean)).Average();
            Assert.Equal(0, mean, 1e-3);
            Assert.Equal(1, variance, 1e-3);
        }
    }
}
