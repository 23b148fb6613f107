using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Compiled.OnnxImport;
using Xunit;
using Xunit.Abstractions;

namespace Compiled.Tests.Interop;

/// <summary>
/// A model made outside Compiled: tests/fixtures/make_onnx_import_fixtures.py exports a small PyTorch CNN with
/// torch.onnx.export (BatchNorm2d folded into its convolution, a depthwise and a 1×1 convolution, a Pad of zeros
/// before average pooling, BatchNorm1d, dropout left out in eval mode) and saves PyTorch's outputs on fixed inputs.
/// The import, compiled by the generator and declared by hand, must reproduce them.
/// </summary>
public sealed class OnnxImportTorchTests
{
    private readonly ITestOutputHelper _output;

    public OnnxImportTorchTests(ITestOutputHelper output) => _output = output;

    private static string Fixture(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "OnnxImport", file);

    /// <summary>The declaration the importer writes for torch_cnn.onnx (and <see cref="TorchOnnxCnn"/>'s).</summary>
    private static readonly string[] Expected =
    {
        "[Network(Loss = Loss.SoftmaxCrossEntropy)]",
        "[Input(1, 8, 8)]",
        "[Conv2D(4, 3, Activation.ReLU, Pad = 1)]",
        "[MaxPool(2)]",
        "[SeparableConv2D(6, 3, Activation.LeakyReLU, DepthMultiplier = 2, Pad = 1, Alpha = 0.1)]",
        "[AvgPool(2)]",
        "[Flatten]",
        "[Dense(8)]",
        "[BatchNorm]",
        "[Activation(Activation.ELU, Alpha = 0.5)]",
        "[Dense(3, Activation.Softmax)]",
    };

    private static (int Batch, float[] Inputs, float[] Outputs) Reference()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Fixture("torch_cnn.json")));
        var root = json.RootElement;
        float[] Read(string name) => root.GetProperty(name).EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        return (root.GetProperty("batch").GetInt32(), Read("inputs"), Read("outputs"));
    }

    [Fact]
    public void The_pytorch_model_imports_and_predicts_what_pytorch_computed()
    {
        var imported = OnnxImporter.Import(OnnxModel.Load(Fixture("torch_cnn.onnx")));
        string declaration = imported.Declaration("TorchOnnxCnn", "Imported", imported.DefaultLoss, "torch_cnn.onnx", "TorchOnnxCnn.safetensors");
        _output.WriteLine(declaration);
        Assert.Equal(Expected, OnnxImportFiles.AttributeLines(declaration));
        // PyTorch's names for what it folded or renamed are kept in the comments.
        Assert.Contains("// Left out: Pad '/Pad' (pads nothing).", declaration);
        Assert.Contains("sepconv1: Conv '/depthwise/Conv' + Conv '/pointwise/Conv' + LeakyRelu '/LeakyRelu'; weights 'depthwise.weight', 'pointwise.weight', 'pointwise.bias'", declaration);

        var (batch, x, expected) = Reference();
        // The declaration compiled by the generator, as in a user's build.
        var compiled = OnnxImportFiles.Create(OnnxImportFiles.Compile(new[] { declaration }), "Imported.TorchOnnxCnn");
        Safetensors.Read(new MemoryStream(imported.WeightBytes()), compiled);
        // The same declaration written in this project (the documentation's example).
        var declared = new TorchOnnxCnn();
        string path = Path.Combine(Path.GetTempPath(), $"compiled-onnx-import-{Guid.NewGuid():N}.safetensors");
        try
        {
            imported.SaveWeights(path);
            Safetensors.Load(path, declared);
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Equal(((INetwork)declared).Architecture, compiled.Architecture);
        foreach (var net in new INetwork[] { compiled, declared })
        {
            var actual = new float[batch * 3];
            net.Predict(x, actual);
            double difference = OnnxFiles.MaxDifference(actual, expected);
            _output.WriteLine($"{net.GetType().FullName}: largest difference from PyTorch {difference:E2}");
            Assert.True(difference <= 1e-5, $"{net.GetType().FullName} differs from PyTorch by {difference:E2}");
        }

        // And ONNX Runtime on PyTorch's file agrees.
        using var session = OnnxFiles.Session(File.ReadAllBytes(Fixture("torch_cnn.onnx")));
        var (ort, _) = OnnxFiles.Run(session, x, new long[] { batch, 1, 8, 8 });
        var mine = new float[batch * 3];
        declared.Predict(x, mine);
        Assert.True(OnnxFiles.MaxDifference(mine, ort) <= 1e-5, $"ONNX Runtime: {OnnxFiles.MaxDifference(mine, ort):E2}");
    }

    [Fact]
    public void The_tool_writes_the_declaration_and_the_weights_and_says_how_to_load_them()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"compiled-onnx-import-{Guid.NewGuid():N}");
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();
            int code = Program.Run(new[] { Fixture("torch_cnn.onnx"), "--class", "TorchOnnxCnn", "--namespace", "Demo", "--out", directory }, output, error);
            Assert.True(code == 0, error.ToString());
            Assert.Equal(new[] { "TorchOnnxCnn.cs", "TorchOnnxCnn.safetensors" }, Directory.GetFiles(directory).Select(Path.GetFileName).Order());
            string source = File.ReadAllText(Path.Combine(directory, "TorchOnnxCnn.cs"));
            Assert.Equal(Expected, OnnxImportFiles.AttributeLines(source));
            Assert.Contains("namespace Demo;", source);
            Assert.Contains("Safetensors.Load(\"TorchOnnxCnn.safetensors\", net);", output.ToString());
            var net = new TorchOnnxCnn();
            Safetensors.Load(Path.Combine(directory, "TorchOnnxCnn.safetensors"), net);
            var (batch, x, expected) = Reference();
            var actual = new float[batch * 3];
            net.Predict(x, actual);
            Assert.True(OnnxFiles.MaxDifference(actual, expected) <= 1e-5);
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void The_tool_writes_nothing_when_the_model_is_refused_and_reports_usage_errors()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"compiled-onnx-import-{Guid.NewGuid():N}");
        string model = directory + ".onnx";
        try
        {
            // A local response normalization after a ReLU: LRN has no Compiled layer.
            var graph = OnnxProto.Graph("g", new[]
                {
                    OnnxProto.Node("Relu", "relu", new[] { "input" }, "r", Array.Empty<ProtoMessage>()),
                    OnnxProto.Node("LRN", "norm1", new[] { "r" }, "output", new[] { OnnxProto.Attribute("size", 3L) }),
                }, Array.Empty<ProtoMessage>(), OnnxProto.FloatValue("input", "N", new[] { 2, 4, 4 }), OnnxProto.FloatValue("output", "N", new[] { 2, 4, 4 }));
            File.WriteAllBytes(model, OnnxProto.Model(7, 13, "test", "1", "", graph).Encoded.ToArray());
            var output = new StringWriter();
            var error = new StringWriter();
            Assert.Equal(1, Program.Run(new[] { model, "--class", "Net", "--out", directory }, output, error));
            Assert.Contains("Cannot import LRN node 'norm1'", error.ToString());
            Assert.Contains("Nothing was written.", error.ToString());
            Assert.False(Directory.Exists(directory));

            File.WriteAllBytes(model, new byte[] { 0x3A, 0x7F });
            Assert.Equal(1, Program.Run(new[] { model, "--class", "Net", "--out", directory }, output, error));
            Assert.Contains("not a valid ONNX model", error.ToString());
            Assert.False(Directory.Exists(directory));

            File.WriteAllBytes(model, Onnx.ToBytes(new TorchMlpInterop()));
            Assert.Equal(2, Program.Run(new[] { model }, output, error));                                        // no --class
            Assert.Equal(2, Program.Run(new[] { model, "--class", "class", "--out", directory }, output, error)); // a keyword
            Assert.Equal(2, Program.Run(new[] { model, "--class", "Net", "--loss", "Hinge", "--out", directory }, output, error));
            Assert.Equal(2, Program.Run(new[] { model, "--class", "Net", "--bogus", "1" }, output, error));
            Assert.False(Directory.Exists(directory));
        }
        finally
        {
            File.Delete(model);
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}

/// <summary>
/// The PyTorch CNN of tests/fixtures/make_onnx_import_fixtures.py as compiled-onnx-import declares it
/// (docs/interop-onnx-import.md): its weights are the importer's safetensors file.
/// </summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
[Input(1, 8, 8)]
[Conv2D(4, 3, Activation.ReLU, Pad = 1)]
[MaxPool(2)]
[SeparableConv2D(6, 3, Activation.LeakyReLU, DepthMultiplier = 2, Pad = 1, Alpha = 0.1)]
[AvgPool(2)]
[Flatten]
[Dense(8)]
[BatchNorm]
[Activation(Activation.ELU, Alpha = 0.5)]
[Dense(3, Activation.Softmax)]
public partial class TorchOnnxCnn;
