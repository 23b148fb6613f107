using System.Collections.Generic;
using Compiled.Generator.Model;

namespace Compiled.Generator.Planning;

/// <summary>
/// A region of the activation slab, per sample: at batch size B it starts at B·<see cref="Offset"/>
/// and holds B rows of <see cref="Width"/> floats. The gradient slab mirrors the same layout.
/// </summary>
internal sealed class BufferPlan
{
    public BufferPlan(string name, int width, int offset)
    {
        Name = name;
        Width = width;
        Offset = offset;
    }

    /// <summary>The identifier stem used in generated code (e.g. "Dense1Output").</summary>
    public string Name { get; }

    public int Width { get; }

    public int Offset { get; }
}

/// <summary>A layer with its shapes, parameter offsets and buffers resolved.</summary>
internal sealed class LayerPlan
{
    public LayerPlan(LayerSpec spec, int index, Shape inputShape, Shape outputShape)
    {
        Spec = spec;
        Index = index;
        Id = Naming.Pascal(spec.Name);
        InputShape = inputShape;
        OutputShape = outputShape;
    }

    public LayerSpec Spec { get; }

    /// <summary>Position in the network, from 0.</summary>
    public int Index { get; }

    /// <summary>PascalCase name: prefix of the layer's generated members.</summary>
    public string Id { get; }

    public Shape InputShape { get; }

    public Shape OutputShape { get; }

    /// <summary>Values per sample in the layer's input (an image counts all its values).</summary>
    public int InputSize => InputShape.Size;

    /// <summary>Values per sample in the layer's output.</summary>
    public int OutputSize => OutputShape.Size;

    /// <summary>The layer's first parameter in the parameter buffer.</summary>
    public int ParameterOffset { get; set; }

    public int WeightCount { get; set; }

    public int BiasCount { get; set; }

    public int BiasOffset => ParameterOffset + WeightCount;

    public int ParameterCount => WeightCount + BiasCount;

    /// <summary>The layer's first value in the state buffer (running statistics: saved, not trained).</summary>
    public int StateOffset { get; set; }

    public int StateCount { get; set; }

    /// <summary>The layer's first value in the batch-statistics scratch (kept from forward for backward and the running update).</summary>
    public int StatisticsOffset { get; set; }

    public int StatisticsCount { get; set; }

    /// <summary>Pre-activation z, when it must be kept for the backward pass; else null (z is the output).</summary>
    public BufferPlan? PreActivation { get; set; }

    /// <summary>An intermediate result inside the layer (SeparableConv2D's depthwise output), kept for backward.</summary>
    public BufferPlan? Hidden { get; set; }

    /// <summary>The layer's output y.</summary>
    public BufferPlan Output { get; set; } = null!;

    /// <summary>Dropout's scaled keep mask, or max pooling's argmax (ints stored in the float slab).</summary>
    public BufferPlan? Mask { get; set; }

    /// <summary>
    /// True for the last layer's sigmoid or softmax when the loss consumes it (binary/softmax
    /// cross-entropy): the loss gives ∂L/∂z directly, so backward skips the activation's derivative.
    /// </summary>
    public bool ActivationFusedIntoLoss { get; set; }
}

/// <summary>The resolved network: everything the emitter needs, every size a constant.</summary>
internal sealed class NetworkPlan
{
    public NetworkPlan(NetworkSpec spec, IReadOnlyList<LayerPlan> layers, int parameterCount, int slabWidth, int maxWidth)
    {
        foreach (var layer in layers)
        {
            StateCount += layer.StateCount;
            StatisticsCount += layer.StatisticsCount;
        }
        Spec = spec;
        Layers = layers;
        ParameterCount = parameterCount;
        SlabWidth = slabWidth;
        MaxWidth = maxWidth;
    }

    public NetworkSpec Spec { get; }

    public IReadOnlyList<LayerPlan> Layers { get; }

    /// <summary>The shape of one input sample.</summary>
    public Shape InputShape => Layers[0].InputShape;

    public int InputSize => InputShape.Size;

    public int OutputSize => Layers[Layers.Count - 1].OutputSize;

    /// <summary>1 (a class label) for softmax cross-entropy, else one target per output.</summary>
    public int TargetSize => Spec.Loss == LossKind.SoftmaxCrossEntropy ? 1 : OutputSize;

    public int ParameterCount { get; }

    /// <summary>Floats of state (BatchNorm running statistics), saved with the parameters; 0 for most networks.</summary>
    public int StateCount { get; }

    /// <summary>Floats of per-batch statistics kept by the training step.</summary>
    public int StatisticsCount { get; }

    /// <summary>Floats per sample in the training activation slab.</summary>
    public int SlabWidth { get; }

    /// <summary>The widest layer input or output: sizes the inference ping-pong buffers.</summary>
    public int MaxWidth { get; }

    /// <summary>Whether the network output is already a probability (last sigmoid/softmax fused into the loss).</summary>
    public bool OutputIsProbability => Layers[Layers.Count - 1].ActivationFusedIntoLoss;
}

/// <summary>A validation failure found while planning, tied to a layer (or -1: the network).</summary>
internal sealed class PlanError
{
    public PlanError(int layerIndex, string diagnosticId, params string[] arguments)
    {
        LayerIndex = layerIndex;
        DiagnosticId = diagnosticId;
        Arguments = arguments;
    }

    public int LayerIndex { get; }

    public string DiagnosticId { get; }

    public string[] Arguments { get; }
}
