// Batch-1 dense layers (y = W·x, 784 → 128, 401 KB of fp32 weights: in L2) against the memory floor, on the widest path
// this process may use (DOTNET_EnableAVX512=0 for AVX2, DOTNET_EnableAVX2=0 for Vector128). Measures, in one process:
//   floor          reading the weights once in one sequential stream (aligned loads, eight accumulators)
//   eight streams  the same bytes read as eight rows at a time (plain adds, no x): what an eight-row dot-product kernel reads
//   rows           the network's Predict kernel (Sgemm.Multiply, one row of A: weights read from their rows)
//   interleaved    PackedNetwork's batch-1 product (its copy of the weights with eight rows interleaved: one stream)
// Medians of 9 rounds of 2,000 calls after 2,000 warm-up calls, one thread.
// Usage: dotnet run -c Release --project bench/GemvBench
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Compiled;
using Compiled.Kernels;

Sgemm.MaxThreads = 1;
var net = new OneLayer();
var rng = new Rng(1);
Span<float> parameters = net.Parameters;
for (int i = 0; i < parameters.Length; i++) parameters[i] = rng.NextUniform(-0.5f, 0.5f);
float[] x = new float[784], y = new float[128], y2 = new float[128];
for (int i = 0; i < x.Length; i++) x[i] = rng.NextUniform(-1f, 1f);
var packed = PackedNetwork.Pack(net);
float[] weights = parameters.Slice(0, 128 * 784).ToArray();
float[] aligned = GC.AllocateArray<float>(128 * 784 + 16, pinned: true);
int start = (int)((64 - ((nuint)Marshal.UnsafeAddrOfPinnedArrayElement(aligned, 0) & 63)) & 63) / 4;
weights.CopyTo(aligned, start);
float sink = 0;

Console.WriteLine($"GemvBench: Sgemm.Path {Sgemm.Path}, Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, {DateTime.UtcNow:u}");
double floor = Time(() => sink += Floor(aligned.AsSpan(start, weights.Length)));
double streams = Time(() => sink += EightStreams(aligned.AsSpan(start, weights.Length), 784));
double rows = Time(() => Sgemm.Multiply(false, true, 1, 128, 784, 1f, x, 784, weights, 784, 0f, y, 128));
double interleaved = Time(() => packed.Predict(x, y2));
Console.WriteLine($"floor (one stream)     {floor,6:F2} us  {4.0 * weights.Length / floor / 1e3,5:F0} GB/s");
Console.WriteLine($"eight row streams      {streams,6:F2} us  {streams / floor,5:F2}x the floor");
Console.WriteLine($"rows (network Predict) {rows,6:F2} us  {rows / floor,5:F2}x the floor");
Console.WriteLine($"interleaved (packed)   {interleaved,6:F2} us  {interleaved / floor,5:F2}x the floor (bias added too)");
if (sink == 12345f) Console.WriteLine();

static double Time(Action a)
{
    for (int i = 0; i < 2000; i++) a();
    var times = new double[9];
    for (int r = 0; r < times.Length; r++)
    {
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < 2000; i++) a();
        times[r] = sw.Elapsed.TotalMicroseconds / 2000;
    }
    Array.Sort(times);
    return times[times.Length / 2];
}

// One stream, widest vectors, eight accumulators.
[System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
static unsafe float Floor(ReadOnlySpan<float> span)
{
    int n = span.Length;
    fixed (float* w = span)
    {
    if (Vector512.IsHardwareAccelerated)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        int p = 0;
        for (; p + 64 <= n; p += 64)
        {
            a0 += Vector512.Load(w + p); a1 += Vector512.Load(w + p + 16);
            a2 += Vector512.Load(w + p + 32); a3 += Vector512.Load(w + p + 48);
        }
        return Vector512.Sum((a0 + a1) + (a2 + a3));
    }
    if (Vector256.IsHardwareAccelerated)
    {
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        for (int p = 0; p + 64 <= n; p += 64)
        {
            s0 += Vector256.Load(w + p); s1 += Vector256.Load(w + p + 8);
            s2 += Vector256.Load(w + p + 16); s3 += Vector256.Load(w + p + 24);
            s4 += Vector256.Load(w + p + 32); s5 += Vector256.Load(w + p + 40);
            s6 += Vector256.Load(w + p + 48); s7 += Vector256.Load(w + p + 56);
        }
        return Vector256.Sum(((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)));
    }
    Vector128<float> t0 = default, t1 = default, t2 = default, t3 = default;
    for (int p = 0; p + 16 <= n; p += 16)
    {
        t0 += Vector128.Load(w + p); t1 += Vector128.Load(w + p + 4);
        t2 += Vector128.Load(w + p + 8); t3 += Vector128.Load(w + p + 12);
    }
    return Vector128.Sum((t0 + t1) + (t2 + t3));
    }
}

// The same bytes as eight rows at a time, one vector of each row per step (the access pattern of an eight-row kernel).
[System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
static unsafe float EightStreams(ReadOnlySpan<float> span, int k)
{
    int n = span.Length;
    fixed (float* w = span)
    {
    int lanes = Vector256.IsHardwareAccelerated ? 8 : 4;
    float total = 0;
    for (int j = 0; j + 8 * k <= n; j += 8 * k)
    {
        if (lanes == 8)
        {
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
            for (int p = 0; p + 8 <= k; p += 8)
            {
                s0 += Vector256.Load(w + j + p); s1 += Vector256.Load(w + j + k + p);
                s2 += Vector256.Load(w + j + 2 * k + p); s3 += Vector256.Load(w + j + 3 * k + p);
                s4 += Vector256.Load(w + j + 4 * k + p); s5 += Vector256.Load(w + j + 5 * k + p);
                s6 += Vector256.Load(w + j + 6 * k + p); s7 += Vector256.Load(w + j + 7 * k + p);
            }
            total += Vector256.Sum(((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)));
        }
        else
        {
            Vector128<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
            for (int p = 0; p + 4 <= k; p += 4)
            {
                s0 += Vector128.Load(w + j + p); s1 += Vector128.Load(w + j + k + p);
                s2 += Vector128.Load(w + j + 2 * k + p); s3 += Vector128.Load(w + j + 3 * k + p);
                s4 += Vector128.Load(w + j + 4 * k + p); s5 += Vector128.Load(w + j + 5 * k + p);
                s6 += Vector128.Load(w + j + 6 * k + p); s7 += Vector128.Load(w + j + 7 * k + p);
            }
            total += Vector128.Sum(((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)));
        }
    }
    return total;
    }
}

/// <summary>One batch-1 dense layer: 784 → 128, no activation.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(784)]
[Dense(128)]
public partial class OneLayer;
