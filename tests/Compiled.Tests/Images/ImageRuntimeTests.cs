using System;
using System.IO;
using Xunit;

namespace Compiled.Tests.Images;

/// <summary>
/// The guarantees of dense networks, held by convolutional ones: real-data training, determinism,
/// zero allocation after warm-up, thread-safe and chunk-independent Predict, weight files.
/// </summary>
public sealed class ImageRuntimeTests
{
    private static (float[] X, float[] T) Batch(INetwork net, int batch, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new float[batch * net.InputSize];
        var t = new float[batch * net.TargetSize];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextUniform(-1f, 1f);
        for (int i = 0; i < t.Length; i++) t[i] = net.TargetSize == 1 ? rng.NextInt(net.OutputSize) : rng.NextUniform(-1f, 1f);
        return (x, t);
    }

    [Fact]
    public void Digits_cnn_reaches_96_percent_held_out_accuracy()
    {
        var data = TestData.Load("digits.csv.gz");
        var (train, test) = data.SplitStratified(0.25, seed: 3);
        var scaler = MinMaxScaler.Fit(train);
        scaler.Transform(train);
        scaler.Transform(test);

        var net = new DigitsConvNet();
        var before = net.Evaluate(test);
        var history = net.Fit(train, new FitOptions { Epochs = 25, BatchSize = 32, Optimizer = new Adam(0.003f), Seed = 5 });

        var after = net.Evaluate(test);
        Assert.True(before.Accuracy < 0.3, $"untrained accuracy {before.Accuracy} should be near chance");
        Assert.True(history.Epochs[^1].TrainLoss < history.Epochs[0].TrainLoss / 4, "training loss fell too little");
        Assert.True(after.Accuracy >= 0.96, $"held-out accuracy {after.Accuracy:F4} < 0.96");
    }

    [Fact]
    public void Training_is_bit_for_bit_deterministic()
    {
        var a = new DigitsConvNet(seed: 3);
        var b = new DigitsConvNet(seed: 3);
        var (x, t) = Batch(a, 40, seed: 8);
        var adamA = new Adam(0.01f);
        var adamB = new Adam(0.01f);
        for (int step = 0; step < 5; step++)
        {
            Assert.Equal(a.TrainStep(x, t, adamA), b.TrainStep(x, t, adamB));
        }
        Assert.Equal(a.Parameters.ToArray(), b.Parameters.ToArray());
        Assert.NotEqual(new DigitsConvNet(seed: 3).Parameters.ToArray(), a.Parameters.ToArray());
    }

    public static TheoryData<string> Networks() => new() { "ImgMaxPools", "ImgDepthwiseRect", "ImgAvgGlobal", "DigitsConvNet", "ImgBatchNorm" };

    private static INetwork Create(string name) => name switch
    {
        "ImgMaxPools" => new ImgMaxPools(),
        "ImgDepthwiseRect" => new ImgDepthwiseRect(),
        "ImgAvgGlobal" => new ImgAvgGlobal(),
        "ImgBatchNorm" => new ImgBatchNorm(),
        _ => new DigitsConvNet(),
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Train_step_predict_and_evaluate_allocate_nothing_after_warm_up(string name)
    {
        var net = Create(name);
        var (x, t) = Batch(net, 70, seed: 2);
        var output = new float[70 * net.OutputSize];
        var adam = new Adam(0.001f);
        for (int i = 0; i < 3; i++)
        {
            net.TrainStep(x, t, adam);
            net.Predict(x, output);
            net.Evaluate(x, t);
        }
        Allocations.AssertSteadyStateIsAllocationFree(() =>
        {
            net.TrainStep(x, t, adam);
            net.Predict(x, output);
            net.Predict(x.AsSpan(0, net.InputSize), output.AsSpan(0, net.OutputSize));
            net.Evaluate(x, t);
        });
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Batch_predict_over_several_chunks_equals_one_sample_at_a_time(string name)
    {
        var net = Create(name);
        const int count = 150; // more than two inference chunks of 64
        var (x, _) = Batch(net, count, seed: 4);
        var batched = new float[count * net.OutputSize];
        net.Predict(x, batched);
        var one = new float[net.OutputSize];
        for (int s = 0; s < count; s++)
        {
            net.Predict(x.AsSpan(s * net.InputSize, net.InputSize), one);
            for (int j = 0; j < one.Length; j++)
                Assert.Equal(one[j], batched[s * net.OutputSize + j], 1e-5f * Math.Max(1, Math.Abs(one[j])));
        }
    }

    [Fact]
    public void Predict_from_four_threads_equals_sequential_results()
    {
        var net = new DigitsConvNet(seed: 6);
        var (x, _) = Batch(net, 100, seed: 5);
        var expected = new float[100 * DigitsConvNet.OutputSize];
        net.Predict(x, expected);
        var results = new float[4][];
        Concurrently.Run(4, id =>
        {
            var y = new float[expected.Length];
            for (int round = 0; round < 5; round++) net.Predict(x, y);
            results[id] = y;
        });
        foreach (var y in results) Assert.Equal(expected, y);
    }

    [Fact]
    public void Weights_round_trip_through_a_file_and_refuse_another_architecture()
    {
        var trained = new DigitsConvNet(seed: 1);
        var (x, t) = Batch(trained, 16, seed: 9);
        trained.TrainStep(x, t, new Adam(0.01f));
        string path = Path.Combine(Path.GetTempPath(), $"compiled-cnn-{Guid.NewGuid():N}.weights");
        try
        {
            trained.Save(path);
            var loaded = new DigitsConvNet(seed: 2);
            loaded.Load(path);
            Assert.Equal(trained.Parameters.ToArray(), loaded.Parameters.ToArray());
            // Same parameter count would not be enough: the architecture differs.
            Assert.Throws<InvalidDataException>(() => new ImgMaxPools().Load(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
