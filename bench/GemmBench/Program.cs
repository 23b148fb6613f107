using System;
using System.Diagnostics;
using Compiled;
using Compiled.Kernels;

// GemmBench: throughput of Sgemm on the shapes generated Dense layers produce. Shapes are written
// m×k×n (batch × inputs × outputs); "NT" is the forward pass C = X·Wᵀ, "NN" the input gradient dX = dY·W,
// "TN" the weight gradient dW += dYᵀ·X (beta = 1). Each line is the median of several timed samples,
// after a warm-up. Set DOTNET_EnableAVX512=0 or DOTNET_EnableHWIntrinsic=0 to measure the other paths.

Console.WriteLine($"Sgemm path: {Sgemm.Path}, {Environment.ProcessorCount} logical cores");
Console.WriteLine($"{"shape (m×k×n)",-16} {"layout",-6} {"GFLOP/s",9} {"µs/call",10}");

double blocked = Measure(256, 784, 256, false, true);
Measure(256, 784, 256, false, false);
Measure(256, 784, 256, true, false, beta: 1f);
Measure(128, 784, 256, false, true);
Measure(32, 784, 256, false, true);
Measure(8, 784, 256, false, true);
Measure(4, 784, 256, false, true);
Measure(1, 784, 256, false, true);
Measure(1, 784, 256, false, false);
Measure(128, 256, 10, false, true);

double reference = Measure(256, 784, 256, false, true, useReference: true);
Console.WriteLine($"blocked / reference on 256×784×256 NT: {blocked / reference:F1}×");

static double Measure(int m, int k, int n, bool transA, bool transB, float beta = 0f, bool useReference = false)
{
    var rng = new Rng(42);
    float[] a = Random(rng, m * k), b = Random(rng, k * n), c = Random(rng, m * n);
    int lda = transA ? m : k, ldb = transB ? k : n;
    double flops = 2.0 * m * n * k;

    void Call()
    {
        if (useReference) Sgemm.MultiplyReference(transA, transB, m, n, k, 1f, a, lda, b, ldb, beta, c, n);
        else Sgemm.Multiply(transA, transB, m, n, k, 1f, a, lda, b, ldb, beta, c, n);
    }

    // Warm up (JIT, packing buffers, caches), then size each sample to about 20 ms.
    var clock = Stopwatch.StartNew();
    int calls = 0;
    while (calls < 3 || clock.Elapsed.TotalMilliseconds < 100) { Call(); calls++; }
    int perSample = Math.Max(1, (int)(calls * 20.0 / clock.Elapsed.TotalMilliseconds));

    int samples = useReference ? 3 : 15;
    var seconds = new double[samples];
    for (int s = 0; s < samples; s++)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < perSample; i++) Call();
        seconds[s] = Stopwatch.GetElapsedTime(start).TotalSeconds / perSample;
    }
    Array.Sort(seconds);
    double median = seconds[samples / 2];
    double gflops = flops / median * 1e-9;
    string layout = (transA ? "T" : "N") + (transB ? "T" : "N") + (useReference ? " ref" : "");
    Console.WriteLine($"{$"{m}×{k}×{n}",-16} {layout,-6} {gflops,9:F1} {median * 1e6,10:F1}");
    return gflops;
}

static float[] Random(Rng rng, int length)
{
    var data = new float[length];
    for (int i = 0; i < data.Length; i++) data[i] = rng.NextUniform(-1f, 1f);
    return data;
}
