using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Compiled.OnnxImport;

/// <summary>An ONNX model the importer cannot turn into a Compiled network: names the node, its operator and why.</summary>
public sealed class ImportException : NotSupportedException
{
    public ImportException(OnnxNode node, string why)
        : base($"Cannot import {node.OpType} node '{node.Name}': {why}.")
    {
        OpType = node.OpType;
        NodeName = node.Name;
    }

    public ImportException(string message) : base(message) { }

    /// <summary>The operator of the node refused (null when the problem is the graph's, not a node's).</summary>
    public string? OpType { get; }

    /// <summary>The name of the node refused.</summary>
    public string? NodeName { get; }
}

/// <summary>One weight tensor of an imported layer: its name after the layer's ("weight", "pointwise.bias", …).</summary>
public sealed record ImportedTensor(string Suffix, int[] Shape, TensorStore Store, float[] Values);

/// <summary>
/// One layer of the declaration being built from the graph: its attribute's arguments, the tensors it takes from
/// the model's initializers, and the nodes it came from. Its name is the generator's default (conv1, dense2, …),
/// given once the whole chain is known.
/// </summary>
public sealed class ImportedLayer
{
    public ImportedLayer(LayerKind kind, OnnxNode node)
    {
        Kind = kind;
        Nodes.Add(node);
    }

    public LayerKind Kind { get; }

    /// <summary>The default name the generator gives the layer (assigned by <see cref="ImportedNetwork"/>).</summary>
    public string Name { get; internal set; } = "";

    /// <summary>The nodes the layer replaces (a convolution and its fused activation, …).</summary>
    public List<OnnxNode> Nodes { get; } = new();

    /// <summary>The initializers the weights came from.</summary>
    public List<string> Initializers { get; } = new();

    public List<ImportedTensor> Tensors { get; } = new();

    /// <summary>Dense units, convolution filters.</summary>
    public int Units { get; init; }

    public int KernelHeight { get; init; }

    public int KernelWidth { get; init; }

    public int Stride { get; init; } = 1;

    public int Dilation { get; init; } = 1;

    public int Groups { get; init; } = 1;

    public int DepthMultiplier { get; init; } = 1;

    public bool Bias { get; init; } = true;

    public bool Same { get; init; }

    public int PadHeight { get; init; }

    public int PadWidth { get; init; }

    public int OutputPad { get; init; }

    public float Epsilon { get; init; } = 1e-5f;

    /// <summary>BatchNorm: Compiled's momentum as C# source, or null for the default.</summary>
    public string? Momentum { get; init; }

    /// <summary>The Compiled.Activation member applied by the layer.</summary>
    public string Activation { get; set; } = "Identity";

    public float Alpha { get; set; }

    /// <summary>Whether the layer's attribute takes an activation.</summary>
    public bool Activates => Kind is LayerKind.Dense or LayerKind.Conv2D or LayerKind.Conv2DTranspose or LayerKind.SeparableConv2D or LayerKind.Activation;

    /// <summary>The attribute, e.g. <c>[Conv2D(8, 3, Activation.ReLU, Padding = Padding.Same)]</c>.</summary>
    public string Attribute()
    {
        var args = new List<string>();
        var named = new List<string>();
        bool square = KernelHeight == KernelWidth;
        switch (Kind)
        {
            case LayerKind.Dense:
                args.Add(Int(Units));
                if (Activation != "Identity") args.Add("Activation." + Activation);
                break;
            case LayerKind.Activation:
                args.Add("Activation." + Activation);
                break;
            case LayerKind.Conv2D:
            case LayerKind.Conv2DTranspose:
            case LayerKind.SeparableConv2D:
                args.Add(Int(Units));
                if (square) args.Add(Int(KernelHeight));
                else named.Add($"KernelHeight = {Int(KernelHeight)}, KernelWidth = {Int(KernelWidth)}");
                if (Activation != "Identity")
                {
                    if (square) args.Add("Activation." + Activation);
                    else named.Add("Activation = Activation." + Activation);
                }
                if (DepthMultiplier != 1) named.Add($"DepthMultiplier = {Int(DepthMultiplier)}");
                if (Stride != 1) named.Add($"Stride = {Int(Stride)}");
                AddPadding(named);
                if (OutputPad != 0) named.Add($"OutputPad = {Int(OutputPad)}");
                if (Dilation != 1) named.Add($"Dilation = {Int(Dilation)}");
                if (Groups != 1) named.Add($"Groups = {Int(Groups)}");
                if (!Bias) named.Add("Bias = false");
                break;
            case LayerKind.MaxPool:
            case LayerKind.AvgPool:
                args.Add(Int(KernelHeight));
                if (Stride != KernelHeight) named.Add($"Stride = {Int(Stride)}");
                AddPadding(named);
                break;
            case LayerKind.BatchNorm:
                if (Epsilon != 1e-5f) named.Add("Epsilon = " + Number(Epsilon));
                if (Momentum is not null) named.Add("Momentum = " + Momentum);
                break;
        }
        if (Activation is "LeakyReLU" && Alpha != 0.01f || Activation is "ELU" && Alpha != 1f)
            named.Add("Alpha = " + Number(Alpha));
        var all = args.Concat(named).ToList();
        return all.Count == 0 ? $"[{Kind}]" : $"[{Kind}({string.Join(", ", all)})]";
    }

    private void AddPadding(List<string> named)
    {
        if (Same) named.Add("Padding = Padding.Same");
        else if (PadHeight == PadWidth && PadHeight != 0) named.Add($"Pad = {Int(PadHeight)}");
        else if (PadHeight != PadWidth) named.Add($"PadHeight = {Int(PadHeight)}, PadWidth = {Int(PadWidth)}");
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A float as the shortest C# literal that reads back as the same float ("0.3", "1E-05").</summary>
    public static string Number(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>"conv1: Conv '/conv1/Conv' + Relu '/Relu'; conv1.weight ← 'conv1.weight'".</summary>
    public string Comment() =>
        $"{Name}: " + string.Join(" + ", Nodes.Select(n => $"{n.OpType} '{n.Name}'"))
        + (Initializers.Count == 0 ? "" : "; weights " + string.Join(", ", Initializers.Select(i => $"'{i}'")));
}
