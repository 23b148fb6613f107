using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Compiled.OnnxImport;
using Xunit;

namespace Compiled.Tests.Interop;

/// <summary>
/// ONNX import of models built here node by node (with the exporter's protobuf writer): what is refused, by name
/// and why; the operator forms the exporter does not write (Gemm with transB = 0, MatMul + Add, Softmax before opset
/// 13); and files that are not valid models: garbage, truncated, lengths out of range.
/// </summary>
public sealed class OnnxImportErrorTests
{
    private static ProtoMessage Node(string op, string name, string[] inputs, string output, params ProtoMessage[] attributes) =>
        OnnxProto.Node(op, name, inputs, output, attributes);

    private static byte[] Model(int[] input, int[] output, IEnumerable<ProtoMessage> nodes, IEnumerable<ProtoMessage> initializers, int opset = 13) =>
        OnnxProto.Model(7, opset, "test", "1", "", OnnxProto.Graph("g", nodes, initializers,
            OnnxProto.FloatValue("input", "N", input), OnnxProto.FloatValue("output", "N", output))).Encoded.ToArray();

    private static ProtoMessage Floats(string name, int[] dims, int seed)
    {
        var random = new Random(seed);
        var values = new float[dims.Aggregate(1, (a, b) => a * b)];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() - 0.5);
        return OnnxProto.FloatTensor(name, dims, values);
    }

    /// <summary>An AttributeProto of type STRING (3): name (1), s (4).</summary>
    private static ProtoMessage Text(string name, string value) => new ProtoMessage().String(1, name).String(4, value).Int64(20, 3);

    private static ImportException Refused(byte[] model) => Assert.Throws<ImportException>(() => OnnxImportFiles.Import(model));

    /// <summary>A 3×3 convolution of [1, 5, 5] to 2 channels with the given attributes, then a Relu.</summary>
    private static byte[] Conv(params ProtoMessage[] attributes)
    {
        var nodes = new[] { Node("Conv", "conv", new[] { "input", "w" }, "c", attributes), Node("Relu", "relu", new[] { "c" }, "output") };
        return Model(new[] { 1, 5, 5 }, new[] { 2, 5, 5 }, nodes, new[] { Floats("w", new[] { 2, 1, 3, 3 }, 1) });
    }

    [Fact]
    public void An_unsupported_operator_is_named_with_its_node()
    {
        var nodes = new[]
        {
            Node("Conv", "conv", new[] { "input", "w" }, "c", OnnxProto.Attribute("pads", 1L, 1L, 1L, 1L)),
            Node("LRN", "norm1", new[] { "c" }, "output", OnnxProto.Attribute("size", 3L)),
        };
        var e = Refused(Model(new[] { 1, 5, 5 }, new[] { 2, 5, 5 }, nodes, new[] { Floats("w", new[] { 2, 1, 3, 3 }, 1) }));
        Assert.Equal("LRN", e.OpType);
        Assert.Equal("norm1", e.NodeName);
        Assert.StartsWith("Cannot import LRN node 'norm1': the operator LRN has no Compiled layer (supported: Gemm, MatMul", e.Message);
    }

    [Fact]
    public void A_branch_is_refused()
    {
        var nodes = new[]
        {
            Node("Relu", "a", new[] { "input" }, "ra"),
            Node("Sigmoid", "b", new[] { "input" }, "sb"),
            Node("Add", "sum", new[] { "ra", "sb" }, "output"),
        };
        var e = Refused(Model(new[] { 4 }, new[] { 4 }, nodes, Array.Empty<ProtoMessage>()));
        Assert.Equal("The value 'input' feeds 2 nodes (Relu 'a', Sigmoid 'b'): a branch; a Compiled network is a chain of layers.", e.Message);
        // A residual connection: the Add reads the chain and a value from before it.
        nodes = new[] { Node("Relu", "a", new[] { "input" }, "ra"), Node("Add", "residual", new[] { "ra", "input" }, "output") };
        Assert.Contains("feeds 2 nodes (Relu 'a', Add 'residual')", Refused(Model(new[] { 4 }, new[] { 4 }, nodes, Array.Empty<ProtoMessage>())).Message);
    }

    [Fact]
    public void Padding_Compiled_cannot_express_is_refused()
    {
        // One row and column at the bottom and right only: Compiled pads both sides alike, or as Same (which here is 1 and 1).
        var e = Refused(Conv(OnnxProto.Attribute("pads", 0L, 0L, 1L, 1L)));
        Assert.Equal("Cannot import Conv node 'conv': its pads [0, 0, 1, 1] (top, left, bottom, right) are neither the same on both sides of an axis nor TensorFlow's Same split, the two paddings Compiled has.", e.Message);
        Assert.Contains("its strides are [1, 2]", Refused(Conv(OnnxProto.Attribute("strides", 1L, 2L))).Message);
        Assert.Contains("its pads [-1, 0, 0, 0] are negative", Refused(Conv(OnnxProto.Attribute("pads", -1L, 0L, 0L, 0L))).Message);
        Assert.Contains("its kernel_shape [5, 5] is not its weight's 3×3", Refused(Conv(OnnxProto.Attribute("kernel_shape", 5L, 5L))).Message);
        // SAME_UPPER is TensorFlow's split: imported; the same padding given as pads [1, 1, 1, 1] is Pad = 1.
        Assert.Contains("[Conv2D(2, 3, Activation.ReLU, Pad = 1, Bias = false)]", Lines(Conv(Text("auto_pad", "SAME_UPPER"))));
    }

    [Fact]
    public void Average_pooling_that_counts_padding_is_refused_unless_there_is_none()
    {
        byte[] Pool(long pad) => Model(new[] { 2, 6, 6 }, new[] { 2, pad == 0 ? 3 : 4, pad == 0 ? 3 : 4 },
            new[] { Node("AveragePool", "pool", new[] { "input" }, "output", OnnxProto.Attribute("kernel_shape", 2L, 2L), OnnxProto.Attribute("strides", 2L, 2L),
                OnnxProto.Attribute("pads", pad, pad, pad, pad), OnnxProto.Attribute("count_include_pad", 1L)) }, Array.Empty<ProtoMessage>());
        Assert.Equal("Cannot import AveragePool node 'pool': count_include_pad = 1 divides by the padded window; Compiled's AvgPool (like PyTorch's count_include_pad=False) counts only the image.",
            Refused(Pool(1)).Message);
        Assert.Contains("[AvgPool(2)]", Lines(Pool(0)));
    }

    [Fact]
    public void Weights_that_are_not_float32_or_not_constant_are_refused()
    {
        var nodes = new[] { Node("Gemm", "fc", new[] { "input", "w", "b" }, "output", OnnxProto.Attribute("transB", 1L)) };
        var e = Refused(Model(new[] { 2 }, new[] { 1 }, nodes, new[] { OnnxProto.Int64Tensor("w", 1, 2), Floats("b", new[] { 1 }, 2) }));
        Assert.Equal("Cannot import Gemm node 'fc': its weight 'w' is int64; Compiled's weights are float32.", e.Message);
        e = Refused(Model(new[] { 2 }, new[] { 1 }, nodes, new[] { Floats("b", new[] { 1 }, 2) }));
        Assert.Equal("Cannot import Gemm node 'fc': its weight 'w' is computed in the graph, not an initializer.", e.Message);
    }

    [Fact]
    public void Gemm_other_than_x_times_W_transposed_plus_b_is_refused()
    {
        ImportException GemmWith(params ProtoMessage[] attributes) => Refused(Model(new[] { 2 }, new[] { 3 },
            new[] { Node("Gemm", "fc", new[] { "input", "w", "b" }, "output", attributes) }, new[] { Floats("w", new[] { 3, 2 }, 1), Floats("b", new[] { 3 }, 2) }));
        Assert.Contains("alpha = 2 and beta = 1", GemmWith(OnnxProto.Attribute("transB", 1L), OnnxProto.Attribute("alpha", 2f)).Message);
        Assert.Contains("transA = 1", GemmWith(OnnxProto.Attribute("transB", 1L), OnnxProto.Attribute("transA", 1L)).Message);
        Assert.Contains("its weight 'w' [3, 2] takes 3 inputs, but the input has 2 features", GemmWith().Message); // transB = 0: w is [in, out]
    }

    [Fact]
    public void Softmax_over_one_axis_of_an_image_is_refused_and_over_the_sample_imported()
    {
        byte[] ImageSoftmax(int opset) => Model(new[] { 2, 3, 3 }, new[] { 2, 3, 3 },
            new[] { Node("Softmax", "sm", new[] { "input" }, "output", OnnxProto.Attribute("axis", 1L)) }, Array.Empty<ProtoMessage>(), opset);
        Assert.Equal("Cannot import Softmax node 'sm': it normalizes along axis 1 of a rank-4 tensor (opset 13); Compiled's softmax runs over all of a sample's values.",
            Refused(ImageSoftmax(13)).Message);
        // Before opset 13, axis 1 flattens each sample: Compiled's softmax over the image.
        Assert.Contains("[Activation(Activation.Softmax)]", Lines(ImageSoftmax(11)));
    }

    [Fact]
    public void Graph_problems_are_refused()
    {
        var relu = new[] { Node("Relu", "r", new[] { "input" }, "output") };
        Assert.Contains("The graph's input 'input' has the shape [N, 2, 3]", Refused(Model(new[] { 2, 3 }, new[] { 2, 3 }, relu, Array.Empty<ProtoMessage>())).Message);
        Assert.Contains("The graph's output 'output' is declared [N, 5], but the layers give [N, 4]", Refused(Model(new[] { 4 }, new[] { 5 }, relu, Array.Empty<ProtoMessage>())).Message);
        Assert.Contains("The model uses opset 6", Refused(Model(new[] { 4 }, new[] { 4 }, relu, Array.Empty<ProtoMessage>(), opset: 6)).Message);
        var dead = new[] { Node("Relu", "r", new[] { "input" }, "output"), Node("Tanh", "t", new[] { "elsewhere" }, "unused") };
        Assert.Equal("Cannot import Tanh node 't': it is not on the chain from the graph's input to its output (a branch, or a computation Compiled has no layer for).",
            Refused(Model(new[] { 4 }, new[] { 4 }, dead, Array.Empty<ProtoMessage>())).Message);
        var reshape = new[] { Node("Reshape", "view", new[] { "input", "shape" }, "output") };
        Assert.Contains("it reshapes to [-1, 2, 2]", Refused(Model(new[] { 4 }, new[] { 2, 2 }, reshape, new[] { OnnxProto.Int64Tensor("shape", -1, 2, 2) })).Message);
    }

    /// <summary>
    /// The forms of a dense layer the exporter does not write, against ONNX Runtime: Gemm with transB = 0 (the
    /// weight [in, out], transposed on import) and MatMul followed by Add (the bias), then tanh and a softmax.
    /// </summary>
    [Fact]
    public void Gemm_without_transB_and_MatMul_plus_Add_predict_what_onnx_runtime_computes()
    {
        var nodes = new[]
        {
            Node("Gemm", "fc1", new[] { "input", "w1", "b1" }, "h"),
            Node("Tanh", "tanh", new[] { "h" }, "t"),
            Node("MatMul", "fc2", new[] { "t", "w2" }, "m"),
            Node("Add", "fc2_bias", new[] { "b2", "m" }, "z"),
            Node("Softmax", "softmax", new[] { "z" }, "output", OnnxProto.Attribute("axis", -1L)),
        };
        byte[] model = Model(new[] { 4 }, new[] { 3 }, nodes,
            new[] { Floats("w1", new[] { 4, 6 }, 1), Floats("b1", new[] { 6 }, 2), Floats("w2", new[] { 6, 3 }, 3), Floats("b2", new[] { 1, 3 }, 4) });
        var imported = OnnxImportFiles.Import(model);
        Assert.Equal(new[] { "[Network(Loss = Loss.SoftmaxCrossEntropy)]", "[Input(4)]", "[Dense(6, Activation.Tanh)]", "[Dense(3, Activation.Softmax)]" },
            OnnxImportFiles.AttributeLines(imported.Declaration("N", "", imported.DefaultLoss, "m.onnx", "m.safetensors")));
        var net = new OnnxImportedMlp();
        Safetensors.Read(new MemoryStream(imported.WeightBytes()), net);
        float[] x = OnnxFiles.Inputs(net, 9, seed: 5);
        using var session = OnnxFiles.Session(model);
        var (expected, _) = OnnxFiles.Run(session, x, new long[] { 9, 4 });
        var actual = new float[9 * 3];
        net.Predict(x, actual);
        Assert.True(OnnxFiles.MaxDifference(actual, expected) <= 1e-6, $"{OnnxFiles.MaxDifference(actual, expected):E2}");
    }

    [Fact]
    public void Dropout_in_training_mode_is_refused_and_aliases_of_initializers_are_read()
    {
        // Dropout(x, ratio, training_mode) with a constant training_mode; the Gemm's weight through an Identity of
        // the initializer (PyTorch writes one where two tensors are equal).
        byte[] WithTraining(bool training) => Model(new[] { 2 }, new[] { 3 }, new[]
        {
            Node("Identity", "alias", new[] { "w" }, "w_alias"),
            Node("Gemm", "fc", new[] { "input", "w_alias", "b" }, "h", OnnxProto.Attribute("transB", 1L)),
            Node("Dropout", "drop", new[] { "h", "ratio", "training" }, "output"),
        }, new[]
        {
            Floats("w", new[] { 3, 2 }, 1), Floats("b", new[] { 3 }, 2), OnnxProto.FloatTensor("ratio", Array.Empty<int>(), new[] { 0.5f }),
            OnnxProto.Tensor("training", Array.Empty<int>(), 9, new[] { (byte)(training ? 1 : 0) }),
        });
        Assert.Equal("Cannot import Dropout node 'drop': its training_mode is not a constant false.", Refused(WithTraining(true)).Message);
        var imported = OnnxImportFiles.Import(WithTraining(false));
        string declaration = imported.Declaration("N", "", "MeanSquaredError", "m.onnx", "m.safetensors");
        Assert.Equal(new[] { "[Network(Loss = Loss.MeanSquaredError)]", "[Input(2)]", "[Dense(3)]" }, OnnxImportFiles.AttributeLines(declaration));
        Assert.Contains("// Left out: Dropout 'drop' (the identity at inference).", declaration);
        Assert.Contains("weights 'w', 'b'", declaration);
    }

    [Fact]
    public void Writing_a_tensor_table_checks_that_each_tensor_lies_in_its_buffer()
    {
        var tensors = new[] { new TensorInfo("a.weight", new[] { 2, 3 }, TensorStore.Parameters, 0), new TensorInfo("a.running_mean", new[] { 2 }, TensorStore.State, 1) };
        var e = Assert.Throws<ArgumentException>(() => Safetensors.Write(new MemoryStream(), tensors, new float[5], new float[3]));
        Assert.StartsWith("Tensor 'a.weight' (6 values at 0) lies outside its Parameters buffer.", e.Message);
        e = Assert.Throws<ArgumentException>(() => Safetensors.Write(new MemoryStream(), tensors, new float[6], new float[2]));
        Assert.StartsWith("Tensor 'a.running_mean' (2 values at 1) lies outside its State buffer.", e.Message);
        var stream = new MemoryStream();
        Safetensors.Write(stream, tensors, new float[6], new float[3]);
        Assert.True(stream.Length > 8 + 4 * 8);
    }

    private static string[] Lines(byte[] model) =>
        OnnxImportFiles.AttributeLines(OnnxImportFiles.Import(model).Declaration("N", "", "MeanSquaredError", "m.onnx", "m.safetensors"));

    // ---- Files that are not valid models ----

    /// <summary>What a damaged file may give: a format error, or (when it still parses) a model the importer refuses.</summary>
    private static void ParseOrRefuse(byte[] bytes)
    {
        try
        {
            OnnxImportFiles.Import(bytes);
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException)
        {
        }
    }

    [Fact]
    public void Every_truncation_of_a_model_is_an_error_never_a_crash()
    {
        byte[] model = Onnx.ToBytes(new DigitsOnnxCnn());
        int refused = 0;
        for (int length = 0; length < model.Length; length += 3)
        {
            byte[] cut = model[..length];
            var e = Record.Exception(() => OnnxImportFiles.Import(cut));
            Assert.True(e is InvalidDataException or ImportException, $"{length} bytes: {e?.GetType().Name ?? "imported"}: {e?.Message}");
            refused++;
        }
        Assert.True(refused > 100);
    }

    [Fact]
    public void Garbage_and_flipped_bytes_are_errors_never_crashes()
    {
        var random = new Random(7);
        for (int i = 0; i < 300; i++)
        {
            var garbage = new byte[random.Next(0, 200)];
            random.NextBytes(garbage);
            ParseOrRefuse(garbage);
        }
        byte[] model = Onnx.ToBytes(new TorchBnCnn());
        for (int i = 0; i < 1000; i++)
        {
            byte[] flipped = (byte[])model.Clone();
            for (int k = random.Next(1, 4); k > 0; k--) flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
            ParseOrRefuse(flipped);
        }
        Assert.Throws<InvalidDataException>(() => OnnxModel.Parse(new byte[] { 0x3A, 0x05, 0x01 })); // a graph of 5 bytes where 1 remains
        Assert.Throws<InvalidDataException>(() => OnnxModel.Parse(Array.Empty<byte>()));         // no graph
    }

    [Fact]
    public void Lengths_and_sizes_beyond_the_file_are_errors_before_any_allocation()
    {
        // Field 7 (the graph) claiming 2^40 bytes.
        var e = Assert.Throws<InvalidDataException>(() => OnnxModel.Parse(new byte[] { 0x3A, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x00 }));
        Assert.Equal("ModelProto has a field of 1099511627776 bytes where 1 remain: the file is not a valid ONNX model.", e.Message);
        // A varint of 11 bytes; a field numbered 0; a group (wire type 3).
        Assert.Contains("varint longer than 10 bytes", Assert.Throws<InvalidDataException>(() => OnnxModel.Parse(Enumerable.Repeat((byte)0xFF, 11).ToArray())).Message);
        Assert.Contains("a field numbered 0", Assert.Throws<InvalidDataException>(() => OnnxModel.Parse(new byte[] { 0x00, 0x01 })).Message);
        Assert.Contains("wire type 3", Assert.Throws<InvalidDataException>(() => OnnxModel.Parse(new byte[] { 0x0B })).Message);

        // An initializer whose dims claim 10^15 values with 4 bytes of data, and one whose data is short by a value.
        var huge = new ProtoMessage().Int64(1, 100_000).Int64(1, 100_000).Int64(1, 100_000).Int64(2, 1).String(8, "w").Bytes(9, new byte[4]);
        e = Assert.Throws<InvalidDataException>(() => OnnxModel.Parse(ModelWith(huge)));
        Assert.Equal("Tensor 'w' has dims [100000, 100000, 100000]: more values than a file can hold.", e.Message);
        var shortData = new ProtoMessage().Int64(1, 3).Int64(2, 1).String(8, "b").Bytes(9, new byte[8]);
        e = Assert.Throws<InvalidDataException>(() => OnnxModel.Parse(ModelWith(shortData)));
        Assert.Equal("Tensor 'b' has 8 bytes of raw_data for 3 float32 values.", e.Message);
    }

    private static byte[] ModelWith(ProtoMessage initializer) =>
        new ProtoMessage().Message(7, new ProtoMessage().Message(5, initializer)).Message(8, new ProtoMessage().Int64(2, 13)).Encoded.ToArray();
}

/// <summary>The network of <see cref="OnnxImportErrorTests.Gemm_without_transB_and_MatMul_plus_Add_predict_what_onnx_runtime_computes"/>.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
[Input(4)]
[Dense(6, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
public partial class OnnxImportedMlp;
