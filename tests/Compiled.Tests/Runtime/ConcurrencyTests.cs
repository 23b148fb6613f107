using System;
using Compiled.Tests.Networks;
using Xunit;

namespace Compiled.Tests.Runtime;

public sealed class ConcurrencyTests
{
    private const int Samples = 300;

    /// <summary>Predicts all samples in calls of <paramref name="batch"/> samples each.</summary>
    private static float[] PredictInBatches(FashionMlp net, float[] x, int batch)
    {
        var y = new float[Samples * FashionMlp.OutputSize];
        for (int i = 0; i < Samples; i += batch)
        {
            int n = Math.Min(batch, Samples - i);
            net.Predict(x.AsSpan(i * FashionMlp.InputSize, n * FashionMlp.InputSize), y.AsSpan(i * FashionMlp.OutputSize, n * FashionMlp.OutputSize));
        }
        return y;
    }

    [Fact]
    public void Predict_from_four_threads_equals_sequential_results()
    {
        var net = new FashionMlp(seed: 6);
        var (x, _) = AllocationTests.Batch(Samples);

        // Thread t predicts in calls of 1, 2, 3 or 64 samples. The sequential reference uses the same
        // call sizes (a different batch size may sum in another order, so only those must match bit for bit).
        int[] batchSizes = { 1, 2, 3, 64 };
        var expected = new float[4][];
        for (int t = 0; t < 4; t++) expected[t] = PredictInBatches(net, x, batchSizes[t]);

        var results = new float[4][];
        Concurrently.Run(4, id =>
        {
            float[] last = Array.Empty<float>();
            for (int round = 0; round < 5; round++) last = PredictInBatches(net, x, batchSizes[id]);
            results[id] = last;
        });

        for (int t = 0; t < 4; t++) Assert.Equal(expected[t], results[t]);
        // Whatever the batch size, the predictions agree to rounding.
        for (int t = 1; t < 4; t++)
            for (int i = 0; i < expected[0].Length; i++)
                Assert.Equal(expected[0][i], expected[t][i], 1e-4f * Math.Max(1, Math.Abs(expected[0][i])));
    }
}
