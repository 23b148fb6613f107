using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using Compiled;
using Compiled.Kernels;
using Compiled.Tests.Images;
using Compiled.Tests.Networks;
using Xunit;

namespace Compiled.Tests.Runtime;

/// <summary>The Fashion CNN's routes at half its width: a one-channel 3×3 layer pooled as computed (AVX-512), Winograd 16 → 32.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 9)]
[Input(1, 28, 28)]
[Conv2D(16, 3, Activation.ReLU, Padding = Padding.Same)]
[MaxPool(2)]
[Conv2D(32, 3, Activation.ReLU, Padding = Padding.Same)]
[MaxPool(2)]
[Dense(64, Activation.ReLU)]
[Dense(10)]
public partial class HalfFashionCnn;

/// <summary>
/// <see cref="ChunkedInference"/>, how a generated network's Predict shares a batch among threads by samples. With a
/// recording stand-in for the network: every sample predicted once, in chunks of 8 to maxChunk samples, on more than
/// one thread when allowed, each chunk's products kept on its thread, failures passed to the caller. With generated
/// networks (dense, convolutional, BatchNorm): the same bits on one and on two threads, the thread count set per thread
/// by <see cref="Sgemm.UseThreads"/> (so no process-wide setting is touched).
/// </summary>
public sealed class ChunkedInferenceTests
{
    /// <summary>Input value j of sample s is s; output j of sample s is 10 · s + j. Records each call.</summary>
    private sealed class Recorder : IChunkForward
    {
        public const int InputSize = 3, OutputSize = 2;
        public readonly ConcurrentQueue<(int Start, int Rows, int Thread, int MaxThreads)> Calls = new();
        public int FailAt = -1;
        public int HoldMilliseconds;

        public void ForwardChunk(ReadOnlySpan<float> inputs, int rows, Span<float> outputs)
        {
            Assert.Equal(rows * InputSize, inputs.Length);
            Assert.Equal(rows * OutputSize, outputs.Length);
            int start = (int)inputs[0];
            Calls.Enqueue((start, rows, Environment.CurrentManagedThreadId, Sgemm.MaxThreads));
            if (HoldMilliseconds > 0) Thread.Sleep(HoldMilliseconds); // gives a worker the time to claim a chunk
            if (start <= FailAt && FailAt < start + rows) throw new InvalidOperationException($"chunk at {start} failed");
            for (int s = 0; s < rows; s++)
                for (int j = 0; j < OutputSize; j++) outputs[s * OutputSize + j] = 10f * inputs[s * InputSize] + j;
        }
    }

    private static float[] Inputs(int count) =>
        Enumerable.Range(0, count * Recorder.InputSize).Select(i => (float)(i / Recorder.InputSize)).ToArray();

    private static void AssertOutputs(float[] outputs, int count)
    {
        for (int s = 0; s < count; s++)
            for (int j = 0; j < Recorder.OutputSize; j++)
                Assert.True(outputs[s * Recorder.OutputSize + j] == 10f * s + j, $"sample {s}, output {j}: {outputs[s * Recorder.OutputSize + j]}");
    }

    /// <summary>Each sample in exactly one chunk: the chunks, sorted, tile [0, count).</summary>
    private static void AssertTiles(Recorder r, int count)
    {
        int next = 0;
        foreach (var call in r.Calls.OrderBy(c => c.Start))
        {
            Assert.Equal(next, call.Start);
            next += call.Rows;
        }
        Assert.Equal(count, next);
    }

    private const long Large = ChunkedInference.MinParallelMultiplyAdds; // per sample: any batch of 16 is worth sharing

    [Theory]
    [InlineData(1, 128)]
    [InlineData(100, 128)]
    [InlineData(128, 128)]
    [InlineData(129, 128)]
    [InlineData(1000, 128)]
    [InlineData(300, 64)]
    public void One_thread_predicts_every_sample_once_on_the_caller_in_even_chunks_of_at_most_maxChunk(int count, int maxChunk)
    {
        var r = new Recorder();
        var y = new float[count * Recorder.OutputSize];
        using (Sgemm.UseThreads(1))
            ChunkedInference.Predict(r, Inputs(count), Recorder.InputSize, y, Recorder.OutputSize, count, maxChunk, Large);
        AssertOutputs(y, count);
        AssertTiles(r, count);
        int chunks = (count + maxChunk - 1) / maxChunk; // as few as the limit allows, their sizes within one of each other
        Assert.Equal(chunks, r.Calls.Count);
        Assert.All(r.Calls, c => Assert.InRange(c.Rows, count / chunks, (count + chunks - 1) / chunks));
        Assert.All(r.Calls, c => Assert.Equal(Environment.CurrentManagedThreadId, c.Thread));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(37)]
    [InlineData(128)]
    [InlineData(129)]
    [InlineData(1000)]
    public void Two_threads_share_a_large_batch_in_chunks_of_8_or_more_each_with_single_threaded_products(int count)
    {
        using (Sgemm.UseThreads(2))
            Assert.True(ChunkedInference.Splits(count, Large));
        bool helped = false;
        for (int attempt = 0; attempt < 50 && !helped; attempt++) // the workers may be busy with another test's job
        {
            var r = new Recorder { HoldMilliseconds = 2 };
            var y = new float[count * Recorder.OutputSize];
            using (Sgemm.UseThreads(2))
                ChunkedInference.Predict(r, Inputs(count), Recorder.InputSize, y, Recorder.OutputSize, count, 128, Large);
            AssertOutputs(y, count);
            AssertTiles(r, count);
            Assert.All(r.Calls, c => Assert.InRange(c.Rows, 8, 128));
            Assert.True(r.Calls.Count >= 2, $"{r.Calls.Count} chunk(s) for {count} samples on two threads");
            Assert.All(r.Calls, c => Assert.Equal(1, c.MaxThreads)); // a chunk's products stay on its thread
            helped = r.Calls.Select(c => c.Thread).Distinct().Count() > 1;
        }
        Assert.True(helped, "no chunk ran on a worker thread in 50 attempts");
    }

    [Fact]
    public void By_columns_the_chunks_run_on_the_caller_and_their_products_keep_its_thread_count()
    {
        var r = new Recorder();
        var y = new float[1000 * Recorder.OutputSize];
        using (Sgemm.UseThreads(2))
            ChunkedInference.Predict(r, Inputs(1000), Recorder.InputSize, y, Recorder.OutputSize, 1000, 128, Large, bySamples: false);
        AssertOutputs(y, 1000);
        AssertTiles(r, 1000);
        Assert.Equal(8, r.Calls.Count); // ⌈1000 / 128⌉ even chunks of 125
        Assert.All(r.Calls, c => Assert.Equal((125, Environment.CurrentManagedThreadId, 2), (c.Rows, c.Thread, c.MaxThreads)));
    }

    [Fact]
    public void More_chunks_than_the_workers_take_in_one_job_run_in_waves()
    {
        // 65,537 chunks of 8 samples (the workers take at most 65,535 parts per job): two waves, every sample once.
        int count = 65_537 * 8;
        var r = new Recorder();
        var y = new float[count * Recorder.OutputSize];
        using (Sgemm.UseThreads(2))
            ChunkedInference.Predict(r, Inputs(count), Recorder.InputSize, y, Recorder.OutputSize, count, 8, Large);
        AssertOutputs(y, count);
        AssertTiles(r, count);
        Assert.Equal(65_537, r.Calls.Count);
    }

    /// <summary>Calls a second batch from inside each chunk, with two threads allowed: the workers are busy with the outer job.</summary>
    private sealed class Nesting : IChunkForward
    {
        public readonly Recorder Inner = new();
        public readonly ConcurrentQueue<int> OuterThreads = new();

        public void ForwardChunk(ReadOnlySpan<float> inputs, int rows, Span<float> outputs)
        {
            OuterThreads.Enqueue(Environment.CurrentManagedThreadId);
            Thread.Sleep(2); // gives a worker the time to claim a chunk
            for (int s = 0; s < rows; s++) { outputs[2 * s] = inputs[3 * s]; outputs[2 * s + 1] = 0f; }
            if (inputs[0] != 0f) return; // only the first chunk nests
            var y = new float[64 * Recorder.OutputSize];
            using (Sgemm.UseThreads(2))
                ChunkedInference.Predict(Inner, Inputs(64), Recorder.InputSize, y, Recorder.OutputSize, 64, 16, Large);
            AssertOutputs(y, 64);
        }
    }

    [Fact]
    public void A_batch_the_workers_cannot_take_runs_its_chunks_on_the_caller_with_single_threaded_products()
    {
        // Until the outer batch runs on the workers (another test's job may hold them): its chunks then hold the pool, so
        // the inner batch's request is declined whichever thread makes it.
        Nesting outer = new();
        for (int attempt = 0; attempt < 50; attempt++)
        {
            outer = new Nesting();
            var y = new float[64 * Recorder.OutputSize];
            using (Sgemm.UseThreads(2))
                ChunkedInference.Predict(outer, Inputs(64), Recorder.InputSize, y, Recorder.OutputSize, 64, 16, Large);
            if (outer.OuterThreads.Distinct().Count() > 1) break;
        }
        Assert.True(outer.OuterThreads.Distinct().Count() > 1, "the outer batch never reached the workers in 50 attempts");
        // The inner batch: 4 chunks of 16, all on the thread that ran the outer chunk, each with one thread for its products.
        AssertTiles(outer.Inner, 64);
        Assert.Equal(4, outer.Inner.Calls.Count);
        Assert.Single(outer.Inner.Calls.Select(c => c.Thread).Distinct());
        Assert.All(outer.Inner.Calls, c => Assert.Equal(1, c.MaxThreads));
    }

    [Fact]
    public void Small_batches_and_little_work_stay_on_the_calling_thread()
    {
        using (Sgemm.UseThreads(2))
        {
            Assert.False(ChunkedInference.Splits(15, Large));                         // fewer than two chunks of 8
            Assert.True(ChunkedInference.Splits(16, Large));
            Assert.False(ChunkedInference.Splits(1000, Large / 1000 - 1));            // 1000 × (⌊2²⁰ / 1000⌋ − 1) < 2²⁰
            Assert.True(ChunkedInference.Splits(1024, Large / 1024));                 // exactly 2²⁰
            Assert.False(ChunkedInference.Splits(1023, Large / 1024));
            Assert.False(ChunkedInference.Splits(100_000, 0));                         // zero counts as one per sample
            Assert.True(ChunkedInference.Splits((int)Large, 0));
            using (Sgemm.ForcePath("scalar"))
                Assert.Equal(Sgemm.Path == "scalar", ChunkedInference.Splits(1000, Large)); // a forced path stays on its thread
        }
        using (Sgemm.UseThreads(1))
            Assert.False(ChunkedInference.Splits(1000, Large));

        var r = new Recorder();
        var y = new float[15 * Recorder.OutputSize];
        using (Sgemm.UseThreads(2))
            ChunkedInference.Predict(r, Inputs(15), Recorder.InputSize, y, Recorder.OutputSize, 15, 128, Large);
        AssertOutputs(y, 15);
        Assert.Equal((0, 15, Environment.CurrentManagedThreadId, 2), Assert.Single(r.Calls));
    }

    [Fact]
    public void A_failing_chunk_reaches_the_caller_and_the_next_batch_runs()
    {
        foreach (int failAt in new[] { 0, 999 }) // the caller's first chunk, and the last one (claimed by either thread)
        {
            var r = new Recorder { FailAt = failAt };
            var y = new float[1000 * Recorder.OutputSize];
            using (Sgemm.UseThreads(2))
            {
                var e = Assert.Throws<InvalidOperationException>(() =>
                    ChunkedInference.Predict(r, Inputs(1000), Recorder.InputSize, y, Recorder.OutputSize, 1000, 128, Large));
                Assert.Contains("failed", e.Message);
                var fine = new Recorder();
                ChunkedInference.Predict(fine, Inputs(1000), Recorder.InputSize, y, Recorder.OutputSize, 1000, 128, Large);
                AssertOutputs(y, 1000);
            }
        }
    }

    [Fact]
    public void Arguments_are_checked()
    {
        var r = new Recorder();
        float[] x = Inputs(4), y = new float[8];
        Assert.Throws<ArgumentNullException>(() => ChunkedInference.Predict<Recorder>(null!, x, 3, y, 2, 4, 128, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChunkedInference.Predict(r, x, 3, y, 2, -1, 128, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChunkedInference.Predict(r, x, 0, y, 2, 4, 128, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChunkedInference.Predict(r, x, 3, y, 0, 4, 128, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChunkedInference.Predict(r, x, 3, y, 2, 4, 0, 1));
        // 15 inputs needed; 8 outputs: named, and refused before any chunk runs (a chunk's own slice would throw too, unnamed).
        Assert.Equal("inputs", Assert.Throws<ArgumentOutOfRangeException>(() => ChunkedInference.Predict(r, x, 3, y, 2, 5, 128, 1)).ParamName);
        Assert.Equal("outputs", Assert.Throws<ArgumentOutOfRangeException>(() => ChunkedInference.Predict(r, x, 3, new float[7], 2, 4, 128, 1)).ParamName);
        Assert.Empty(r.Calls);
        ChunkedInference.Predict(r, x, 3, y, 2, 0, 128, 1); // an empty batch: nothing to do
        Assert.Empty(r.Calls);
    }

    private static void AssertSameBitsOnOneAndTwoThreads(INetwork net, long multiplyAddsPerSample, params int[] counts)
    {
        var rng = new Rng(5);
        bool split = false;
        foreach (int count in counts)
        {
            float[] x = Enumerable.Range(0, count * net.InputSize).Select(_ => rng.NextUniform(-1f, 1f)).ToArray();
            float[] one = new float[count * net.OutputSize], two = new float[count * net.OutputSize];
            using (Sgemm.UseThreads(1)) net.Predict(x, one);
            using (Sgemm.UseThreads(2))
            {
                split |= ChunkedInference.Splits(count, multiplyAddsPerSample);
                net.Predict(x, two);
            }
            for (int i = 0; i < one.Length; i++)
                Assert.True(BitConverter.SingleToInt32Bits(one[i]) == BitConverter.SingleToInt32Bits(two[i]),
                    $"{net.GetType().Name}, {count} samples, output {i}: {two[i]:R} on two threads, {one[i]:R} on one");
            Assert.Contains(one, v => v != 0f);
        }
        Assert.True(split || Sgemm.CurrentPath != Sgemm.Path, $"{net.GetType().Name}: no batch was large enough to share");
    }

    [Fact]
    public void Generated_dense_networks_predict_the_same_bits_on_one_and_two_threads()
    {
        AssertSameBitsOnOneAndTwoThreads(new FashionMlp(), 784 * 256 + 256 * 10, 16, 37, 128, 129, 300);
        AssertSameBitsOnOneAndTwoThreads(new ChunkedRegressor(), 20 * 48 + 48 * 40 + 40 * 3, 1000, 1337);
    }

    [Fact]
    public void Generated_image_networks_predict_the_same_bits_on_one_and_two_threads()
    {
        AssertSameBitsOnOneAndTwoThreads(new LeNet5(), 6 * 25 * 28 * 28 + 16 * 6 * 25 * 10 * 10, 16, 45, 130);
        AssertSameBitsOnOneAndTwoThreads(new DigitsConvNet(), 12 * 9 * 64 + 16 * 12 * 9 * 16, 40, 200);
        AssertSameBitsOnOneAndTwoThreads(new ImgBatchNorm(), 4 * 2 * 9 * 16, 1000, 2049);
        AssertSameBitsOnOneAndTwoThreads(new HalfFashionCnn(), 16 * 9 * 784 + 32 * 16 * 9 * 196, 16, 41, 130);
    }
}
