using System;
using System.Linq;
using Xunit;

namespace Compiled.Tests.Data;

/// <summary>Over- and undersampling: exact class sizes, originals kept, deterministic.</summary>
public sealed class ResamplingTests
{
    // 6 rows of class 0, 3 of class 1, 1 of class 2; the feature is the row's identity.
    private static Dataset Imbalanced() => Dataset.FromLabels(Enumerable.Range(0, 10).Select(i => (float)i).ToArray(), 1,
        new[] { 0, 0, 0, 0, 0, 0, 1, 1, 1, 2 });

    private static int[] Counts(Dataset d) => Enumerable.Range(0, 3).Select(c => d.Labels().Count(l => l == c)).ToArray();

    [Fact]
    public void Oversampling_grows_every_class_to_the_largest_and_keeps_each_original()
    {
        var data = Resampling.Oversample(Imbalanced(), seed: 1);
        Assert.Equal(new[] { 6, 6, 6 }, Counts(data));
        Assert.All(Enumerable.Range(0, 10), id => Assert.Contains((float)id, data.Features));
        Assert.All(Enumerable.Range(0, 18), i => Assert.Equal(Imbalanced().Labels()[(int)data.Features[i]], data.Labels()[i]));
        Assert.Equal(data.Features, Resampling.Oversample(Imbalanced(), seed: 1).Features);
    }

    [Fact]
    public void Undersampling_cuts_every_class_to_the_smallest_without_repeats()
    {
        var data = Resampling.Undersample(Imbalanced(), seed: 2);
        Assert.Equal(new[] { 1, 1, 1 }, Counts(data));
        Assert.Equal(3, data.Features.Distinct().Count());
        Assert.Contains(9f, data.Features); // the only class-2 row
        Assert.Throws<InvalidOperationException>(() => Resampling.Oversample(new Dataset(new float[2], 1, new float[] { 0.5f, 1 }, 1), 0));
    }
}
