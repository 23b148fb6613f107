using System.Collections.Generic;
using Compiled.Generator.Emit;
using Compiled.Generator.Model;
using Compiled.Generator.Planning;

namespace Compiled.Generator.Layers;

/// <summary>
/// LayerNorm (PyTorch's nn.LayerNorm with normalized_shape = the sample's whole shape): each sample's values, a
/// vector's features or an image's C×H×W, normalized by their own mean and biased variance, then scaled and shifted
/// elementwise by γ (the weight, starting at 1) and β (the bias), one per value. The same in training and inference;
/// no state. Backward recomputes the statistics from the layer's input, so it keeps nothing but its output.
/// </summary>
internal sealed class LayerNormUnit : LayerUnit
{
    public override LongShape? OutputShape(LayerSpec spec, Shape input, int index, List<PlanError> errors) => LongShape.Of(input);

    public override long ParameterCount(LayerSpec spec, Shape input, Shape output) => 2 * input.LongSize;

    public override void PlanParameters(LayerPlan layer)
    {
        layer.WeightCount = layer.InputSize;
        layer.BiasCount = layer.InputSize;
    }

    private static int[] Dimensions(Shape shape) => shape.IsImage ? new[] { shape.Channels, shape.Height, shape.Width } : new[] { shape.Channels };

    /// <summary>weight (γ) and bias (β), each of the sample's shape: [F] or [C, H, W].</summary>
    public override IEnumerable<TensorEntry> Tensors(LayerPlan layer)
    {
        yield return TensorEntry.Parameter(layer, "weight", layer.Id + "WeightsOffset", Dimensions(layer.InputShape));
        yield return TensorEntry.Parameter(layer, "bias", layer.Id + "BiasOffset", Dimensions(layer.InputShape));
    }

    public override void PlanBuffers(LayerPlan layer, ref int slab)
    {
        layer.Output = new BufferPlan(layer.Id + "Output", layer.OutputSize, slab);
        slab += layer.OutputSize;
    }

    private static string Epsilon(LayerPlan layer) => CodeWriter.Float(layer.Spec.Epsilon);

    public override string Describe(LayerPlan layer) =>
        $"LayerNorm '{layer.Spec.Name}' {layer.InputShape}, over each sample's {layer.InputSize} values: y = γ ⊙ (x − μ)/√(σ² + ε) + β, ε = {Epsilon(layer).TrimEnd('f')}";

    public override string Signature(LayerPlan layer) => $"LayerNorm({layer.InputSize},{Epsilon(layer).TrimEnd('f')})";

    public override void EmitMembers(CodeWriter w, LayerPlan layer)
    {
        string id = layer.Id;
        int size = layer.InputSize;
        w.Line($"// {Describe(layer)}");
        WindowLayers.EmitShapeConstants(w, layer);
        w.Line($"/// <summary>Parameters of '{layer.Spec.Name}': γ then β, one of each per normalized value.</summary>");
        w.Line($"public const int {id}ParameterCount = {layer.ParameterCount};");
        w.Line($"private const int {id}WeightsOffset = {layer.ParameterOffset}, {id}WeightsCount = {size};");
        w.Line($"private const int {id}BiasOffset = {layer.BiasOffset};");
        w.Line($"private const int {BufferNames.OffsetConstant(layer.Output)} = {layer.Output.Offset}; // per sample, in the activation slab");
        w.Line();
        string count = size.ToString(System.Globalization.CultureInfo.InvariantCulture);
        EmitParameterViews(w, layer, "Weights", id + "WeightsOffset", count, "γ (the scale, PyTorch's weight)", layer.InputShape.ToString());
        EmitParameterViews(w, layer, "Bias", id + "BiasOffset", count, "β (the shift, PyTorch's bias)", layer.InputShape.ToString());
        w.Line();
    }

    public override void EmitInitialization(CodeWriter w, LayerPlan layer, NetworkPlan plan)
    {
        w.Line($"// '{layer.Spec.Name}': γ = 1, β = 0");
        w.Line($"{layer.Id}Weights.Fill(1f);");
    }

    public override void EmitTrainingForward(CodeWriter w, LayerPlan layer, EmitContext context)
    {
        w.Line($"// {Describe(layer)}");
        w.Line($"global::Compiled.Kernels.LayerNormalization.Forward(batch, {layer.InputSize}, {context.Input}, {layer.Id}Weights, {layer.Id}Bias, {Epsilon(layer)}, {BufferNames.Span(layer.Output)});");
        w.Line();
    }

    public override void EmitBackward(CodeWriter w, LayerPlan layer, EmitContext context)
    {
        string id = layer.Id;
        w.Line($"// Backward of '{layer.Spec.Name}' (μ, σ² recomputed from x): ∂β = Σ dy, ∂γ = Σ dy ⊙ x̂{(context.InputDelta is null ? "" : ", g = γ ⊙ dy, dx = (g − mean(g) − x̂·mean(g ⊙ x̂))/σ")}");
        w.Line($"global::Compiled.Kernels.LayerNormalization.Backward(batch, {layer.InputSize}, {context.Input}, {BufferNames.Delta(layer.Output)}, {id}Weights, {Epsilon(layer)},");
        w.Line($"    new global::System.Span<float>(_gradients, {id}WeightsOffset, {layer.InputSize}), new global::System.Span<float>(_gradients, {id}BiasOffset, {layer.InputSize}),");
        w.Line($"    {context.InputDelta ?? "global::System.Span<float>.Empty"});");
        w.Line();
    }

    public override void EmitInferenceForward(CodeWriter w, LayerPlan layer, InferenceContext context) =>
        EmitInferenceCall(w, layer, context, output =>
            $"global::Compiled.Kernels.LayerNormalization.Forward(rows, {layer.InputSize}, x, {layer.Id}Weights, {layer.Id}Bias, {Epsilon(layer)}, {output});");
}
