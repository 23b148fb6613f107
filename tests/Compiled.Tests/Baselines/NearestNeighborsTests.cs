using System;
using System.Linq;
using Xunit;

namespace Compiled.Tests.Baselines;

/// <summary>k-nearest neighbours on points placed by hand, and as the digits baseline.</summary>
public sealed class NearestNeighborsTests
{
    // Training points on a line: class 0 at x = 0, 1, 2; class 1 at x = 10, 11; class 2 at x = 20.
    private static readonly Dataset Train = Dataset.FromLabels(new float[] { 0, 0, 1, 0, 2, 0, 10, 0, 11, 0, 20, 0 }, 2, new[] { 0, 0, 0, 1, 1, 2 });

    [Fact]
    public void One_neighbour_takes_the_closest_label()
    {
        var knn = new NearestNeighbors(Train, k: 1);
        var test = Dataset.FromLabels(new float[] { 1.4f, 0, 9, 0, 16, 0, 100, 5 }, 2, new[] { 0, 0, 0, 0 });
        Assert.Equal(new[] { 0, 1, 2, 2 }, knn.Predict(test));
    }

    [Fact]
    public void Three_neighbours_vote_and_a_tie_goes_to_the_nearest()
    {
        var knn = new NearestNeighbors(Train, k: 3);
        // x = 9: nearest 10 (1), 11 (1), 2 (0): class 1 wins 2 to 1.
        // x = 16: nearest 20 (2) at 4, 11 (1) at 5, 10 (1) at 6: class 1 wins 2 to 1 although 20 is closest.
        var test = Dataset.FromLabels(new float[] { 9, 0, 16, 0 }, 2, new[] { 1, 1 });
        Assert.Equal(new[] { 1, 1 }, knn.Predict(test));
        // k = 2 at x = 15.4: 11 (1) at 4.4, 20 (2) at 4.6: one vote each, the nearer (class 1) wins.
        var two = new NearestNeighbors(Train, k: 2);
        Assert.Equal(new[] { 1 }, two.Predict(Dataset.FromLabels(new float[] { 15.4f, 0 }, 2, new[] { 1 })));
        Assert.Equal(1.0, knn.Accuracy(test));
    }

    [Fact]
    public void Digits_baseline_is_strong_and_bad_arguments_are_refused()
    {
        var data = TestData.Load("digits.csv.gz");
        var (train, test) = data.SplitStratified(0.25, seed: 3);
        double accuracy = new NearestNeighbors(train, k: 3).Accuracy(test);
        // Published: k-NN on the UCI digits is around 0.98 held-out accuracy.
        Assert.InRange(accuracy, 0.96, 1.0);
        Assert.Throws<ArgumentOutOfRangeException>(() => new NearestNeighbors(Train, k: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NearestNeighbors(Train, k: 7));
        Assert.Throws<ArgumentException>(() => new NearestNeighbors(Train).Predict(test));
    }
}
