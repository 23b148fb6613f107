using System.Collections.Generic;
using Compiled.Generator.Emit;
using Compiled.Generator.Model;
using Compiled.Generator.Planning;

namespace Compiled.Generator.Layers;

/// <summary>GlobalAveragePool: [C×H×W] → [C], y[c] = mean of x[c, ·, ·]; backward spreads dy[c] / (H·W) over the plane.</summary>
internal sealed class GlobalAveragePoolUnit : LayerUnit
{
    public override LongShape? OutputShape(LayerSpec spec, Shape input, int index, List<PlanError> errors) =>
        WindowLayers.RequireImage(spec, input, index, errors) ? LongShape.Vector(input.Channels) : null;

    public override void PlanBuffers(LayerPlan layer, ref int slab)
    {
        layer.Output = new BufferPlan(layer.Id + "Output", layer.OutputSize, slab);
        slab += layer.OutputSize;
    }

    public override string Describe(LayerPlan layer) =>
        $"GlobalAveragePool '{layer.Spec.Name}' {layer.InputShape}→{layer.OutputShape}: y[c] = the mean of channel c";

    public override string Signature(LayerPlan layer) => "GlobalAveragePool";

    public override void EmitMembers(CodeWriter w, LayerPlan layer)
    {
        w.Line($"// {Describe(layer)}");
        WindowLayers.EmitShapeConstants(w, layer);
        w.Line($"private const int {BufferNames.OffsetConstant(layer.Output)} = {layer.Output.Offset}; // per sample, in the activation slab");
        w.Line();
    }

    private static string Plane(LayerPlan layer) => $"{layer.InputShape.Height * layer.InputShape.Width}";

    public override void EmitTrainingForward(CodeWriter w, LayerPlan layer, EmitContext context)
    {
        w.Line($"// {Describe(layer)}");
        w.Line($"global::Compiled.Kernels.Pooling.GlobalAverageForward(batch, {layer.InputShape.Channels}, {Plane(layer)}, {context.Input}, {BufferNames.Span(layer.Output)});");
        w.Line();
    }

    public override void EmitBackward(CodeWriter w, LayerPlan layer, EmitContext context)
    {
        if (context.InputDelta is not { } dx)
        {
            w.Line($"// Backward of '{layer.Spec.Name}': nothing to do (its input is the network input).");
        }
        else
        {
            w.Line($"// Backward of '{layer.Spec.Name}': dx[c, i, j] = dy[c] / {Plane(layer)}");
            w.Line($"global::Compiled.Kernels.Pooling.GlobalAverageBackward(batch, {layer.InputShape.Channels}, {Plane(layer)}, {BufferNames.Delta(layer.Output)}, {dx});");
        }
        w.Line();
    }

    public override void EmitInferenceForward(CodeWriter w, LayerPlan layer, InferenceContext context) =>
        EmitInferenceCall(w, layer, context, output =>
            $"global::Compiled.Kernels.Pooling.GlobalAverageForward(rows, {layer.InputShape.Channels}, {Plane(layer)}, x, {output});");
}
