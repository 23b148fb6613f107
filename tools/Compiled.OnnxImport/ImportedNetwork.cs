using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace Compiled.OnnxImport;

/// <summary>
/// An imported model: the layers of the declaration, each named as the generator names it by default (dense1,
/// conv2, …), and the weights under the names of the generated network's <c>Tensors</c> (its state_dict names).
/// </summary>
public sealed class ImportedNetwork
{
    internal ImportedNetwork(OnnxModel model, int[] inputShape, int[] outputShape, List<ImportedLayer> layers, List<string> skipped, List<string> unusedInitializers)
    {
        Model = model;
        InputShape = inputShape;
        OutputShape = outputShape;
        Layers = layers;
        Skipped = skipped;
        UnusedInitializers = unusedInitializers;
        if (layers.Count == 0) throw new ImportException("The graph computes nothing Compiled has a layer for (its output is its input).");
        // The generator's default names: the attribute's prefix and a counter per prefix, in declaration order.
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var layer in layers)
        {
            string prefix = Prefix(layer.Kind);
            counts[prefix] = counts.GetValueOrDefault(prefix) + 1;
            layer.Name = prefix + counts[prefix];
        }
        var tensors = new List<TensorInfo>();
        int parameters = 0, state = 0;
        foreach (var layer in layers)
            foreach (var t in layer.Tensors)
            {
                int offset = t.Store switch { TensorStore.Parameters => parameters, TensorStore.State => state, _ => 0 };
                tensors.Add(new TensorInfo($"{layer.Name}.{t.Suffix}", t.Shape, t.Store, offset));
                if (t.Store == TensorStore.Parameters) parameters += t.Values.Length;
                else if (t.Store == TensorStore.State) state += t.Values.Length;
            }
        Tensors = tensors;
        Parameters = new float[parameters];
        State = new float[state];
        int p = 0, s = 0;
        foreach (var t in layers.SelectMany(l => l.Tensors))
        {
            if (t.Store == TensorStore.Parameters) { t.Values.CopyTo(Parameters, p); p += t.Values.Length; }
            else if (t.Store == TensorStore.State) { t.Values.CopyTo(State, s); s += t.Values.Length; }
        }
    }

    public OnnxModel Model { get; }

    /// <summary>The graph's input value.</summary>
    public string InputName => Model.Inputs.First(i => Model.Initializers.All(t => t.Name != i.Name)).Name;

    /// <summary>One sample: [F] or [C, H, W].</summary>
    public int[] InputShape { get; }

    /// <summary>What Predict writes per sample.</summary>
    public int[] OutputShape { get; }

    public IReadOnlyList<ImportedLayer> Layers { get; }

    /// <summary>Nodes that compute nothing at inference (Dropout, Identity, a Flatten of a vector).</summary>
    public IReadOnlyList<string> Skipped { get; }

    /// <summary>Initializers no node of the chain reads (left out of the weight file).</summary>
    public IReadOnlyList<string> UnusedInitializers { get; }

    /// <summary>The weight table the declared network's <c>Tensors</c> lists, in declaration order.</summary>
    public IReadOnlyList<TensorInfo> Tensors { get; }

    /// <summary>The trainable weights, laid out as <see cref="Tensors"/> says (the generated network's <c>Parameters</c>).</summary>
    public float[] Parameters { get; }

    /// <summary>BatchNorm's running statistics (the generated network's <c>State</c>).</summary>
    public float[] State { get; }

    /// <summary>The attribute prefix of a kind's default layer names (the generator's).</summary>
    public static string Prefix(LayerKind kind) => kind switch
    {
        LayerKind.Dense => "dense",
        LayerKind.Activation => "activation",
        LayerKind.Dropout => "dropout",
        LayerKind.Conv2D => "conv",
        LayerKind.MaxPool => "maxpool",
        LayerKind.AvgPool => "avgpool",
        LayerKind.GlobalAveragePool => "globalavgpool",
        LayerKind.Flatten => "flatten",
        LayerKind.BatchNorm => "batchnorm",
        LayerKind.Conv2DTranspose => "deconv",
        LayerKind.SeparableConv2D => "sepconv",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>A loss that suits the output when the user gives none: softmax cross-entropy after a softmax, else mean squared error.</summary>
    public string DefaultLoss => Layers[^1].Activation == "Softmax" ? "SoftmaxCrossEntropy" : "MeanSquaredError";

    /// <summary>The attribute lines, <c>[Network(…)]</c> to the last layer's.</summary>
    public IReadOnlyList<string> Attributes(string loss)
    {
        var lines = new List<string> { $"[Network(Loss = Loss.{loss})]", $"[Input({string.Join(", ", InputShape)})]" };
        lines.AddRange(Layers.Select(l => l.Attribute()));
        return lines;
    }

    /// <summary>
    /// The C# file: the partial class with its attributes, each layer's line commented with the nodes and
    /// initializers it came from, and a header saying where the model came from and how to load the weights.
    /// </summary>
    public string Declaration(string className, string ns, string loss, string source, string weightFile)
    {
        if (!SyntaxCheck.IsIdentifier(className)) throw new ArgumentException($"'{className}' is not a C# class name.", nameof(className));
        if (ns.Length > 0 && !ns.Split('.').All(SyntaxCheck.IsIdentifier)) throw new ArgumentException($"'{ns}' is not a C# namespace.", nameof(ns));
        if (!Enum.TryParse<Loss>(loss, out var parsed) || !Enum.IsDefined(parsed) || loss != parsed.ToString())
            throw new ArgumentException($"'{loss}' is not a Compiled.Loss ({string.Join(", ", Enum.GetNames<Loss>())}).", nameof(loss));
        var text = new StringBuilder();
        text.Append("// Written by compiled-onnx-import (docs/interop-onnx-import.md); rerun it when the model changes.\n");
        text.Append($"// Imported from '{source}'");
        string producer = Model.Producer.Length > 0 ? $"{Model.Producer} {Model.ProducerVersion}".Trim() : "unknown";
        text.Append($" (producer: {producer}; graph '{Model.GraphName}'; opset {Model.Opset}; {Model.Nodes.Count} nodes).\n");
        text.Append($"// Weights: {weightFile}, by the names of {className}.Tensors: Safetensors.Load(\"{weightFile}\", net).\n");
        foreach (string skipped in Skipped) text.Append($"// Left out: {skipped}.\n");
        if (UnusedInitializers.Count > 0)
            text.Append($"// Initializers no node of the chain reads (not in the weight file): {string.Join(", ", UnusedInitializers.Select(u => $"'{u}'"))}.\n");
        text.Append("using Compiled;\n\n");
        if (ns.Length > 0) text.Append($"namespace {ns};\n\n");
        text.Append($"/// <summary>Imported from the ONNX model '{Escape(Path.GetFileName(source))}': [{string.Join(", ", InputShape)}] → [{string.Join(", ", OutputShape)}].</summary>\n");
        var lines = Attributes(loss);
        var comments = new List<string> { "", $"input '{InputName}'" };
        comments.AddRange(Layers.Select(l => l.Comment()));
        int width = lines.Max(l => l.Length) + 2;
        for (int i = 0; i < lines.Count; i++)
            text.Append(comments[i].Length == 0 ? lines[i] : lines[i].PadRight(width) + "// " + comments[i]).Append('\n');
        text.Append($"public partial class {className};\n");
        return text.ToString();
    }

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    /// <summary>Writes the weights as safetensors (atomically), as the declared network's <c>Safetensors.Save</c> would.</summary>
    public void SaveWeights(string path) => Safetensors.Save(path, Tensors, Parameters, State);

    /// <summary>The weights as safetensors bytes.</summary>
    public byte[] WeightBytes()
    {
        var stream = new MemoryStream();
        Safetensors.Write(stream, Tensors, Parameters, State);
        return stream.ToArray();
    }
}
