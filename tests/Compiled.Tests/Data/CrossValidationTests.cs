using System;
using System.Linq;
using Xunit;

namespace Compiled.Tests.Data;

/// <summary>k-fold splits: a partition of the rows, sizes as scikit-learn's, class proportions kept, deterministic.</summary>
public sealed class CrossValidationTests
{
    private static Dataset Rows(int count, Func<int, int> label)
    {
        var features = new float[count];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            features[i] = i; // the feature is the row's identity
            labels[i] = label(i);
        }
        return Dataset.FromLabels(features, 1, labels);
    }

    private static int[] Ids(Dataset d) => d.Features.Select(v => (int)v).ToArray();

    [Fact]
    public void KFold_partitions_the_rows_into_parts_of_n_over_k()
    {
        var data = Rows(23, i => i % 3);
        var folds = CrossValidation.KFold(data, 5, seed: 4);
        Assert.Equal(5, folds.Count);
        // 23 = 5·4 + 3: the first three parts have 5 rows, the last two 4 (scikit-learn's KFold).
        Assert.Equal(new[] { 5, 5, 5, 4, 4 }, folds.Select(f => f.Validation.Count).ToArray());
        var all = folds.SelectMany(f => Ids(f.Validation)).OrderBy(i => i).ToArray();
        Assert.Equal(Enumerable.Range(0, 23), all);
        foreach (var f in folds)
        {
            Assert.Equal(23, f.Train.Count + f.Validation.Count);
            Assert.Empty(Ids(f.Train).Intersect(Ids(f.Validation)));
        }
        Assert.Equal(Ids(folds[2].Validation), Ids(CrossValidation.KFold(data, 5, seed: 4)[2].Validation));
        Assert.NotEqual(Ids(folds[2].Validation), Ids(CrossValidation.KFold(data, 5, seed: 5)[2].Validation));
    }

    [Fact]
    public void StratifiedKFold_keeps_each_class_within_one_row_of_its_share()
    {
        // 30 rows of class 0, 12 of class 1, 3 of class 2.
        var data = Rows(45, i => i < 30 ? 0 : i < 42 ? 1 : 2);
        var folds = CrossValidation.StratifiedKFold(data, 4, seed: 9);
        var all = folds.SelectMany(f => Ids(f.Validation)).OrderBy(i => i).ToArray();
        Assert.Equal(Enumerable.Range(0, 45), all);
        foreach (var f in folds)
        {
            int[] counts = new int[3];
            foreach (int label in f.Validation.Labels()) counts[label]++;
            // Class 0: 30 / 4 = 7.5 → 7 or 8; class 1: 3; class 2: 0 or 1.
            Assert.InRange(counts[0], 7, 8);
            Assert.Equal(3, counts[1]);
            Assert.InRange(counts[2], 0, 1);
        }
        Assert.Equal(45, folds.Sum(f => f.Validation.Count));
        Assert.InRange(folds.Max(f => f.Validation.Count) - folds.Min(f => f.Validation.Count), 0, 1);
    }

    [Fact]
    public void Bad_k_is_refused()
    {
        var data = Rows(4, i => i % 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossValidation.KFold(data, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossValidation.KFold(data, 5, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossValidation.StratifiedKFold(data, 0, 0));
    }
}
