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
/// <para>
/// Transposed (Conv2DTranspose, PyTorch's ConvTranspose2d, W stored [channels, filters/groups, kH, kW]):
/// the map whose matrix is the transpose of the convolution C from the output shape back to the input
/// shape. So its forward is C's input gradient, its input gradient is C's forward, and its weight
/// gradient is C's weight gradient with the roles of input and output gradient exchanged; the
/// geometry emitted is C's.
/// </para>
/// </summary>
internal sealed class Conv2DUnit : LayerUnit
{
    public Conv2DUnit(bool transposed) => _transposed = transposed;

    private readonly bool _transposed;

    private string Kind => _transposed ? "Conv2DTranspose" : "Conv2D";

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

    /// <summary>weight [out, in/groups, kH, kW] (transposed: [in, out/groups, kH, kW]), then bias [out] if any.</summary>
    public override IEnumerable<TensorEntry> Tensors(LayerPlan layer)
    {
        var window = layer.Spec.Window!;
        int input = layer.InputShape.Channels, output = layer.OutputShape.Channels;
        yield return _transposed
            ? TensorEntry.Parameter(layer, "weight", layer.Id + "WeightsOffset", input, output / window.Groups, window.KernelHeight, window.KernelWidth)
            : TensorEntry.Parameter(layer, "weight", layer.Id + "WeightsOffset", output, input / window.Groups, window.KernelHeight, window.KernelWidth);
        if (window.Bias) yield return TensorEntry.Parameter(layer, "bias", layer.Id + "BiasOffset", output);
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
        string product = _transposed ? "Wᵀ ⊛ x (each input pixel scatters W)" : "W ⊛ x";
        string math = act == ActivationKind.Identity
            ? $"y = {product}{b}"
            : $"z = {product}{b}; {ActivationCode.Formula(act, layer.Spec.Alpha)}";
        return $"{Kind} '{layer.Spec.Name}' {layer.InputShape}→{layer.OutputShape}, {KernelText(layer)}{(act == ActivationKind.Identity ? "" : ", " + act)}: {math}";
    }

    public override string Signature(LayerPlan layer)
    {
        var w = layer.Spec.Window!;
        var (top, left) = WindowLayers.Padding(layer);
        string outputPad = _transposed && w.OutputPad > 0 ? $"+op{w.OutputPad}" : "";
        return $"{Kind}({layer.Spec.Units},{w.KernelHeight}x{w.KernelWidth},s{w.Stride},p{top}/{left},d{w.Dilation},g{w.Groups},{(w.Bias ? "bias" : "nobias")},{ActivationCode.Signature(layer.Spec.Activation, layer.Spec.Alpha)}){outputPad}";
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
        // A transposed convolution's geometry is that of the convolution from its output back to its input.
        var (from, to) = _transposed ? (output, input) : (input, output);
        if (_transposed) w.Line($"// The convolution {from}→{to} whose transpose this layer is:");
        w.Line($"private static readonly global::Compiled.Kernels.ConvGeometry {id}Geometry = new global::Compiled.Kernels.ConvGeometry(");
        w.Line($"    inChannels: {from.Channels}, inHeight: {from.Height}, inWidth: {from.Width}, outChannels: {to.Channels},");
        w.Line($"    kernelHeight: {window.KernelHeight}, kernelWidth: {window.KernelWidth}, strideHeight: {window.Stride}, strideWidth: {window.Stride},");
        w.Line($"    padTop: {top}, padLeft: {left}, dilationHeight: {window.Dilation}, dilationWidth: {window.Dilation}, groups: {window.Groups},");
        w.Line($"    outHeight: {to.Height}, outWidth: {to.Width});");
        w.Line();
        string dims = _transposed
            ? $"[{input.Channels} × {output.Channels / window.Groups} × {window.KernelHeight} × {window.KernelWidth}] (input channels, filters per group"
            : $"[{output.Channels} × {input.Channels / window.Groups} × {window.KernelHeight} × {window.KernelWidth}] (filters, channels per group";
        w.Line($"/// <summary>Weights of '{layer.Spec.Name}', {dims}, kernel rows, kernel columns), PyTorch's layout.</summary>");
        w.Line($"public global::System.Span<float> {id}Weights => new global::System.Span<float>(_parameters, {id}WeightsOffset, {id}WeightsCount);");
        WindowLayers.EmitGradientAndBiasViews(w, layer);
    }

    public override void EmitInitialization(CodeWriter w, LayerPlan layer, NetworkPlan plan)
    {
        var window = layer.Spec.Window!;
        int area = window.KernelHeight * window.KernelWidth;
        // PyTorch's fans of the stored tensor: dimension 1 (× area) in, dimension 0 (× area) out.
        if (_transposed)
            WeightInitialization.Emit(w, layer, plan, layer.OutputShape.Channels / window.Groups * area, layer.InputShape.Channels * area);
        else
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
        EmitProduct(w, layer, "batch", context.Input, target);
        if (!ReLUInKernel(layer)) FusedActivation.EmitForward(w, layer, $"{id}OutputSize", "batch");
        w.Line();
    }

    public override void EmitBackward(CodeWriter w, LayerPlan layer, EmitContext context)
    {
        string id = layer.Id;
        string dy = BufferNames.Delta(layer.Output);
        var act = layer.Spec.Activation;
        w.Line($"// Backward of '{layer.Spec.Name}' ({Kind} {layer.InputShape}→{layer.OutputShape}{(act == ActivationKind.Identity ? "" : ", " + act)})");
        FusedActivation.EmitBackward(w, layer, $"{id}OutputSize");
        bool bias = layer.Spec.Window!.Bias;
        if (_transposed)
        {
            w.Line("//   ∂W = Σ over the batch of x ⊗ (the dz window it scattered into): the convolution's weight gradient, roles exchanged");
            w.Line($"global::Compiled.Kernels.Convolution.BackwardWeights(in {id}Geometry, batch, {dy}, {context.Input}, {Weights(layer, "_gradients")}, global::System.Span<float>.Empty);");
            if (bias)
            {
                w.Line("//   ∂b = Σ dz per filter");
                w.Line($"global::Compiled.Kernels.ChannelBias.Gradient(batch, {layer.OutputShape.Channels}, {Plane(layer)}, {dy}, {Bias(layer, "_gradients")});");
            }
        }
        else
        {
            w.Line(bias
                ? "//   ∂W = Σ over the batch and output positions of dz ⊗ (the input window); ∂b = Σ dz per filter"
                : "//   ∂W = Σ over the batch and output positions of dz ⊗ (the input window)");
            w.Line($"global::Compiled.Kernels.Convolution.BackwardWeights(in {id}Geometry, batch, {context.Input}, {dy}, {Weights(layer, "_gradients")}, {Bias(layer, "_gradients")});");
        }
        if (context.InputDelta is { } dx)
        {
            if (_transposed)
            {
                w.Line("//   ∂x = the convolution of dz with W");
                w.Line($"global::Compiled.Kernels.Convolution.Forward(in {id}Geometry, batch, {dy}, {Weights(layer)}, global::System.Span<float>.Empty, {dx});");
            }
            else
            {
                w.Line("//   ∂x = the transposed convolution of dz with W");
                w.Line($"global::Compiled.Kernels.Convolution.BackwardInput(in {id}Geometry, batch, {dy}, {Weights(layer)}, {dx});");
            }
        }
        else
        {
            w.Line("//   (no ∂x: the network input needs no gradient)");
        }
        w.Line();
    }

    /// <summary>
    /// A convolution (not transposed) followed by ReLU calls Convolution.ForwardReLU, which applies it as the outputs
    /// are stored: one pass over the activations fewer. ReLU keeps no pre-activation (y &gt; 0 exactly when z &gt; 0).
    /// </summary>
    private bool ReLUInKernel(LayerPlan layer) =>
        !_transposed && layer.Spec.Activation == ActivationKind.ReLU && layer.PreActivation is null;

    private static string Plane(LayerPlan layer) => (layer.OutputShape.Height * layer.OutputShape.Width).ToString(CultureInfo.InvariantCulture);

    /// <summary>z (or y) of <paramref name="rows"/> samples: the product with W, plus the bias.</summary>
    private void EmitProduct(CodeWriter w, LayerPlan layer, string rows, string input, string output)
    {
        string id = layer.Id;
        if (!_transposed)
        {
            if (ReLUInKernel(layer)) w.Line("// y = max(0, z) is applied by the kernel as it stores z");
            w.Line($"global::Compiled.Kernels.Convolution.{(ReLUInKernel(layer) ? "ForwardReLU" : "Forward")}(in {id}Geometry, {rows}, {input}, {Weights(layer)}, {Bias(layer)}, {output});");
            return;
        }
        w.Line($"global::Compiled.Kernels.Convolution.BackwardInput(in {id}Geometry, {rows}, {input}, {Weights(layer)}, {output});");
        if (layer.Spec.Window!.Bias)
            w.Line($"global::Compiled.Kernels.ChannelBias.Add({rows}, {layer.OutputShape.Channels}, {Plane(layer)}, {Bias(layer)}, {output});");
    }

    /// <summary>
    /// Whether inference runs this layer and <paramref name="next"/> as one call, Convolution.ForwardMaxPool2x2: a Conv2D
    /// with ReLU or no activation followed by MaxPool(2) with stride 2 over an even output, unpadded (its output exactly
    /// half the size). Training keeps the two layers apart (the pooling's backward needs the argmax and the
    /// convolution's output).
    /// </summary>
    public bool PoolsInKernel(LayerPlan layer, LayerPlan next) =>
        !_transposed && (ReLUInKernel(layer) || (layer.Spec.Activation == ActivationKind.Identity && layer.PreActivation is null))
        && next.Spec.Kind == LayerKind.MaxPool && next.Spec.Activation == ActivationKind.Identity
        && next.Spec.Window is { KernelHeight: 2, KernelWidth: 2, Stride: 2, Dilation: 1 }
        && layer.OutputShape.Height % 2 == 0 && layer.OutputShape.Width % 2 == 0
        && next.OutputShape.Height * 2 == layer.OutputShape.Height && next.OutputShape.Width * 2 == layer.OutputShape.Width;

    /// <summary>Inference of this layer and the MaxPool <paramref name="pool"/> after it in one call (see <see cref="PoolsInKernel"/>).</summary>
    public void EmitInferenceForwardPooled(CodeWriter w, LayerPlan layer, LayerPlan pool, InferenceContext context)
    {
        string id = layer.Id;
        string output = Naming.Camel(pool.Id) + "Y";
        w.Line($"// {Describe(layer)}");
        w.Line($"// {LayerUnits.For(pool.Spec.Kind).Describe(pool)}");
        w.Line("// In one call: each 2×2 block of the convolution's outputs is pooled as it is computed (never stored whole on the Winograd route)");
        w.Line($"global::System.Span<float> {output} = {context.NextBuffer()}.Slice(0, rows * {pool.Id}OutputSize);");
        string relu = ReLUInKernel(layer) ? "true" : "false";
        w.Line($"global::Compiled.Kernels.Convolution.ForwardMaxPool2x2(in {id}Geometry, rows, x, {Weights(layer)}, {Bias(layer)}, relu: {relu}, {output});");
        w.Line($"x = {output};");
        w.Line();
    }

    public override void EmitInferenceForward(CodeWriter w, LayerPlan layer, InferenceContext context)
    {
        string id = layer.Id;
        string output = Naming.Camel(id) + "Y";
        w.Line($"// {Describe(layer)}");
        w.Line($"global::System.Span<float> {output} = {context.NextBuffer()}.Slice(0, rows * {id}OutputSize);");
        EmitProduct(w, layer, "rows", "x", output);
        if (!ReLUInKernel(layer)) FusedActivation.EmitInPlace(w, layer, output, $"{id}OutputSize", "rows");
        w.Line($"x = {output};");
        w.Line();
    }
}
