using System.Collections.Generic;
using Compiled.Generator.Emit;
using Compiled.Generator.Model;
using Compiled.Generator.Planning;

namespace Compiled.Generator.Layers;

/// <summary>
/// BatchNorm per channel of an image ([C×H×W]: statistics over the batch and the plane) or per feature of a
/// vector ([C]: over the batch). Parameters γ (the weight, starting at 1) and β (the bias); state: the
/// running mean and variance (saved with the weights, not trained); scratch: the batch's mean, variance and
/// 1/√(variance + ε), kept from forward for backward and for the running update, which TrainStep makes
/// only when it applies the step (a skipped non-finite step leaves the statistics alone too).
/// </summary>
internal sealed class BatchNormUnit : LayerUnit
{
    private const int StatisticsPerChannel = 3; // Compiled.Kernels.BatchNormalization.StatisticsPerChannel

    public override LongShape? OutputShape(LayerSpec spec, Shape input, int index, List<PlanError> errors) => LongShape.Of(input);

    public override long ParameterCount(LayerSpec spec, Shape input, Shape output) => 2L * input.Channels;

    public override void PlanParameters(LayerPlan layer)
    {
        layer.WeightCount = layer.InputShape.Channels;
        layer.BiasCount = layer.InputShape.Channels;
    }

    /// <summary>weight (γ), bias (β), running_mean, running_var, [C] each; num_batches_tracked (not kept).</summary>
    public override IEnumerable<TensorEntry> Tensors(LayerPlan layer)
    {
        int channels = layer.InputShape.Channels;
        yield return TensorEntry.Parameter(layer, "weight", layer.Id + "WeightsOffset", channels);
        yield return TensorEntry.Parameter(layer, "bias", layer.Id + "BiasOffset", channels);
        yield return TensorEntry.State(layer, "running_mean", layer.Id + "StateOffset", channels);
        yield return TensorEntry.State(layer, "running_var", $"{layer.Id}StateOffset + {channels}", channels);
        yield return TensorEntry.BatchCounter(layer);
    }

    public override void PlanState(LayerPlan layer, ref int state, ref int statistics)
    {
        int channels = layer.InputShape.Channels;
        layer.StateOffset = state;
        layer.StateCount = 2 * channels;
        state += layer.StateCount;
        layer.StatisticsOffset = statistics;
        layer.StatisticsCount = StatisticsPerChannel * channels;
        statistics += layer.StatisticsCount;
    }

    public override void PlanBuffers(LayerPlan layer, ref int slab)
    {
        layer.Output = new BufferPlan(layer.Id + "Output", layer.OutputSize, slab);
        slab += layer.OutputSize;
    }

    private static int Plane(LayerPlan layer) => layer.InputShape.Height * layer.InputShape.Width;

    private static string Per(LayerPlan layer) => layer.InputShape.IsImage ? "channel" : "feature";

    public override string Describe(LayerPlan layer) =>
        $"BatchNorm '{layer.Spec.Name}' {layer.InputShape}, per {Per(layer)}: y = γ·(x − μ)/√(σ² + ε) + β, ε = {CodeWriter.Float(layer.Spec.Epsilon).TrimEnd('f')}, momentum {CodeWriter.Float(layer.Spec.Momentum).TrimEnd('f')}";

    public override string Signature(LayerPlan layer) => $"BatchNorm({layer.InputShape.Channels},{CodeWriter.Float(layer.Spec.Epsilon).TrimEnd('f')})";

    public override void EmitMembers(CodeWriter w, LayerPlan layer)
    {
        string id = layer.Id;
        int channels = layer.InputShape.Channels;
        w.Line($"// {Describe(layer)}");
        WindowLayers.EmitShapeConstants(w, layer);
        w.Line($"/// <summary>Parameters of '{layer.Spec.Name}': γ then β, one of each per {Per(layer)}.</summary>");
        w.Line($"public const int {id}ParameterCount = {layer.ParameterCount};");
        w.Line($"private const int {id}WeightsOffset = {layer.ParameterOffset}, {id}WeightsCount = {channels};");
        w.Line($"private const int {id}BiasOffset = {layer.BiasOffset};");
        w.Line($"private const int {id}StateOffset = {layer.StateOffset}, {id}StatisticsOffset = {layer.StatisticsOffset};");
        w.Line($"private const int {BufferNames.OffsetConstant(layer.Output)} = {layer.Output.Offset}; // per sample, in the activation slab");
        w.Line();
        string count = channels.ToString(System.Globalization.CultureInfo.InvariantCulture);
        EmitParameterViews(w, layer, "Weights", id + "WeightsOffset", count, "γ (the scale, PyTorch's weight)", $"[{count}]");
        EmitParameterViews(w, layer, "Bias", id + "BiasOffset", count, "β (the shift, PyTorch's bias)", $"[{count}]");
        w.Line($"/// <summary>Running mean of '{layer.Spec.Name}' (used by Predict and Evaluate; part of <see cref=\"State\"/>), [{channels}].</summary>");
        w.Line($"public global::System.Span<float> {id}RunningMean => new global::System.Span<float>(_state, {id}StateOffset, {channels});");
        w.Line($"/// <summary>Running variance of '{layer.Spec.Name}' (part of <see cref=\"State\"/>), [{channels}].</summary>");
        w.Line($"public global::System.Span<float> {id}RunningVariance => new global::System.Span<float>(_state, {id}StateOffset + {channels}, {channels});");
        w.Line();
    }

    public override void EmitInitialization(CodeWriter w, LayerPlan layer, NetworkPlan plan)
    {
        w.Line($"// '{layer.Spec.Name}': γ = 1, β = 0; running mean 0, running variance 1");
        w.Line($"{layer.Id}Weights.Fill(1f);");
        w.Line($"{layer.Id}RunningVariance.Fill(1f);");
    }

    private static string Statistics(LayerPlan layer) =>
        $"new global::System.Span<float>(_statistics, {layer.Id}StatisticsOffset, {layer.StatisticsCount})";

    public override void EmitTrainingForward(CodeWriter w, LayerPlan layer, EmitContext context)
    {
        w.Line($"// {Describe(layer)}; μ, σ² of this batch");
        w.Line($"global::Compiled.Kernels.BatchNormalization.TrainingForward(batch, {layer.InputShape.Channels}, {Plane(layer)}, {context.Input},");
        w.Line($"    {layer.Id}Weights, {layer.Id}Bias, {CodeWriter.Float(layer.Spec.Epsilon)}, {Statistics(layer)}, {BufferNames.Span(layer.Output)});");
        w.Line();
    }

    public override void EmitBackward(CodeWriter w, LayerPlan layer, EmitContext context)
    {
        string id = layer.Id;
        w.Line($"// Backward of '{layer.Spec.Name}': ∂β = Σ dy, ∂γ = Σ dy·x̂{(context.InputDelta is null ? "" : ", dx = γ/σ·(dy − mean(dy) − x̂·mean(dy·x̂))")}");
        w.Line($"global::Compiled.Kernels.BatchNormalization.Backward(batch, {layer.InputShape.Channels}, {Plane(layer)}, {context.Input}, {BufferNames.Delta(layer.Output)},");
        w.Line($"    {id}Weights, {Statistics(layer)}, new global::System.Span<float>(_gradients, {id}WeightsOffset, {layer.InputShape.Channels}),");
        w.Line($"    new global::System.Span<float>(_gradients, {id}BiasOffset, {layer.InputShape.Channels}), {context.InputDelta ?? "global::System.Span<float>.Empty"});");
        w.Line();
    }

    public override void EmitStatisticsUpdate(CodeWriter w, LayerPlan layer)
    {
        w.Line($"// '{layer.Spec.Name}': running = (1 − {CodeWriter.Float(layer.Spec.Momentum).TrimEnd('f')})·running + {CodeWriter.Float(layer.Spec.Momentum).TrimEnd('f')}·batch (variance unbiased)");
        w.Line($"global::Compiled.Kernels.BatchNormalization.UpdateRunningStatistics((long)batch * {Plane(layer)}, {Statistics(layer)}, {CodeWriter.Float(layer.Spec.Momentum)}, {layer.Id}RunningMean, {layer.Id}RunningVariance);");
    }

    public override void EmitInferenceForward(CodeWriter w, LayerPlan layer, InferenceContext context)
    {
        string id = layer.Id;
        EmitInferenceCall(w, layer, context, output =>
            $"global::Compiled.Kernels.BatchNormalization.InferenceForward(rows, {layer.InputShape.Channels}, {Plane(layer)}, x, {id}Weights, {id}Bias,\n" +
            $"    {id}RunningMean, {id}RunningVariance, {CodeWriter.Float(layer.Spec.Epsilon)}, {output});", "; running μ, σ²");
    }
}
