using System;
using Compiled.Generator.Emit;
using Compiled.Generator.Model;
using Compiled.Generator.Planning;

namespace Compiled.Generator.Layers;

/// <summary>
/// The constructor's statements that draw a layer's weights (biases stay 0). Auto picks He for the
/// ReLU family and Glorot otherwise, from the layer's activation or the activation (or PReLU) layer right after it.
/// Zeros and Constant (the declared InitialValue) set every weight without drawing from the generator.
/// </summary>
internal static class WeightInitialization
{
    /// <param name="fanIn">Inputs per output (Dense: inputs; Conv2D: channels/groups · kernel area).</param>
    /// <param name="fanOut">Outputs per input (Dense: units; Conv2D: filters · kernel area, as PyTorch counts it).</param>
    /// <param name="view">The weights' view (default: the layer's <c>…Weights</c>); <paramref name="part"/> names it in the comment.</param>
    public static void Emit(CodeWriter w, LayerPlan layer, NetworkPlan plan, int fanIn, int fanOut, string? view = null, string? part = null)
    {
        bool own = layer.Spec.Initializer != InitializerKind.Auto;
        var init = own ? layer.Spec.Initializer : plan.Spec.Initializer;
        double value = own ? layer.Spec.InitialValue : plan.Spec.InitialValue;
        if (init == InitializerKind.Auto)
        {
            // The activation the layer feeds: its own, or that of an activation layer right after it (or
            // after a BatchNorm or LayerNorm that follows it, as in conv → batch norm → ReLU).
            var act = layer.Spec.Activation;
            int next = layer.Index + 1;
            while (next < plan.Layers.Count && plan.Layers[next].Spec.Kind is LayerKind.BatchNorm or LayerKind.LayerNorm) next++;
            if (act == ActivationKind.Identity && next < plan.Layers.Count && plan.Layers[next].Spec.Kind == LayerKind.Activation)
                act = plan.Layers[next].Spec.Activation;
            if (act == ActivationKind.Identity && next < plan.Layers.Count && plan.Layers[next].Spec.Kind == LayerKind.PReLU)
                act = ActivationKind.LeakyReLU; // a PReLU is a leaky ReLU with a learned slope
            init = act is ActivationKind.ReLU or ActivationKind.LeakyReLU or ActivationKind.ELU or ActivationKind.Softplus or ActivationKind.Swish
                ? InitializerKind.HeUniform
                : InitializerKind.GlorotUniform;
        }
        double inputs = fanIn, outputs = fanOut;
        string id = layer.Id;
        string weights = view ?? id + "Weights";
        string name = part is null ? $"'{layer.Spec.Name}'" : $"'{layer.Spec.Name}' {part}";
        switch (init)
        {
            case InitializerKind.Zeros:
                w.Line($"// {name}: zeros, W = 0; b = 0 (no draw from rng)");
                w.Line($"{weights}.Clear();");
                break;
            case InitializerKind.Constant:
                w.Line($"// {name}: constant, W = {CodeWriter.Float(value).TrimEnd('f')}; b = 0 (no draw from rng)");
                w.Line($"{weights}.Fill({CodeWriter.Float(value)});");
                break;
            case InitializerKind.HeUniform:
                w.Line($"// {name}: He uniform, W ~ U(±√(6/{fanIn})); b = 0");
                w.Line($"global::Compiled.Kernels.LayerKernels.InitializeUniform({weights}, {CodeWriter.Float(Math.Sqrt(6 / inputs))}, rng);");
                break;
            case InitializerKind.HeNormal:
                w.Line($"// {name}: He normal, W ~ N(0, 2/{fanIn}); b = 0");
                w.Line($"global::Compiled.Kernels.LayerKernels.InitializeNormal({weights}, {CodeWriter.Float(Math.Sqrt(2 / inputs))}, rng);");
                break;
            case InitializerKind.GlorotNormal:
                w.Line($"// {name}: Glorot normal, W ~ N(0, 2/({fanIn}+{fanOut})); b = 0");
                w.Line($"global::Compiled.Kernels.LayerKernels.InitializeNormal({weights}, {CodeWriter.Float(Math.Sqrt(2 / (inputs + outputs)))}, rng);");
                break;
            default:
                w.Line($"// {name}: Glorot uniform, W ~ U(±√(6/({fanIn}+{fanOut}))); b = 0");
                w.Line($"global::Compiled.Kernels.LayerKernels.InitializeUniform({weights}, {CodeWriter.Float(Math.Sqrt(6 / (inputs + outputs)))}, rng);");
                break;
        }
    }
}
