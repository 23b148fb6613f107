using Compiled.Generator.Emit;
using Compiled.Generator.Model;
using Compiled.Generator.Planning;

namespace Compiled.Generator.Layers;

/// <summary>
/// The activation a Dense or Conv2D layer applies to its own output: the forward step after the
/// layer's product (when no GEMM epilogue took it) and the backward step that turns dy into dz in place.
/// </summary>
internal static class FusedActivation
{
    /// <summary>The output y, and before it z when the activation's derivative needs z (softplus, swish).</summary>
    public static void PlanBuffers(LayerPlan layer, ref int slab)
    {
        if (ActivationCode.NeedsPreActivation(layer.Spec.Activation))
        {
            layer.PreActivation = new BufferPlan(layer.Id + "Z", layer.OutputSize, slab);
            slab += layer.OutputSize;
        }
        layer.Output = new BufferPlan(layer.Id + "Output", layer.OutputSize, slab);
        slab += layer.OutputSize;
    }

    /// <summary>
    /// Training forward after the product: z was written to the pre-activation buffer (when kept) or to y.
    /// <paramref name="width"/> is an expression for the values per sample.
    /// </summary>
    public static void EmitForward(CodeWriter w, LayerPlan layer, string width, string rows)
    {
        var act = layer.Spec.Activation;
        string y = BufferNames.Span(layer.Output);
        // z is kept (softplus, swish) only for elementwise activations: then y = f(z) goes to its own buffer.
        if (layer.PreActivation is { } z)
            ActivationCode.EmitLoop(w, $"{rows} * {width}", new[] { ("z", BufferNames.Span(z)), ("y", y) }, "y",
                e => ActivationCode.Forward(act, layer.Spec.Alpha, e("z")));
        else
            EmitInPlace(w, layer, y, width, rows);
    }

    /// <summary>f applied in place to <paramref name="span"/> of <paramref name="rows"/> × <paramref name="width"/> values (inference).</summary>
    public static void EmitInPlace(CodeWriter w, LayerPlan layer, string span, string width, string rows)
    {
        var act = layer.Spec.Activation;
        if (act == ActivationKind.Identity) return;
        if (act == ActivationKind.Softmax)
            w.Line($"global::Compiled.Kernels.ActivationMath.Softmax({span}, {span}, {rows}, {width});");
        else
            ActivationCode.EmitLoop(w, $"{rows} * {width}", new[] { ("y", span) }, "y",
                e => ActivationCode.Forward(act, layer.Spec.Alpha, e("y")));
    }

    /// <summary>
    /// Backward through the layer's activation, in place: dy (the output's gradient) becomes dz.
    /// Nothing when the loss already gave ∂L/∂z (sigmoid or softmax fused into cross-entropy).
    /// </summary>
    public static void EmitBackward(CodeWriter w, LayerPlan layer, string width, string rows = "batch")
    {
        var act = layer.Spec.Activation;
        string y = BufferNames.Span(layer.Output);
        string dy = BufferNames.Delta(layer.Output);
        if (layer.ActivationFusedIntoLoss)
        {
            w.Line($"//   dz = dy: the loss already gave ∂L/∂z through the {act}.");
        }
        else if (act == ActivationKind.Softmax)
        {
            w.Line($"//   {ActivationCode.DerivativeFormula(act)}, per sample, in place");
            w.Line($"global::Compiled.Kernels.ActivationMath.SoftmaxBackward({y}, {dy}, {dy}, {rows}, {width});");
        }
        else if (act != ActivationKind.Identity)
        {
            string z = layer.PreActivation is { } zb ? BufferNames.Span(zb) : y;
            w.Line($"//   {ActivationCode.DerivativeFormula(act)}, in place{(layer.PreActivation is null && act is ActivationKind.ReLU or ActivationKind.LeakyReLU or ActivationKind.ELU ? " (y > 0 exactly when z > 0)" : "")}");
            var operands = layer.PreActivation is null
                ? new[] { ("y", y), ("dy", dy) }
                : new[] { ("z", z), ("y", y), ("dy", dy) };
            ActivationCode.EmitLoop(w, $"{rows} * {width}", operands, "dy",
                e => ActivationCode.Backward(act, layer.Spec.Alpha, e(layer.PreActivation is null ? "y" : "z"), e("y"), e("dy")));
        }
    }
}
