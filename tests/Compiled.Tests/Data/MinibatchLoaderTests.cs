using System;
using System.Collections.Generic;
using System.Linq;
using Compiled;
using Xunit;

namespace Compiled.Tests.Data;

public class MinibatchLoaderTests
{
    /// <summary>Row i has features (i, -i) and target 10·i.</summary>
    private static Dataset Rows(int count)
    {
        var features = new float[count * 2];
        var targets = new float[count];
        for (int i = 0; i < count; i++)
        {
            features[2 * i] = i;
            features[2 * i + 1] = -i;
            targets[i] = 10 * i;
        }
        return new Dataset(features, 2, targets, 1);
    }

    /// <summary>Runs one epoch, returning the row ids of each batch, checking that features and targets agree.</summary>
    private static List<int[]> Epoch(MinibatchLoader loader)
    {
        var batches = new List<int[]>();
        loader.StartEpoch();
        while (loader.TryNext(out Minibatch batch))
        {
            Assert.Equal(batch.Count * 2, batch.Features.Length);
            Assert.Equal(batch.Count, batch.Targets.Length);
            var ids = new int[batch.Count];
            for (int k = 0; k < batch.Count; k++)
            {
                ids[k] = (int)batch.Features[2 * k];
                Assert.Equal(-ids[k], batch.Features[2 * k + 1]);
                Assert.Equal(10 * ids[k], batch.Targets[k]);
            }
            batches.Add(ids);
        }
        return batches;
    }

    [Fact]
    public void BatchCount_RoundsUpUnlessDroppingTheLastBatch()
    {
        Assert.Equal(4, new MinibatchLoader(Rows(10), 3).BatchCount);
        Assert.Equal(3, new MinibatchLoader(Rows(10), 3, dropLast: true).BatchCount);
        Assert.Equal(2, new MinibatchLoader(Rows(10), 5, dropLast: true).BatchCount);
        Assert.Equal(1, new MinibatchLoader(Rows(10), 64).BatchCount);
    }

    [Fact]
    public void Epoch_VisitsEveryRowExactlyOnce_WithASmallerLastBatch()
    {
        var loader = new MinibatchLoader(Rows(10), 3, seed: 5);

        for (int epoch = 0; epoch < 3; epoch++)
        {
            List<int[]> batches = Epoch(loader);
            Assert.Equal([3, 3, 3, 1], batches.Select(b => b.Length));
            Assert.Equal(Enumerable.Range(0, 10), batches.SelectMany(b => b).Order());
        }
    }

    [Fact]
    public void DropLast_SkipsTheIncompleteBatch()
    {
        var loader = new MinibatchLoader(Rows(10), 4, dropLast: true);

        List<int[]> batches = Epoch(loader);

        Assert.Equal([4, 4], batches.Select(b => b.Length));
        Assert.Equal(8, batches.SelectMany(b => b).Distinct().Count());
        Assert.Throws<ArgumentException>(() => new MinibatchLoader(Rows(3), 4, dropLast: true));
    }

    [Fact]
    public void Shuffle_GivesEachEpochANewOrder_ReproducibleFromTheSeed()
    {
        var first = new MinibatchLoader(Rows(50), 8, seed: 42);
        var again = new MinibatchLoader(Rows(50), 8, seed: 42);
        var other = new MinibatchLoader(Rows(50), 8, seed: 43);

        int[][] orders = Enumerable.Range(0, 3).Select(_ => Epoch(first).SelectMany(b => b).ToArray()).ToArray();
        int[][] repeated = Enumerable.Range(0, 3).Select(_ => Epoch(again).SelectMany(b => b).ToArray()).ToArray();

        Assert.NotEqual(orders[0], orders[1]);
        Assert.NotEqual(orders[1], orders[2]);
        Assert.NotEqual(Enumerable.Range(0, 50), orders[0]);
        Assert.Equal(orders, repeated);
        Assert.NotEqual(orders[0], Epoch(other).SelectMany(b => b));
    }

    [Fact]
    public void WithoutShuffle_RowsComeInDatasetOrder()
    {
        var loader = new MinibatchLoader(Rows(7), 3, shuffle: false);

        Assert.Equal(Enumerable.Range(0, 7), Epoch(loader).SelectMany(b => b));
        Assert.Equal(Enumerable.Range(0, 7), Epoch(loader).SelectMany(b => b));
    }

    [Fact]
    public void TryNext_RequiresStartEpoch_AndStaysFalseAtTheEnd()
    {
        var loader = new MinibatchLoader(Rows(4), 4);
        Assert.Throws<InvalidOperationException>(() => loader.TryNext(out _));

        loader.StartEpoch();
        Assert.True(loader.TryNext(out _));
        Assert.False(loader.TryNext(out _));
        Assert.False(loader.TryNext(out _));
    }

    [Fact]
    public void Iterating_AllocatesNothing()
    {
        var loader = new MinibatchLoader(Rows(1000), 32, seed: 1);
        float checksum = SumEpoch(loader); // warm-up: JIT compilation allocates

        Assert.Equal(10 * (999 * 1000 / 2), checksum);
        Allocations.AssertSteadyStateIsAllocationFree(() => SumEpoch(loader));
    }

    private static float SumEpoch(MinibatchLoader loader)
    {
        float sum = 0;
        loader.StartEpoch();
        while (loader.TryNext(out Minibatch batch))
        {
            foreach (float t in batch.Targets) sum += t;
        }
        return sum;
    }
}
