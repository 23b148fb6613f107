using System;
using System.Linq;
using Compiled;
using Xunit;

namespace Compiled.Tests.Runtime;

/// <summary>Wide enough (≥ 33 units) for the vector and blocked GEMM paths; regression.</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 17)]
[Input(20)]
[Dense(48, Activation.ReLU)]
[Dropout(0.3)]
[Dense(40, Activation.Tanh)]
[Dense(3)]
public partial class ChunkedRegressor;

/// <summary>The same shape as a 5-class classifier (softmax cross-entropy from logits).</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 17)]
[Input(20)]
[Dense(48, Activation.ReLU)]
[Dense(40, Activation.Tanh)]
[Dense(5)]
public partial class ChunkedClassifier;

/// <summary>
/// Predict and Evaluate run in chunks of at most InferenceChunk samples (128 for these networks). Oracles: the same
/// network called on one sample at a time (equal to rounding: the one-row kernels sum in another order), and called on
/// slices of 8 samples or more (equal bit for bit: a sample's outputs do not depend on which others share its chunk);
/// Evaluate's loss and accuracy recomputed in double from the one-sample predictions.
/// </summary>
public sealed class BatchPredictTests
{
    private const int Chunk = ChunkedRegressor.InferenceChunk;

    private static float[] Inputs(int samples, ulong seed)
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, samples * 20).Select(_ => rng.NextUniform(-2f, 2f)).ToArray();
    }

    private static float[] OneAtATime(INetwork net, float[] x)
    {
        int samples = x.Length / net.InputSize;
        var y = new float[samples * net.OutputSize];
        for (int s = 0; s < samples; s++)
            net.Predict(x.AsSpan(s * net.InputSize, net.InputSize), y.AsSpan(s * net.OutputSize, net.OutputSize));
        return y;
    }

    /// <summary>
    /// Predicts slice by slice, slices of <paramref name="size"/> samples, the last one taking the rest when fewer than
    /// 8 would remain: every slice has at least 8 samples, as every chunk of a batch that large does, so each sample's
    /// outputs must be the same bits as in one call (the products compute each row by the same arithmetic whichever
    /// rows share them, once past the few-row kernels).
    /// </summary>
    private static float[] SliceBySlice(INetwork net, float[] x, int size = Chunk)
    {
        int samples = x.Length / net.InputSize;
        var y = new float[samples * net.OutputSize];
        for (int start = 0; start < samples;)
        {
            int rows = samples - start - size < 8 ? samples - start : size;
            net.Predict(x.AsSpan(start * net.InputSize, rows * net.InputSize), y.AsSpan(start * net.OutputSize, rows * net.OutputSize));
            start += rows;
        }
        return y;
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * Math.Max(1f, Math.Abs(expected[i])),
                $"output {i} (sample {i / 3}..): {actual[i]}, one at a time {expected[i]}");
    }

    [Theory]
    [InlineData(3, 8)] // three full chunks and 8
    [InlineData(2, 1)] // two full chunks and 1
    [InlineData(2, 0)] // two full chunks
    public void Batch_predict_over_several_chunks_equals_each_sample_alone(int chunks, int more)
    {
        Assert.Equal(128, Chunk); // the generator's choice for layers at most 256 wide
        Assert.Equal(Chunk, ChunkedClassifier.InferenceChunk);
        int samples = chunks * Chunk + more;
        var net = new ChunkedRegressor();
        float[] x = Inputs(samples, (ulong)samples);

        var y = new float[samples * ChunkedRegressor.OutputSize];
        net.Predict(x, y);
        float[] allocated = net.Predict(x);

        Assert.Equal(SliceBySlice(net, x), y);          // bit for bit: other cuts into slices of 8 or more
        Assert.Equal(SliceBySlice(net, x, 37), y);
        Assert.Equal(y, allocated);                      // the allocating overload is the same computation
        AssertClose(OneAtATime(net, x), y);             // each sample's own outputs, to rounding
        // Samples differ, so a chunk answered with another chunk's rows cannot pass by accident.
        Assert.NotEqual(y.AsSpan(0, Chunk * 3).ToArray(), y.AsSpan(Chunk * 3, Chunk * 3).ToArray());
        Assert.True(samples > Chunk, "more than one chunk");
    }

    [Theory]
    [InlineData(2 * ChunkedRegressor.InferenceChunk + 72)]
    [InlineData(ChunkedRegressor.InferenceChunk + 1)]
    public void Evaluate_over_several_chunks_equals_the_loss_of_each_sample_alone(int samples)
    {
        var net = new ChunkedRegressor();
        float[] x = Inputs(samples, 7);
        var rng = new Rng(8);
        float[] t = Enumerable.Range(0, samples * 3).Select(_ => rng.NextUniform(-1f, 1f)).ToArray();

        float[] y = OneAtATime(net, x);
        double expected = y.Zip(t, (a, b) => ((double)a - b) * ((double)a - b)).Sum() / (samples * 3.0); // mean((y − t)²)

        var result = net.Evaluate(x, t);
        Assert.Equal(samples, result.Count);
        Assert.Equal(expected, result.Loss, 1e-5 * expected);
        Assert.True(double.IsNaN(result.Accuracy));

        // Targets are read chunk by chunk too: changing only the last sample's targets changes the loss by its share.
        t[^1] += 10f;
        double shifted = y.Zip(t, (a, b) => ((double)a - b) * ((double)a - b)).Sum() / (samples * 3.0);
        Assert.Equal(shifted, net.Evaluate(x, t).Loss, 1e-5 * shifted);
    }

    [Theory]
    [InlineData(2 * ChunkedClassifier.InferenceChunk + 72)]
    [InlineData(ChunkedClassifier.InferenceChunk + 1)]
    public void Classifier_predict_and_evaluate_over_several_chunks(int samples)
    {
        var net = new ChunkedClassifier();
        float[] x = Inputs(samples, 11);
        float[] single = OneAtATime(net, x);
        AssertClose(single, net.Predict(x));
        Assert.Equal(SliceBySlice(net, x), net.Predict(x));
        Assert.Equal(SliceBySlice(net, x, 8), net.Predict(x));

        // Labels: the predicted class for two samples in three, another class for the rest.
        int[] predicted = Enumerable.Range(0, samples).Select(s => ArgMax(single.AsSpan(s * 5, 5))).ToArray();
        int[] labels = predicted.Select((c, s) => s % 3 == 2 ? (c + 1) % 5 : c).ToArray();
        double loss = 0;
        for (int s = 0; s < samples; s++)
        {
            var z = single.AsSpan(s * 5, 5);
            double max = z.ToArray().Max();
            double logSum = Math.Log(z.ToArray().Sum(v => Math.Exp(v - max))) + max;
            loss += logSum - z[labels[s]]; // −ln softmax(z)[label]
        }
        loss /= samples;
        double accuracy = (double)labels.Where((c, s) => c == predicted[s]).Count() / samples;

        var result = net.Evaluate(Dataset.FromLabels(x, 20, labels));
        Assert.Equal(loss, result.Loss, 1e-5 * loss);
        Assert.Equal(accuracy, result.Accuracy, 12);
        Assert.Equal(samples - samples / 3, labels.Where((c, s) => c == predicted[s]).Count());
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int j = 1; j < values.Length; j++) if (values[j] > values[best]) best = j;
        return best;
    }
}
