using System;
using System.Diagnostics;
using Compiled;
using Compiled.Kernels;

// GemmBench: throughput of Sgemm on the shapes generated Dense layers produce. Shapes are written
// m×k×n (batch × inputs × outputs); "NT" is the forward pass C = X·Wᵀ, "NN" the input gradient dX = dY·W,
// "TN" the weight gradient dW += dYᵀ·X (beta = 1). Each line is the median of several timed samples,
// after a warm-up. Set DOTNET_EnableAVX512=0 or DOTNET_EnableHWIntrinsic=0 to measure the other paths.
// The first table runs at the default Sgemm.MaxThreads (every core); the last compares 1 thread with it.

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

// Threads: the same products with Sgemm.MaxThreads = 1 and at its default, alternating the two settings
// round by round so drift in clock speed or neighbours' load hits both alike; medians over the rounds.
int defaultThreads = Sgemm.MaxThreads;
Console.WriteLine();
Console.WriteLine($"MaxThreads = 1 vs default ({defaultThreads}): GFLOP/s and µs/call, median of 5 alternating rounds");
Console.WriteLine($"{"shape (m×k×n)",-16} {"layout",-6} {"1 thread",9} {"µs",8} {$"{defaultThreads} threads",10} {"µs",8} {"speed-up",9}");
CompareThreads(256, 784, 256, false, true);
CompareThreads(256, 784, 256, false, false);
CompareThreads(256, 784, 256, true, false, beta: 1f);
CompareThreads(64, 784, 256, false, true);
CompareThreads(64, 256, 784, false, false);

void CompareThreads(int m, int k, int n, bool transA, bool transB, float beta = 0f)
{
    const int Rounds = 5;
    var single = new double[Rounds];
    var parallel = new double[Rounds];
    try
    {
        for (int round = 0; round < Rounds; round++)
        {
            Sgemm.MaxThreads = 1;
            single[round] = Time(m, k, n, transA, transB, beta, useReference: false);
            Sgemm.MaxThreads = defaultThreads;
            parallel[round] = Time(m, k, n, transA, transB, beta, useReference: false);
        }
    }
    finally
    {
        Sgemm.MaxThreads = defaultThreads;
    }
    Array.Sort(single);
    Array.Sort(parallel);
    double flops = 2.0 * m * n * k, t1 = single[Rounds / 2], tn = parallel[Rounds / 2];
    string layout = (transA ? "T" : "N") + (transB ? "T" : "N");
    Console.WriteLine($"{$"{m}×{k}×{n}",-16} {layout,-6} {flops / t1 * 1e-9,9:F1} {t1 * 1e6,8:F1} {flops / tn * 1e-9,10:F1} {tn * 1e6,8:F1} {t1 / tn,8:F2}×");
}

static double Measure(int m, int k, int n, bool transA, bool transB, float beta = 0f, bool useReference = false)
{
    double median = Time(m, k, n, transA, transB, beta, useReference);
    double gflops = 2.0 * m * n * k / median * 1e-9;
    string layout = (transA ? "T" : "N") + (transB ? "T" : "N") + (useReference ? " ref" : "");
    Console.WriteLine($"{$"{m}×{k}×{n}",-16} {layout,-6} {gflops,9:F1} {median * 1e6,10:F1}");
    return gflops;
}

// Median seconds per call over several samples of about 20 ms each, after a warm-up.
static double Time(int m, int k, int n, bool transA, bool transB, float beta, bool useReference)
{
    var rng = new Rng(42);
    float[] a = Random(rng, m * k), b = Random(rng, k * n), c = Random(rng, m * n);
    int lda = transA ? m : k, ldb = transB ? k : n;

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
    return seconds[samples / 2];
}

static float[] Random(Rng rng, int length)
{
    var data = new float[length];
    for (int i = 0; i < data.Length; i++) data[i] = rng.NextUniform(-1f, 1f);
    return data;
}
