using System;
using Xunit;

namespace Compiled.Tests.Data;

/// <summary>Missing-value imputation against values worked out by hand.</summary>
public sealed class ImputerTests
{
    private const float N = float.NaN;

    // Column 0: 1, NaN, 3, 3, 8 → mean 15/4 = 3.75, median (3 + 3)/2 = 3, most frequent 3.
    // Column 1: 2, 4, NaN, NaN, 6 → mean 4, median 4, most frequent 2 (all tied: the smallest).
    // Column 2: 5, 5, 7, 7, 9 (none missing) → mean 33/5 = 6.6, median 7, most frequent 5 (5 and 7 tied); no indicator.
    private static Dataset Train() => new(new[]
    {
        1f, 2, 5,
        N, 4, 5,
        3, N, 7,
        3, N, 7,
        8, 6, 9,
    }, 3, new float[] { 0, 1, 0, 1, 0 }, 1);

    [Theory]
    [InlineData(ImputeStrategy.Mean, 3.75f, 4f, 6.6f)]
    [InlineData(ImputeStrategy.Median, 3f, 4f, 7f)]
    [InlineData(ImputeStrategy.MostFrequent, 3f, 2f, 5f)]
    [InlineData(ImputeStrategy.Constant, -1f, -1f, -1f)]
    public void Fill_values_follow_the_strategy(ImputeStrategy strategy, float c0, float c1, float c2)
    {
        var imputer = Imputer.Fit(Train(), strategy, fillValue: -1f);
        Assert.Equal(new[] { c0, c1, c2 }, imputer.FillValues);
        var filled = imputer.Transform(Train());
        Assert.Equal(c0, filled.Features[3]);
        Assert.Equal(c1, filled.Features[7]);
        Assert.Equal(3, filled.FeatureCount);
        Assert.DoesNotContain(filled.Features, float.IsNaN);
    }

    [Fact]
    public void Indicators_mark_what_was_missing_for_features_missing_in_training()
    {
        var imputer = Imputer.Fit(Train(), ImputeStrategy.Median, addIndicator: true);
        Assert.Equal(new[] { 0, 1 }, imputer.IndicatorColumns);
        var filled = imputer.Transform(Train());
        Assert.Equal(5, filled.FeatureCount);
        Assert.Equal(new[] { 3f, 4, 5, 1, 0 }, filled.FeatureRow(1).ToArray());
        Assert.Equal(new[] { 3f, 4, 7, 0, 1 }, filled.FeatureRow(2).ToArray());
        Assert.Equal(new[] { 8f, 6, 9, 0, 0 }, filled.FeatureRow(4).ToArray());

        // Test data is filled with what training learned, even where test has NaNs training did not.
        var test = new Dataset(new[] { N, N, N }, 3, new float[] { 1 }, 1);
        Assert.Equal(new[] { 3f, 4, 7, 1, 1 }, imputer.Transform(test).FeatureRow(0).ToArray());
    }

    [Fact]
    public void A_feature_missing_everywhere_gets_the_fill_value()
    {
        var data = new Dataset(new[] { N, 1f, N, 2f }, 2, new float[] { 0, 1 }, 1);
        Assert.Equal(new[] { 9f, 1.5f }, Imputer.Fit(data, ImputeStrategy.Mean, fillValue: 9f).FillValues);
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Imputer.Fit(Train(), fillValue: float.NaN));
        Assert.Throws<ArgumentException>(() => Imputer.Fit(Train()).Transform(new Dataset(new float[2], 2, new float[1], 1)));
    }
}
