using System.Collections.Generic;
using Compiled.Generator.Emit;
using Compiled.Generator.Model;
using Compiled.Generator.Planning;

namespace Compiled.Generator.Layers;

/// <summary>
/// Inverted dropout: training draws a mask m (1/keep with probability keep, else 0) and gives y = x ⊙ m;
/// backward gives dx = dy ⊙ m; inference is the identity (no code at all).
/// </summary>
internal sealed class DropoutUnit : LayerUnit
{
    public override LongShape? OutputShape(LayerSpec spec, Shape input, int index, List<PlanError> errors) => LongShape.Of(input);

    public override void PlanBuffers(LayerPlan layer, ref int slab)
    {
        layer.Mask = new BufferPlan(layer.Id + "Mask", layer.OutputSize, slab);
        slab += layer.OutputSize;
        layer.Output = new BufferPlan(layer.Id + "Output", layer.OutputSize, slab);
        slab += layer.OutputSize;
    }

    private static float Keep(LayerPlan layer) => (float)(1 - layer.Spec.Rate);

    public override string Describe(LayerPlan layer) =>
        $"Dropout '{layer.Spec.Name}' p = {CodeWriter.Float(layer.Spec.Rate).TrimEnd('f')} [{layer.OutputSize}]: y = x ⊙ m, m ~ Bernoulli({CodeWriter.Float(Keep(layer)).TrimEnd('f')}) / {CodeWriter.Float(Keep(layer)).TrimEnd('f')}";

    public override string Signature(LayerPlan layer) => "Dropout";

    public override void EmitMembers(CodeWriter w, LayerPlan layer)
    {
        w.Line($"// {Describe(layer)}");
        w.Line($"private const int {BufferNames.OffsetConstant(layer.Mask!)} = {layer.Mask!.Offset}, {BufferNames.OffsetConstant(layer.Output)} = {layer.Output.Offset}; // per sample, in the activation slab");
        w.Line();
    }

    public override void EmitTrainingForward(CodeWriter w, LayerPlan layer, EmitContext context)
    {
        w.Line($"// {Describe(layer)}");
        if (context.DropoutKey is { } key)
        {
            w.Line(context.RowSection ? "//   these samples' part of the batch's mask, from the layer's draw for this step" : "//   the mask from the layer's draw for this step");
            w.Line($"global::Compiled.Kernels.LayerKernels.DropoutForward({context.Input}, {BufferNames.Span(layer.Output)}, {BufferNames.Span(layer.Mask!)}, {CodeWriter.Float(Keep(layer))}, {key}, {(context.RowSection ? $"start * {layer.OutputSize}" : "0")});");
        }
        else
        {
            w.Line($"global::Compiled.Kernels.LayerKernels.DropoutForward({context.Input}, {BufferNames.Span(layer.Output)}, {BufferNames.Span(layer.Mask!)}, {CodeWriter.Float(Keep(layer))}, _dropoutRng);");
        }
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
            w.Line($"// Backward of '{layer.Spec.Name}': dx = dy ⊙ m");
            w.Line($"global::Compiled.Kernels.LayerKernels.Multiply({BufferNames.Delta(layer.Output)}, {BufferNames.Span(layer.Mask!)}, {dx});");
        }
        w.Line();
    }

    public override void EmitInferenceForward(CodeWriter w, LayerPlan layer, InferenceContext context)
    {
        w.Line($"// {Describe(layer)}: identity at inference");
        w.Line();
    }
}
