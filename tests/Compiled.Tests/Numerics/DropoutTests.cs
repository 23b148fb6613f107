using System;
using System.Linq;
using Compiled;
using Compiled.Tests.Networks;
using Xunit;

namespace Compiled.Tests.Numerics;

// Input(10 000) → Dropout(p) → Dense(1): wide enough that the mask's zero count is a tight estimate of p.
[Network(Loss = Loss.MeanSquaredError, Seed = 3)][Input(10_000)][Dropout(0)][Dense(1)] public partial class DropoutRate0Probe;
[Network(Loss = Loss.MeanSquaredError, Seed = 3)][Input(10_000)][Dropout(0.1)][Dense(1)] public partial class DropoutRate10Probe;
[Network(Loss = Loss.MeanSquaredError, Seed = 3)][Input(10_000)][Dropout(0.3)][Dense(1)] public partial class DropoutRate30Probe;
[Network(Loss = Loss.MeanSquaredError, Seed = 3)][Input(10_000)][Dropout(0.5)][Dense(1)] public partial class DropoutRate50Probe;
[Network(Loss = Loss.MeanSquaredError, Seed = 3)][Input(10_000)][Dropout(0.8)][Dense(1)] public partial class DropoutRate80Probe;

public sealed class DropoutTests
{
    /// <summary>
    /// Input(1000) → Dropout(0.5) → Dense(1) with x = 1: ∂L/∂wⱼ = dz·mⱼ and ∂L/∂b = dz, so the weight
    /// gradient reveals the mask: about half zeros, the rest exactly dz/(1 − p) = 2·dz.
    /// </summary>
    [Fact]
    public void Training_mask_drops_about_p_and_scales_survivors_by_inverse_keep()
    {
        var net = new DropoutProbe(seed: 9);
        var x = Enumerable.Repeat(1f, DropoutProbe.InputSize).ToArray();
        net.ComputeGradients(x, new[] { 3f });
        float dz = net.Dense1BiasGradient[0];
        Assert.NotEqual(0f, dz);
        var dw = net.Dense1WeightsGradient.ToArray();
        int zeros = dw.Count(g => g == 0f);
        Assert.InRange(zeros, 450, 550); // Binomial(1000, 0.5): ±3.2σ
        foreach (var g in dw.Where(g => g != 0f)) Assert.Equal(2 * dz, g);
    }

    /// <summary>
    /// The kernel's mask: the same bits computed eight at a time as one by one (a thread forced onto the scalar path),
    /// for lengths with and without a tail; the same for the same generator state; another for the next call; and
    /// consecutive elements as independent as a fair coin's throws (runs of equal decisions: Wald–Wolfowitz, within 5σ).
    /// </summary>
    [Fact]
    public void Kernel_mask_is_the_same_on_every_path_and_new_each_call()
    {
        foreach (int n in new[] { 1, 7, 8, 9, 100, 4099 })
        {
            var x = Enumerable.Range(0, n).Select(i => 1f + i).ToArray();
            float[] vectorY = new float[n], vectorMask = new float[n], scalarY = new float[n], scalarMask = new float[n];
            Compiled.Kernels.LayerKernels.DropoutForward(x, vectorY, vectorMask, 0.7f, new Rng(42));
            using (Compiled.Kernels.Sgemm.ForcePath("scalar"))
                Compiled.Kernels.LayerKernels.DropoutForward(x, scalarY, scalarMask, 0.7f, new Rng(42));
            Assert.Equal(scalarMask, vectorMask);
            Assert.Equal(scalarY, vectorY);
            Assert.All(vectorMask, m => Assert.True(m == 0f || m == 1f / 0.7f));
            for (int i = 0; i < n; i++) Assert.Equal(x[i] * vectorMask[i], vectorY[i]);
        }
        var rng = new Rng(7);
        float[] big = Enumerable.Repeat(1f, 100_000).ToArray(), first = new float[big.Length], second = new float[big.Length];
        Compiled.Kernels.LayerKernels.DropoutForward(big, new float[big.Length], first, 0.5f, rng);
        Compiled.Kernels.LayerKernels.DropoutForward(big, new float[big.Length], second, 0.5f, rng);
        Assert.NotEqual(first, second);
        // Runs of kept/dropped in a row: for a fair coin over n throws, mean 1 + (n − 1)/2, standard deviation √(n − 1)/2.
        foreach (float[] mask in new[] { first, second })
        {
            int runs = 1;
            for (int i = 1; i < mask.Length; i++) if ((mask[i] == 0f) != (mask[i - 1] == 0f)) runs++;
            double mean = 1 + (mask.Length - 1) / 2.0, sd = Math.Sqrt(mask.Length - 1) / 2;
            Assert.InRange(runs, mean - 5 * sd, mean + 5 * sd);
            Assert.InRange(mask.Count(m => m == 0f), 50_000 - 5 * 158, 50_000 + 5 * 158); // Binomial(10⁵, ½): σ ≈ 158
        }
    }

    /// <summary>
    /// A batch's mask cut anywhere, even off the vector grid, is the same in parts (each from the draw and its first
    /// element's index) as in one call, on every path; the generator's overload is the same as its draw with index 0.
    /// </summary>
    [Fact]
    public void A_mask_in_parts_is_the_mask_in_one_call()
    {
        const int n = 1000;
        var x = Enumerable.Range(0, n).Select(i => 0.5f + i).ToArray();
        foreach (string path in Compiled.Kernels.Sgemm.AvailablePaths)
            using (Compiled.Kernels.Sgemm.ForcePath(path))
            {
                float[] wholeY = new float[n], wholeMask = new float[n], partsY = new float[n], partsMask = new float[n];
                ulong key = new Rng(9).NextUInt64();
                Compiled.Kernels.LayerKernels.DropoutForward(x, wholeY, wholeMask, 0.6f, new Rng(9));
                int start = 0;
                foreach (int length in new[] { 13, 8, 1, 250, 728 })
                {
                    Compiled.Kernels.LayerKernels.DropoutForward(x.AsSpan(start, length), partsY.AsSpan(start, length), partsMask.AsSpan(start, length), 0.6f, key, start);
                    start += length;
                }
                Assert.Equal(n, start);
                Assert.Equal(wholeMask, partsMask);
                Assert.Equal(wholeY, partsY);
                Assert.InRange(wholeMask.Count(m => m == 0f), 400 - 5 * 16, 400 + 5 * 16); // Binomial(1000, 0.4): σ ≈ 15.5
            }
        Assert.Throws<ArgumentOutOfRangeException>(() => Compiled.Kernels.LayerKernels.DropoutForward(x, new float[n], new float[n], 0.6f, 1UL, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Compiled.Kernels.LayerKernels.DropoutForward(x, new float[n], new float[n], 0f, 1UL, 0));
        Assert.Throws<ArgumentException>(() => Compiled.Kernels.LayerKernels.DropoutForward(x, new float[n - 1], new float[n], 0.6f, 1UL, 0));
        // The overload that draws checks before drawing: a refused call leaves the generator where it was.
        var rng = new Rng(3);
        Assert.Throws<ArgumentException>(() => Compiled.Kernels.LayerKernels.DropoutForward(x, new float[n - 1], new float[n], 0.6f, rng));
        Assert.Equal(new Rng(3).NextUInt64(), rng.NextUInt64());
    }

    private static INetwork Probe(double rate) => rate switch
    {
        0.0 => new DropoutRate0Probe(),
        0.1 => new DropoutRate10Probe(),
        0.3 => new DropoutRate30Probe(),
        0.5 => new DropoutRate50Probe(),
        0.8 => new DropoutRate80Probe(),
        _ => throw new ArgumentOutOfRangeException(nameof(rate)),
    };

    /// <summary>
    /// At each rate p, with x = 1 and one output, ∂L/∂wⱼ = dz·mⱼ (Gradients: the 10 000 weights, then the bias dz).
    /// Oracle: the zero count is Binomial(n, p), so it must lie within 5σ = 5·√(n·p·(1 − p)) of n·p; every
    /// other gradient is exactly dz·(1/keep) with keep = (float)(1 − p), the constant the generated code passes
    /// (a scale of 1/p instead agrees only at p = 0.5).
    /// </summary>
    [Theory]
    [InlineData(0.1)]
    [InlineData(0.3)]
    [InlineData(0.5)]
    [InlineData(0.8)]
    public void Mask_rate_and_survivor_scale_match_p_at_every_rate(double p)
    {
        var net = Probe(p);
        int n = net.InputSize;
        Assert.Equal(10_000, n);
        var x = Enumerable.Repeat(1f, n).ToArray();
        float scale = 1f / (float)(1 - p);
        int totalZeros = 0;
        for (int step = 0; step < 3; step++)
        {
            net.ComputeGradients(x, new[] { 3f });
            float[] gradients = net.Gradients.ToArray();
            float dz = gradients[n];
            Assert.NotEqual(0f, dz);
            int zeros = 0;
            for (int j = 0; j < n; j++)
            {
                if (gradients[j] == 0f) { zeros++; continue; }
                Assert.Equal(dz * scale, gradients[j]);
            }
            double sigma = Math.Sqrt(n * p * (1 - p));
            Assert.InRange(zeros, n * p - 5 * sigma, n * p + 5 * sigma);
            totalZeros += zeros;
        }
        // Over three independent masks the bound is tighter still (σ grows as √3, not 3).
        double total = 3.0 * n;
        double totalSigma = Math.Sqrt(total * p * (1 - p));
        Assert.InRange(totalZeros, total * p - 5 * totalSigma, total * p + 5 * totalSigma);
    }

    /// <summary>p = 0 keeps everything with scale exactly 1: training forward and backward equal inference.</summary>
    [Fact]
    public void Rate_zero_is_the_identity_in_training()
    {
        var net = Probe(0.0);
        int n = net.InputSize;
        var x = Enumerable.Range(0, n).Select(i => (i % 7) * 0.25f - 0.5f).ToArray();
        x[0] = 1f;
        float loss = net.ComputeGradients(x, new[] { 3f });
        float[] gradients = net.Gradients.ToArray();
        float dz = gradients[n];
        Assert.NotEqual(0f, dz);
        for (int j = 0; j < n; j++) Assert.Equal(dz * x[j], gradients[j]);

        var y = new float[1];
        net.Predict(x, y);
        // The training pass may sum in another order than inference: equal to rounding.
        Assert.Equal((y[0] - 3f) * (y[0] - 3f), loss, 1e-4f * Math.Max(1f, loss));
    }

    [Fact]
    public void Masks_differ_between_steps_and_inference_is_the_identity()
    {
        var net = new DropoutProbe(seed: 9);
        var x = Enumerable.Repeat(1f, DropoutProbe.InputSize).ToArray();
        net.ComputeGradients(x, new[] { 3f });
        var first = net.Dense1WeightsGradient.ToArray().Select(g => g != 0f).ToArray();
        net.ComputeGradients(x, new[] { 3f });
        var second = net.Dense1WeightsGradient.ToArray().Select(g => g != 0f).ToArray();
        Assert.False(first.SequenceEqual(second));

        // Inference: y = Σ wⱼ·1 + b exactly, no mask and no scaling.
        double expected = net.Dense1Weights.ToArray().Sum(w => (double)w) + net.Dense1Bias[0];
        var y = new float[1];
        net.Predict(x, y);
        Assert.Equal(expected, y[0], 3);
    }
}
