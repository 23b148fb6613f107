using System;
using System.Runtime.Intrinsics.X86;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Compiled.Kernels;
using Compiled.Tests.Networks;
using Xunit;

namespace Compiled.Tests.Quantization;

/// <summary>One Dense layer without activation: its quantized output against the exact product, within the analytic bound.</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 3)]
[Input(45)]
[Dense(19)]
public partial class QuantLinear;

/// <summary>Every activation QuantizedNetwork applies, a Dropout, a standalone Activation layer and layers of odd widths.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 5)]
[Input(37)]
[Dense(33, Activation.Tanh)]
[Dense(21, Activation.LeakyReLU, Alpha = 0.1)]
[Dropout(0.3)]
[Dense(17, Activation.ELU, Alpha = 0.5)]
[Dense(13, Activation.Swish)]
[Dense(11, Activation.Softplus)]
[Activation(Activation.Sigmoid)]
[Dense(9, Activation.ReLU)]
[Dense(6, Activation.Softmax)]
public partial class QuantActivations;

/// <summary>A softmax output over large logits: the softmax must subtract the largest before exponentiating.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 9)]
[Input(4)]
[Dense(3, Activation.Softmax)]
public partial class QuantSoftmax;

/// <summary>
/// <see cref="QuantizedNetwork"/> and its integer kernel <see cref="Int8Gemv"/>. Oracles: integer dot products computed in
/// the test (exact), the quantization's definition (half a step), the analytic error bound of a quantized layer, the fp32
/// network on the same inputs, and the held-out accuracy of a trained network.
/// </summary>
[Collection("Sgemm threading")]
public sealed unsafe class QuantizedNetworkTests
{
    private static readonly string[] Paths = { "vnni", "avx2", "scalar" };

    /// <summary>Forces <paramref name="path"/> on this thread ("vnni" where the CPU lacks it runs "avx2").</summary>
    private static IDisposable Force(string path)
    {
        IDisposable scope = Sgemm.ForcePath(path == "scalar" ? "scalar" : Sgemm.AvailablePaths.Contains("avx512") ? "avx512" : Sgemm.Path);
        Int8Gemv.t_noVnni = path == "avx2";
        return new Scope(scope);
    }

    private sealed class Scope(IDisposable inner) : IDisposable
    {
        public void Dispose() { Int8Gemv.t_noVnni = false; inner.Dispose(); }
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 4, 31)]
    [InlineData(5, 7, 33)]
    [InlineData(9, 9, 784)]
    [InlineData(2, 130, 64)]
    public void Integer_products_are_exact_on_every_path(int samples, int rows, int k)
    {
        var rng = new Rng(7);
        int padded = Int8Gemv.Padded(k);
        var x = new byte[samples * padded];
        var w = new sbyte[rows * padded];
        for (int s = 0; s < samples; s++) for (int i = 0; i < k; i++) x[s * padded + i] = (byte)rng.NextInt(256);
        for (int j = 0; j < rows; j++) for (int i = 0; i < k; i++) w[j * padded + i] = (sbyte)(rng.NextInt(256) - 128);
        // The extremes, so that a saturating or narrowing step would show: 255 · −128 and 255 · 127.
        x[0] = 255; w[0] = -128;
        if (k > 1) { x[1] = 255; w[1] = 127; }
        var expected = new int[samples * rows];
        for (int s = 0; s < samples; s++)
            for (int j = 0; j < rows; j++)
            {
                long sum = 0;
                for (int i = 0; i < k; i++) sum += x[s * padded + i] * w[j * padded + i];
                expected[s * rows + j] = checked((int)sum);
            }
        foreach (string path in Paths)
        {
            using var scope = Force(path);
            var actual = new int[samples * rows];
            fixed (byte* px = x) fixed (sbyte* pw = w) fixed (int* pa = actual)
                Int8Gemv.Multiply(px, samples, pw, rows, padded, pa);
            Assert.True(expected.SequenceEqual(actual), $"path {path} ({Int8Gemv.CurrentPath})");
        }
        // One sample at a time from the interleaved copy (the batch-1 path where AVX-VNNI exists), rows past each group's
        // end written nowhere.
        if (!AvxVnni.IsSupported) return;
        sbyte[] interleaved = Int8Gemv.Interleave(w, rows, padded, out int start);
        Assert.Equal(0, start + (int)(Marshal.UnsafeAddrOfPinnedArrayElement(interleaved, 0) % 64) & 63);
        for (int s = 0; s < samples; s++)
        {
            var one = Enumerable.Repeat(-1, rows + 8).ToArray();
            fixed (byte* px = x) fixed (sbyte* pi = interleaved) fixed (int* pa = one)
                Int8Gemv.MultiplyInterleaved(px + s * padded, pi + start, rows, padded, pa);
            Assert.Equal(expected.AsSpan(s * rows, rows).ToArray(), one.Take(rows).ToArray());
            Assert.All(one.Skip(rows), v => Assert.Equal(-1, v));
        }
    }

    [Fact]
    public void Input_quantization_is_within_half_a_step_and_keeps_zero()
    {
        var rng = new Rng(9);
        foreach (int n in new[] { 1, 7, 8, 45, 100 })
        {
            var x = new float[n];
            for (int i = 0; i < n; i++) x[i] = rng.NextUniform(-3f, 5f);
            x[n / 2] = 0f;
            byte[]? first = null;
            foreach (string path in Paths)
            {
                using var scope = Force(path);
                int padded = Int8Gemv.Padded(n);
                var q = Enumerable.Repeat((byte)77, padded).ToArray();
                float scale; int zeroPoint;
                fixed (byte* pq = q) (scale, zeroPoint) = Int8Gemv.Quantize(x, pq, padded);
                float low = Math.Min(0f, x.Min()), high = Math.Max(0f, x.Max());
                Assert.Equal(high / 255f - low / 255f, scale);
                for (int i = 0; i < n; i++)
                    Assert.True(Math.Abs(x[i] - scale * (q[i] - zeroPoint)) <= scale / 2 * 1.0001f, $"n {n}, {path}: x[{i}] = {x[i]}, q {q[i]}");
                Assert.Equal(zeroPoint, q[n / 2]); // zero is exact
                Assert.All(q.Skip(n), b => Assert.Equal(0, b));
                first ??= q;
                Assert.Equal(first, q); // the vector and scalar loops round alike
            }
        }
    }

    [Fact]
    public void Input_quantization_refuses_nan_and_infinity_and_takes_all_zeros()
    {
        var q = new byte[64];
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
            foreach (int at in new[] { 0, 9, 20, 31, 40 }) // each of the four chains of the first 32 values, and the tail
                foreach (string path in Paths)
                {
                    using var scope = Force(path);
                    var x = new float[41];
                    x[at] = bad;
                    var e = Assert.Throws<ArgumentException>(() => { fixed (byte* pq = q) Int8Gemv.Quantize(x, pq, 64); });
                    Assert.Contains("NaN or an infinity", e.Message);
                }
        fixed (byte* pq = q)
        {
            Assert.Equal((0f, 0), Int8Gemv.Quantize(new float[41], pq, 64));
            // Finite values whose range overflows a float difference are still quantized.
            var (scale, _) = Int8Gemv.Quantize(new[] { 3e38f, -3e38f }, pq, 64);
            Assert.True(float.IsFinite(scale));
        }
    }

    [Fact]
    public void A_layer_is_within_the_analytic_bound_of_its_rounding()
    {
        var net = new QuantLinear();
        var rng = new Rng(21);
        Span<float> p = net.Parameters;
        for (int i = 0; i < p.Length; i++) p[i] = rng.NextUniform(-0.7f, 0.9f);
        var q = QuantizedNetwork.Quantize(net);
        var w = QuantLinear.Tensors.Single(t => t.Name == "dense1.weight");
        var b = QuantLinear.Tensors.Single(t => t.Name == "dense1.bias");
        for (int trial = 0; trial < 20; trial++)
        {
            var x = new float[45];
            for (int i = 0; i < x.Length; i++) x[i] = rng.NextUniform(-2f, 3f) * (trial + 1) / 7f;
            var y = q.Predict(x);
            float dx = Math.Max(0f, x.Max()) / 255f - Math.Min(0f, x.Min()) / 255f;
            for (int j = 0; j < 19; j++)
            {
                ReadOnlySpan<float> row = net.Parameters.Slice(w.Offset + j * 45, 45);
                float dw = row.ToArray().Max(Math.Abs) / 127f;
                double exact = net.Parameters[b.Offset + j], bound = 0, magnitude = Math.Abs(exact);
                for (int k = 0; k < 45; k++)
                {
                    exact += (double)row[k] * x[k];
                    bound += Math.Abs(row[k]) * dx / 2 + Math.Abs(x[k]) * dw / 2 + dx * dw / 4;
                    magnitude += Math.Abs(row[k] * x[k]);
                }
                double error = Math.Abs(y[j] - exact);
                Assert.True(error <= bound + 1e-6 * magnitude, $"trial {trial}, output {j}: error {error:G4} > bound {bound:G4}");
                Assert.True(error > 0 || bound < 1e-9, "an int8 product should not be exact here"); // the test can fail
            }
        }
    }

    [Fact]
    public void Every_activation_and_layer_kind_follows_the_fp32_network()
    {
        var net = new QuantActivations();
        var q = QuantizedNetwork.Quantize(net);
        Assert.Equal("37 → 33 (int8, Tanh), 33 → 21 (int8, LeakyReLU), 21 → 17 (int8, ELU), 17 → 13 (int8, Swish), 13 → 11 (int8, Softplus), Sigmoid, 11 → 9 (int8, ReLU), 9 → 6 (int8, Softmax)", q.ToString());
        var rng = new Rng(4);
        var x = new float[50 * 37];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextUniform(-2f, 2f);
        var expected = new float[50 * 6];
        net.Predict(x, expected);
        var actual = q.Predict(x);
        float worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        // Softmax outputs of six classes: a wrong activation anywhere moves them by far more than the rounding does.
        Assert.True(worst < 0.01f, $"largest difference {worst}");
        for (int s = 0; s < 50; s++) Assert.Equal(1f, actual.AsSpan(s * 6, 6).ToArray().Sum(), 4);
    }

    [Fact]
    public void Results_are_the_same_bits_on_every_path_and_batch_split()
    {
        var net = new QuantActivations();
        var q = QuantizedNetwork.Quantize(net);
        var rng = new Rng(8);
        var x = new float[71 * 37]; // chunks of 32, 32 and 7: quads, pairs and a single sample
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextUniform(-2f, 2f);
        float[]? first = null;
        foreach (string path in Paths)
        {
            using var scope = Force(path);
            var all = q.Predict(x);
            for (int s = 0; s < 71; s += 10)
                Assert.Equal(MemoryMarshal.Cast<float, int>(all.AsSpan(s * 6, 6)).ToArray(),
                    MemoryMarshal.Cast<float, int>(q.Predict(x.AsSpan(s * 37, 37)).AsSpan()).ToArray());
            first ??= all;
            Assert.Equal(MemoryMarshal.Cast<float, int>(first.AsSpan()).ToArray(), MemoryMarshal.Cast<float, int>(all.AsSpan()).ToArray());
        }
    }

    [Fact]
    public void Chunks_on_two_threads_give_the_bytes_of_one()
    {
        var q = QuantizedNetwork.Quantize(new QuantActivations());
        var rng = new Rng(12);
        var x = new float[200 * 37]; // seven chunks of 32, the last of 8
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextUniform(-2f, 2f);
        int saved = Sgemm.MaxThreads;
        try
        {
            Sgemm.MaxThreads = 1;
            float[] one = q.Predict(x);
            Sgemm.MaxThreads = 2;
            float[] two = q.Predict(x);
            Assert.Equal(MemoryMarshal.Cast<float, int>(one.AsSpan()).ToArray(), MemoryMarshal.Cast<float, int>(two.AsSpan()).ToArray());
            var bad = (float[])x.Clone();
            bad[150 * 37 + 3] = float.NaN; // in a chunk a worker may take: the error reaches the caller
            Assert.Throws<ArgumentException>(() => q.Predict(bad));
        }
        finally
        {
            Sgemm.MaxThreads = saved;
        }
    }

    [Fact]
    public void A_trained_digits_network_keeps_its_accuracy_and_survives_a_file()
    {
        var data = TestData.Load("digits.csv.gz");
        var (train, test) = data.SplitStratified(0.25, seed: 3);
        var scaler = MinMaxScaler.Fit(train);
        scaler.Transform(train);
        scaler.Transform(test);
        var net = new DigitsNet();
        net.Fit(train, new FitOptions { Epochs = 30, BatchSize = 32, Optimizer = new Adam(0.003f), Seed = 5 });
        double fp32 = net.Evaluate(test).Accuracy;
        var q = QuantizedNetwork.Quantize(net);
        float[] logits = q.Predict(test.Features), reference = new float[test.Count * 10];
        net.Predict(test.Features, reference);
        int correct = 0, agree = 0;
        for (int s = 0; s < test.Count; s++)
        {
            int a = ArgMax(logits.AsSpan(s * 10, 10)), e = ArgMax(reference.AsSpan(s * 10, 10));
            if (a == (int)test.TargetRow(s)[0]) correct++;
            if (a == e) agree++;
        }
        double int8 = (double)correct / test.Count;
        Assert.True(fp32 >= 0.95, $"fp32 accuracy {fp32}");
        Assert.True(Math.Abs(int8 - fp32) <= 0.01, $"int8 accuracy {int8:F4} against fp32 {fp32:F4}");
        Assert.True(agree >= 0.98 * test.Count, $"{agree} of {test.Count} predictions agree");

        string path = Path.Combine(Path.GetTempPath(), $"quantized-{Guid.NewGuid():N}.cmpq");
        try
        {
            q.Save(path);
            // Header 12 bytes; per layer 14 bytes, then 8 bytes per output and a byte per weight; the CRC.
            Assert.Equal(12 + (14 + 64 * 8 + 64 * 64) + (14 + 10 * 8 + 10 * 64) + 4, new FileInfo(path).Length);
            Assert.Equal(64 * 64 + 10 * 64 + 8 * 74, q.WeightBytes);
            var loaded = QuantizedNetwork.Load(path);
            Assert.Equal(q.ToString(), loaded.ToString());
            Assert.Equal(MemoryMarshal.Cast<float, int>(logits.AsSpan()).ToArray(),
                MemoryMarshal.Cast<float, int>(loaded.Predict(test.Features).AsSpan()).ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Damaged_truncated_or_foreign_files_are_refused()
    {
        var q = QuantizedNetwork.Quantize(new QuantLinear());
        using var stream = new MemoryStream();
        q.Save(stream);
        byte[] good = stream.ToArray();
        Assert.Equal(q.ToString(), QuantizedNetwork.Load(new MemoryStream(good)).ToString());

        byte[] flipped = (byte[])good.Clone();
        flipped[100] ^= 0x10;
        Assert.Contains("damaged", Assert.Throws<InvalidDataException>(() => QuantizedNetwork.Load(new MemoryStream(flipped))).Message);
        Assert.Contains("shorter than the header", Assert.Throws<InvalidDataException>(() => QuantizedNetwork.Load(new MemoryStream(good[..10]))).Message);
        Assert.Contains("damaged", Assert.Throws<InvalidDataException>(() => QuantizedNetwork.Load(new MemoryStream(good[..^7]))).Message);
        byte[] foreign = (byte[])good.Clone();
        foreign[0] = (byte)'X';
        Assert.Contains("CMPQ", Assert.Throws<InvalidDataException>(() => QuantizedNetwork.Load(new MemoryStream(foreign))).Message);
        // A newer format, its CRC made right: refused by version, not by CRC.
        byte[] newer = (byte[])good.Clone();
        newer[4] = 2;
        uint crc = Crc32.Final(Crc32.Update(Crc32.Initial, newer.AsSpan(0, newer.Length - 4)));
        BitConverter.TryWriteBytes(newer.AsSpan(newer.Length - 4), crc);
        Assert.Contains("format version 2", Assert.Throws<InvalidDataException>(() => QuantizedNetwork.Load(new MemoryStream(newer))).Message);
        // A layer that does not chain (12 → … is not 45 inputs), CRC made right.
        byte[] broken = (byte[])good.Clone();
        broken[12 + 6] = 12;
        crc = Crc32.Final(Crc32.Update(Crc32.Initial, broken.AsSpan(0, broken.Length - 4)));
        BitConverter.TryWriteBytes(broken.AsSpan(broken.Length - 4), crc);
        Assert.Throws<InvalidDataException>(() => QuantizedNetwork.Load(new MemoryStream(broken)));
        // A layer claiming 2³¹ − 1 outputs (CRC made right): refused as truncated, without allocating for it.
        byte[] huge = (byte[])good.Clone();
        BitConverter.TryWriteBytes(huge.AsSpan(12 + 10), int.MaxValue);
        crc = Crc32.Final(Crc32.Update(Crc32.Initial, huge.AsSpan(0, huge.Length - 4)));
        BitConverter.TryWriteBytes(huge.AsSpan(huge.Length - 4), crc);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => QuantizedNetwork.Load(new MemoryStream(huge))).Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "Load allocated for the claimed size");
    }

    [Fact]
    public void Refuses_networks_it_cannot_quantize_and_wrong_arguments()
    {
        var conv = Assert.Throws<NotSupportedException>(() => QuantizedNetwork.Quantize(new Compiled.Tests.Images.ImgConvValid()));
        Assert.Contains("Conv2D", conv.Message);
        Assert.Throws<ArgumentNullException>(() => QuantizedNetwork.Quantize(null!));
        var net = new QuantLinear();
        net.Parameters[3] = float.NaN;
        Assert.Contains("only finite weights", Assert.Throws<ArgumentException>(() => QuantizedNetwork.Quantize(net)).Message);

        var q = QuantizedNetwork.Quantize(new QuantLinear());
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => q.Predict(new float[44], new float[19])).ParamName);
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => q.Predict(ReadOnlySpan<float>.Empty, new float[19])).ParamName);
        Assert.Equal("outputs", Assert.Throws<ArgumentException>(() => q.Predict(new float[90], new float[19])).ParamName);
        var x = new float[45];
        x[7] = float.NaN;
        Assert.Throws<ArgumentException>(() => q.Predict(x, new float[19]));
    }

    [Fact]
    public void Forcing_a_path_takes_it()
    {
        var expected = new System.Collections.Generic.Dictionary<string, string>
        {
            ["vnni"] = !Sgemm.AvailablePaths.Contains("avx2") ? "scalar" : System.Runtime.Intrinsics.X86.AvxVnni.IsSupported ? "vnni" : "avx2",
            ["avx2"] = Sgemm.AvailablePaths.Contains("avx2") ? "avx2" : "scalar",
            ["scalar"] = "scalar",
        };
        foreach (string path in Paths)
            using (Force(path)) Assert.Equal(expected[path], Int8Gemv.CurrentPath);
    }

    [Fact]
    public void Softmax_of_large_logits_stays_finite_and_matches_fp32()
    {
        var net = new QuantSoftmax();
        Span<float> p = net.Parameters;
        for (int i = 0; i < p.Length; i++) p[i] = 60f * ((i % 7) - 3) / 3f; // logits in the hundreds: e^z overflows a float
        var q = QuantizedNetwork.Quantize(net);
        float[] x = { 1.5f, -2f, 3f, 0.5f }, expected = new float[3];
        net.Predict(x, expected);
        float[] actual = q.Predict(x);
        Assert.All(actual, v => Assert.True(float.IsFinite(v), $"{v}"));
        Assert.Equal(1f, actual.Sum(), 4);
        for (int j = 0; j < 3; j++) Assert.Equal(expected[j], actual[j], 2);
    }

    [Fact]
    public void Text_sizes_and_an_activation_layer_survive_a_file()
    {
        var linear = QuantizedNetwork.Quantize(new QuantLinear());
        Assert.Equal("45 → 19 (int8)", linear.ToString());
        Assert.Equal(45 * 19 + 8 * 19, linear.WeightBytes);
        var net = new QuantActivations();
        var q = QuantizedNetwork.Quantize(net);
        // Dense layers only: one byte per weight and a scale and a bias per output; the Sigmoid layer has none.
        long bytes = 0;
        foreach (var (i, o) in new[] { (37, 33), (33, 21), (21, 17), (17, 13), (13, 11), (11, 9), (9, 6) }) bytes += (long)i * o + 8L * o;
        Assert.Equal(bytes, q.WeightBytes);
        using var stream = new MemoryStream();
        q.Save(stream);
        var loaded = QuantizedNetwork.Load(new MemoryStream(stream.ToArray()));
        Assert.Equal(q.ToString(), loaded.ToString());
        var x = Enumerable.Range(0, 37 * 3).Select(i => (float)Math.Sin(i)).ToArray();
        Assert.Equal(q.Predict(x), loaded.Predict(x));
    }

    [Fact]
    public void Arguments_are_checked_by_name_with_their_sizes()
    {
        var q = QuantizedNetwork.Quantize(new QuantLinear());
        var e = Assert.Throws<ArgumentException>(() => q.Predict(new float[90], new float[20]));
        Assert.Equal("outputs", e.ParamName);
        Assert.Contains("expected 38 (19 per sample for 2 samples)", e.Message);
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => q.Predict(ReadOnlySpan<float>.Empty)).ParamName);
        var short1 = Assert.Throws<ArgumentException>(() => q.Predict(new float[44]));
        Assert.Equal("inputs", short1.ParamName);
        Assert.Contains("positive multiple of InputSize (45)", short1.Message);
        Assert.Throws<ArgumentNullException>(() => q.Save((Stream)null!));
        Assert.Throws<ArgumentNullException>(() => q.Save((string)null!));
        Assert.Throws<ArgumentException>(() => q.Save(""));
        Assert.Throws<ArgumentNullException>(() => QuantizedNetwork.Load((string)null!));
        Assert.Throws<ArgumentNullException>(() => QuantizedNetwork.Load((Stream)null!));
    }

    [Fact]
    public void Predict_allocates_nothing_when_warm_and_is_thread_safe()
    {
        var q = QuantizedNetwork.Quantize(new QuantActivations());
        var rng = new Rng(2);
        var x = new float[40 * 37];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextUniform(-1f, 1f);
        var y = new float[40 * 6];
        Allocations.AssertSteadyStateIsAllocationFree(() => q.Predict(x, y));
        float[] expected = q.Predict(x);
        Concurrently.Run(4, _ =>
        {
            var mine = new float[40 * 6];
            for (int round = 0; round < 50; round++)
            {
                q.Predict(x, mine);
                Assert.Equal(expected, mine);
            }
        });
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
