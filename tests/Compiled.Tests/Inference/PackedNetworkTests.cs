using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests.Inference;

/// <summary>Every activation PackedNetwork applies, layers wider and narrower than each path's tile, a K of two blocks.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 21)]
[Input(300)]
[Dense(67, Activation.Tanh)]
[Dense(40, Activation.LeakyReLU, Alpha = 0.1)]
[Dropout(0.3)]
[Dense(33, Activation.ELU, Alpha = 0.5)]
[Activation(Activation.Sigmoid)]
[Dense(35, Activation.Swish)]
[Dense(34, Activation.Softplus)]
[Dense(9, Activation.ReLU)]
[Dense(6, Activation.Softmax)]
public partial class PackedActivations;

/// <summary>A layer of 1,030 outputs: two N panels on the Vector128 and scalar paths (NC 1,024).</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 4)]
[Input(20)]
[Dense(1030, Activation.ReLU)]
[Dense(3)]
public partial class PackedWide;

/// <summary>
/// <see cref="PackedNetwork"/>. Oracles: a double-precision forward pass written in the test from the network's weights
/// and each activation's definition, the network's own Predict, hand-computed chunk counts and sizes.
/// </summary>
[Collection("Sgemm threading")]
public sealed class PackedNetworkTests
{
    public static IEnumerable<object[]> Paths() => new[] { "avx512", "avx2", "vector128", "scalar" }.Select(p => new object[] { p });

    [Theory]
    [MemberData(nameof(Paths))]
    public void Matches_a_double_forward_pass_on_every_path(string path)
    {
        if (!Sgemm.AvailablePaths.Contains(path)) return; // the machine lacks it (CI runs each path on some pass)
        using var forced = Sgemm.ForcePath(path);
        foreach (INetwork net in new INetwork[] { new PackedActivations(), new PackedWide() })
        {
            var packed = PackedNetwork.Pack(net);
            Assert.Equal(path, packed.Path);
            var rng = new Rng(31);
            foreach (int count in new[] { 1, 4, 5, 8, 37, 130 })
            {
                var x = new float[count * net.InputSize];
                for (int i = 0; i < x.Length; i++) x[i] = rng.NextUniform(-2f, 2f);
                float[] actual = packed.Predict(x);
                double[] expected = DoubleForward(net, x, count);
                var own = new float[count * net.OutputSize];
                net.Predict(x, own);
                for (int i = 0; i < actual.Length; i++)
                {
                    Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-4 * (1 + Math.Abs(expected[i])),
                        $"{net.GetType().Name} {path} count {count}: output {i} = {actual[i]}, double forward {expected[i]}");
                    Assert.True(Math.Abs(actual[i] - own[i]) <= 1e-5f * (1 + Math.Abs(own[i])),
                        $"{net.GetType().Name} {path} count {count}: output {i} = {actual[i]}, the network's Predict {own[i]}");
                }
            }
        }
    }

    [Fact]
    public void Each_sample_is_the_same_bits_for_any_thread_count_and_batch_split()
    {
        var packed = PackedNetwork.Pack(new PackedActivations());
        var rng = new Rng(5);
        var x = new float[300 * 300];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextUniform(-2f, 2f);
        float[] one, two;
        using (Sgemm.UseThreads(1)) one = packed.Predict(x);
        using (Sgemm.UseThreads(2)) two = packed.Predict(x);
        Assert.Equal(Bits(one), Bits(two));
        // Batches of 128 + 2, 9 and 161 samples from the same rows: every chunk has more than 4 rows, so the same kernels.
        foreach ((int start, int length) in new[] { (0, 130), (130, 9), (139, 161) })
        {
            float[] part = packed.Predict(x.AsSpan(start * 300, length * 300));
            Assert.Equal(Bits(one.AsSpan(start * 6, length * 6).ToArray()), Bits(part));
        }
    }

    [Fact]
    public void Chunks_cover_128_samples_each_one_per_thread_and_at_least_8()
    {
        Assert.Equal(1, PackedNetwork.Chunks(128, 1));
        Assert.Equal(2, PackedNetwork.Chunks(128, 2)); // 64 + 64: one per core
        Assert.Equal(2, PackedNetwork.Chunks(129, 1)); // 64 + 65, not 128 + 1
        Assert.Equal(4, PackedNetwork.Chunks(300, 2)); // 3 chunks of ≤ 128, rounded up to the threads
        Assert.Equal(1, PackedNetwork.Chunks(5, 2));   // too few for two chunks of 8
        Assert.Equal(2, PackedNetwork.Chunks(16, 2));
        Assert.Equal(2, PackedNetwork.Chunks(17, 4));  // 4 would leave chunks of 4
        Assert.Equal(1, PackedNetwork.Chunks(1, 8));
        // Layers too wide for 128 samples per pass: the chunk limit wins over the 8-sample minimum.
        Assert.Equal(128, PackedNetwork.MaxChunkFor(1030));
        Assert.Equal(4, PackedNetwork.MaxChunkFor(1 << 20));   // 2 × 4 × 2²⁰ floats = 32 MB
        Assert.Equal(1, PackedNetwork.MaxChunkFor(1 << 23));
        Assert.Equal(3, PackedNetwork.Chunks(10, 1, maxChunk: 4));
        Assert.Equal(int.MaxValue / 2 + 1, PackedNetwork.Chunks(int.MaxValue, 2, maxChunk: 2)); // no overflow
    }

    [Fact]
    public void Is_a_snapshot_the_network_changes_do_not_reach()
    {
        var net = new PackedActivations();
        var packed = PackedNetwork.Pack(net);
        var rng = new Rng(6);
        var x = new float[20 * 300];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextUniform(-2f, 2f);
        float[] before = packed.Predict(x);
        double[] expected = DoubleForward(net, x, 20);
        foreach (ref float p in net.Parameters) p = -p;
        Assert.Equal(Bits(before), Bits(packed.Predict(x)));
        var changed = new float[20 * 6];
        net.Predict(x, changed);
        Assert.True(changed.Zip(before).Max(t => Math.Abs(t.First - t.Second)) > 1e-3f, "the network itself did change");
        Assert.True(before.Zip(expected).All(t => Math.Abs(t.First - t.Second) < 1e-4), "and the copy still matches the weights it was packed from");
    }

    [Fact]
    public void A_thread_forced_onto_another_path_computes_from_the_rows()
    {
        var net = new PackedActivations();
        var packed = PackedNetwork.Pack(net); // for the machine's path
        var rng = new Rng(7);
        var x = new float[50 * 300];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextUniform(-2f, 2f);
        double[] expected = DoubleForward(net, x, 50);
        using var forced = Sgemm.ForcePath("scalar");
        float[] actual = packed.Predict(x);
        var own = new float[50 * 6];
        net.Predict(x, own);
        Assert.True(actual.Zip(expected).All(t => Math.Abs(t.First - t.Second) < 1e-4));
        Assert.True(actual.Zip(own).All(t => Math.Abs(t.First - t.Second) < 1e-5));
    }

    [Fact]
    public void Text_and_sizes_by_hand_on_the_scalar_path()
    {
        using var forced = Sgemm.ForcePath("scalar"); // NR = 4: every layer of 4 or more outputs is packed
        var packed = PackedNetwork.Pack(new Compiled.Tests.Quantization.QuantLinear()); // 45 → 19
        Assert.Equal("45 → 19 (packed)", packed.ToString());
        Assert.Equal(45, packed.InputSize);
        Assert.Equal(19, packed.OutputSize);
        // Panels 45 × 20 (19 padded to the tile's 4), rows 19 × 45, bias 19: floats of 4 bytes.
        Assert.Equal(4L * (45 * 20 + 19 * 45 + 19), packed.WeightBytes);
        var activations = PackedNetwork.Pack(new PackedActivations());
        Assert.Equal("300 → 67 (packed, Tanh), 67 → 40 (packed, LeakyReLU), 40 → 33 (packed, ELU), Sigmoid, 33 → 35 (packed, Swish), " +
            "35 → 34 (packed, Softplus), 34 → 9 (packed, ReLU), 9 → 6 (packed, Softmax)", activations.ToString());
    }

    [Fact]
    public void Narrow_layers_keep_their_rows_on_the_avx_paths()
    {
        if (!Sgemm.AvailablePaths.Contains("avx2")) return;
        using var forced = Sgemm.ForcePath("avx2"); // NR = 16
        var packed = PackedNetwork.Pack(new PackedActivations());
        Assert.Equal("300 → 67 (packed, Tanh), 67 → 40 (packed, LeakyReLU), 40 → 33 (packed, ELU), Sigmoid, 33 → 35 (packed, Swish), " +
            "35 → 34 (packed, Softplus), 34 → 9 (rows, ReLU), 9 → 6 (rows, Softmax)", packed.ToString());
    }

    [Fact]
    public void Refuses_networks_it_cannot_pack_and_wrong_arguments()
    {
        var conv = Assert.Throws<NotSupportedException>(() => PackedNetwork.Pack(new Compiled.Tests.Images.ImgConvValid()));
        Assert.Contains("Conv2D", conv.Message);
        Assert.Contains("PackedNetwork supports dense networks", conv.Message);
        Assert.Throws<ArgumentNullException>(() => PackedNetwork.Pack(null!));

        var packed = PackedNetwork.Pack(new Compiled.Tests.Quantization.QuantLinear());
        var e = Assert.Throws<ArgumentException>(() => packed.Predict(new float[90], new float[20]));
        Assert.Equal("outputs", e.ParamName);
        Assert.Contains("expected 38 (19 per sample for 2 samples)", e.Message);
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => packed.Predict(ReadOnlySpan<float>.Empty, new float[19])).ParamName);
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => packed.Predict(ReadOnlySpan<float>.Empty)).ParamName);
        var short1 = Assert.Throws<ArgumentException>(() => packed.Predict(new float[44]));
        Assert.Equal("inputs", short1.ParamName);
        Assert.Contains("positive multiple of InputSize (45)", short1.Message);
    }

    [Fact]
    public void Predict_allocates_nothing_when_warm_and_is_thread_safe()
    {
        var packed = PackedNetwork.Pack(new PackedActivations());
        var rng = new Rng(2);
        var x = new float[40 * 300];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextUniform(-1f, 1f);
        var y = new float[40 * 6];
        Allocations.AssertSteadyStateIsAllocationFree(() => packed.Predict(x, y));
        float[] expected = packed.Predict(x);
        Concurrently.Run(4, _ =>
        {
            var mine = new float[40 * 6];
            for (int round = 0; round < 30; round++)
            {
                packed.Predict(x, mine);
                Assert.Equal(expected, mine);
            }
        });
    }

    private static int[] Bits(float[] values) => MemoryMarshal.Cast<float, int>(values.AsSpan()).ToArray();

    /// <summary>
    /// The network's inference forward pass in double, from its layer list and weights: Dense y = act(x·Wᵀ + b),
    /// Dropout and Flatten identities, Activation layers; each activation by its textbook definition.
    /// </summary>
    internal static double[] DoubleForward(INetwork net, float[] inputs, int count)
    {
        var tensors = net.Tensors.ToDictionary(t => t.Name);
        float[] p = net.Parameters.ToArray();
        double[] x = inputs.Select(v => (double)v).ToArray();
        int width = net.InputSize;
        foreach (LayerInfo layer in net.Layers)
        {
            if (layer.Kind == LayerKind.Dense)
            {
                TensorInfo w = tensors[layer.Name + ".weight"], b = tensors[layer.Name + ".bias"];
                int outputs = w.Shape[0];
                var y = new double[count * outputs];
                for (int s = 0; s < count; s++)
                    for (int j = 0; j < outputs; j++)
                    {
                        double z = p[b.Offset + j];
                        for (int k = 0; k < width; k++) z += x[s * width + k] * p[w.Offset + j * width + k];
                        y[s * outputs + j] = z;
                    }
                Activate(layer.Activation, layer.Alpha, y, count, outputs);
                x = y;
                width = outputs;
            }
            else if (layer.Kind == LayerKind.Activation)
            {
                Activate(layer.Activation, layer.Alpha, x, count, width);
            }
        }
        return x;
    }

    private static void Activate(string activation, double alpha, double[] y, int count, int width)
    {
        for (int s = 0; s < count; s++)
        {
            if (activation == "Softmax")
            {
                double max = Enumerable.Range(0, width).Max(j => y[s * width + j]);
                double sum = Enumerable.Range(0, width).Sum(j => Math.Exp(y[s * width + j] - max));
                for (int j = 0; j < width; j++) y[s * width + j] = Math.Exp(y[s * width + j] - max) / sum;
                continue;
            }
            for (int j = 0; j < width; j++)
            {
                double v = y[s * width + j];
                y[s * width + j] = activation switch
                {
                    "Identity" => v,
                    "ReLU" => Math.Max(0, v),
                    "LeakyReLU" => v > 0 ? v : alpha * v,
                    "ELU" => v > 0 ? v : alpha * (Math.Exp(v) - 1),
                    "Sigmoid" => 1 / (1 + Math.Exp(-v)),
                    "Tanh" => Math.Tanh(v),
                    "Softplus" => Math.Log(1 + Math.Exp(v)),
                    "Swish" => v / (1 + Math.Exp(-v)),
                    _ => throw new InvalidOperationException(activation),
                };
            }
        }
    }
}
