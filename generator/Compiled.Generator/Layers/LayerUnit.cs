using System.Collections.Generic;
using Compiled.Generator.Emit;
using Compiled.Generator.Model;
using Compiled.Generator.Planning;

namespace Compiled.Generator.Layers;

/// <summary>
/// Everything the generator knows about one layer kind: its shape rule, parameters, memory,
/// initialization, and forward/backward emission. Adding a layer kind means adding one of these.
/// </summary>
internal abstract class LayerUnit
{
    /// <summary>
    /// The output shape for an input of shape <paramref name="input"/>, in 64 bits; null after adding a
    /// <see cref="PlanError"/> for layer <paramref name="index"/> when the layer cannot take that input.
    /// </summary>
    public abstract LongShape? OutputShape(LayerSpec spec, Shape input, int index, List<PlanError> errors);

    /// <summary>Parameters (weights and bias) for these shapes, in 64 bits: the planner checks the total fits an array.</summary>
    public virtual long ParameterCount(LayerSpec spec, Shape input, Shape output) => 0;

    /// <summary>Sets <see cref="LayerPlan.WeightCount"/> and <see cref="LayerPlan.BiasCount"/>.</summary>
    public virtual void PlanParameters(LayerPlan layer) { }

    /// <summary>The layer's tensors as PyTorch's state_dict names and shapes them, in its order (none by default).</summary>
    public virtual IEnumerable<TensorEntry> Tensors(LayerPlan layer) => System.Array.Empty<TensorEntry>();

    /// <summary>Claims the layer's state (saved, not trained) and batch statistics, advancing the offsets.</summary>
    public virtual void PlanState(LayerPlan layer, ref int state, ref int statistics) { }

    /// <summary>Statements that fold the last training batch's statistics into the state (after an applied update).</summary>
    public virtual void EmitStatisticsUpdate(CodeWriter w, LayerPlan layer) { }

    /// <summary>Claims the layer's regions of the activation slab (per-sample offsets), advancing <paramref name="slab"/>.</summary>
    public abstract void PlanBuffers(LayerPlan layer, ref int slab);

    /// <summary>One line naming the layer and its math, for comments.</summary>
    public abstract string Describe(LayerPlan layer);

    /// <summary>The layer's part of the architecture signature (what the weights mean).</summary>
    public abstract string Signature(LayerPlan layer);

    /// <summary>Constants, views and helper types at class level.</summary>
    public virtual void EmitMembers(CodeWriter w, LayerPlan layer) { }

    /// <summary>Statements of the constructor that initialize the layer's parameters from <c>rng</c>.</summary>
    public virtual void EmitInitialization(CodeWriter w, LayerPlan layer, NetworkPlan plan) { }

    /// <summary>Training forward: reads <see cref="EmitContext.Input"/>, writes its buffers.</summary>
    public abstract void EmitTrainingForward(CodeWriter w, LayerPlan layer, EmitContext context);

    /// <summary>
    /// Backward: the gradient of its output is in its output-delta buffer; writes its parameter
    /// gradients and, unless <see cref="EmitContext.InputDelta"/> is null (first layer), the input's gradient.
    /// </summary>
    public abstract void EmitBackward(CodeWriter w, LayerPlan layer, EmitContext context);

    /// <summary>
    /// Whether the layer's training forward and its backward pass down to ∂input treat each sample on its own, so a
    /// training step may share a batch's samples among threads (<c>IRowTraining</c>): then <see cref="EmitTrainingForward"/>
    /// and <see cref="EmitBackward"/> honour <see cref="EmitContext.RowSection"/>, and <see cref="EmitParameterGradients"/>
    /// gives the parameters' gradients, which sum over the batch.
    /// </summary>
    public virtual bool RowLocal => false;

    /// <summary>The gradients of the layer's parameters over the whole batch, after the row sections (row-local layers with parameters).</summary>
    public virtual void EmitParameterGradients(CodeWriter w, LayerPlan layer, EmitContext context) { }

    /// <summary>Inference forward over <c>rows</c> samples, from <c>x</c> into scratch; reassigns <c>x</c> to its output.</summary>
    public abstract void EmitInferenceForward(CodeWriter w, LayerPlan layer, InferenceContext context);

    /// <summary>
    /// The inference forward of a layer that is one kernel call: a comment (<see cref="Describe"/> and
    /// <paramref name="note"/>), the output's slice of the free scratch half, <paramref name="call"/> of that
    /// output's name (its lines split at '\n'), and <c>x</c> moved to it.
    /// </summary>
    protected void EmitInferenceCall(CodeWriter w, LayerPlan layer, InferenceContext context, System.Func<string, string> call, string note = "")
    {
        string output = Naming.Camel(layer.Id) + "Y";
        w.Line($"// {Describe(layer)}{note}");
        w.Line($"global::System.Span<float> {output} = {context.NextBuffer()}.Slice(0, rows * {layer.Id}OutputSize);");
        foreach (string line in call(output).Split('\n')) w.Line(line);
        w.Line($"x = {output};");
        w.Line();
    }

    /// <summary>
    /// A public view of the layer's <paramref name="part"/> ("Weights", "Bias") in the parameters and its read-only
    /// twin <c>…Gradient</c> in the gradients, <paramref name="count"/> floats from the constant <paramref name="offset"/>.
    /// </summary>
    protected static void EmitParameterViews(CodeWriter w, LayerPlan layer, string part, string offset, string count, string what, string shape)
    {
        string id = layer.Id;
        w.Line($"/// <summary>{what} of '{layer.Spec.Name}', {shape}.</summary>");
        w.Line($"public global::System.Span<float> {id}{part} => new global::System.Span<float>(_parameters, {offset}, {count});");
        w.Line($"/// <summary>∂L/∂{what.Split(' ')[0]} of '{layer.Spec.Name}' after the last training step.</summary>");
        w.Line($"public global::System.ReadOnlySpan<float> {id}{part}Gradient => new global::System.Span<float>(_gradients, {offset}, {count});");
    }
}

/// <summary>Names of the spans a layer reads and writes in the training step.</summary>
internal sealed class EmitContext
{
    public EmitContext(string input, string? inputDelta, bool rowSection = false, string? dropoutKey = null)
    {
        Input = input;
        InputDelta = inputDelta;
        RowSection = rowSection;
        DropoutKey = dropoutKey;
    }

    /// <summary>The span holding the layer's input (the user's <c>inputs</c> for the first layer).</summary>
    public string Input { get; }

    /// <summary>The span receiving ∂L/∂input, or null when nothing needs it.</summary>
    public string? InputDelta { get; }

    /// <summary>
    /// Whether the code runs in <c>IRowTraining.TrainRows</c> on samples [start, start + rows) of the batch (the spans are
    /// that chunk's; parameter gradients are left to <see cref="LayerUnit.EmitParameterGradients"/>), or in
    /// <c>ComputeGradients</c> on the whole batch.
    /// </summary>
    public bool RowSection { get; }

    /// <summary>The expression for the sample count the code covers: <c>rows</c> in a row section, else <c>batch</c>.</summary>
    public string Rows => RowSection ? "rows" : "batch";

    /// <summary>
    /// The index in the activation slab of the code's first value of a buffer with <paramref name="offsetConstant"/> and
    /// <paramref name="width"/> values per sample (regions start at batch × their per-sample offset).
    /// </summary>
    public string SlabStart(string offsetConstant, string width) =>
        RowSection ? $"batch * {offsetConstant} + start * {width}" : $"batch * {offsetConstant}";

    /// <summary>In a network with row sections, the expression holding a dropout layer's draw for this step (drawn before its forward pass).</summary>
    public string? DropoutKey { get; }
}

/// <summary>Tracks which half of the inference scratch holds the current activation.</summary>
internal sealed class InferenceContext
{
    private int _next;

    /// <summary>Returns the scratch half not holding the current input ("bufferA"/"bufferB"), alternating.</summary>
    public string NextBuffer() => (_next++ % 2 == 0) ? "bufferA" : "bufferB";
}
