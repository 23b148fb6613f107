using System.Collections.Generic;
using Compiled.Generator.Emit;
using Compiled.Generator.Model;
using Compiled.Generator.Planning;

namespace Compiled.Generator.Layers;

/// <summary>
/// MaxPool and AvgPool over square windows, per channel. Max pooling keeps the argmax of each output
/// (an int per output, stored in its region of the float slab) so that backward routes dy without
/// searching again; average pooling divides by the window's in-image count (padding is not counted).
/// </summary>
internal sealed class PoolUnit : LayerUnit
{
    public PoolUnit(bool max) => _max = max;

    private readonly bool _max;

    public override LongShape? OutputShape(LayerSpec spec, Shape input, int index, List<PlanError> errors)
    {
        if (!WindowLayers.RequireImage(spec, input, index, errors)) return null;
        if (WindowLayers.Axes(spec, input, index, errors) is not { } axes) return null;
        return LongShape.Image(input.Channels, axes.Height.Output, axes.Width.Output);
    }

    public override void PlanBuffers(LayerPlan layer, ref int slab)
    {
        if (_max)
        {
            layer.Mask = new BufferPlan(layer.Id + "Argmax", layer.OutputSize, slab);
            slab += layer.OutputSize;
        }
        layer.Output = new BufferPlan(layer.Id + "Output", layer.OutputSize, slab);
        slab += layer.OutputSize;
    }

    public override string Describe(LayerPlan layer)
    {
        var w = layer.Spec.Window!;
        string math = _max ? "y = the largest x in each window" : "y = the mean of the x in each window (padding not counted)";
        return $"{layer.Spec.Kind} '{layer.Spec.Name}' {layer.InputShape}→{layer.OutputShape}, {w.KernelHeight}×{w.KernelWidth}, stride {w.Stride}, {WindowLayers.PaddingText(layer)}: {math}";
    }

    public override string Signature(LayerPlan layer)
    {
        var w = layer.Spec.Window!;
        var (top, left) = WindowLayers.Padding(layer);
        return $"{layer.Spec.Kind}({w.KernelHeight}x{w.KernelWidth},s{w.Stride},p{top}/{left})";
    }

    public override void EmitMembers(CodeWriter w, LayerPlan layer)
    {
        string id = layer.Id;
        var window = layer.Spec.Window!;
        var input = layer.InputShape;
        var output = layer.OutputShape;
        var (top, left) = WindowLayers.Padding(layer);
        w.Line($"// {Describe(layer)}");
        WindowLayers.EmitShapeConstants(w, layer);
        if (layer.Mask is { } argmax) w.Line($"private const int {BufferNames.OffsetConstant(argmax)} = {argmax.Offset}; // per sample: the argmax of each output, as ints");
        w.Line($"private const int {BufferNames.OffsetConstant(layer.Output)} = {layer.Output.Offset}; // per sample, in the activation slab");
        w.Line($"private static readonly global::Compiled.Kernels.PoolGeometry {id}Geometry = new global::Compiled.Kernels.PoolGeometry(");
        w.Line($"    channels: {input.Channels}, inHeight: {input.Height}, inWidth: {input.Width}, windowHeight: {window.KernelHeight}, windowWidth: {window.KernelWidth},");
        w.Line($"    strideHeight: {window.Stride}, strideWidth: {window.Stride}, padTop: {top}, padLeft: {left}, outHeight: {output.Height}, outWidth: {output.Width});");
        w.Line();
    }

    private static string Argmax(LayerPlan layer) =>
        $"global::System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>({BufferNames.Span(layer.Mask!)})";

    public override void EmitTrainingForward(CodeWriter w, LayerPlan layer, EmitContext context)
    {
        w.Line($"// {Describe(layer)}");
        w.Line(_max
            ? $"global::Compiled.Kernels.Pooling.MaxForward(in {layer.Id}Geometry, batch, {context.Input}, {BufferNames.Span(layer.Output)}, {Argmax(layer)});"
            : $"global::Compiled.Kernels.Pooling.AvgForward(in {layer.Id}Geometry, batch, {context.Input}, {BufferNames.Span(layer.Output)});");
        w.Line();
    }

    public override void EmitBackward(CodeWriter w, LayerPlan layer, EmitContext context)
    {
        if (context.InputDelta is not { } dx)
        {
            w.Line($"// Backward of '{layer.Spec.Name}': nothing to do (its input is the network input).");
        }
        else if (_max)
        {
            w.Line($"// Backward of '{layer.Spec.Name}': dx = 0, then each dy goes to its window's argmax");
            w.Line($"global::Compiled.Kernels.Pooling.MaxBackward(in {layer.Id}Geometry, batch, {BufferNames.Delta(layer.Output)}, {Argmax(layer)}, {dx});");
        }
        else
        {
            w.Line($"// Backward of '{layer.Spec.Name}': each dy is shared equally by the inputs of its window");
            w.Line($"global::Compiled.Kernels.Pooling.AvgBackward(in {layer.Id}Geometry, batch, {BufferNames.Delta(layer.Output)}, {dx});");
        }
        w.Line();
    }

    public override void EmitInferenceForward(CodeWriter w, LayerPlan layer, InferenceContext context) =>
        EmitInferenceCall(w, layer, context, output => _max
            ? $"global::Compiled.Kernels.Pooling.MaxForward(in {layer.Id}Geometry, rows, x, {output}, global::System.Span<int>.Empty);"
            : $"global::Compiled.Kernels.Pooling.AvgForward(in {layer.Id}Geometry, rows, x, {output});");
}
