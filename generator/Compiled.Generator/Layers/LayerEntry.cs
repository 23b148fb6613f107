using System.Collections.Generic;
using Compiled.Generator.Emit;
using Compiled.Generator.Model;
using Compiled.Generator.Planning;

namespace Compiled.Generator.Layers;

/// <summary>
/// The generated layer table (<c>Layers</c>, a <c>Compiled.LayerInfo</c> per layer): kind, shapes per sample,
/// activation, the window with its padding resolved in ONNX's and PyTorch's terms, BatchNorm's ε and momentum,
/// Dropout's rate. The runtime's <c>Compiled.Onnx</c> builds its graph from it.
/// </summary>
internal static class LayerEntry
{
    public static void EmitTable(CodeWriter w, NetworkPlan plan)
    {
        w.Line("/// <summary>");
        w.Line("/// The layers in declaration order: kind, shapes per sample, activation, the window with its padding resolved.");
        w.Line("/// <see cref=\"global::Compiled.Onnx\"/> exports this graph with the weights of <see cref=\"Tensors\"/>.");
        w.Line("/// </summary>");
        w.Line("public static global::System.Collections.Generic.IReadOnlyList<global::Compiled.LayerInfo> Layers { get; } =");
        w.Line("    global::System.Array.AsReadOnly(new global::Compiled.LayerInfo[]");
        w.Line("    {");
        foreach (var layer in plan.Layers)
        {
            var spec = layer.Spec;
            string head = $"new global::Compiled.LayerInfo(\"{spec.Name}\", global::Compiled.LayerKind.{spec.Kind}, {Shape(layer.InputShape)}, {Shape(layer.OutputShape)})";
            var properties = Properties(layer);
            if (properties.Count == 0)
            {
                w.Line($"        {head},");
                continue;
            }
            w.Line($"        {head}");
            w.Line("        {");
            foreach (string property in properties) w.Line($"            {property},");
            w.Line("        },");
        }
        w.Line("    });");
        w.Line("global::System.Collections.Generic.IReadOnlyList<global::Compiled.LayerInfo> global::Compiled.INetwork.Layers => Layers;");
        w.Line();
    }

    private static string Shape(Shape shape) => shape.IsImage
        ? $"new int[] {{ {shape.Channels}, {shape.Height}, {shape.Width} }}"
        : $"new int[] {{ {shape.Channels} }}";

    /// <summary>The object initializer's assignments: only what the kind has and what differs from the defaults.</summary>
    private static List<string> Properties(LayerPlan layer)
    {
        var spec = layer.Spec;
        var properties = new List<string>();
        bool activates = spec.Kind is LayerKind.Dense or LayerKind.Activation or LayerKind.Conv2D or LayerKind.Conv2DTranspose or LayerKind.SeparableConv2D;
        if (activates && spec.Activation != ActivationKind.Identity)
        {
            properties.Add($"Activation = \"{spec.Activation}\"");
            if (spec.Activation is ActivationKind.LeakyReLU or ActivationKind.ELU) properties.Add($"Alpha = {CodeWriter.Float(spec.Alpha)}");
        }
        if (spec.Window is not null) properties.Add("Window = " + Window(layer));
        if (spec.Kind == LayerKind.BatchNorm)
        {
            properties.Add($"Epsilon = {CodeWriter.Float(spec.Epsilon)}");
            properties.Add($"Momentum = {CodeWriter.Float(spec.Momentum)}");
        }
        if (spec.Kind == LayerKind.LayerNorm) properties.Add($"Epsilon = {CodeWriter.Float(spec.Epsilon)}");
        if (spec.Kind == LayerKind.Dropout) properties.Add($"Rate = {CodeWriter.Float(spec.Rate)}");
        return properties;
    }

    /// <summary>
    /// The window with explicit padding on each side: Same's split (the extra row or column at the bottom and
    /// right), or the declared pad on both sides. A transposed convolution's pads are what it removes from its full
    /// output, and its output padding makes up the rest of the declared output size.
    /// </summary>
    private static string Window(LayerPlan layer)
    {
        var spec = layer.Spec;
        var window = spec.Window!;
        var (height, width) = WindowLayers.Resolve(spec, layer.InputShape);
        bool same = window.Padding == PaddingKind.Same;
        long top = same ? height.PadBefore : window.PadHeight, bottom = same ? height.PadAfter : window.PadHeight;
        long left = same ? width.PadBefore : window.PadWidth, right = same ? width.PadAfter : window.PadWidth;
        string text = $"new global::Compiled.LayerWindow(kernelHeight: {window.KernelHeight}, kernelWidth: {window.KernelWidth}, stride: {window.Stride}, " +
            $"padTop: {top}, padLeft: {left}, padBottom: {bottom}, padRight: {right}";
        if (spec.Kind is LayerKind.Conv2D or LayerKind.Conv2DTranspose or LayerKind.SeparableConv2D)
        {
            text += $", dilation: {window.Dilation}, groups: {window.Groups}, bias: {(window.Bias ? "true" : "false")}";
        }
        if (spec.Kind == LayerKind.Conv2DTranspose)
        {
            long outputPadHeight = layer.OutputShape.Height - Full(layer.InputShape.Height, window.KernelHeight, window) + top + bottom;
            long outputPadWidth = layer.OutputShape.Width - Full(layer.InputShape.Width, window.KernelWidth, window) + left + right;
            text += $", outputPadHeight: {outputPadHeight}, outputPadWidth: {outputPadWidth}";
        }
        if (spec.Kind == LayerKind.SeparableConv2D) text += $", depthMultiplier: {window.DepthMultiplier}";
        return text + ")";
    }

    /// <summary>A transposed convolution's full output along one axis, before any padding is removed: (W − 1)·S + D·(K − 1) + 1.</summary>
    private static long Full(int input, int kernel, WindowSpec window) => (long)(input - 1) * window.Stride + (long)window.Dilation * (kernel - 1) + 1;
}
