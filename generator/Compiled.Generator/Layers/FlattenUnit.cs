using System.Collections.Generic;
using Compiled.Generator.Emit;
using Compiled.Generator.Model;
using Compiled.Generator.Planning;

namespace Compiled.Generator.Layers;

/// <summary>
/// Flatten: [C×H×W] → [C·H·W]. A sample is already stored in that order, so inference emits no code;
/// training copies into the layer's own region (and copies dy back), which keeps every layer's buffers
/// separate in the memory plan.
/// </summary>
internal sealed class FlattenUnit : LayerUnit
{
    public override LongShape? OutputShape(LayerSpec spec, Shape input, int index, List<PlanError> errors) => LongShape.Vector(input.LongSize);

    public override void PlanBuffers(LayerPlan layer, ref int slab)
    {
        layer.Output = new BufferPlan(layer.Id + "Output", layer.OutputSize, slab);
        slab += layer.OutputSize;
    }

    public override string Describe(LayerPlan layer) =>
        $"Flatten '{layer.Spec.Name}' {layer.InputShape}→{layer.OutputShape}: the same values, read as a vector";

    public override string Signature(LayerPlan layer) => "Flatten";

    public override void EmitMembers(CodeWriter w, LayerPlan layer)
    {
        w.Line($"// {Describe(layer)}");
        WindowLayers.EmitShapeConstants(w, layer);
        w.Line($"private const int {BufferNames.OffsetConstant(layer.Output)} = {layer.Output.Offset}; // per sample, in the activation slab");
        w.Line();
    }

    public override void EmitTrainingForward(CodeWriter w, LayerPlan layer, EmitContext context)
    {
        w.Line($"// {Describe(layer)}");
        w.Line($"{context.Input}.CopyTo({BufferNames.Span(layer.Output)});");
        w.Line();
    }

    public override bool RowLocal => true;

    public override void EmitBackward(CodeWriter w, LayerPlan layer, EmitContext context)
    {
        if (context.InputDelta is not { } dx)
        {
            w.Line($"// Backward of '{layer.Spec.Name}': nothing to do (its input is the network input).");
        }
        else
        {
            w.Line($"// Backward of '{layer.Spec.Name}': dx = dy");
            w.Line($"{BufferNames.Delta(layer.Output)}.CopyTo({dx});");
        }
        w.Line();
    }

    public override void EmitInferenceForward(CodeWriter w, LayerPlan layer, InferenceContext context)
    {
        w.Line($"// {Describe(layer)}: nothing to do at inference");
        w.Line();
    }
}
