using System.Collections.Generic;
using Compiled.Generator.Emit;
using Compiled.Generator.Model;
using Compiled.Generator.Planning;

namespace Compiled.Generator.Layers;

/// <summary>An activation as its own layer: y = f(x), elementwise (softmax: per sample). No parameters.</summary>
internal sealed class ActivationUnit : LayerUnit
{
    public override LongShape? OutputShape(LayerSpec spec, Shape input, int index, List<PlanError> errors) => LongShape.Of(input);

    public override void PlanBuffers(LayerPlan layer, ref int slab)
    {
        layer.Output = new BufferPlan(layer.Id + "Output", layer.OutputSize, slab);
        slab += layer.OutputSize;
    }

    public override string Describe(LayerPlan layer) =>
        $"Activation '{layer.Spec.Name}' {layer.Spec.Activation} [{layer.OutputSize}]: {ActivationCode.Formula(layer.Spec.Activation, layer.Spec.Alpha).Replace("z", "x")}";

    public override string Signature(LayerPlan layer) => $"Activation({ActivationCode.Signature(layer.Spec.Activation, layer.Spec.Alpha)})";

    public override void EmitMembers(CodeWriter w, LayerPlan layer)
    {
        w.Line($"// {Describe(layer)}");
        w.Line($"private const int {BufferNames.OffsetConstant(layer.Output)} = {layer.Output.Offset}; // per sample, in the activation slab");
        w.Line();
    }

    public override void EmitTrainingForward(CodeWriter w, LayerPlan layer, EmitContext context)
    {
        w.Line($"// {Describe(layer)}");
        EmitApply(w, layer, context.Input, BufferNames.Span(layer.Output), context.Rows);
        w.Line();
    }

    public override bool RowLocal => true;

    private static void EmitApply(CodeWriter w, LayerPlan layer, string input, string output, string rows)
    {
        var act = layer.Spec.Activation;
        if (act == ActivationKind.Softmax)
            w.Line($"global::Compiled.Kernels.ActivationMath.Softmax({input}, {output}, {rows}, {layer.OutputSize});");
        else if (act == ActivationKind.Identity)
            w.Line($"{input}.CopyTo({output});");
        else
            ActivationCode.EmitLoop(w, $"{rows} * {layer.OutputSize}", new[] { ("x", input), ("y", output) }, "y",
                e => ActivationCode.Forward(act, layer.Spec.Alpha, e("x")));
    }

    public override void EmitBackward(CodeWriter w, LayerPlan layer, EmitContext context)
    {
        var act = layer.Spec.Activation;
        if (context.InputDelta is not { } dx)
        {
            w.Line($"// Backward of '{layer.Spec.Name}': nothing to do (its input is the network input).");
            w.Line();
            return;
        }
        string y = BufferNames.Span(layer.Output), dy = BufferNames.Delta(layer.Output);
        if (layer.ActivationFusedIntoLoss)
        {
            w.Line($"// Backward of '{layer.Spec.Name}': dx = dy (the loss already gave ∂L/∂x through the {act})");
            w.Line($"{dy}.CopyTo({dx});");
        }
        else if (act == ActivationKind.Softmax)
        {
            w.Line($"// Backward of '{layer.Spec.Name}': {ActivationCode.DerivativeFormula(act).Replace("dz", "dx")}, per sample");
            w.Line($"global::Compiled.Kernels.ActivationMath.SoftmaxBackward({y}, {dy}, {dx}, {context.Rows}, {layer.OutputSize});");
        }
        else if (act == ActivationKind.Identity)
        {
            w.Line($"// Backward of '{layer.Spec.Name}': dx = dy");
            w.Line($"{dy}.CopyTo({dx});");
        }
        else
        {
            w.Line($"// Backward of '{layer.Spec.Name}': {ActivationCode.DerivativeFormula(act).Replace("dz", "dx")} (z is this layer's input x)");
            ActivationCode.EmitLoop(w, $"{context.Rows} * {layer.OutputSize}", new[] { ("x", context.Input), ("y", y), ("dy", dy), ("dx", dx) }, "dx",
                e => ActivationCode.Backward(act, layer.Spec.Alpha, e("x"), e("y"), e("dy")));
        }
        w.Line();
    }

    public override void EmitInferenceForward(CodeWriter w, LayerPlan layer, InferenceContext context)
    {
        string output = Naming.Camel(layer.Id) + "Y";
        w.Line($"// {Describe(layer)}");
        w.Line($"global::System.Span<float> {output} = {context.NextBuffer()}.Slice(0, rows * {layer.OutputSize});");
        EmitApply(w, layer, "x", output, "rows");
        w.Line($"x = {output};");
        w.Line();
    }
}
