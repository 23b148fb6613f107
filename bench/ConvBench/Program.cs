#if BASELINE
extern alias baseline;
#endif
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading;
using Compiled;
using Compiled.Kernels;

// ConvBench: throughput of Convolution's three passes on the shapes a small MNIST CNN produces, at 1 and 2 threads
// (Sgemm.MaxThreads), next to an older build of the runtime if bench/ConvBench/baseline/Compiled.Runtime.Baseline.dll
// exists (see README.md), plus same-run FMA peak probes (one thread, and one probe on each of two threads at once) to
// put the numbers in proportion. FLOPs count 2 per multiply-add of the convolution proper
// (2 · batch · OC · OH · OW · IC/G · KH · KW), the same for every pass. The variants of a line are timed in turns
// (9 rounds of ≥ 25 ms each after a warm-up), so a noisy neighbour hits them alike; each number is a median. Set
// DOTNET_EnableAVX512=0 or DOTNET_EnableHWIntrinsic=0 for the other paths.

double peak1 = FmaPeak(1), peak2 = FmaPeak(2);
Console.WriteLine($"Sgemm path: {Sgemm.Path}, {Environment.ProcessorCount} logical cores");
Console.WriteLine($"FMA peak: {peak1:F1} GFLOP/s one thread, {peak2:F1} GFLOP/s two threads");
#if BASELINE
string[] variants = { "before 1t", "after 1t", "before 2t", "after 2t" };
#else
string[] variants = { "after 1t", "after 2t" };
#endif
Console.WriteLine("GFLOP/s (% of the same-run FMA peak for that thread count)");
Console.WriteLine($"| {"shape",-34} | {"batch",5} | {"pass",-16} | " + string.Join(" | ", variants.Select(v => $"{v,16}")) + " |");

Run("conv 1→16 3×3 pad 1 on 28×28", 1, new ConvGeometry(1, 28, 28, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 28, 28));
Run("conv 1→16 3×3 pad 1 on 28×28", 32, new ConvGeometry(1, 28, 28, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 28, 28));
Run("conv 1→16 3×3 pad 1 on 28×28", 128, new ConvGeometry(1, 28, 28, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 28, 28));
Run("conv 16→32 3×3 pad 1 on 14×14", 1, new ConvGeometry(16, 14, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 14, 14));
Run("conv 16→32 3×3 pad 1 on 14×14", 32, new ConvGeometry(16, 14, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 14, 14));
Run("conv 16→32 3×3 pad 1 on 14×14", 128, new ConvGeometry(16, 14, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 14, 14));
Run("conv 32→64 3×3 pad 1 on 7×7", 32, new ConvGeometry(32, 7, 7, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 7, 7));
Run("depthwise 32 3×3 pad 1 on 14×14", 32, new ConvGeometry(32, 14, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1, 32, 14, 14));
Run("pointwise 32→64 1×1 on 14×14", 32, new ConvGeometry(32, 14, 14, 64, 1, 1, 1, 1, 0, 0, 1, 1, 1, 14, 14));

void Run(string name, int batch, ConvGeometry g)
{
    // `dotnet run -c Release -- 16→32` times only the shapes whose name contains the argument.
    if (args.Length > 0 && !name.Contains(args[0])) return;
    var rng = new Rng(1);
    float[] x = Fill(batch * g.InputSize), w = Fill(g.WeightCount), bias = Fill(g.OutChannels);
    float[] y = Fill(batch * g.OutputSize), dx = new float[x.Length], dw = new float[w.Length], db = new float[bias.Length];
    double flops = 2.0 * batch * g.OutputSize * (g.InChannels / g.Groups) * g.KernelHeight * g.KernelWidth;
#if BASELINE
    var old = new baseline::Compiled.Kernels.ConvGeometry(g.InChannels, g.InHeight, g.InWidth, g.OutChannels, g.KernelHeight, g.KernelWidth,
        g.StrideHeight, g.StrideWidth, g.PadTop, g.PadLeft, g.DilationHeight, g.DilationWidth, g.Groups, g.OutHeight, g.OutWidth);
    Action Old(Action<baseline::Compiled.Kernels.ConvGeometry> call) => () => call(old);
    var forward = new[] { Old(o => baseline::Compiled.Kernels.Convolution.Forward(o, batch, x, w, bias, y)), () => Convolution.Forward(g, batch, x, w, bias, y) };
    var backInput = new[] { Old(o => baseline::Compiled.Kernels.Convolution.BackwardInput(o, batch, y, w, dx)), () => Convolution.BackwardInput(g, batch, y, w, dx) };
    var backWeights = new[] { Old(o => baseline::Compiled.Kernels.Convolution.BackwardWeights(o, batch, x, y, dw, db)), () => Convolution.BackwardWeights(g, batch, x, y, dw, db) };
#else
    var forward = new Action[] { () => Convolution.Forward(g, batch, x, w, bias, y) };
    var backInput = new Action[] { () => Convolution.BackwardInput(g, batch, y, w, dx) };
    var backWeights = new Action[] { () => Convolution.BackwardWeights(g, batch, x, y, dw, db) };
#endif
    Report(name, batch, "forward", flops, forward);
    Report("", batch, "backward input", flops, backInput);
    Report("", batch, "backward weights", flops, backWeights);

    float[] Fill(int n)
    {
        var values = new float[n];
        for (int i = 0; i < n; i++) values[i] = rng.NextUniform(-1f, 1f);
        return values;
    }
}

void Report(string name, int batch, string pass, double flops, Action[] implementations)
{
    // Variant v: implementation v % count at 1 thread (first half) or 2 threads (second half).
    var calls = new List<(int Threads, Action Call)>();
    foreach (int threads in new[] { 1, 2 })
        foreach (Action call in implementations) calls.Add((threads, call));
    double[] seconds = MedianInTurns(calls);
    var cells = seconds.Select((s, v) =>
    {
        double gflops = flops / s / 1e9, peak = calls[v].Threads == 1 ? peak1 : peak2;
        return peak > 0 ? $"{gflops,6:F1} ({100 * gflops / peak,3:F0} %)" : $"{gflops,6:F1}";
    });
    Console.WriteLine($"| {name,-34} | {batch,5} | {pass,-16} | " + string.Join(" | ", cells.Select(c => $"{c,16}")) + " |");
}

static void SetThreads(int threads)
{
    Sgemm.MaxThreads = threads;
#if BASELINE
    baseline::Compiled.Kernels.Sgemm.MaxThreads = threads;
#endif
}

/// <summary>Median seconds per call of each variant: 9 rounds, each timing every variant for ≥ 25 ms in turn, after a warm-up.</summary>
static double[] MedianInTurns(List<(int Threads, Action Call)> calls)
{
    var clock = new Stopwatch();
    foreach (var (threads, call) in calls)
    {
        SetThreads(threads);
        clock.Restart();
        while (clock.ElapsedMilliseconds < 100) call();
    }
    var samples = new double[calls.Count][];
    for (int v = 0; v < calls.Count; v++) samples[v] = new double[9];
    for (int round = 0; round < 9; round++)
    {
        for (int v = 0; v < calls.Count; v++)
        {
            var (threads, call) = calls[v];
            SetThreads(threads);
            call();
            int count = 0;
            clock.Restart();
            while (clock.ElapsedMilliseconds < 25) { call(); count++; }
            samples[v][round] = clock.Elapsed.TotalSeconds / count;
        }
    }
    return samples.Select(s => { Array.Sort(s); return s[s.Length / 2]; }).ToArray();
}

/// <summary>
/// Independent FMAs on 12 accumulators (enough to cover the FMA latency) at the widest vector width the SGEMM path
/// uses, on <paramref name="threads"/> threads at once; GFLOP/s counts 2 per lane, summed over the threads (best of
/// 5 rounds). 0 on the scalar path, which has no FMA instruction to probe.
/// </summary>
static double FmaPeak(int threads)
{
    if (Sgemm.Path == "scalar") return 0;
    int lanes = Sgemm.Path == "avx512" ? 16 : 8;
    const int Iterations = 20_000_000;
    double best = double.MaxValue;
    for (int round = 0; round < 5; round++)
    {
        var clock = Stopwatch.StartNew();
        var probes = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            float sink = lanes == 16 ? Probe512(Iterations) : Probe256(Iterations);
            if (sink == 12345f) Console.Write("");
        })).ToArray();
        foreach (Thread probe in probes) probe.Start();
        foreach (Thread probe in probes) probe.Join();
        best = Math.Min(best, clock.Elapsed.TotalSeconds);
    }
    return 2.0 * 12 * lanes * Iterations * threads / best / 1e9;
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
