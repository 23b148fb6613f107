using System.Collections.Generic;
using System.Globalization;
using Compiled.Generator.Emit;
using Compiled.Generator.Model;
using Compiled.Generator.Planning;

namespace Compiled.Generator.Layers;

/// <summary>
/// Conv2D: z[o, i, j] = b[o] + Σ W[o, c, u, v] · x[g·C/G + c, i·S − P + u·D, j·S − P + v·D], y = f(z), over
/// NCHW samples; W is stored [filters, channels/groups, kH, kW] (PyTorch's layout), then b. The runtime's
/// <c>Convolution</c> kernels do the products (im2col + the packed SGEMM); this unit emits the geometry as
/// a constant, the calls, and the activation around them.
/// </summary>
internal sealed class Conv2DUnit : LayerUnit
{
    public override LongShape? OutputShape(LayerSpec spec, Shape input, int index, List<PlanError> errors)
    {
        if (!WindowLayers.RequireImage(spec, input, index, errors)) return null;
        var window = spec.Window!;
        if (input.Channels % window.Groups != 0 || spec.Units % window.Groups != 0)
        {
            string what = input.Channels % window.Groups != 0
                ? $"its {input.Channels} input channels"
                : $"its {spec.Units} filters";
            errors.Add(new PlanError(index, DiagnosticDescriptors.GroupsDoNotDivide.Id, WindowLayers.Title(spec),
                window.Groups.ToString(CultureInfo.InvariantCulture), what));
            return null;
        }
        if (WindowLayers.Axes(spec, input, index, errors) is not { } axes) return null;
        return LongShape.Image(spec.Units, axes.Height.Output, axes.Width.Output);
    }

    public override long ParameterCount(LayerSpec spec, Shape input, Shape output) =>
        WeightCount(spec, input) + (spec.Window!.Bias ? spec.Units : 0);

    /// <summary>filters · channels/groups · kH · kW, in 64 bits.</summary>
    private static long WeightCount(LayerSpec spec, Shape input) =>
        (long)spec.Units * (input.Channels / spec.Window!.Groups) * spec.Window.KernelHeight * spec.Window.KernelWidth;

    public override void PlanParameters(LayerPlan layer)
    {
        layer.WeightCount = (int)WeightCount(layer.Spec, layer.InputShape);
        layer.BiasCount = layer.Spec.Window!.Bias ? layer.Spec.Units : 0;
    }

    public override void PlanBuffers(LayerPlan layer, ref int slab) => FusedActivation.PlanBuffers(layer, ref slab);

    private static string KernelText(LayerPlan layer)
    {
        var w = layer.Spec.Window!;
        string text = $"{w.KernelHeight}×{w.KernelWidth}, stride {w.Stride}, {WindowLayers.PaddingText(layer)}";
        if (w.Dilation != 1) text += $", dilation {w.Dilation}";
        if (w.Groups != 1) text += w.Groups == layer.InputShape.Channels ? $", depthwise (groups {w.Groups})" : $", groups {w.Groups}";
        if (!w.Bias) text += ", no bias";
        return text;
    }

    public override string Describe(LayerPlan layer)
    {
        var act = layer.Spec.Activation;
        string b = layer.Spec.Window!.Bias ? " + b" : "";
        string math = act == ActivationKind.Identity
            ? $"y = W ⊛ x{b}"
            : $"z = W ⊛ x{b}; {ActivationCode.Formula(act, layer.Spec.Alpha)}";
        return $"Conv2D '{layer.Spec.Name}' {layer.InputShape}→{layer.OutputShape}, {KernelText(layer)}{(act == ActivationKind.Identity ? "" : ", " + act)}: {math}";
    }

    public override string Signature(LayerPlan layer)
    {
        var w = layer.Spec.Window!;
        var (top, left) = WindowLayers.Padding(layer);
        return string.Format(CultureInfo.InvariantCulture, "Conv2D({0},{1}x{2},s{3},p{4}/{5},d{6},g{7},{8},{9})",
            layer.Spec.Units, w.KernelHeight, w.KernelWidth, w.Stride, top, left, w.Dilation, w.Groups,
            w.Bias ? "bias" : "nobias", ActivationCode.Signature(layer.Spec.Activation, layer.Spec.Alpha));
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
        w.Line($"/// <summary>Parameters of '{layer.Spec.Name}': weights then bias.</summary>");
        w.Line($"public const int {id}ParameterCount = {layer.ParameterCount};");
        w.Line($"private const int {id}WeightsOffset = {layer.ParameterOffset}, {id}WeightsCount = {layer.WeightCount};");
        if (window.Bias) w.Line($"private const int {id}BiasOffset = {layer.BiasOffset};");
        if (layer.PreActivation is { } z) w.Line($"private const int {BufferNames.OffsetConstant(z)} = {z.Offset}; // per sample, in the activation slab");
        w.Line($"private const int {BufferNames.OffsetConstant(layer.Output)} = {layer.Output.Offset}; // per sample, in the activation slab");
        w.Line($"private static readonly global::Compiled.Kernels.ConvGeometry {id}Geometry = new global::Compiled.Kernels.ConvGeometry(");
        w.Line($"    inChannels: {input.Channels}, inHeight: {input.Height}, inWidth: {input.Width}, outChannels: {output.Channels},");
        w.Line($"    kernelHeight: {window.KernelHeight}, kernelWidth: {window.KernelWidth}, strideHeight: {window.Stride}, strideWidth: {window.Stride},");
        w.Line($"    padTop: {top}, padLeft: {left}, dilationHeight: {window.Dilation}, dilationWidth: {window.Dilation}, groups: {window.Groups},");
        w.Line($"    outHeight: {output.Height}, outWidth: {output.Width});");
        w.Line();
        string dims = $"[{output.Channels} × {input.Channels / window.Groups} × {window.KernelHeight} × {window.KernelWidth}]";
        w.Line($"/// <summary>Weights of '{layer.Spec.Name}', {dims} (filters, channels per group, kernel rows, kernel columns), PyTorch's layout.</summary>");
        w.Line($"public global::System.Span<float> {id}Weights => new global::System.Span<float>(_parameters, {id}WeightsOffset, {id}WeightsCount);");
        w.Line($"/// <summary>∂L/∂W of '{layer.Spec.Name}' after the last training step, laid out like <see cref=\"{id}Weights\"/>.</summary>");
        w.Line($"public global::System.ReadOnlySpan<float> {id}WeightsGradient => new global::System.Span<float>(_gradients, {id}WeightsOffset, {id}WeightsCount);");
        if (window.Bias)
        {
            w.Line($"/// <summary>Bias of '{layer.Spec.Name}', one per filter [{output.Channels}].</summary>");
            w.Line($"public global::System.Span<float> {id}Bias => new global::System.Span<float>(_parameters, {id}BiasOffset, {output.Channels});");
            w.Line($"/// <summary>∂L/∂b of '{layer.Spec.Name}' after the last training step.</summary>");
            w.Line($"public global::System.ReadOnlySpan<float> {id}BiasGradient => new global::System.Span<float>(_gradients, {id}BiasOffset, {output.Channels});");
        }
        w.Line();
    }

    public override void EmitInitialization(CodeWriter w, LayerPlan layer, NetworkPlan plan)
    {
        var window = layer.Spec.Window!;
        int area = window.KernelHeight * window.KernelWidth;
        WeightInitialization.Emit(w, layer, plan, layer.InputShape.Channels / window.Groups * area, layer.OutputShape.Channels * area);
    }

    private static string Weights(LayerPlan layer, string buffer = "_parameters") =>
        $"new global::System.Span<float>({buffer}, {layer.Id}WeightsOffset, {layer.Id}WeightsCount)";

    private static string Bias(LayerPlan layer, string buffer = "_parameters") => layer.Spec.Window!.Bias
        ? $"new global::System.Span<float>({buffer}, {layer.Id}BiasOffset, {layer.OutputShape.Channels})"
        : "global::System.Span<float>.Empty";

    public override void EmitTrainingForward(CodeWriter w, LayerPlan layer, EmitContext context)
    {
        string id = layer.Id;
        string target = BufferNames.Span(layer.PreActivation ?? layer.Output);
        w.Line($"// {Describe(layer)}");
        w.Line($"global::Compiled.Kernels.Convolution.Forward(in {id}Geometry, batch, {context.Input}, {Weights(layer)}, {Bias(layer)}, {target});");
        FusedActivation.EmitForward(w, layer, $"{id}OutputSize", "batch");
        w.Line();
    }

    public override void EmitBackward(CodeWriter w, LayerPlan layer, EmitContext context)
    {
        string id = layer.Id;
        string dy = BufferNames.Delta(layer.Output);
        var act = layer.Spec.Activation;
        w.Line($"// Backward of '{layer.Spec.Name}' (Conv2D {layer.InputShape}→{layer.OutputShape}{(act == ActivationKind.Identity ? "" : ", " + act)})");
        FusedActivation.EmitBackward(w, layer, $"{id}OutputSize");
        w.Line(layer.Spec.Window!.Bias
            ? "//   ∂W = Σ over the batch and output positions of dz ⊗ (the input window); ∂b = Σ dz per filter"
            : "//   ∂W = Σ over the batch and output positions of dz ⊗ (the input window)");
        w.Line($"global::Compiled.Kernels.Convolution.BackwardWeights(in {id}Geometry, batch, {context.Input}, {dy}, {Weights(layer, "_gradients")}, {Bias(layer, "_gradients")});");
        if (context.InputDelta is { } dx)
        {
            w.Line("//   ∂x = the transposed convolution of dz with W");
            w.Line($"global::Compiled.Kernels.Convolution.BackwardInput(in {id}Geometry, batch, {dy}, {Weights(layer)}, {dx});");
        }
        else
        {
            w.Line("//   (no ∂x: the network input needs no gradient)");
        }
        w.Line();
    }

    public override void EmitInferenceForward(CodeWriter w, LayerPlan layer, InferenceContext context)
    {
        string id = layer.Id;
        string output = Naming.Camel(id) + "Y";
        w.Line($"// {Describe(layer)}");
        w.Line($"global::System.Span<float> {output} = {context.NextBuffer()}.Slice(0, rows * {id}OutputSize);");
        w.Line($"global::Compiled.Kernels.Convolution.Forward(in {id}Geometry, rows, x, {Weights(layer)}, {Bias(layer)}, {output});");
        FusedActivation.EmitInPlace(w, layer, output, $"{id}OutputSize", "rows");
        w.Line($"x = {output};");
        w.Line();
    }
}
