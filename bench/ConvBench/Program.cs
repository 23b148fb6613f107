using System;
using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Compiled;
using Compiled.Kernels;

// ConvBench: throughput of Convolution's three passes at batch 32 on the shapes a small MNIST CNN produces, plus a
// same-run FMA peak probe (one thread) to put the numbers in proportion. FLOPs count 2 per multiply-add of the
// convolution proper (2 · batch · OC · OH · OW · IC/G · KH · KW), the same for every pass. Each line is the median
// of 7 timed samples after a warm-up. Set DOTNET_EnableAVX512=0 or DOTNET_EnableHWIntrinsic=0 for the other paths,
// and pass "1" as the argument to pin Sgemm.MaxThreads to 1.

if (args.Length > 0 && int.TryParse(args[0], out int threads)) Sgemm.MaxThreads = threads;
Console.WriteLine($"Sgemm path: {Sgemm.Path}, {Environment.ProcessorCount} logical cores, Sgemm.MaxThreads {Sgemm.MaxThreads}");
Console.WriteLine($"FMA peak, one thread: {FmaPeak():F1} GFLOP/s");
Console.WriteLine($"{"shape (batch 32)",-34} {"pass",-16} {"GFLOP/s",8} {"µs/call",9}");

const int Batch = 32;
Run("conv 1→16 3×3 pad 1 on 28×28", new ConvGeometry(1, 28, 28, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 28, 28));
Run("conv 16→32 3×3 pad 1 on 14×14", new ConvGeometry(16, 14, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 14, 14));
Run("depthwise 32 3×3 pad 1 on 14×14", new ConvGeometry(32, 14, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1, 32, 14, 14));
Run("pointwise 32→64 1×1 on 14×14", new ConvGeometry(32, 14, 14, 64, 1, 1, 1, 1, 0, 0, 1, 1, 1, 14, 14));

void Run(string name, ConvGeometry g)
{
    var rng = new Rng(1);
    float[] x = Fill(Batch * g.InputSize), w = Fill(g.WeightCount), bias = Fill(g.OutChannels);
    float[] y = Fill(Batch * g.OutputSize), dx = new float[x.Length], dw = new float[w.Length], db = new float[bias.Length];
    double flops = 2.0 * Batch * g.OutputSize * (g.InChannels / g.Groups) * g.KernelHeight * g.KernelWidth;
    Report(name, "forward", flops, () => Convolution.Forward(g, Batch, x, w, bias, y));
    Report("", "backward input", flops, () => Convolution.BackwardInput(g, Batch, y, w, dx));
    Report("", "backward weights", flops, () => Convolution.BackwardWeights(g, Batch, x, y, dw, db));

    float[] Fill(int n)
    {
        var values = new float[n];
        for (int i = 0; i < n; i++) values[i] = rng.NextUniform(-1f, 1f);
        return values;
    }
}

static void Report(string name, string pass, double flops, Action call)
{
    double seconds = Median(call);
    Console.WriteLine($"{name,-34} {pass,-16} {flops / seconds / 1e9,8:F1} {seconds * 1e6,9:F0}");
}

/// <summary>Median seconds per call over 7 samples of ≥ 50 ms each, after ≥ 200 ms of warm-up.</summary>
static double Median(Action call)
{
    var clock = Stopwatch.StartNew();
    while (clock.ElapsedMilliseconds < 200) call();
    var samples = new double[7];
    for (int s = 0; s < samples.Length; s++)
    {
        int calls = 0;
        clock.Restart();
        while (clock.ElapsedMilliseconds < 50) { call(); calls++; }
        samples[s] = clock.Elapsed.TotalSeconds / calls;
    }
    Array.Sort(samples);
    return samples[samples.Length / 2];
}

/// <summary>
/// Independent FMAs on 12 accumulators (enough to cover the FMA latency) at the widest vector width the SGEMM path
/// uses; GFLOP/s counts 2 per lane. 0 on the scalar path, which has no FMA instruction to probe.
/// </summary>
static double FmaPeak()
{
    if (Sgemm.Path == "scalar") return 0;
    int lanes = Sgemm.Path == "avx512" ? 16 : 8;
    const int Iterations = 20_000_000;
    double best = double.MaxValue;
    for (int round = 0; round < 5; round++)
    {
        var clock = Stopwatch.StartNew();
        float sink = lanes == 16 ? Probe512(Iterations) : Probe256(Iterations);
        best = Math.Min(best, clock.Elapsed.TotalSeconds);
        if (sink == 12345f) Console.Write("");
    }
    return 2.0 * 12 * lanes * Iterations / best / 1e9;
}

static float Probe256(int iterations)
{
    Vector256<float> m = Vector256.Create(0.999999f), a = Vector256.Create(1e-7f);
    Vector256<float> v0 = Vector256.Create(1f), v1 = v0, v2 = v0, v3 = v0, v4 = v0, v5 = v0, v6 = v0, v7 = v0, v8 = v0, v9 = v0, v10 = v0, v11 = v0;
    for (int i = 0; i < iterations; i++)
    {
        v0 = Fma.MultiplyAdd(v0, m, a); v1 = Fma.MultiplyAdd(v1, m, a); v2 = Fma.MultiplyAdd(v2, m, a); v3 = Fma.MultiplyAdd(v3, m, a);
        v4 = Fma.MultiplyAdd(v4, m, a); v5 = Fma.MultiplyAdd(v5, m, a); v6 = Fma.MultiplyAdd(v6, m, a); v7 = Fma.MultiplyAdd(v7, m, a);
        v8 = Fma.MultiplyAdd(v8, m, a); v9 = Fma.MultiplyAdd(v9, m, a); v10 = Fma.MultiplyAdd(v10, m, a); v11 = Fma.MultiplyAdd(v11, m, a);
    }
    return Vector256.Sum(v0 + v1 + v2 + v3 + v4 + v5 + v6 + v7 + v8 + v9 + v10 + v11);
}

static float Probe512(int iterations)
{
    Vector512<float> m = Vector512.Create(0.999999f), a = Vector512.Create(1e-7f);
    Vector512<float> v0 = Vector512.Create(1f), v1 = v0, v2 = v0, v3 = v0, v4 = v0, v5 = v0, v6 = v0, v7 = v0, v8 = v0, v9 = v0, v10 = v0, v11 = v0;
    for (int i = 0; i < iterations; i++)
    {
        v0 = Avx512F.FusedMultiplyAdd(v0, m, a); v1 = Avx512F.FusedMultiplyAdd(v1, m, a); v2 = Avx512F.FusedMultiplyAdd(v2, m, a);
        v3 = Avx512F.FusedMultiplyAdd(v3, m, a); v4 = Avx512F.FusedMultiplyAdd(v4, m, a); v5 = Avx512F.FusedMultiplyAdd(v5, m, a);
        v6 = Avx512F.FusedMultiplyAdd(v6, m, a); v7 = Avx512F.FusedMultiplyAdd(v7, m, a); v8 = Avx512F.FusedMultiplyAdd(v8, m, a);
        v9 = Avx512F.FusedMultiplyAdd(v9, m, a); v10 = Avx512F.FusedMultiplyAdd(v10, m, a); v11 = Avx512F.FusedMultiplyAdd(v11, m, a);
    }
    return Vector512.Sum(v0 + v1 + v2 + v3 + v4 + v5 + v6 + v7 + v8 + v9 + v10 + v11);
}
