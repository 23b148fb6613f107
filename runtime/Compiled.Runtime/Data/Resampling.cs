using System;
using System.Collections.Generic;

namespace Compiled;

/// <summary>
/// Random over- and undersampling of a classification data set, for imbalanced classes: apply it to the
/// training split only, after splitting (a duplicated row must not land in the test set). Deterministic from
/// the seed. The alternative that keeps every row once is the network's <c>ClassWeights</c>.
/// </summary>
public static class Resampling
{
    /// <summary>
    /// Every class grown to the size of the largest by drawing extra copies of its rows at random (with
    /// replacement; every original row is kept once), then shuffled.
    /// </summary>
    /// <exception cref="InvalidOperationException">The targets are not class labels.</exception>
    public static Dataset Oversample(Dataset data, long seed)
    {
        var byClass = ByClass(data);
        int largest = 0;
        foreach (var rows in byClass) largest = Math.Max(largest, rows.Count);
        var rng = new Rng(seed);
        var chosen = new List<int>(largest * byClass.Length);
        foreach (var rows in byClass)
        {
            if (rows.Count == 0) continue;
            chosen.AddRange(rows);
            for (int extra = rows.Count; extra < largest; extra++) chosen.Add(rows[rng.NextInt(rows.Count)]);
        }
        return Shuffled(data, chosen, rng);
    }

    /// <summary>Every class cut to the size of the smallest present class by keeping a random subset of its rows, then shuffled.</summary>
    /// <exception cref="InvalidOperationException">The targets are not class labels.</exception>
    public static Dataset Undersample(Dataset data, long seed)
    {
        var byClass = ByClass(data);
        int smallest = int.MaxValue;
        foreach (var rows in byClass) if (rows.Count > 0) smallest = Math.Min(smallest, rows.Count);
        var rng = new Rng(seed);
        var chosen = new List<int>(smallest * byClass.Length);
        foreach (var rows in byClass)
        {
            if (rows.Count == 0) continue;
            int[] shuffled = rows.ToArray();
            rng.Shuffle(shuffled);
            chosen.AddRange(shuffled.AsSpan(0, smallest).ToArray());
        }
        return Shuffled(data, chosen, rng);
    }

    private static List<int>[] ByClass(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data.RowsByClass();
    }

    private static Dataset Shuffled(Dataset data, List<int> rows, Rng rng)
    {
        int[] order = rows.ToArray();
        rng.Shuffle(order);
        return data.Subset(order);
    }
}
