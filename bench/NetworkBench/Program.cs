using System;
using System.Diagnostics;
using System.Linq;
using Compiled;
using Compiled.Kernels;

// NetworkBench: the generated 784-256-10 MLP (the Fashion-MNIST model), measured side by side in one
// run: training-step throughput at batch 1, 32 and 128, and Predict latency for one sample and a batch,
// first with Sgemm.MaxThreads = 1 (one core), then with every core.
// Every line is the median of 9 timed samples taken after a warm-up; compare ratios, not absolutes.

Console.WriteLine($"Sgemm path: {Sgemm.Path}; {Environment.ProcessorCount} logical cores");
int[] threadCounts = Environment.ProcessorCount > 1 ? new[] { 1, Environment.ProcessorCount } : new[] { 1 };
foreach (int threads in threadCounts)
{
    Sgemm.MaxThreads = threads;
    Console.WriteLine();
    Console.WriteLine($"{$"Sgemm.MaxThreads = {threads}",-34} {"median",12} {"throughput",18}");

    var rng = new Rng(1);
    var x = new float[128 * BenchMlp.InputSize];
    var t = new float[128];
    for (int i = 0; i < x.Length; i++) x[i] = rng.NextFloat();
    for (int i = 0; i < t.Length; i++) t[i] = rng.NextInt(10);

    foreach (var (batch, optimizerName) in new[] { (1, "Adam"), (32, "Adam"), (128, "Adam"), (1, "SGD"), (32, "SGD") })
    {
        var net = new BenchMlp();
        Optimizer optimizer = optimizerName == "Adam" ? new Adam() : new Sgd(0.01f);
        var xs = x.AsSpan(0, batch * BenchMlp.InputSize).ToArray();
        var ts = t.AsSpan(0, batch).ToArray();
        int steps = Math.Max(20, 4096 / batch);
        double seconds = Median(() => { for (int s = 0; s < steps; s++) net.TrainStep(xs, ts, optimizer); }) / steps;
        Console.WriteLine($"{$"TrainStep ({optimizerName}), batch {batch}",-34} {seconds * 1e6,9:F1} µs {batch / seconds,12:N0} samples/s");
    }

    {
        var net = new BenchMlp();
        var y = new float[BenchMlp.OutputSize];
        var one = x.AsSpan(0, BenchMlp.InputSize).ToArray();
        const int calls = 20000;
        double seconds = Median(() => { for (int s = 0; s < calls; s++) net.Predict(one, y); }) / calls;
        Console.WriteLine($"{"Predict, batch 1 (latency)",-34} {seconds * 1e6,9:F2} µs {1 / seconds,12:N0} samples/s");

        var yb = new float[128 * BenchMlp.OutputSize];
        const int batches = 200;
        double batchSeconds = Median(() => { for (int s = 0; s < batches; s++) net.Predict(x, yb); }) / batches;
        Console.WriteLine($"{"Predict, batch 128",-34} {batchSeconds * 1e6,9:F1} µs {128 / batchSeconds,12:N0} samples/s");
    }
}

static double Median(Action run)
{
    for (int i = 0; i < 3; i++) run(); // warm-up: tier-1 JIT, packing buffers, activation slabs
    var samples = new double[9];
    for (int i = 0; i < samples.Length; i++)
    {
        var clock = Stopwatch.StartNew();
        run();
        samples[i] = clock.Elapsed.TotalSeconds;
    }
    Array.Sort(samples);
    return samples[samples.Length / 2];
}

/// <summary>The Fashion-MNIST model of the main sample.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
[Input(784)]
[Dense(256, Activation.ReLU)]
[Dropout(0.2)]
[Dense(10)]
public partial class BenchMlp;
