using System.Collections.Generic;
using Compiled.Generator.Emit;
using Compiled.Generator.Model;
using Compiled.Generator.Planning;

namespace Compiled.Generator.Layers;

/// <summary>
/// SeparableConv2D: a depthwise convolution h = Wd ⊛ x (groups = channels, m kernels per channel, no bias)
/// then a pointwise 1×1 convolution z = Wp·h + b, y = f(z). Weights: depthwise [C·m, 1, kH, kW], pointwise
/// [F, C·m, 1, 1], then b [F]. h is kept for backward (the layer's hidden buffer); both steps run on the
/// runtime's Convolution kernels (direct loops for the depthwise step, the SGEMM for the pointwise one).
/// </summary>
internal sealed class SeparableConv2DUnit : LayerUnit
{
    public override LongShape? OutputShape(LayerSpec spec, Shape input, int index, List<PlanError> errors)
    {
        if (!WindowLayers.RequireImage(spec, input, index, errors)) return null;
        if (WindowLayers.Axes(spec, input, index, errors) is not { } axes) return null;
        return LongShape.Image(spec.Units, axes.Height.Output, axes.Width.Output);
    }

    private static long DepthwiseChannels(LayerSpec spec, Shape input) => (long)input.Channels * spec.Window!.DepthMultiplier;

    private static long DepthwiseCount(LayerSpec spec, Shape input) =>
        DepthwiseChannels(spec, input) * spec.Window!.KernelHeight * spec.Window.KernelWidth;

    public override long ParameterCount(LayerSpec spec, Shape input, Shape output) =>
        DepthwiseCount(spec, input) + DepthwiseChannels(spec, input) * spec.Units + (spec.Window!.Bias ? spec.Units : 0);

    public override void PlanParameters(LayerPlan layer)
    {
        layer.WeightCount = (int)(DepthwiseCount(layer.Spec, layer.InputShape) + DepthwiseChannels(layer.Spec, layer.InputShape) * layer.Spec.Units);
        layer.BiasCount = layer.Spec.Window!.Bias ? layer.Spec.Units : 0;
    }

    /// <summary>
    /// As a torch module with two children: depthwise (Conv2d groups = C, no bias) then pointwise (1×1 Conv2d):
    /// depthwise.weight [C·m, 1, kH, kW], pointwise.weight [F, C·m, 1, 1], pointwise.bias [F] if any.
    /// </summary>
    public override IEnumerable<TensorEntry> Tensors(LayerPlan layer)
    {
        var window = layer.Spec.Window!;
        int hidden = (int)DepthwiseChannels(layer.Spec, layer.InputShape), filters = layer.OutputShape.Channels;
        yield return TensorEntry.Parameter(layer, "depthwise.weight", layer.Id + "WeightsOffset", hidden, 1, window.KernelHeight, window.KernelWidth);
        yield return TensorEntry.Parameter(layer, "pointwise.weight", $"{layer.Id}WeightsOffset + {layer.Id}DepthwiseSize", filters, hidden, 1, 1);
        if (window.Bias) yield return TensorEntry.Parameter(layer, "pointwise.bias", layer.Id + "BiasOffset", filters);
    }

    /// <summary>The depthwise output: C·m channels of the output's height and width.</summary>
    private static int HiddenSize(LayerPlan layer) =>
        (int)DepthwiseChannels(layer.Spec, layer.InputShape) * layer.OutputShape.Height * layer.OutputShape.Width;

    public override void PlanBuffers(LayerPlan layer, ref int slab)
    {
        layer.Hidden = new BufferPlan(layer.Id + "Depthwise", HiddenSize(layer), slab);
        slab += HiddenSize(layer);
        FusedActivation.PlanBuffers(layer, ref slab);
    }

    public override string Describe(LayerPlan layer)
    {
        var w = layer.Spec.Window!;
        var act = layer.Spec.Activation;
        string b = w.Bias ? " + b" : "";
        string math = act == ActivationKind.Identity
            ? $"h = Wd ⊛ x per channel; y = Wp·h{b}"
            : $"h = Wd ⊛ x per channel; z = Wp·h{b}; {ActivationCode.Formula(act, layer.Spec.Alpha)}";
        string multiplier = w.DepthMultiplier != 1 ? $" × {w.DepthMultiplier}" : "";
        return $"SeparableConv2D '{layer.Spec.Name}' {layer.InputShape}→{layer.OutputShape}, depthwise {w.KernelHeight}×{w.KernelWidth}{multiplier}, stride {w.Stride}, {WindowLayers.PaddingText(layer)}{(w.Dilation != 1 ? $", dilation {w.Dilation}" : "")}, then 1×1{(act == ActivationKind.Identity ? "" : ", " + act)}: {math}";
    }

    public override string Signature(LayerPlan layer)
    {
        var w = layer.Spec.Window!;
        var (top, left) = WindowLayers.Padding(layer);
        return $"SeparableConv2D({layer.Spec.Units},{w.KernelHeight}x{w.KernelWidth}x{w.DepthMultiplier},s{w.Stride},p{top}/{left},d{w.Dilation},{(w.Bias ? "bias" : "nobias")},{ActivationCode.Signature(layer.Spec.Activation, layer.Spec.Alpha)})";
    }

    public override void EmitMembers(CodeWriter w, LayerPlan layer)
    {
        string id = layer.Id;
        var window = layer.Spec.Window!;
        var input = layer.InputShape;
        var output = layer.OutputShape;
        int hidden = (int)DepthwiseChannels(layer.Spec, input);
        int depthwiseCount = (int)DepthwiseCount(layer.Spec, input);
        var (top, left) = WindowLayers.Padding(layer);
        w.Line($"// {Describe(layer)}");
        WindowLayers.EmitShapeConstants(w, layer);
        w.Line($"/// <summary>Parameters of '{layer.Spec.Name}': depthwise weights, pointwise weights, then bias.</summary>");
        w.Line($"public const int {id}ParameterCount = {layer.ParameterCount};");
        w.Line($"private const int {id}WeightsOffset = {layer.ParameterOffset}, {id}WeightsCount = {layer.WeightCount}, {id}DepthwiseSize = {depthwiseCount};");
        if (window.Bias) w.Line($"private const int {id}BiasOffset = {layer.BiasOffset};");
        w.Line($"private const int {BufferNames.OffsetConstant(layer.Hidden!)} = {layer.Hidden!.Offset}; // per sample: the depthwise output h");
        if (layer.PreActivation is { } z) w.Line($"private const int {BufferNames.OffsetConstant(z)} = {z.Offset}; // per sample, in the activation slab");
        w.Line($"private const int {BufferNames.OffsetConstant(layer.Output)} = {layer.Output.Offset}; // per sample, in the activation slab");
        w.Line($"private static readonly global::Compiled.Kernels.ConvGeometry {id}DepthwiseGeometry = new global::Compiled.Kernels.ConvGeometry(");
        w.Line($"    inChannels: {input.Channels}, inHeight: {input.Height}, inWidth: {input.Width}, outChannels: {hidden},");
        w.Line($"    kernelHeight: {window.KernelHeight}, kernelWidth: {window.KernelWidth}, strideHeight: {window.Stride}, strideWidth: {window.Stride},");
        w.Line($"    padTop: {top}, padLeft: {left}, dilationHeight: {window.Dilation}, dilationWidth: {window.Dilation}, groups: {input.Channels},");
        w.Line($"    outHeight: {output.Height}, outWidth: {output.Width});");
        w.Line($"private static readonly global::Compiled.Kernels.ConvGeometry {id}PointwiseGeometry = new global::Compiled.Kernels.ConvGeometry(");
        w.Line($"    inChannels: {hidden}, inHeight: {output.Height}, inWidth: {output.Width}, outChannels: {output.Channels},");
        w.Line("    kernelHeight: 1, kernelWidth: 1, strideHeight: 1, strideWidth: 1, padTop: 0, padLeft: 0, dilationHeight: 1, dilationWidth: 1, groups: 1,");
        w.Line($"    outHeight: {output.Height}, outWidth: {output.Width});");
        w.Line();
        w.Line($"/// <summary>All weights of '{layer.Spec.Name}': <see cref=\"{id}DepthwiseWeights\"/> then <see cref=\"{id}PointwiseWeights\"/>.</summary>");
        w.Line($"public global::System.Span<float> {id}Weights => new global::System.Span<float>(_parameters, {id}WeightsOffset, {id}WeightsCount);");
        w.Line($"/// <summary>Depthwise weights of '{layer.Spec.Name}', [{hidden} × 1 × {window.KernelHeight} × {window.KernelWidth}].</summary>");
        w.Line($"public global::System.Span<float> {id}DepthwiseWeights => new global::System.Span<float>(_parameters, {id}WeightsOffset, {id}DepthwiseSize);");
        w.Line($"/// <summary>Pointwise weights of '{layer.Spec.Name}', [{output.Channels} × {hidden} × 1 × 1].</summary>");
        w.Line($"public global::System.Span<float> {id}PointwiseWeights => new global::System.Span<float>(_parameters, {id}WeightsOffset + {id}DepthwiseSize, {id}WeightsCount - {id}DepthwiseSize);");
        WindowLayers.EmitGradientAndBiasViews(w, layer);
    }

    public override void EmitInitialization(CodeWriter w, LayerPlan layer, NetworkPlan plan)
    {
        var window = layer.Spec.Window!;
        int area = window.KernelHeight * window.KernelWidth;
        int hidden = (int)DepthwiseChannels(layer.Spec, layer.InputShape);
        WeightInitialization.Emit(w, layer, plan, area, hidden * area, layer.Id + "DepthwiseWeights", "depthwise");
        WeightInitialization.Emit(w, layer, plan, hidden, layer.OutputShape.Channels, layer.Id + "PointwiseWeights", "pointwise");
    }

    private static string Depthwise(LayerPlan layer, string buffer = "_parameters") =>
        $"new global::System.Span<float>({buffer}, {layer.Id}WeightsOffset, {layer.Id}DepthwiseSize)";

    private static string Pointwise(LayerPlan layer, string buffer = "_parameters") =>
        $"new global::System.Span<float>({buffer}, {layer.Id}WeightsOffset + {layer.Id}DepthwiseSize, {layer.Id}WeightsCount - {layer.Id}DepthwiseSize)";

    private static string Bias(LayerPlan layer, string buffer = "_parameters") => layer.Spec.Window!.Bias
        ? $"new global::System.Span<float>({buffer}, {layer.Id}BiasOffset, {layer.OutputShape.Channels})"
        : "global::System.Span<float>.Empty";

    public override void EmitTrainingForward(CodeWriter w, LayerPlan layer, EmitContext context)
    {
        string id = layer.Id;
        string h = BufferNames.Span(layer.Hidden!);
        w.Line($"// {Describe(layer)}");
        w.Line($"global::Compiled.Kernels.Convolution.Forward(in {id}DepthwiseGeometry, batch, {context.Input}, {Depthwise(layer)}, global::System.Span<float>.Empty, {h});");
        w.Line($"global::Compiled.Kernels.Convolution.Forward(in {id}PointwiseGeometry, batch, {h}, {Pointwise(layer)}, {Bias(layer)}, {BufferNames.Span(layer.PreActivation ?? layer.Output)});");
        FusedActivation.EmitForward(w, layer, $"{id}OutputSize", "batch");
        w.Line();
    }

    public override void EmitBackward(CodeWriter w, LayerPlan layer, EmitContext context)
    {
        string id = layer.Id;
        string dy = BufferNames.Delta(layer.Output), h = BufferNames.Span(layer.Hidden!), dh = BufferNames.Delta(layer.Hidden!);
        w.Line($"// Backward of '{layer.Spec.Name}' (SeparableConv2D {layer.InputShape}→{layer.OutputShape})");
        FusedActivation.EmitBackward(w, layer, $"{id}OutputSize");
        w.Line("//   pointwise: ∂Wp = Σ dz·hᵀ, ∂b = Σ dz, ∂h = Wpᵀ·dz");
        w.Line($"global::Compiled.Kernels.Convolution.BackwardWeights(in {id}PointwiseGeometry, batch, {h}, {dy}, {Pointwise(layer, "_gradients")}, {Bias(layer, "_gradients")});");
        w.Line($"global::Compiled.Kernels.Convolution.BackwardInput(in {id}PointwiseGeometry, batch, {dy}, {Pointwise(layer)}, {dh});");
        w.Line("//   depthwise: ∂Wd per channel from x and ∂h");
        w.Line($"global::Compiled.Kernels.Convolution.BackwardWeights(in {id}DepthwiseGeometry, batch, {context.Input}, {dh}, {Depthwise(layer, "_gradients")}, global::System.Span<float>.Empty);");
        if (context.InputDelta is { } dx)
            w.Line($"global::Compiled.Kernels.Convolution.BackwardInput(in {id}DepthwiseGeometry, batch, {dh}, {Depthwise(layer)}, {dx});");
        else
            w.Line("//   (no ∂x: the network input needs no gradient)");
        w.Line();
    }

    public override void EmitInferenceForward(CodeWriter w, LayerPlan layer, InferenceContext context)
    {
        string id = layer.Id;
        string h = Naming.Camel(id) + "H", output = Naming.Camel(id) + "Y";
        w.Line($"// {Describe(layer)}");
        w.Line($"global::System.Span<float> {h} = {context.NextBuffer()}.Slice(0, rows * {HiddenSize(layer)});");
        w.Line($"global::Compiled.Kernels.Convolution.Forward(in {id}DepthwiseGeometry, rows, x, {Depthwise(layer)}, global::System.Span<float>.Empty, {h});");
        w.Line("// (x is no longer needed: the pointwise output may take its half of the scratch)");
        w.Line($"global::System.Span<float> {output} = {context.NextBuffer()}.Slice(0, rows * {id}OutputSize);");
        w.Line($"global::Compiled.Kernels.Convolution.Forward(in {id}PointwiseGeometry, rows, {h}, {Pointwise(layer)}, {Bias(layer)}, {output});");
        FusedActivation.EmitInPlace(w, layer, output, $"{id}OutputSize", "rows");
        w.Line($"x = {output};");
        w.Line();
    }
}
