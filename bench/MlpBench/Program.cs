// The ONNX Runtime harness's two MLPs (../shared/bench-onnxruntime: mlp-a 784-128-10, mlp-b 784-256-256-10, Gemm + Relu)
// declared with Compiled's attributes, in fp32 (generated Predict), fp32 with weights packed once (PackedNetwork) and
// int8 (QuantizedNetwork), timed with that harness's
// method: inputs uniform in [-1, 1) fixed per config, 0.5 s warm-up, >= 2 s timed, 3 repeats, median kept; batch-1
// latency = median of per-call times, batch-128 throughput = samples/s; 1 and 2 threads (Sgemm.MaxThreads). Weights are
// the networks' own (seeded He/Glorot): speed does not depend on their values.
// Usage: dotnet run -c Release --project bench/MlpBench [-- --quiet-wait S]
using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using Compiled;
using Compiled.Kernels;

double quietWait = args.Length == 2 && args[0] == "--quiet-wait" ? double.Parse(args[1], CultureInfo.InvariantCulture) : 30;
Console.WriteLine($"Compiled MlpBench: {Environment.ProcessorCount} logical CPUs, Sgemm.Path {Sgemm.Path}, started {DateTime.UtcNow:u}");
foreach (var (model, net) in new (string, INetwork)[] { ("mlp-a", new MlpA()), ("mlp-b", new MlpB()) })
{
    var int8 = QuantizedNetwork.Quantize(net);
    var packed = PackedNetwork.Pack(net);
    // The memory floor of batch-1 fp32 Predict: reading the network's parameters once (the same bytes, at the same
    // addresses), timed like a batch-1 Predict.
    {
        Contention.WaitForQuiet(quietWait);
        float sink = 0;
        var floors = new List<double>();
        for (int rep = 0; rep < 3; rep++)
        {
            var warm = Stopwatch.StartNew();
            while (warm.Elapsed.TotalSeconds < 0.5) sink += ReadOnce(net.Parameters);
            var samples = new List<double>();
            var total = Stopwatch.StartNew();
            while (total.Elapsed.TotalSeconds < 1) { long t0 = Stopwatch.GetTimestamp(); sink += ReadOnce(net.Parameters); samples.Add((Stopwatch.GetTimestamp() - t0) * 1e6 / Stopwatch.Frequency); }
            samples.Sort();
            floors.Add(samples[samples.Count / 2]);
        }
        floors.Sort();
        Console.WriteLine($"{model} read_parameters_once_us ({net.Parameters.Length * 4 / 1024} KB): {floors[1]:N2}{(sink == 1234.5f ? " " : "")}");
    }
    foreach (string kind in new[] { "fp32", "packed", "int8" })
    foreach (int threads in new[] { 1, 2 })
    foreach (int batch in new[] { 1, 128 })
    {
        Sgemm.MaxThreads = threads;
        var rng = new Random(7);
        var x = new float[batch * 784];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        var y = new float[batch * net.OutputSize];
        Action call = kind switch { "fp32" => () => net.Predict(x, y), "packed" => () => packed.Predict(x, y), _ => () => int8.Predict(x, y) };
        var results = new List<double>();
        for (int rep = 0; rep < 3; rep++)
        {
            Contention.WaitForQuiet(quietWait);
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed.TotalSeconds < 0.5) call();
            var mark = Contention.Now();
            if (batch == 1)
            {
                var samples = new List<double>();
                var total = Stopwatch.StartNew();
                while (total.Elapsed.TotalSeconds < 2) { long t0 = Stopwatch.GetTimestamp(); call(); samples.Add((Stopwatch.GetTimestamp() - t0) * 1e6 / Stopwatch.Frequency); }
                samples.Sort();
                results.Add(samples[samples.Count / 2]);
            }
            else
            {
                long calls = 0;
                var total = Stopwatch.StartNew();
                while (total.Elapsed.TotalSeconds < 2) { call(); calls++; }
                results.Add(calls * batch / total.Elapsed.TotalSeconds);
            }
            Console.WriteLine($"  rep {rep + 1}/3 {model} {kind} b{batch} t{threads}: {results[^1]:N2} (others {Contention.OtherCores(mark, Contention.Now()):F2} cores)");
        }
        results.Sort();
        Console.WriteLine($"{model} {kind} {(batch == 1 ? "infer_latency_us" : "infer_throughput_samples_per_s")} b{batch} t{threads}: {results[1]:N2}");
    }
}

/// <summary>
/// Reads every 64-byte line that holds one of the values (aligned loads of the widest vectors, eight accumulators, so
/// that only the memory limits it) and returns their sum; lines shared with neighbouring data are read whole, as a
/// cache would. The AVX-512 path's 512-bit loads, else 256-bit ones, else 128-bit ones.
/// </summary>
static unsafe float ReadOnce(ReadOnlySpan<float> values)
{
    fixed (float* p = values)
    {
        float* first = (float*)((nuint)p & ~(nuint)63), end = (float*)(((nuint)(p + values.Length) + 63) & ~(nuint)63);
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
            float* q = first;
            for (; q + 128 <= end; q += 128)
            {
                s0 += Vector512.LoadAligned(q); s1 += Vector512.LoadAligned(q + 16); s2 += Vector512.LoadAligned(q + 32); s3 += Vector512.LoadAligned(q + 48);
                s4 += Vector512.LoadAligned(q + 64); s5 += Vector512.LoadAligned(q + 80); s6 += Vector512.LoadAligned(q + 96); s7 += Vector512.LoadAligned(q + 112);
            }
            for (; q < end; q += 16) s0 += Vector512.LoadAligned(q);
            return Vector512.Sum(((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)));
        }
        if (!Vector256.IsHardwareAccelerated)
        {
            // The Vector128 path (x64 without AVX2, ARM64): 128-bit loads.
            Vector128<float> q0 = default, q1 = default, q2 = default, q3 = default, q4 = default, q5 = default, q6 = default, q7 = default;
            float* q = first;
            for (; q + 32 <= end; q += 32)
            {
                q0 += Vector128.LoadAligned(q); q1 += Vector128.LoadAligned(q + 4); q2 += Vector128.LoadAligned(q + 8); q3 += Vector128.LoadAligned(q + 12);
                q4 += Vector128.LoadAligned(q + 16); q5 += Vector128.LoadAligned(q + 20); q6 += Vector128.LoadAligned(q + 24); q7 += Vector128.LoadAligned(q + 28);
            }
            for (; q < end; q += 4) q0 += Vector128.LoadAligned(q);
            return Vector128.Sum(((q0 + q1) + (q2 + q3)) + ((q4 + q5) + (q6 + q7)));
        }
        Vector256<float> t0 = default, t1 = default, t2 = default, t3 = default, t4 = default, t5 = default, t6 = default, t7 = default;
        float* r = first;
        for (; r + 64 <= end; r += 64)
        {
            t0 += Vector256.LoadAligned(r); t1 += Vector256.LoadAligned(r + 8); t2 += Vector256.LoadAligned(r + 16); t3 += Vector256.LoadAligned(r + 24);
            t4 += Vector256.LoadAligned(r + 32); t5 += Vector256.LoadAligned(r + 40); t6 += Vector256.LoadAligned(r + 48); t7 += Vector256.LoadAligned(r + 56);
        }
        for (; r < end; r += 8) t0 += Vector256.LoadAligned(r);
        return Vector256.Sum(((t0 + t1) + (t2 + t3)) + ((t4 + t5) + (t6 + t7)));
    }
}

/// <summary>The ONNX Runtime harness's mlp-a: 784-128-10, ReLU.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 1)]
[Input(784)]
[Dense(128, Activation.ReLU)]
[Dense(10)]
public partial class MlpA;

/// <summary>The ONNX Runtime harness's mlp-b: 784-256-256-10, ReLU.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 1)]
[Input(784)]
[Dense(256, Activation.ReLU)]
[Dense(256, Activation.ReLU)]
[Dense(10)]
public partial class MlpB;
