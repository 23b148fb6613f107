// The ONNX Runtime harness's two MLPs (../shared/bench-onnxruntime: mlp-a 784-128-10, mlp-b 784-256-256-10, Gemm + Relu)
// declared with Compiled's attributes, in fp32 (generated Predict), fp32 with weights packed once (PackedNetwork) and
// int8 (QuantizedNetwork), timed with that harness's
// method: inputs uniform in [-1, 1) fixed per config, 0.5 s warm-up, >= 2 s timed, 3 repeats, median kept; batch-1
// latency = median of per-call times, batch-128 throughput = samples/s; 1 and 2 threads (Sgemm.MaxThreads). Weights are
// the networks' own (seeded He/Glorot): speed does not depend on their values.
// Usage: dotnet run -c Release --project bench/MlpBench [-- --quiet-wait S]
using System.Diagnostics;
using System.Globalization;
using Compiled;
using Compiled.Kernels;

double quietWait = args.Length == 2 && args[0] == "--quiet-wait" ? double.Parse(args[1], CultureInfo.InvariantCulture) : 30;
Console.WriteLine($"Compiled MlpBench: {Environment.ProcessorCount} logical CPUs, Sgemm.Path {Sgemm.Path}, started {DateTime.UtcNow:u}");
foreach (var (model, net) in new (string, INetwork)[] { ("mlp-a", new MlpA()), ("mlp-b", new MlpB()) })
{
    var int8 = QuantizedNetwork.Quantize(net);
    var packed = PackedNetwork.Pack(net);
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
            Console.WriteLine($"  rep {rep + 1}/3 {model} {kind} b{batch} t{threads}: {results[^1]:N1} (others {Contention.OtherCores(mark, Contention.Now()):F2} cores)");
        }
        results.Sort();
        Console.WriteLine($"{model} {kind} {(batch == 1 ? "infer_latency_us" : "infer_throughput_samples_per_s")} b{batch} t{threads}: {results[1]:N1}");
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
