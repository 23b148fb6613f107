using System.Collections.Generic;
using Compiled.Generator.Emit;
using Compiled.Generator.Model;
using Compiled.Generator.Planning;

namespace Compiled.Generator.Layers;

/// <summary>
/// PReLU (PyTorch's nn.PReLU): y = x for x &gt; 0, a·x otherwise, elementwise, with a learned slope per channel of
/// an image (per feature of a vector), or one shared slope (<see cref="LayerSpec.Units"/> = 1). The slopes are
/// the layer's weight, [C] or [1], starting at <see cref="LayerSpec.InitialValue"/>; no bias. A layer rather than
/// an <c>Activation</c> value: it has parameters with a state_dict name of their own (<c>prelu1.weight</c>) and is
/// a module of its own in PyTorch, and it can follow any layer (a convolution, a BatchNorm, a Dense).
/// </summary>
internal sealed class PReLUUnit : LayerUnit
{
    private static int Slopes(LayerSpec spec, Shape input) => spec.Units == 1 ? 1 : input.Channels;

    public override LongShape? OutputShape(LayerSpec spec, Shape input, int index, List<PlanError> errors) => LongShape.Of(input);

    public override long ParameterCount(LayerSpec spec, Shape input, Shape output) => Slopes(spec, input);

    public override void PlanParameters(LayerPlan layer) => layer.WeightCount = Slopes(layer.Spec, layer.InputShape);

    /// <summary>weight (the slopes), [C] or [1], as nn.PReLU's.</summary>
    public override IEnumerable<TensorEntry> Tensors(LayerPlan layer)
    {
        yield return TensorEntry.Parameter(layer, "weight", layer.Id + "WeightsOffset", layer.WeightCount);
    }

    public override void PlanBuffers(LayerPlan layer, ref int slab)
    {
        layer.Output = new BufferPlan(layer.Id + "Output", layer.OutputSize, slab);
        slab += layer.OutputSize;
    }

    private static int Plane(LayerPlan layer) => layer.InputShape.Height * layer.InputShape.Width;

    private static string Slopes(LayerPlan layer) => layer.WeightCount == 1
        ? "one shared slope a"
        : $"a slope a[c] per {(layer.InputShape.IsImage ? "channel" : "feature")}";

    public override string Describe(LayerPlan layer) =>
        $"PReLU '{layer.Spec.Name}' {layer.InputShape}, {Slopes(layer)}: y = x > 0 ? x : a·x";

    public override string Signature(LayerPlan layer) => $"PReLU({layer.WeightCount})";

    public override void EmitMembers(CodeWriter w, LayerPlan layer)
    {
        string id = layer.Id;
        w.Line($"// {Describe(layer)}");
        WindowLayers.EmitShapeConstants(w, layer);
        w.Line($"/// <summary>Parameters of '{layer.Spec.Name}': its slopes.</summary>");
        w.Line($"public const int {id}ParameterCount = {layer.ParameterCount};");
        w.Line($"private const int {id}WeightsOffset = {layer.ParameterOffset}, {id}WeightsCount = {layer.WeightCount};");
        w.Line($"private const int {BufferNames.OffsetConstant(layer.Output)} = {layer.Output.Offset}; // per sample, in the activation slab");
        w.Line();
        EmitParameterViews(w, layer, "Weights", id + "WeightsOffset", id + "WeightsCount", "a (the slopes, PyTorch's weight)", $"[{layer.WeightCount}]");
        w.Line();
    }

    public override void EmitInitialization(CodeWriter w, LayerPlan layer, NetworkPlan plan)
    {
        w.Line($"// '{layer.Spec.Name}': every slope {CodeWriter.Float(layer.Spec.InitialValue).TrimEnd('f')} (no draw from rng)");
        w.Line($"{layer.Id}Weights.Fill({CodeWriter.Float(layer.Spec.InitialValue)});");
    }

    public override void EmitTrainingForward(CodeWriter w, LayerPlan layer, EmitContext context)
    {
        w.Line($"// {Describe(layer)}");
        w.Line($"global::Compiled.Kernels.ParametricRelu.Forward(batch, {layer.InputShape.Channels}, {Plane(layer)}, {context.Input}, {layer.Id}Weights, {BufferNames.Span(layer.Output)});");
        w.Line();
    }

    public override void EmitBackward(CodeWriter w, LayerPlan layer, EmitContext context)
    {
        string id = layer.Id;
        w.Line($"// Backward of '{layer.Spec.Name}': ∂a = Σ over x ≤ 0 of dy·x{(context.InputDelta is null ? "" : ", dx = x > 0 ? dy : a·dy")}");
        w.Line($"global::Compiled.Kernels.ParametricRelu.Backward(batch, {layer.InputShape.Channels}, {Plane(layer)}, {context.Input}, {BufferNames.Delta(layer.Output)},");
        w.Line($"    {id}Weights, new global::System.Span<float>(_gradients, {id}WeightsOffset, {id}WeightsCount), {context.InputDelta ?? "global::System.Span<float>.Empty"});");
        w.Line();
    }

    public override void EmitInferenceForward(CodeWriter w, LayerPlan layer, InferenceContext context) =>
        EmitInferenceCall(w, layer, context, output =>
            $"global::Compiled.Kernels.ParametricRelu.Forward(rows, {layer.InputShape.Channels}, {Plane(layer)}, x, {layer.Id}Weights, {output});");
}
