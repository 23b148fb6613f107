using System;
using System.Collections.Generic;
using System.Linq;
using Compiled;
using Xunit;

namespace Compiled.Tests.Data;

public class DatasetTests
{
    /// <summary>Rows whose single feature is the row index, so rows can be recognized after shuffling.</summary>
    private static Dataset Indexed(int count, Func<int, int> label)
    {
        float[] features = Enumerable.Range(0, count).Select(i => (float)i).ToArray();
        int[] labels = Enumerable.Range(0, count).Select(label).ToArray();
        return Dataset.FromLabels(features, 1, labels);
    }

    private static int[] RowIds(Dataset data) => data.Features.Select(f => (int)f).ToArray();

    [Fact]
    public void Constructor_ExposesRowMajorRows()
    {
        var data = new Dataset([1, 2, 3, 4, 5, 6], 3, [10, 11, 20, 21], 2);

        Assert.Equal(2, data.Count);
        Assert.Equal(3, data.FeatureCount);
        Assert.Equal(2, data.TargetCount);
        Assert.Equal([4f, 5f, 6f], data.FeatureRow(1).ToArray());
        Assert.Equal([20f, 21f], data.TargetRow(1).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => data.FeatureRow(2));
    }

    [Fact]
    public void Constructor_RejectsPartialRows()
    {
        var e = Assert.Throws<ArgumentException>(() => new Dataset(new float[100], 3, new float[33], 1));
        Assert.Contains("features has 100 values, not a multiple of featureCount 3", e.Message);

        e = Assert.Throws<ArgumentException>(() => new Dataset(new float[6], 3, new float[3], 2));
        Assert.Contains("targets has 3 values, not a multiple of targetCount 2", e.Message);
    }

    [Fact]
    public void Constructor_RejectsDifferentRowCounts()
    {
        var e = Assert.Throws<ArgumentException>(() => new Dataset(new float[6], 3, new float[3], 1));
        Assert.Contains("features has 2 rows but targets has 3 rows", e.Message);
    }

    [Fact]
    public void FromLabels_StoresLabelsAsSingleTarget()
    {
        var data = Dataset.FromLabels([0, 0, 1, 1, 2, 2], 2, [2, 0, 1]);

        Assert.Equal(1, data.TargetCount);
        Assert.Equal([2f, 0f, 1f], data.Targets);
        Assert.Equal([2, 0, 1], data.Labels());
        Assert.Equal(3, data.ClassCount());
    }

    [Fact]
    public void FromLabels_RejectsNegativeLabels()
    {
        var e = Assert.Throws<ArgumentException>(() => Dataset.FromLabels([0, 1], 1, [0, -1]));
        Assert.Contains("labels[1] is -1", e.Message);
    }

    [Fact]
    public void Labels_RequireOneIntegerTargetColumn()
    {
        Assert.Throws<InvalidOperationException>(() => new Dataset([1, 2], 1, [0, 1, 1, 0], 2).Labels());
        var e = Assert.Throws<InvalidOperationException>(() => new Dataset([1, 2], 1, [0, 1.5f], 1).Labels());
        Assert.Contains("row 1", e.Message);
    }

    [Fact]
    public void Subset_CopiesTheGivenRowsInOrder()
    {
        var data = new Dataset([1, 2, 3, 4, 5, 6], 2, [10, 20, 30], 1);

        Dataset subset = data.Subset([2, 0, 2]);
        data.Features[4] = -1; // the subset is a copy

        Assert.Equal([5f, 6f, 1f, 2f, 5f, 6f], subset.Features);
        Assert.Equal([30f, 10f, 30f], subset.Targets);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Subset([0, 3]));
    }

    [Fact]
    public void Split_PartitionsTheShuffledRows()
    {
        Dataset data = Indexed(100, i => i % 3);

        (Dataset train, Dataset test) = data.Split(0.25, seed: 7);

        Assert.Equal(75, train.Count);
        Assert.Equal(25, test.Count);
        Assert.Equal(Enumerable.Range(0, 100), RowIds(train).Concat(RowIds(test)).Order());
        Assert.NotEqual(Enumerable.Range(0, 75), RowIds(train)); // shuffled
        Assert.All(train.Features.Zip(train.Targets), p => Assert.Equal((int)p.First % 3, (int)p.Second));
    }

    [Fact]
    public void Split_IsDeterministicPerSeed()
    {
        Dataset data = Indexed(50, i => 0);

        Assert.Equal(RowIds(data.Split(0.2, 1).Test), RowIds(data.Split(0.2, 1).Test));
        Assert.NotEqual(RowIds(data.Split(0.2, 1).Test), RowIds(data.Split(0.2, 2).Test));
    }

    [Fact]
    public void Split_KeepsBothPartsNonEmpty()
    {
        (Dataset train, Dataset test) = Indexed(3, i => 0).Split(0.01, 0);
        Assert.Equal(2, train.Count);
        Assert.Equal(1, test.Count);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    public void Split_RejectsFractionsOutsideTheOpenUnitInterval(double fraction)
    {
        Dataset data = Indexed(10, i => i % 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Split(fraction, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.SplitStratified(fraction, 0));
    }

    [Fact]
    public void SplitStratified_KeepsClassProportions()
    {
        // Classes of 50, 30, 17 and 3 rows.
        int[] sizes = [50, 30, 17, 3];
        Dataset data = Indexed(100, i => i < 50 ? 0 : i < 80 ? 1 : i < 97 ? 2 : 3);
        const double fraction = 0.3;

        (Dataset train, Dataset test) = data.SplitStratified(fraction, seed: 3);

        int[] testCounts = CountPerClass(test, sizes.Length);
        int[] trainCounts = CountPerClass(train, sizes.Length);
        for (int c = 0; c < sizes.Length; c++)
        {
            Assert.Equal(sizes[c], testCounts[c] + trainCounts[c]);
        }
        // round(50 × 0.3, 30 × 0.3, 17 × 0.3, 3 × 0.3) = round(15, 9, 5.1, 0.9) = 15, 9, 5, 1.
        Assert.Equal([15, 9, 5, 1], testCounts);
        Assert.Equal(Enumerable.Range(0, 100), RowIds(train).Concat(RowIds(test)).Order());
        // Classes are interleaved, not listed one after the other.
        Assert.NotEqual(train.Labels().Order(), train.Labels());
    }

    /// <summary>
    /// Exact per-class test counts, worked out by hand: round(count × fraction) for classes of 6, 7, 9, 3 and 1
    /// rows. No product is a tie (x.5), so round-half-even and round-half-away agree; truncation or ceiling
    /// would give other counts for several classes:
    /// 0.3 → 1.8, 2.1, 2.7, 0.9, 0.3 → 2, 2, 3, 1, 0 (truncated: 1, 2, 2, 0, 0; ceiling: 2, 3, 3, 1, 1);
    /// 0.6 → 3.6, 4.2, 5.4, 1.8, 0.6 → 4, 4, 5, 2, 1 (truncated: 3, 4, 5, 1, 0; ceiling: 4, 5, 6, 2, 1).
    /// </summary>
    [Theory]
    [InlineData(0.3, new[] { 2, 2, 3, 1, 0 })]
    [InlineData(0.6, new[] { 4, 4, 5, 2, 1 })]
    public void SplitStratified_TestShareIsTheRoundedProductPerClass(double fraction, int[] expectedTest)
    {
        int[] sizes = [6, 7, 9, 3, 1];
        // The classes' rows interleaved: label of row i is the class whose turn it is in a fixed scramble.
        int[] labels = Enumerable.Range(0, sizes.Length).SelectMany(c => Enumerable.Repeat(c, sizes[c])).ToArray();
        new Rng(42).Shuffle(labels);
        Dataset data = Dataset.FromLabels(Enumerable.Range(0, labels.Length).Select(i => (float)i).ToArray(), 1, labels);

        foreach (long seed in new long[] { 0, 1, 2, 3 })
        {
            (Dataset train, Dataset test) = data.SplitStratified(fraction, seed);

            Assert.Equal(expectedTest, CountPerClass(test, sizes.Length));
            Assert.Equal(sizes.Zip(expectedTest, (size, t) => size - t), CountPerClass(train, sizes.Length));
            Assert.Equal(expectedTest.Sum(), test.Count);
            Assert.Equal(labels.Length - expectedTest.Sum(), train.Count);
            // A partition: every row exactly once, each still with its own label.
            Assert.Equal(Enumerable.Range(0, labels.Length), RowIds(train).Concat(RowIds(test)).Order());
            Assert.All(RowIds(train).Zip(train.Labels()), p => Assert.Equal(labels[p.First], p.Second));
            Assert.All(RowIds(test).Zip(test.Labels()), p => Assert.Equal(labels[p.First], p.Second));
        }
    }

    private static int[] CountPerClass(Dataset data, int classCount)
    {
        var counts = new int[classCount];
        foreach (int label in data.Labels()) counts[label]++;
        return counts;
    }

    [Fact]
    public void ClassCount_IsLargestLabelPlusOne()
    {
        Assert.Equal(6, Dataset.FromLabels([0, 0, 0], 1, [5, 1, 5]).ClassCount());
        Assert.Equal(0, Dataset.FromLabels([], 1, []).ClassCount());
    }
}
