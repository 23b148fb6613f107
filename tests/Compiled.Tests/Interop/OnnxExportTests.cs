using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Compiled.Tests.Images;
using Xunit;
using Xunit.Abstractions;

namespace Compiled.Tests.Interop;

/// <summary>
/// ONNX export (Compiled.Onnx): every declared network runs in ONNX Runtime and gives what Predict gives, at
/// batch 1 and 7, with random biases and BatchNorm statistics.
/// </summary>
public sealed class OnnxExportTests
{
    private readonly ITestOutputHelper _output;

    public OnnxExportTests(ITestOutputHelper output) => _output = output;

    /// <summary>ONNX Runtime against Predict: |a − b| / max(1, |b|) at most this.</summary>
    private const double Tolerance = 1e-5;

    private static readonly Dictionary<string, Func<INetwork>> Create = new()
    {
        // Dense networks: each activation as a layer's own and as a layer, softmax and sigmoid outputs, dropout, BatchNorm per feature.
        ["OnnxMlpActivations"] = () => new OnnxMlpActivations(),
        ["OnnxActivationLayers"] = () => new OnnxActivationLayers(),
        ["TorchMlpInterop"] = () => new TorchMlpInterop(),
        ["TinyBn"] = () => new TinyBn(),
        ["DigitsBatchNormNet"] = () => new DigitsBatchNormNet(),
        ["SmoothedClassifier"] = () => new SmoothedClassifier(),
        // Convolutions: valid, Same with stride 2, dilation with groups, depthwise with a rectangular kernel, 1×1.
        ["ImgConvValid"] = () => new ImgConvValid(),
        ["ImgConvSameStride2"] = () => new ImgConvSameStride2(),
        ["ImgDilatedGroups"] = () => new ImgDilatedGroups(),
        ["ImgDepthwiseRect"] = () => new ImgDepthwiseRect(),
        ["ImgActivationLayer"] = () => new ImgActivationLayer(),
        // Pooling: max (padded, strided), average with padding and Same, global average; with BatchNorm and dropout.
        ["ImgMaxPools"] = () => new ImgMaxPools(),
        ["ImgAvgGlobal"] = () => new ImgAvgGlobal(),
        ["ImgBatchNorm"] = () => new ImgBatchNorm(),
        ["TorchBnCnn"] = () => new TorchBnCnn(),
        ["DigitsConvNet"] = () => new DigitsConvNet(),
        ["DigitsOnnxCnn"] = () => new DigitsOnnxCnn(),
        ["LeNet5"] = () => new LeNet5(),
        ["VggBlock"] = () => new VggBlock(),
        // Transposed (output padding, Same, groups with dilation) and separable convolutions.
        ["ImgDeconv"] = () => new ImgDeconv(),
        ["TorchDeconvS2"] = () => new TorchDeconvS2(),
        ["TorchDeconvSame"] = () => new TorchDeconvSame(),
        ["TorchDeconvGroups"] = () => new TorchDeconvGroups(),
        ["ImgSeparable"] = () => new ImgSeparable(),
        ["TorchSeparable"] = () => new TorchSeparable(),
        ["TorchDeconvSep"] = () => new TorchDeconvSep(),
        // PReLU: per channel of an image (the slope reshaped to [C, 1, 1]), shared, per feature, first layer.
        ["ImgPReLU"] = () => new ImgPReLU(),
        ["VecPReLU"] = () => new VecPReLU(),
        ["TorchPReLU2dShared"] = () => new TorchPReLU2dShared(),
        // LayerNorm (decomposed for opset 13): over C×H×W after a convolution, over features, as the first layer.
        ["ImgLayerNorm"] = () => new ImgLayerNorm(),
        ["VecLayerNorm"] = () => new VecLayerNorm(),
        // Softmax over an image; a network whose last layers make no node.
        ["OnnxImageSoftmax"] = () => new OnnxImageSoftmax(),
        ["OnnxEndsInDropout"] = () => new OnnxEndsInDropout(),
    };

    public static TheoryData<string> Networks => new(Create.Keys);

    [Theory]
    [MemberData(nameof(Networks))]
    public void Onnx_runtime_gives_what_predict_gives(string name)
    {
        var net = Create[name]();
        OnnxFiles.Randomize(net, seed: name.Length);
        using var session = OnnxFiles.Session(Onnx.ToBytes(net));
        double worst = 0;
        foreach (int batch in new[] { 1, 7, 70 })
        {
            float[] x = OnnxFiles.Inputs(net, batch, seed: batch);
            var (actual, shape) = OnnxFiles.Run(session, x, OnnxFiles.InputShape(net, batch));
            float[] expected = new float[batch * net.OutputSize];
            net.Predict(x, expected);
            Assert.Equal(new long[] { batch }.Concat(net.Layers[^1].OutputShape.Select(d => (long)d)), shape);
            worst = Math.Max(worst, OnnxFiles.MaxDifference(actual, expected));
        }
        _output.WriteLine($"{name}: largest difference {worst:E2}");
        Assert.True(worst <= Tolerance, $"{name}: ONNX Runtime differs from Predict by {worst:E2}");
    }

    [Fact]
    public void The_model_has_the_layers_nodes_and_the_tensors_bytes()
    {
        INetwork net = new TorchBnCnn();
        OnnxFiles.Randomize(net, seed: 3);
        var model = new ProtoReader(Onnx.ToBytes(net));

        Assert.Equal(7, model.Int(1));                        // ir_version
        Assert.Equal("Compiled", model.String(2));            // producer_name
        Assert.Equal(net.Architecture, model.String(6));      // doc_string
        var opset = Assert.Single(model.Messages(8));
        Assert.Equal(13, opset.Int(2));
        Assert.DoesNotContain(1, opset.Fields);               // the default domain: no domain string

        var graph = model.Message(7);
        Assert.Equal("TorchBnCnn", graph.String(2));
        var nodes = graph.Messages(1).ToList();
        Assert.Equal(new[] { "Conv", "BatchNormalization", "Relu", "MaxPool", "Conv", "Tanh", "Flatten", "Gemm", "BatchNormalization", "Relu", "Gemm" },
            nodes.Select(n => n.String(4)));
        // Each node reads the one before it; the first reads "input", the last writes "output".
        Assert.Equal("input", nodes[0].Strings(1).First());
        for (int i = 1; i < nodes.Count; i++) Assert.Equal(nodes[i - 1].String(2), nodes[i].Strings(1).First());
        Assert.Equal("output", nodes[^1].String(2));

        var conv2 = Attributes(nodes[4]);
        Assert.Equal(new long[] { 3, 3 }, conv2["kernel_shape"].Ints(8));
        Assert.Equal(new long[] { 0, 0, 0, 0 }, conv2["pads"].Ints(8));
        Assert.Equal(2, conv2["group"].Int(3));
        Assert.Equal(new[] { "maxpool1/MaxPool", "conv2.weight" }, nodes[4].Strings(1)); // no bias
        Assert.Equal(1, Attributes(nodes[7])["transB"].Int(3));
        Assert.Equal(1e-5f, Attributes(nodes[1])["epsilon"].Float(2));
        Assert.Equal(0.9f, Attributes(nodes[1])["momentum"].Float(2)); // ONNX weighs the running value: 1 − 0.1

        // The initializers: the state_dict's float tensors in order, their values little-endian.
        var initializers = graph.Messages(5).ToList();
        var tensors = net.Tensors.Where(t => t.Store != TensorStore.BatchCounter).ToList();
        Assert.Equal(tensors.Select(t => t.Name), initializers.Select(i => i.String(8)));
        for (int i = 0; i < tensors.Count; i++)
        {
            Assert.Equal(tensors[i].Shape.Select(d => (long)d), initializers[i].Ints(1));
            Assert.Equal(1, initializers[i].Int(2)); // FLOAT
            var buffer = tensors[i].Store == TensorStore.Parameters ? net.Parameters : net.State;
            Assert.Equal(buffer.Slice(tensors[i].Offset, tensors[i].Count).ToArray(),
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(initializers[i].Bytes(9)).ToArray());
        }

        // input [N, 2, 8, 8], output [N, 3], float32.
        Assert.Equal(("input", "N", "2 8 8"), Value(Assert.Single(graph.Messages(11))));
        Assert.Equal(("output", "N", "3"), Value(Assert.Single(graph.Messages(12))));
    }

    private static Dictionary<string, ProtoReader> Attributes(ProtoReader node) =>
        node.Messages(5).ToDictionary(a => a.String(1));

    /// <summary>A ValueInfoProto's name, symbolic first dimension and fixed dimensions (of a float tensor).</summary>
    private static (string, string, string) Value(ProtoReader value)
    {
        var tensorType = value.Message(2).Message(1);
        Assert.Equal(1, tensorType.Int(1));
        var dims = tensorType.Message(2).Messages(1).ToList();
        return (value.String(1), dims[0].String(2), string.Join(" ", dims.Skip(1).Select(d => d.Int(1))));
    }

    [Fact]
    public void Onnx_runtime_sees_a_symbolic_batch_and_the_sample_shape()
    {
        using var session = OnnxFiles.Session(Onnx.ToBytes(new ImgDeconv()));
        var input = Assert.Single(session.InputMetadata);
        Assert.Equal("input", input.Key);
        Assert.Equal(new[] { -1, 2, 5, 5 }, input.Value.Dimensions);
        Assert.Equal("N", input.Value.SymbolicDimensions[0]);
        var output = Assert.Single(session.OutputMetadata);
        Assert.Equal("output", output.Key);
        Assert.Equal(new[] { -1, 3 }, output.Value.Dimensions);
    }

    /// <summary>A network whose table lists an activation Compiled.Onnx does not know (as a future layer would).</summary>
    private sealed class MishNetwork : TorchMlpInterop, INetwork
    {
        IReadOnlyList<LayerInfo> INetwork.Layers { get; } = new[]
        {
            new LayerInfo("dense1", LayerKind.Dense, new[] { 4 }, new[] { 6 }) { Activation = "Mish" },
            new LayerInfo("dense2", LayerKind.Dense, new[] { 6 }, new[] { 3 }),
        };
    }

    /// <summary>A network that lists no layers (INetwork's default).</summary>
    private sealed class NoLayers : TorchMlpInterop, INetwork
    {
        IReadOnlyList<LayerInfo> INetwork.Layers => Array.Empty<LayerInfo>();
    }

    [Fact]
    public void Save_Write_and_ToBytes_give_the_same_bytes()
    {
        var net = new ImgSeparable();
        OnnxFiles.Randomize(net, seed: 5);
        byte[] bytes = Onnx.ToBytes(net);
        var stream = new MemoryStream();
        Onnx.Write(stream, net);
        string path = Path.Combine(Path.GetTempPath(), $"compiled-onnx-{Guid.NewGuid():N}.onnx");
        try
        {
            Onnx.Save(path, net);
            Assert.Equal(bytes, stream.ToArray());
            Assert.Equal(bytes, File.ReadAllBytes(path));
            Assert.Equal(bytes, Onnx.ToBytes(net)); // deterministic
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A table whose window does not give the layer's output (a pad on one side too few).</summary>
    private sealed class WrongWindow : TorchSeparable, INetwork
    {
        IReadOnlyList<LayerInfo> INetwork.Layers { get; } = new[]
        {
            new LayerInfo("sepconv1", LayerKind.SeparableConv2D, new[] { 3, 5, 5 }, new[] { 4, 5, 5 })
            {
                Window = new LayerWindow(3, 3, stride: 1, padTop: 1, padLeft: 1, padBottom: 1, padRight: 0, depthMultiplier: 2),
            },
        };
    }

    [Fact]
    public void A_window_that_does_not_give_the_layers_output_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Onnx.ToBytes(new WrongWindow()));
        Assert.Equal("Layer 'sepconv1' (SeparableConv2D): its window gives 5×4 in ONNX, but the layer outputs 5×5.", error.Message);
    }

    [Fact]
    public void An_unsupported_layer_is_refused_by_name_and_nothing_is_written()
    {
        string path = Path.Combine(Path.GetTempPath(), $"compiled-onnx-{Guid.NewGuid():N}.onnx");
        try
        {
            File.WriteAllText(path, "previous");
            var error = Assert.Throws<NotSupportedException>(() => Onnx.Save(path, new MishNetwork()));
            Assert.Contains("'dense1'", error.Message);
            Assert.Contains("Mish", error.Message);
            Assert.Equal("previous", File.ReadAllText(path));
            var stream = new MemoryStream();
            Assert.Throws<NotSupportedException>(() => Onnx.Write(stream, new MishNetwork()));
            Assert.Equal(0, stream.Length);
            Assert.Single(Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(path) + "*"));

            var none = Assert.Throws<NotSupportedException>(() => Onnx.ToBytes(new NoLayers()));
            Assert.Contains("lists no layers", none.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_tested_networks_cover_every_layer_kind_and_their_tables_chain()
    {
        // The tables list each layer once, in order, chaining shapes: the graph is the declaration.
        foreach (var (name, create) in Create)
        {
            var layers = create().Layers;
            for (int i = 1; i < layers.Count; i++)
                Assert.True(layers[i - 1].OutputShape.SequenceEqual(layers[i].InputShape), $"{name}: {layers[i - 1]} then {layers[i]}");
            Assert.Equal(layers.Count, layers.Select(l => l.Name).Distinct().Count());
        }
        Assert.Equal(Enum.GetValues<LayerKind>().OrderBy(k => k),
            Create.Values.SelectMany(c => c().Layers).Select(l => l.Kind).Distinct().OrderBy(k => k));
    }
}
