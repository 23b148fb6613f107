using System;
using System.Runtime.InteropServices;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests.Training;

/// <summary>
/// <see cref="RowTraining"/>: a training step whose layers are all per sample shares the batch's samples among threads,
/// and gives the same bits as one thread (the oracle: the same step with <see cref="Sgemm.MaxThreads"/> = 1, which runs
/// the batch as one chunk on the caller; that path is checked against finite differences and PyTorch elsewhere). Runs
/// alone: it changes <see cref="Sgemm.MaxThreads"/>.
/// </summary>
[Collection("Sgemm threading")]
public sealed class RowTrainingTests
{
    private static readonly float[] s_a = new float[64 * 128], s_b = new float[256 * 128], s_c = new float[64 * 256];

    /// <summary>A product large enough to be split: the SGEMM workers spin right after it, as within a training loop.</summary>
    private static void WakeProductWorkers() => Sgemm.Multiply(false, true, 64, 256, 128, 1f, s_a, 128, s_b, 128, 0f, s_c, 256);

    public static TheoryData<string> Networks() => new() { nameof(RowSmoothedNet), nameof(RowWeightedNet), nameof(RowMultiLabelNet), nameof(RowRegressionNet) };

    private static INetwork Create(string name) => name switch
    {
        nameof(RowSmoothedNet) => new RowSmoothedNet(),
        nameof(RowWeightedNet) => new RowWeightedNet { ClassWeights = new[] { 0.5f, 2f, 1f, 1.5f, 0.25f, 3f } },
        nameof(RowMultiLabelNet) => new RowMultiLabelNet { PositiveWeights = new[] { 1f, 4f, 0.5f, 2f, 1f } },
        _ => new RowRegressionNet(),
    };

    private static (float[] X, float[] T) Data(INetwork net, int batch, int seed)
    {
        var rng = new Rng((ulong)seed);
        var x = new float[batch * net.InputSize];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextFloat() * 2 - 1;
        var t = new float[batch * net.TargetSize];
        for (int i = 0; i < t.Length; i++)
            t[i] = net switch
            {
                RowSmoothedNet => rng.NextInt(net.OutputSize),
                RowWeightedNet => rng.NextInt(net.OutputSize),
                RowMultiLabelNet => rng.NextInt(2),
                _ => rng.NextGaussian(),
            };
        return (x, t);
    }

    private static bool SameBytes(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        MemoryMarshal.AsBytes(a).SequenceEqual(MemoryMarshal.AsBytes(b));

    [Theory]
    [MemberData(nameof(Networks))]
    public void Gradients_and_loss_are_the_bits_of_one_thread_for_every_batch_size(string network)
    {
        int saved = Sgemm.MaxThreads;
        try
        {
            long shared = RowTraining.SharedRuns;
            int attempts = 0;
            foreach (int batch in new[] { 1, 7, 15, 16, 17, 20, 31, 32, 100 })
            {
                var one = Create(network);
                var (x, t) = Data(one, batch, seed: batch);
                Sgemm.MaxThreads = 1;
                float lossOne = one.ComputeGradients(x, t);
                Sgemm.MaxThreads = 2;
                var two = Create(network);
                WakeProductWorkers();
                float lossTwo = two.ComputeGradients(x, t);
                Assert.True(float.IsFinite(lossOne), $"{network}, batch {batch}: loss {lossOne}");
                Assert.True(BitConverter.SingleToInt32Bits(lossOne) == BitConverter.SingleToInt32Bits(lossTwo), $"{network}, batch {batch}: loss {lossOne:R} on one thread, {lossTwo:R} on two");
                Assert.True(SameBytes(one.Gradients, two.Gradients), $"{network}, batch {batch}: the gradients differ between one thread and two");
                if (batch >= 16) attempts++;
            }
            // Batches of 16 and more were shared (normally all; one whose thread was descheduled after the product ran alone).
            Assert.InRange(RowTraining.SharedRuns - shared, 1, attempts);
        }
        finally
        {
            Sgemm.MaxThreads = saved;
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Training_steps_with_dropout_give_the_bytes_of_one_thread(string network)
    {
        int saved = Sgemm.MaxThreads;
        try
        {
            float[] Train(int threads)
            {
                Sgemm.MaxThreads = threads;
                var net = Create(network);
                var optimizer = new Adam(0.01f);
                for (int step = 0; step < 4; step++)
                {
                    var (x, t) = Data(net, 24 + 8 * step, seed: 100 + step);
                    WakeProductWorkers();
                    Assert.True(float.IsFinite(net.TrainStep(x, t, optimizer)));
                }
                return net.Parameters.ToArray();
            }
            var one = Train(1);
            long shared = RowTraining.SharedRuns;
            var two = Train(2);
            Assert.True(RowTraining.SharedRuns > shared, "no step was shared among threads");
            Assert.True(SameBytes(one, two), $"{network}: four steps on two threads differ from one thread's");
        }
        finally
        {
            Sgemm.MaxThreads = saved;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_bad_target_is_numbered_in_the_whole_batch(int threads)
    {
        int saved = Sgemm.MaxThreads;
        try
        {
            Sgemm.MaxThreads = threads;
            var classifier = new RowSmoothedNet();
            var (x, labels) = Data(classifier, 40, seed: 5);
            labels[37] = 9; // 7 classes
            WakeProductWorkers();
            var e = Assert.Throws<ArgumentException>(() => classifier.TrainStep(x, labels, new Adam()));
            Assert.Contains("Label of sample 37 is 9", e.Message);
            Assert.Equal("targets", e.ParamName);
            labels[37] = 2.5f;
            Assert.Contains("Label of sample 37 is 2.5", Assert.Throws<ArgumentException>(() => classifier.ComputeGradients(x, labels)).Message);

            var multiLabel = new RowMultiLabelNet();
            var (xm, targets) = Data(multiLabel, 40, seed: 6);
            targets[37 * 5 + 2] = 2f;
            WakeProductWorkers();
            Assert.Contains("target 187 is 2", Assert.Throws<ArgumentException>(() => multiLabel.ComputeGradients(xm, targets)).Message);

            // Evaluate passes 128 samples at a time through the layers: a label past the first chunk keeps its number too.
            var (xe, te) = Data(classifier, 300, seed: 7);
            te[250] = -1;
            Assert.Contains("Label of sample 250 is -1", Assert.Throws<ArgumentException>(() => classifier.Evaluate(xe, te)).Message);
        }
        finally
        {
            Sgemm.MaxThreads = saved;
        }
    }

    [Fact]
    public void Run_refuses_a_null_network_and_an_empty_batch()
    {
        var net = new RowSmoothedNet();
        var (x, t) = Data(net, 16, seed: 8);
        Assert.Equal("network", Assert.Throws<ArgumentNullException>(() => RowTraining.Run<RowSmoothedNet>(null!, x, t, 16, 1 << 16)).ParamName);
        Assert.Equal("batch", Assert.Throws<ArgumentOutOfRangeException>(() => RowTraining.Run(net, x, t, 0, 1 << 16)).ParamName);
        Assert.Equal("batch", Assert.Throws<ArgumentOutOfRangeException>(() => RowTraining.Run(net, x, t, -3, 1 << 16)).ParamName);
    }

    /// <summary>
    /// The training loss against the inference pass's (Evaluate: another code path, no dropout in these networks), for a
    /// batch of 40 and then one of 1,000 (125 loss blocks: more than the first call's buffer holds), on two threads.
    /// </summary>
    [Theory]
    [InlineData(nameof(RowMultiLabelNet))]
    [InlineData(nameof(RowRegressionNet))]
    public void The_loss_is_the_batch_mean_of_the_inference_pass(string network)
    {
        int saved = Sgemm.MaxThreads;
        try
        {
            Sgemm.MaxThreads = 2;
            foreach (int batch in new[] { 40, 1000 })
            {
                var net = Create(network);
                var (x, t) = Data(net, batch, seed: 11 + batch);
                WakeProductWorkers();
                float loss = net.ComputeGradients(x, t);
                double expected = net.Evaluate(x, t).Loss;
                Assert.True(Math.Abs(loss - expected) <= 1e-5 * Math.Abs(expected), $"{network}, batch {batch}: training loss {loss}, inference loss {expected}");
            }
        }
        finally
        {
            Sgemm.MaxThreads = saved;
        }
    }

    [Fact]
    public void Chunks_are_whole_blocks_of_at_least_eight_samples_covering_the_batch_once()
    {
        foreach (int batch in new[] { 16, 17, 23, 24, 31, 32, 33, 100, 128, 1000 })
            foreach (int chunks in new[] { 2, 3, 4 })
            {
                if (chunks > batch / RowTraining.LossBlock) continue;
                int next = 0;
                for (int c = 0; c < chunks; c++)
                {
                    var (start, rows) = RowTraining.Range(c, chunks, batch);
                    Assert.Equal(next, start);
                    Assert.Equal(0, start % RowTraining.LossBlock);
                    Assert.True(rows >= RowTraining.LossBlock, $"batch {batch}, chunk {c} of {chunks}: {rows} samples");
                    next = start + rows;
                }
                Assert.Equal(batch, next);
            }
    }

    [Fact]
    public void Small_batches_light_networks_one_thread_and_forced_paths_stay_whole()
    {
        int saved = Sgemm.MaxThreads;
        try
        {
            Sgemm.MaxThreads = 2;
            Assert.Equal(2, RowTraining.Chunks(16, 1 << 16));
            Assert.Equal(1, RowTraining.Chunks(15, 1 << 16));                    // fewer than two blocks
            Assert.Equal(1, RowTraining.Chunks(16, (1 << 16) - 1));              // less than 2²⁰ multiply-adds in the batch
            Assert.Equal(1, RowTraining.Chunks(1000, 1));                        // a light network
            Assert.Equal(2, RowTraining.Chunks(1 << 14, 64));
            Assert.Equal(1, RowTraining.Chunks(7, 1 << 20));                     // no whole block: still one chunk
            Sgemm.MaxThreads = 4;                                                // one chunk per thread, at most one per block
            Assert.Equal(2, RowTraining.Chunks(16, 1 << 16));
            Assert.Equal(2, RowTraining.Chunks(23, 1 << 16));
            Assert.Equal(3, RowTraining.Chunks(24, 1 << 16));
            Assert.Equal(4, RowTraining.Chunks(100, 1 << 16));
            Sgemm.MaxThreads = 2;
            using (Sgemm.ForcePath("scalar")) Assert.Equal(Sgemm.Path == "scalar" ? 2 : 1, RowTraining.Chunks(1000, 1 << 16));
            Sgemm.MaxThreads = 1;
            Assert.Equal(1, RowTraining.Chunks(1000, 1 << 16));
        }
        finally
        {
            Sgemm.MaxThreads = saved;
        }
    }

    [Fact]
    public void A_network_with_batch_statistics_or_a_parametric_activation_keeps_the_whole_batch_step()
    {
        Assert.IsAssignableFrom<IRowTraining>(new RowSmoothedNet());
        Assert.False(new Compiled.Tests.Images.TorchBatchNorm2d() is IRowTraining);
        Assert.False(new Compiled.Tests.Images.VecPReLU() is IRowTraining);
    }
}

[Network(Loss = Loss.SoftmaxCrossEntropy, LabelSmoothing = 0.1)]
[Input(1, 28, 28)]
[Flatten]
[Dense(128, Activation.Swish)]
[Dropout(0.25)]
[Dense(48, Activation.Tanh)]
[Dropout(0.5)]
[Dense(7)]
public partial class RowSmoothedNet;

[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 3)]
[Input(784)]
[Dense(64, Activation.ReLU)]
[Dropout(0.1)]
[Dense(6, Activation.Softmax)]
public partial class RowWeightedNet;

[Network(Loss = Loss.MultiLabelBinaryCrossEntropy)]
[Input(784)]
[Dense(96)]
[Activation(Activation.LeakyReLU)]
[Dense(5, Activation.Sigmoid)]
public partial class RowMultiLabelNet;

[Network(Loss = Loss.MeanSquaredError)]
[Input(784)]
[Dense(64, Activation.Softplus)]
[Dense(3)]
[Activation(Activation.Softmax)]
public partial class RowRegressionNet;
