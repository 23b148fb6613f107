using BenchmarkDotNet.Attributes;
using Compiled;
using Compiled.Kernels;

namespace Compiled.Benchmarks;

/// <summary>Random inputs and class labels, fixed by a seed.</summary>
internal static class Data
{
    public static float[] Inputs(int count, int seed = 1)
    {
        var rng = new Rng(seed);
        var x = new float[count];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextFloat();
        return x;
    }

    public static float[] Labels(int count, int classes, int seed = 2)
    {
        var rng = new Rng(seed);
        var t = new float[count];
        for (int i = 0; i < t.Length; i++) t[i] = rng.NextInt(classes);
        return t;
    }
}

/// <summary>Predict at batch 1 and 128 (fp32 and int8) on one and two threads.</summary>
[MemoryDiagnoser]
public class PredictBenchmarks
{
    private readonly Mlp128 _mlp = new();
    private readonly Cnn _cnn = new();
    private QuantizedNetwork _int8 = null!;
    private PackedNetwork _packed = null!;
    private float[] _x1 = null!, _x128 = null!, _y1 = null!, _y128 = null!;

    [Params(1, 128)] public int Batch { get; set; }
    [Params(1, 2)] public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Sgemm.MaxThreads = Threads;
        _int8 = QuantizedNetwork.Quantize(_mlp);
        _packed = PackedNetwork.Pack(_mlp);
        _x1 = Data.Inputs(784);
        _x128 = Data.Inputs(128 * 784);
        _y1 = new float[10];
        _y128 = new float[128 * 10];
    }

    [Benchmark(Description = "MLP 784-128-10, fp32")]
    public void Mlp() => _mlp.Predict(Batch == 1 ? _x1 : _x128, Batch == 1 ? _y1 : _y128);

    [Benchmark(Description = "MLP 784-128-10, fp32 packed")]
    public void MlpPacked() => _packed.Predict(Batch == 1 ? _x1 : _x128, Batch == 1 ? _y1 : _y128);

    [Benchmark(Description = "MLP 784-128-10, int8")]
    public void MlpInt8() => _int8.Predict(Batch == 1 ? _x1 : _x128, Batch == 1 ? _y1 : _y128);

    [Benchmark(Description = "CNN (TorchSharp harness's)")]
    public void Cnn() => _cnn.Predict(Batch == 1 ? _x1 : _x128, Batch == 1 ? _y1 : _y128);
}

/// <summary>One training step (forward, loss, backward, optimizer) at batch 32 and 128 on one and two threads.</summary>
[MemoryDiagnoser]
public class TrainStepBenchmarks
{
    private readonly Mlp256 _mlp = new();
    private readonly Cnn _cnn = new();
    private readonly Adam _adam = new();
    private readonly Sgd _sgd = new(0.01f);
    private float[] _x = null!, _t = null!;

    [Params(32, 128)] public int Batch { get; set; }
    [Params(1, 2)] public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Sgemm.MaxThreads = Threads;
        _x = Data.Inputs(Batch * 784);
        _t = Data.Labels(Batch, 10);
    }

    [Benchmark(Description = "MLP 784-256-10, Adam")]
    public float Mlp() => _mlp.TrainStep(_x, _t, _adam);

    [Benchmark(Description = "CNN, SGD")]
    public float Cnn() => _cnn.TrainStep(_x, _t, _sgd);
}

/// <summary>An optimizer's step over 203,530 parameters (the 784-256-10 MLP's), one thread.</summary>
[MemoryDiagnoser]
public class OptimizerBenchmarks
{
    private float[] _parameters = null!, _gradients = null!;
    private readonly Sgd _sgd = new(0.01f);
    private readonly Sgd _momentum = new(0.01f, momentum: 0.9f);
    private readonly Adam _adam = new();
    private readonly AdamW _adamW = new();
    private readonly RmsProp _rmsProp = new();
    private readonly AdaGrad _adaGrad = new();

    [GlobalSetup]
    public void Setup()
    {
        Sgemm.MaxThreads = 1;
        _parameters = Data.Inputs(203_530);
        _gradients = Data.Inputs(203_530, seed: 3);
        for (int i = 0; i < _gradients.Length; i++) _gradients[i] = (_gradients[i] - 0.5f) * 1e-3f;
    }

    [Benchmark] public bool Sgd() => _sgd.TryStep(_parameters, _gradients);
    [Benchmark] public bool SgdMomentum() => _momentum.TryStep(_parameters, _gradients);
    [Benchmark] public bool Adam() => _adam.TryStep(_parameters, _gradients);
    [Benchmark] public bool AdamW() => _adamW.TryStep(_parameters, _gradients);
    [Benchmark] public bool RmsProp() => _rmsProp.TryStep(_parameters, _gradients);
    [Benchmark] public bool AdaGrad() => _adaGrad.TryStep(_parameters, _gradients);
}

/// <summary>SGEMM on a network's shapes (A·Bᵀ as a dense layer's forward pass), one and two threads.</summary>
[MemoryDiagnoser]
public class SgemmBenchmarks
{
    private float[] _a = null!, _b = null!, _c = null!;

    [Params(1, 32, 128, 512)] public int M { get; set; }
    [Params(1, 2)] public int Threads { get; set; }
    private const int N = 256, K = 784;

    [GlobalSetup]
    public void Setup()
    {
        Sgemm.MaxThreads = Threads;
        _a = Data.Inputs(M * K);
        _b = Data.Inputs(N * K, seed: 5);
        _c = new float[M * N];
    }

    /// <summary>C[M×256] = A[M×784] · B[256×784]ᵀ: 2·M·256·784 FLOPs.</summary>
    [Benchmark]
    public void MultiplyNT() => Sgemm.Multiply(false, true, M, N, K, 1f, _a, K, _b, K, 0f, _c, N);
}
