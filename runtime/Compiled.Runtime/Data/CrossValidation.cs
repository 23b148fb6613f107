using System;
using System.Collections.Generic;

namespace Compiled;

/// <summary>One fold of a cross-validation: train on <see cref="Train"/>, measure on <see cref="Validation"/>.</summary>
public readonly record struct Fold(int Index, Dataset Train, Dataset Validation);

/// <summary>
/// k-fold cross-validation splits (scikit-learn's KFold with shuffling, and StratifiedKFold): every row is
/// in exactly one validation part; the parts differ in size by at most one row (per class, when stratified).
/// Deterministic from the seed.
/// </summary>
public static class CrossValidation
{
    /// <summary>
    /// Shuffles the rows from <paramref name="seed"/> and cuts them into <paramref name="k"/> consecutive
    /// parts, the first Count mod k of them one row larger; fold i validates on part i and trains on the rest.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 2 or above the row count.</exception>
    public static IReadOnlyList<Fold> KFold(Dataset data, int k, long seed)
    {
        CheckK(data, k);
        var order = new int[data.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        new Rng(seed).Shuffle(order);
        var part = new int[data.Count];
        int start = 0;
        for (int f = 0; f < k; f++)
        {
            int size = data.Count / k + (f < data.Count % k ? 1 : 0);
            for (int i = start; i < start + size; i++) part[order[i]] = f;
            start += size;
        }
        return Folds(data, part, k);
    }

    /// <summary>
    /// Like <see cref="KFold"/>, but each class is shuffled and dealt to the parts in turn (continuing where
    /// the previous class stopped), so every part keeps the class proportions within one row per class.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 2 or above the row count.</exception>
    /// <exception cref="InvalidOperationException">The targets are not class labels (see <see cref="Dataset.Labels"/>).</exception>
    public static IReadOnlyList<Fold> StratifiedKFold(Dataset data, int k, long seed)
    {
        CheckK(data, k);
        var byClass = data.RowsByClass();
        var rng = new Rng(seed);
        var part = new int[data.Count];
        int next = 0;
        foreach (var members in byClass)
        {
            int[] shuffled = members.ToArray();
            rng.Shuffle(shuffled);
            foreach (int row in shuffled)
            {
                part[row] = next;
                next = (next + 1) % k;
            }
        }
        return Folds(data, part, k);
    }

    private static IReadOnlyList<Fold> Folds(Dataset data, int[] part, int k)
    {
        var folds = new Fold[k];
        for (int f = 0; f < k; f++)
        {
            var train = new List<int>(data.Count);
            var validation = new List<int>(data.Count / k + 1);
            for (int i = 0; i < part.Length; i++) (part[i] == f ? validation : train).Add(i);
            folds[f] = new Fold(f, data.Subset(train.ToArray()), data.Subset(validation.ToArray()));
        }
        return folds;
    }

    private static void CheckK(Dataset data, int k)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (k < 2 || k > data.Count)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be between 2 and the number of rows ({data.Count}).");
    }
}
