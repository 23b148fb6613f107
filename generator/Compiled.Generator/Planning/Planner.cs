using System.Collections.Generic;
using System.Globalization;
using Compiled.Generator.Layers;
using Compiled.Generator.Model;

namespace Compiled.Generator.Planning;

/// <summary>
/// Plan step: shape inference, validation and the memory plan. Pure: the same spec gives the same plan.
/// </summary>
internal static class Planner
{
    /// <summary>The errors a spec would give; empty when <see cref="Plan"/> can run.</summary>
    public static List<PlanError> Validate(NetworkSpec spec)
    {
        var errors = new List<PlanError>();
        if (Shapes(spec, errors) is { } shapes) Build(spec, shapes, errors);
        return errors;
    }

    /// <summary>The largest float[] .NET allows (Array.MaxLength).</summary>
    private const long MaxArrayLength = 0x7FFFFFC7;

    /// <summary>
    /// Shape inference: each layer's input and output shape (index i: the input of layer i; the last: the
    /// network output), or null after adding the first error. Sizes, parameters and per-sample buffers are
    /// counted in 64 bits first: an int would silently wrap.
    /// </summary>
    private static Shape[]? Shapes(NetworkSpec spec, List<PlanError> errors)
    {
        var input = spec.InputShape;
        var shape = input.Count == 3 ? LongShape.Image(input[0], input[1], input[2]) : LongShape.Vector(input[0]);
        if (shape.Size > MaxArrayLength)
        {
            errors.Add(TooLarge(-1, "One input sample", shape.Size));
            return null;
        }
        var shapes = new Shape[spec.Layers.Count + 1];
        shapes[0] = shape.ToShape();
        long parameters = 0, slab = 0;
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            var layer = spec.Layers[i];
            var unit = LayerUnits.For(layer.Kind);
            if (unit.OutputShape(layer, shapes[i], i, errors) is not { } output) return null;
            long size = output.Size;
            if (size > MaxArrayLength)
            {
                errors.Add(TooLarge(i, "One sample's activations", size));
                return null;
            }
            shapes[i + 1] = output.ToShape();
            parameters += unit.ParameterCount(layer, shapes[i], shapes[i + 1]);
            slab += 2 * size;
            if (parameters > MaxArrayLength || slab > MaxArrayLength)
            {
                bool weights = parameters > MaxArrayLength;
                errors.Add(TooLarge(i, weights ? "The parameter buffer" : "One sample's activations", weights ? parameters : slab));
                return null;
            }
        }
        return shapes;
    }

    private static PlanError TooLarge(int layer, string what, long count) =>
        new(layer, DiagnosticDescriptors.TooLarge.Id, what,
            count == long.MaxValue ? "more than 9.2e18" : count.ToString(CultureInfo.InvariantCulture),
            MaxArrayLength.ToString(CultureInfo.InvariantCulture));

    /// <summary>Plans a spec that <see cref="Validate"/> accepted.</summary>
    public static NetworkPlan Plan(NetworkSpec spec)
    {
        var errors = new List<PlanError>();
        return Build(spec, Shapes(spec, errors)!, errors);
    }

    private static NetworkPlan Build(NetworkSpec spec, Shape[] shapes, List<PlanError> errors)
    {
        var layers = new List<LayerPlan>();
        int maxWidth = 0; // inference scratch holds layer outputs only; the input stays in the caller's span
        int parameterOffset = 0, stateOffset = 0, statisticsOffset = 0;
        int slab = 0;
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            var layerSpec = spec.Layers[i];
            var unit = LayerUnits.For(layerSpec.Kind);
            var layer = new LayerPlan(layerSpec, i, shapes[i], shapes[i + 1]);
            layer.ParameterOffset = parameterOffset;
            unit.PlanParameters(layer);
            parameterOffset += layer.ParameterCount;
            unit.PlanState(layer, ref stateOffset, ref statisticsOffset);
            layers.Add(layer);
            if (layer.OutputSize > maxWidth) maxWidth = layer.OutputSize;
        }

        // The loss may consume the last activation (sigmoid for binary cross-entropy, softmax for
        // softmax cross-entropy): then the output is a probability and ∂L/∂z = p − t.
        var last = layers[layers.Count - 1];
        var lastActivation = last.Spec.Kind is LayerKind.Dense or LayerKind.Activation or LayerKind.Conv2D ? last.Spec.Activation : ActivationKind.Identity;
        last.ActivationFusedIntoLoss = (spec.Loss, lastActivation) switch
        {
            (LossKind.SoftmaxCrossEntropy, ActivationKind.Softmax) => true,
            (LossKind.BinaryCrossEntropy or LossKind.MultiLabelBinaryCrossEntropy, ActivationKind.Sigmoid) => true,
            _ => false,
        };

        // Memory plan: every buffer a layer keeps for backward gets its own per-sample region.
        // (A later graph planner can overlap regions whose lifetimes do not; a chain needs all of them
        // alive until backward reaches it.)
        foreach (var layer in layers)
        {
            LayerUnits.For(layer.Spec.Kind).PlanBuffers(layer, ref slab);
            if (layer.Hidden is { } hidden && hidden.Width > maxWidth) maxWidth = hidden.Width; // inference keeps it in scratch too
        }

        CheckLoss(spec, last.OutputSize, errors);
        return new NetworkPlan(spec, layers, parameterOffset, slab, maxWidth);
    }

    private static void CheckLoss(NetworkSpec spec, int outputs, List<PlanError> errors)
    {
        string size = outputs.ToString(CultureInfo.InvariantCulture);
        switch (spec.Loss)
        {
            case LossKind.SoftmaxCrossEntropy when outputs < 2:
                errors.Add(new PlanError(-1, DiagnosticDescriptors.LossDoesNotFitOutput.Id, "SoftmaxCrossEntropy", size,
                    "it needs one output per class, at least 2; for a yes/no target use Loss.BinaryCrossEntropy with [Dense(1)]"));
                break;
            case LossKind.BinaryCrossEntropy when outputs != 1:
                errors.Add(new PlanError(-1, DiagnosticDescriptors.LossDoesNotFitOutput.Id, "BinaryCrossEntropy", size,
                    "it needs exactly one output; end with [Dense(1)], or use Loss.MultiLabelBinaryCrossEntropy for several independent labels or Loss.SoftmaxCrossEntropy for classes"));
                break;
        }
        int lastIndex = spec.Layers.Count - 1;
        if (spec.Layers[lastIndex] is { Kind: not LayerKind.Dropout, Activation: ActivationKind.Softmax }
            && spec.Loss is LossKind.BinaryCrossEntropy or LossKind.MultiLabelBinaryCrossEntropy)
            errors.Add(new PlanError(lastIndex, DiagnosticDescriptors.LossDoesNotFitOutput.Id, spec.Loss.ToString(), size,
                "a softmax output couples the labels; end with Activation.Sigmoid or no activation (the loss works from logits)"));
    }
}
