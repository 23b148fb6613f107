using System.Collections.Generic;
using System.Globalization;
using Compiled.Generator.Emit;
using Compiled.Generator.Model;
using Compiled.Generator.Planning;

namespace Compiled.Generator.Layers;

/// <summary>What convolution and pooling layers share: the image checks, the shape rule and the shape constants.</summary>
internal static class WindowLayers
{
    /// <summary>"Conv2D 'conv1'", for messages.</summary>
    public static string Title(LayerSpec spec) => $"{spec.Kind} '{spec.Name}'";

    /// <summary>Adds CMP024 and returns false when <paramref name="input"/> is not an image.</summary>
    public static bool RequireImage(LayerSpec spec, Shape input, int index, List<PlanError> errors)
    {
        if (input.IsImage) return true;
        errors.Add(new PlanError(index, DiagnosticDescriptors.NeedsImage.Id, Title(spec), input.ToString()));
        return false;
    }

    /// <summary>The output height and width of the window over <paramref name="input"/>, or null after CMP025.</summary>
    public static (WindowAxis Height, WindowAxis Width)? Axes(LayerSpec spec, Shape input, int index, List<PlanError> errors)
    {
        var (height, width) = Resolve(spec, input);
        if (height.Output >= 1 && width.Output >= 1) return (height, width);
        errors.Add(new PlanError(index, DiagnosticDescriptors.WindowDoesNotFit.Id, Title(spec),
            string.Format(CultureInfo.InvariantCulture, "{0}×{1}", height.Output, width.Output), input.ToString(), Details(spec)));
        return null;
    }

    /// <summary>The window's two axes over <paramref name="input"/>: a convolution's or pooling's, or a transposed convolution's.</summary>
    public static (WindowAxis Height, WindowAxis Width) Resolve(LayerSpec spec, Shape input)
    {
        var w = spec.Window!;
        return spec.Kind == LayerKind.Conv2DTranspose
            ? (WindowMath.TransposedAxis(input.Height, w.KernelHeight, w.Stride, w.Dilation, w.Padding, w.PadHeight, w.OutputPad),
               WindowMath.TransposedAxis(input.Width, w.KernelWidth, w.Stride, w.Dilation, w.Padding, w.PadWidth, w.OutputPad))
            : (WindowMath.Height(w, input.Height), WindowMath.Width(w, input.Width));
    }

    /// <summary>"kernel 3×3, stride 1, padding 1×1, dilation 1" (pooling: "window 2×2, stride 2, padding 0×0").</summary>
    public static string Details(LayerSpec spec)
    {
        var w = spec.Window!;
        string padding = w.Padding == PaddingKind.Same ? "padding Same" : $"padding {w.PadHeight}×{w.PadWidth}";
        string dilation = w.Dilation != 1 ? $", dilation {w.Dilation}" : "";
        string groups = w.Groups != 1 ? $", groups {w.Groups}" : "";
        return $"{(spec.Kind is LayerKind.Conv2D or LayerKind.Conv2DTranspose or LayerKind.SeparableConv2D ? "kernel" : "window")} {w.KernelHeight}×{w.KernelWidth}, stride {w.Stride}, {padding}{dilation}{groups}";
    }

    /// <summary>The padding actually applied before the first row and column (Same resolves to TensorFlow's split).</summary>
    public static (int Top, int Left) Padding(LayerPlan layer)
    {
        var (h, w) = Resolve(layer.Spec, layer.InputShape);
        return ((int)h.PadBefore, (int)w.PadBefore);
    }

    /// <summary>Padding as written in comments: "pad 1", "pad 0/1 (same)".</summary>
    public static string PaddingText(LayerPlan layer)
    {
        var w = layer.Spec.Window!;
        var (h, x) = Resolve(layer.Spec, layer.InputShape);
        if (layer.Spec.Kind == LayerKind.Conv2DTranspose)
            return w.Padding == PaddingKind.Same
                ? "output = input × stride (same)"
                : $"pad {w.PadHeight}×{w.PadWidth}{(w.OutputPad > 0 ? $", output pad {w.OutputPad}" : "")}";
        string text = h.PadBefore == h.PadAfter && x.PadBefore == x.PadAfter && h.PadBefore == x.PadBefore
            ? $"pad {h.PadBefore}"
            : $"pad top {h.PadBefore} bottom {h.PadAfter} left {x.PadBefore} right {x.PadAfter}";
        return w.Padding == PaddingKind.Same ? text + " (same)" : text;
    }

    /// <summary>The public shape constants every image layer gets: output channels, height, width and size.</summary>
    public static void EmitShapeConstants(CodeWriter w, LayerPlan layer)
    {
        string id = layer.Id;
        var o = layer.OutputShape;
        if (o.IsImage)
        {
            w.Line($"/// <summary>Output shape of '{layer.Spec.Name}': {o}, channels × height × width.</summary>");
            w.Line($"public const int {id}OutputChannels = {o.Channels}, {id}OutputHeight = {o.Height}, {id}OutputWidth = {o.Width};");
        }
        w.Line($"/// <summary>Values per sample in the output of '{layer.Spec.Name}'{(o.IsImage ? "" : $", {o}")}.</summary>");
        w.Line($"public const int {id}OutputSize = {o.Size};");
    }

    /// <summary>
    /// The views every convolution shares after its weight views: ∂W, and, with a bias, b and ∂b (one per
    /// filter); then a blank line.
    /// </summary>
    public static void EmitGradientAndBiasViews(CodeWriter w, LayerPlan layer)
    {
        string id = layer.Id;
        int filters = layer.OutputShape.Channels;
        w.Line($"/// <summary>∂L/∂W of '{layer.Spec.Name}' after the last training step, laid out like <see cref=\"{id}Weights\"/>.</summary>");
        w.Line($"public global::System.ReadOnlySpan<float> {id}WeightsGradient => new global::System.Span<float>(_gradients, {id}WeightsOffset, {id}WeightsCount);");
        if (layer.Spec.Window!.Bias)
        {
            w.Line($"/// <summary>Bias of '{layer.Spec.Name}', one per filter [{filters}].</summary>");
            w.Line($"public global::System.Span<float> {id}Bias => new global::System.Span<float>(_parameters, {id}BiasOffset, {filters});");
            w.Line($"/// <summary>∂L/∂b of '{layer.Spec.Name}' after the last training step.</summary>");
            w.Line($"public global::System.ReadOnlySpan<float> {id}BiasGradient => new global::System.Span<float>(_gradients, {id}BiasOffset, {filters});");
        }
        w.Line();
    }
}
