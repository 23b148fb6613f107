using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Compiled.OnnxImport;
using Compiled.Tests.Images;
using Xunit;
using Xunit.Abstractions;

namespace Compiled.Tests.Interop;

/// <summary>
/// ONNX import against independent engines: networks declared here are exported (Compiled.Onnx), imported, and the
/// declaration the importer writes is compiled by the generator. The imported network must have the original's
/// architecture (or an equivalent one, where ONNX keeps no trace of a declaration detail), its weight file must load
/// into the original type and predict the same bits, and the compiled import must agree with ONNX Runtime on the model.
/// </summary>
public sealed class OnnxImportRoundTripTests
{
    private readonly ITestOutputHelper _output;

    public OnnxImportRoundTripTests(ITestOutputHelper output) => _output = output;

    /// <summary>
    /// The networks, and whether the import declares exactly the original. Where not, ONNX cannot tell: a Dropout is
    /// not exported; a Dense after an image is exported after a Flatten node, imported as a [Flatten] layer; an
    /// Activation layer after a Dense or convolution is imported as that layer's activation.
    /// </summary>
    private static readonly Dictionary<string, (Func<INetwork> Create, bool Exact)> Networks = new()
    {
        ["TorchMlpInterop"] = (() => new TorchMlpInterop(), true),
        ["SmoothedClassifier"] = (() => new SmoothedClassifier(), true),
        ["TinyBn"] = (() => new TinyBn(), true),
        ["DigitsBatchNormNet"] = (() => new DigitsBatchNormNet(), true),
        ["OnnxMlpActivations"] = (() => new OnnxMlpActivations(), false),   // Dropout; swish as Sigmoid + Mul
        ["OnnxActivationLayers"] = (() => new OnnxActivationLayers(), false), // Activation layers fused
        ["ImgConvValid"] = (() => new ImgConvValid(), true),
        ["ImgConvSameStride2"] = (() => new ImgConvSameStride2(), false),   // implicit flatten
        ["ImgDilatedGroups"] = (() => new ImgDilatedGroups(), false),
        ["ImgDepthwiseRect"] = (() => new ImgDepthwiseRect(), false),
        ["ImgMaxPools"] = (() => new ImgMaxPools(), true),
        ["ImgAvgGlobal"] = (() => new ImgAvgGlobal(), true),
        ["ImgActivationLayer"] = (() => new ImgActivationLayer(), false),
        ["ImgBatchNorm"] = (() => new ImgBatchNorm(), false),
        ["TorchBnCnn"] = (() => new TorchBnCnn(), true),
        ["TorchCnnAvg"] = (() => new TorchCnnAvg(), true),
        ["DigitsConvNet"] = (() => new DigitsConvNet(), false),
        ["DigitsOnnxCnn"] = (() => new DigitsOnnxCnn(), true),
        ["LeNet5"] = (() => new LeNet5(), true),
        ["VggBlock"] = (() => new VggBlock(), true),
        ["ImgDeconv"] = (() => new ImgDeconv(), false),
        ["TorchDeconvS2"] = (() => new TorchDeconvS2(), true),
        ["TorchDeconvSame"] = (() => new TorchDeconvSame(), true),
        ["TorchDeconvGroups"] = (() => new TorchDeconvGroups(), true),
        ["TorchSeparable"] = (() => new TorchSeparable(), true),
        ["ImgSeparable"] = (() => new ImgSeparable(), false),
        ["TorchDeconvSep"] = (() => new TorchDeconvSep(), false),
        ["TorchBatchNorm2d"] = (() => new TorchBatchNorm2d(), true),
        ["OnnxEndsInDropout"] = (() => new OnnxEndsInDropout(), false),
        ["OnnxImageSoftmax"] = (() => new OnnxImageSoftmax(), true),        // softmax over an image: Flatten, Softmax, Reshape
    };

    public static TheoryData<string> Names => new(Networks.Keys);

    /// <summary>Every network once: the original (random biases and statistics), its model, the import, and the compiled import.</summary>
    private sealed record Case(INetwork Original, byte[] Model, ImportedNetwork? Imported, string Declaration, string TypeName, Exception? Failure);

    /// <summary>
    /// All networks imported once and their declarations compiled together (one compilation is much faster than 29);
    /// a network the importer refuses fails its own tests only.
    /// </summary>
    private static readonly Lazy<(Dictionary<string, Case> Cases, Assembly Assembly)> All = new(() =>
    {
        var cases = new Dictionary<string, Case>();
        foreach (var (name, (create, _)) in Networks)
        {
            var original = create();
            OnnxFiles.Randomize(original, seed: name.Length + 100);
            byte[] model = Onnx.ToBytes(original);
            // The same class name as the original: the re-exported model's graph is named after the class.
            string ns = "Imported." + name;
            try
            {
                var imported = OnnxImportFiles.Import(model);
                string loss = original.GetType().GetCustomAttribute<NetworkAttribute>()!.Loss.ToString();
                string declaration = imported.Declaration(name, ns, loss, name + ".onnx", name + ".safetensors");
                cases[name] = new Case(original, model, imported, declaration, ns + "." + name, null);
            }
            catch (ImportException e)
            {
                cases[name] = new Case(original, model, null, "", "", e);
            }
        }
        var assembly = OnnxImportFiles.Compile(cases.Values.Where(c => c.Failure is null).Select(c => c.Declaration).ToList());
        return (cases, assembly);
    });

    private (Case Case, INetwork Compiled) Load(string name)
    {
        var (cases, assembly) = All.Value;
        var c = cases[name];
        if (c.Failure is not null) throw new InvalidOperationException($"{name} was not imported: {c.Failure.Message}", c.Failure);
        var compiled = OnnxImportFiles.Create(assembly, c.TypeName);
        Safetensors.Read(new MemoryStream(c.Imported!.WeightBytes()), compiled);
        return (c, compiled);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void The_imported_declaration_compiles_to_the_original_architecture(string name)
    {
        var (c, compiled) = Load(name);
        _output.WriteLine(c.Declaration);
        if (Networks[name].Exact)
        {
            Assert.Equal(c.Original.Architecture, compiled.Architecture);
            // The whole model, re-exported from the compiled import, is the original's to the byte (same weights,
            // same attributes, same ε and momentum, the graph named after the same class).
            Assert.Equal(c.Model, Onnx.ToBytes(compiled));
        }
        else Assert.NotEqual(c.Original.Architecture, compiled.Architecture);
        // Either way the compiled import has the original's tensor table (names, shapes, order) and layer shapes.
        Assert.Equal(c.Original.Tensors.Select(t => t.ToString()), compiled.Tensors.Select(t => t.ToString()));
        Assert.Equal(c.Original.Layers[0].InputShape, compiled.Layers[0].InputShape);
        Assert.Equal(c.Original.Layers[^1].OutputShape, compiled.Layers[^1].OutputShape);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void The_weight_file_loads_into_the_original_type_and_predicts_the_same_bits(string name)
    {
        var (c, compiled) = Load(name);
        // The importer's file is the one the original network saves, byte for byte (same tensors, order and layout).
        var saved = new MemoryStream();
        Safetensors.Write(saved, c.Original);
        Assert.Equal(saved.ToArray(), c.Imported!.WeightBytes());
        var fresh = (INetwork)Activator.CreateInstance(c.Original.GetType())!;
        Safetensors.Read(new MemoryStream(c.Imported!.WeightBytes()), fresh);
        Assert.Equal(c.Original.Parameters.ToArray(), fresh.Parameters.ToArray());
        Assert.Equal(c.Original.State.ToArray(), fresh.State.ToArray());
        foreach (int batch in new[] { 1, 7, 70 })
        {
            float[] x = OnnxFiles.Inputs(c.Original, batch, seed: batch + 11);
            Assert.True(OnnxImportFiles.SameBits(c.Original, fresh, x), $"{name}: batch {batch} differs");
            // The compiled import: the same bits when it declares the same layers; an equivalent declaration
            // (an activation fused, a flatten made explicit) may round differently, never by more than this.
            double difference = OnnxImportFiles.Compare(compiled, c.Original, x);
            if (Networks[name].Exact) Assert.True(OnnxImportFiles.SameBits(c.Original, compiled, x), $"{name}: the compiled import differs by {difference:E2} at batch {batch}");
            else Assert.True(difference <= 1e-6, $"{name}: the compiled import differs by {difference:E2} at batch {batch}");
            _output.WriteLine($"{name}, batch {batch}: the compiled import differs from the original by {difference:E2}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Onnx_runtime_agrees_with_the_compiled_import(string name)
    {
        var (c, compiled) = Load(name);
        using var session = OnnxFiles.Session(c.Model);
        double worst = 0;
        foreach (int batch in new[] { 1, 7, 70 })
        {
            float[] x = OnnxFiles.Inputs(compiled, batch, seed: batch + 23);
            var (expected, _) = OnnxFiles.Run(session, x, OnnxFiles.InputShape(compiled, batch));
            float[] actual = new float[batch * compiled.OutputSize];
            compiled.Predict(x, actual);
            worst = Math.Max(worst, OnnxFiles.MaxDifference(actual, expected));
        }
        _output.WriteLine($"{name}: largest difference from ONNX Runtime {worst:E2}");
        Assert.True(worst <= 1e-5, $"{name}: the compiled import differs from ONNX Runtime by {worst:E2}");
    }

    [Fact]
    public void A_cnn_imports_as_its_declaration_line_for_line()
    {
        var net = new TorchBnCnn();
        var imported = OnnxImportFiles.Import(Onnx.ToBytes(net));
        string declaration = imported.Declaration("TorchBnCnn", "Imported", "MeanSquaredError", "cnn.onnx", "TorchBnCnn.safetensors");
        Assert.Equal(new[]
        {
            "[Network(Loss = Loss.MeanSquaredError)]",
            "[Input(2, 8, 8)]",
            "[Conv2D(4, 3, Pad = 1)]",
            "[BatchNorm]",
            "[Activation(Activation.ReLU)]",
            "[MaxPool(2)]",
            "[Conv2D(6, 3, Activation.Tanh, Groups = 2, Bias = false)]",
            "[Flatten]",
            "[Dense(5)]",
            "[BatchNorm]",
            "[Activation(Activation.ReLU)]",
            "[Dense(3)]",
        }, OnnxImportFiles.AttributeLines(declaration));
        // Each line says where it came from.
        Assert.Contains("// conv2: Conv 'conv2/Conv' + Tanh 'conv2/Tanh'; weights 'conv2.weight'", declaration);
        Assert.Contains("// batchnorm2: BatchNormalization 'batchnorm2/BatchNormalization'; weights 'batchnorm2.weight', 'batchnorm2.bias', 'batchnorm2.running_mean', 'batchnorm2.running_var'", declaration);
        Assert.Contains("public partial class TorchBnCnn;", declaration);
        Assert.Contains("namespace Imported;", declaration);
    }

    [Fact]
    public void Attributes_that_are_not_defaults_are_written()
    {
        // BatchNorm's momentum 0.2 and ε 1e-3; leaky ReLU's α 0.3; ELU's 0.7; Same; a rectangular kernel; dilation and groups.
        Assert.Contains("[BatchNorm(Momentum = 0.2)]", Lines(new ImgBatchNorm()));
        Assert.Contains("[BatchNorm(Epsilon = 0.001)]", Lines(new ImgBatchNorm()));
        Assert.Contains("[Dense(9, Activation.LeakyReLU, Alpha = 0.3)]", Lines(new OnnxMlpActivations()));
        Assert.Contains("[Dense(9, Activation.ELU, Alpha = 0.7)]", Lines(new OnnxMlpActivations()));
        Assert.Contains("[Dense(9, Activation.Swish)]", Lines(new OnnxMlpActivations()));
        // Same padding that pads both sides alike is the explicit Pad (the same windows); one that does not stays Same.
        Assert.Contains("[Conv2D(4, 3, Activation.Sigmoid, Stride = 2, Pad = 1)]", Lines(new ImgConvSameStride2()));
        Assert.Contains("[AvgPool(3, Stride = 2, Padding = Padding.Same)]", Lines(new ImgAvgGlobal()));
        Assert.Contains("[Conv2D(6, KernelHeight = 2, KernelWidth = 3, Activation = Activation.Swish, Groups = 3, Bias = false)]", Lines(new ImgDepthwiseRect()));
        Assert.Contains("[AvgPool(2, Pad = 1)]", Lines(new ImgDepthwiseRect()));
        Assert.Contains("[Conv2D(4, 3, Activation.ELU, Pad = 1, Dilation = 2, Groups = 2)]", Lines(new ImgDilatedGroups()));
        Assert.Contains("[MaxPool(3, Stride = 2, Pad = 1)]", Lines(new ImgMaxPools()));
        Assert.Contains("[Conv2DTranspose(4, 3, Stride = 2, Pad = 1, OutputPad = 1)]", Lines(new TorchDeconvS2()));
        Assert.Contains("[Conv2DTranspose(3, 3, Stride = 2, Padding = Padding.Same)]", Lines(new TorchDeconvSame()));
        Assert.Contains("[SeparableConv2D(5, 3, Activation.Swish, DepthMultiplier = 2, Stride = 2, Padding = Padding.Same)]", Lines(new ImgSeparable()));
        Assert.Contains("[Dense(7, Activation.ELU, Alpha = 1.5)]", Lines(new OnnxActivationLayers())); // the Activation layer fused
    }

    private static string[] Lines(INetwork net) =>
        OnnxImportFiles.AttributeLines(OnnxImportFiles.Import(Onnx.ToBytes(net)).Declaration("N", "", "MeanSquaredError", "n.onnx", "n.safetensors"));

    [Fact]
    public void A_softmax_over_an_image_comes_back_from_its_flatten_softmax_and_reshape()
    {
        string declaration = OnnxImportFiles.Import(Onnx.ToBytes(new OnnxImageSoftmax())).Declaration("N", "", "MeanSquaredError", "n.onnx", "n.safetensors");
        Assert.Equal(new[] { "[Network(Loss = Loss.MeanSquaredError)]", "[Input(2, 4, 5)]", "[Conv2D(3, 2, Activation.Swish, PadHeight = 1, PadWidth = 0)]", "[Activation(Activation.Softmax)]" },
            OnnxImportFiles.AttributeLines(declaration));
        Assert.Contains("// conv1: Conv 'conv1/Conv' + Sigmoid 'conv1/Sigmoid' + Mul 'conv1/Mul'; weights 'conv1.weight', 'conv1.bias'", declaration);
        Assert.Contains("// activation1: Flatten 'activation1/Flatten' + Softmax 'activation1/Softmax' + Reshape 'activation1/Reshape'", declaration);
    }
}
