using System;
using System.Collections.Generic;
using Compiled.Generator.Emit;
using Compiled.Generator.Model;
using Compiled.Generator.Planning;

namespace Compiled.Generator.Layers;

/// <summary>
/// Dense: z = x·Wᵀ + b, y = f(z), with W stored [units × inputs] row-major (PyTorch's layout).
/// Forward is one GEMM whose epilogue (an emitted struct) adds the bias and applies f while each tile
/// is in cache; backward is two GEMMs (∂W = dzᵀ·x, ∂x = dz·W) and a column sum (∂b).
/// </summary>
internal sealed class DenseUnit : LayerUnit
{
    /// <summary>Any input shape: an image is read as its NCHW values in order (an implicit flatten).</summary>
    public override LongShape? OutputShape(LayerSpec spec, Shape input, int index, List<PlanError> errors) => LongShape.Vector(spec.Units);

    public override long ParameterCount(LayerSpec spec, Shape input, Shape output) => input.LongSize * output.LongSize + output.LongSize;

    public override void PlanParameters(LayerPlan layer)
    {
        layer.WeightCount = layer.InputSize * layer.OutputSize;
        layer.BiasCount = layer.OutputSize;
    }

    public override IEnumerable<TensorEntry> Tensors(LayerPlan layer) => new[]
    {
        TensorEntry.Parameter(layer, "weight", layer.Id + "WeightsOffset", layer.OutputSize, layer.InputSize),
        TensorEntry.Parameter(layer, "bias", layer.Id + "BiasOffset", layer.OutputSize),
    };

    public override void PlanBuffers(LayerPlan layer, ref int slab) => FusedActivation.PlanBuffers(layer, ref slab);

    public override string Describe(LayerPlan layer)
    {
        string act = layer.Spec.Activation == ActivationKind.Identity ? "" : ", " + layer.Spec.Activation;
        string math = layer.Spec.Activation == ActivationKind.Identity
            ? $"y[B,{layer.OutputSize}] = x[B,{layer.InputSize}]·Wᵀ + b"
            : $"z[B,{layer.OutputSize}] = x[B,{layer.InputSize}]·Wᵀ + b; {ActivationCode.Formula(layer.Spec.Activation, layer.Spec.Alpha)}";
        return $"Dense '{layer.Spec.Name}' {layer.InputSize}→{layer.OutputSize}{act}: {math}";
    }

    public override string Signature(LayerPlan layer) => $"Dense({layer.OutputSize},{ActivationCode.Signature(layer.Spec.Activation, layer.Spec.Alpha)})";

    public override void EmitMembers(CodeWriter w, LayerPlan layer)
    {
        string id = layer.Id;
        w.Line($"// {Describe(layer)}");
        w.Line($"/// <summary>Inputs of layer '{layer.Spec.Name}'.</summary>");
        w.Line($"public const int {id}Inputs = {layer.InputSize};");
        w.Line($"/// <summary>Units (outputs) of layer '{layer.Spec.Name}'.</summary>");
        w.Line($"public const int {id}Units = {layer.OutputSize};");
        w.Line($"private const int {id}WeightsOffset = {layer.ParameterOffset}, {id}WeightsCount = {layer.WeightCount};");
        w.Line($"private const int {id}BiasOffset = {layer.BiasOffset};");
        if (layer.PreActivation is { } z) w.Line($"private const int {BufferNames.OffsetConstant(z)} = {z.Offset}; // per sample, in the activation slab");
        w.Line($"private const int {BufferNames.OffsetConstant(layer.Output)} = {layer.Output.Offset}; // per sample, in the activation slab");
        w.Line();
        w.Line($"/// <summary>Weights of '{layer.Spec.Name}', [{layer.OutputSize} × {layer.InputSize}] row-major: row j holds the weights into unit j.</summary>");
        w.Line($"public global::System.Span<float> {id}Weights => new global::System.Span<float>(_parameters, {id}WeightsOffset, {id}WeightsCount);");
        w.Line($"/// <summary>Bias of '{layer.Spec.Name}', [{layer.OutputSize}].</summary>");
        w.Line($"public global::System.Span<float> {id}Bias => new global::System.Span<float>(_parameters, {id}BiasOffset, {id}Units);");
        w.Line($"/// <summary>∂L/∂W of '{layer.Spec.Name}' after the last training step, laid out like <see cref=\"{id}Weights\"/>.</summary>");
        w.Line($"public global::System.ReadOnlySpan<float> {id}WeightsGradient => new global::System.Span<float>(_gradients, {id}WeightsOffset, {id}WeightsCount);");
        w.Line($"/// <summary>∂L/∂b of '{layer.Spec.Name}' after the last training step.</summary>");
        w.Line($"public global::System.ReadOnlySpan<float> {id}BiasGradient => new global::System.Span<float>(_gradients, {id}BiasOffset, {id}Units);");
        w.Line();
        EmitEpilogue(w, layer);
        w.Line();
    }

    private static void EmitEpilogue(CodeWriter w, LayerPlan layer)
    {
        string id = layer.Id;
        var act = layer.Spec.Activation;
        bool fused = ActivationCode.IsElementwise(act) && act != ActivationKind.Identity;
        w.Line($"/// <summary>");
        w.Line(fused
            ? $"/// Epilogue of '{layer.Spec.Name}', run by the GEMM on every finished tile row: z += b; {ActivationCode.Formula(act, layer.Spec.Alpha)}."
            : $"/// Epilogue of '{layer.Spec.Name}', run by the GEMM on every finished tile row: z += b.");
        w.Line(fused
            ? "/// With an output array, y goes there and z stays in the tile (kept for backward); without, y overwrites z."
            : "/// The activation, if any, is applied to whole rows after the GEMM.");
        w.Line($"/// </summary>");
        using (w.Block($"private readonly struct {id}Epilogue : global::Compiled.Kernels.IGemmEpilogue"))
        {
            w.Line("private readonly float[] _parameters;");
            if (fused)
            {
                w.Line("private readonly float[]? _output;");
                w.Line("private readonly int _outputStart;");
            }
            w.Line();
            using (w.Block(fused
                ? $"public {id}Epilogue(float[] parameters, float[]? output = null, int outputStart = 0)"
                : $"public {id}Epilogue(float[] parameters)"))
            {
                w.Line("_parameters = parameters;");
                if (fused)
                {
                    w.Line("_output = output;");
                    w.Line("_outputStart = outputStart;");
                }
            }
            w.Line();
            // Fully optimized from its first call: the GEMM calls it on every finished tile row, and the tiered JIT's
            // first, unoptimized version of this loop kept batched Predict about 20 % slower for its first ~0.5 s.
            w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]");
            using (w.Block("public void Apply(global::System.Span<float> segment, int row, int column)"))
            {
                w.Line("ref float z = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(segment);");
                w.Line($"ref float b = ref _parameters[{id}BiasOffset + column];");
                if (fused)
                    w.Line($"ref float y = ref _output is null ? ref z : ref _output[_outputStart + row * {id}Units + column];");
                w.Line("int n = segment.Length, i = 0;");
                using (w.Block("if (global::System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)"))
                using (w.Block("for (; i <= n - 8; i += 8)"))
                {
                    w.Line("global::System.Runtime.Intrinsics.Vector256<float> v = global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref z, (uint)i) + global::System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref b, (uint)i);");
                    w.Line(fused ? "global::System.Runtime.Intrinsics.Vector256.StoreUnsafe(v, ref z, (uint)i); // z, kept when y goes elsewhere" : "global::System.Runtime.Intrinsics.Vector256.StoreUnsafe(v, ref z, (uint)i);");
                    if (fused) w.Line($"global::System.Runtime.Intrinsics.Vector256.StoreUnsafe({ActivationCode.Forward(act, layer.Spec.Alpha, "v")}, ref y, (uint)i);");
                }
                using (w.Block("for (; i < n; i++)"))
                {
                    if (fused)
                    {
                        w.Line("float v = global::System.Runtime.CompilerServices.Unsafe.Add(ref z, i) += global::System.Runtime.CompilerServices.Unsafe.Add(ref b, i);");
                        w.Line($"global::System.Runtime.CompilerServices.Unsafe.Add(ref y, i) = {ActivationCode.Forward(act, layer.Spec.Alpha, "v")};");
                    }
                    else
                    {
                        w.Line("global::System.Runtime.CompilerServices.Unsafe.Add(ref z, i) += global::System.Runtime.CompilerServices.Unsafe.Add(ref b, i);");
                    }
                }
            }
        }
    }

    public override void EmitInitialization(CodeWriter w, LayerPlan layer, NetworkPlan plan) =>
        WeightInitialization.Emit(w, layer, plan, layer.InputSize, layer.OutputSize);

    public override void EmitTrainingForward(CodeWriter w, LayerPlan layer, EmitContext context)
    {
        string id = layer.Id;
        var act = layer.Spec.Activation;
        string y = BufferNames.Span(layer.Output);
        w.Line($"// {Describe(layer)}");
        if (layer.PreActivation is { } zBuffer)
        {
            w.Line("//   bias and activation run in the GEMM's epilogue; z is kept for the backward pass.");
            w.Line($"{id}Epilogue {Naming.Camel(id)}Epilogue = new {id}Epilogue(_parameters, _activations, {context.SlabStart(BufferNames.OffsetConstant(layer.Output), $"{id}Units")});");
            EmitGemm(w, layer, context.Input, BufferNames.Span(zBuffer), Naming.Camel(id) + "Epilogue", context.Rows);
        }
        else
        {
            if (act != ActivationKind.Identity)
                w.Line(ActivationCode.IsElementwise(act)
                    ? "//   bias and activation run in the GEMM's epilogue, in place (backward needs only y)."
                    : "//   bias runs in the GEMM's epilogue; softmax then normalizes each row in place.");
            w.Line($"{id}Epilogue {Naming.Camel(id)}Epilogue = new {id}Epilogue(_parameters);");
            EmitGemm(w, layer, context.Input, y, Naming.Camel(id) + "Epilogue", context.Rows);
            if (act == ActivationKind.Softmax) w.Line($"global::Compiled.Kernels.ActivationMath.Softmax({y}, {y}, {context.Rows}, {id}Units);");
        }
        w.Line();
    }

    public override bool RowLocal => true;

    private static void EmitGemm(CodeWriter w, LayerPlan layer, string input, string output, string epilogue, string rows = "batch")
    {
        string id = layer.Id;
        w.Line($"global::Compiled.Kernels.Sgemm.Multiply(transA: false, transB: true, {rows}, {id}Units, {id}Inputs,");
        w.Line($"    1f, {input}, {id}Inputs, new global::System.Span<float>(_parameters, {id}WeightsOffset, {id}WeightsCount), {id}Inputs,");
        w.Line($"    0f, {output}, {id}Units, ref {epilogue});");
    }

    public override void EmitBackward(CodeWriter w, LayerPlan layer, EmitContext context)
    {
        string id = layer.Id;
        var act = layer.Spec.Activation;
        string y = BufferNames.Span(layer.Output);
        string dy = BufferNames.Delta(layer.Output);
        w.Line($"// Backward of '{layer.Spec.Name}' (Dense {layer.InputSize}→{layer.OutputSize}{(act == ActivationKind.Identity ? "" : ", " + act)})");
        FusedActivation.EmitBackward(w, layer, $"{id}Units", context.Rows);
        if (context.RowSection) w.Line("//   (∂W and ∂b sum over the batch: ComputeGradients takes them after the row sections)");
        else EmitParameterGradients(w, layer, context);
        if (context.InputDelta is { } dx)
        {
            w.Line($"//   ∂x[B×{layer.InputSize}] = dz·W");
            w.Line($"global::Compiled.Kernels.Sgemm.Multiply(transA: false, transB: false, {context.Rows}, {id}Inputs, {id}Units,");
            w.Line($"    1f, {dy}, {id}Units, new global::System.Span<float>(_parameters, {id}WeightsOffset, {id}WeightsCount), {id}Inputs,");
            w.Line($"    0f, {dx}, {id}Inputs);");
        }
        else
        {
            w.Line("//   (no ∂x: the network input needs no gradient)");
        }
        w.Line();
    }

    public override void EmitParameterGradients(CodeWriter w, LayerPlan layer, EmitContext context)
    {
        string id = layer.Id;
        string dy = BufferNames.Delta(layer.Output);
        w.Line($"//   ∂W[{layer.OutputSize}×{layer.InputSize}] = dzᵀ·x");
        w.Line($"global::Compiled.Kernels.Sgemm.Multiply(transA: true, transB: false, {id}Units, {id}Inputs, batch,");
        w.Line($"    1f, {dy}, {id}Units, {context.Input}, {id}Inputs,");
        w.Line($"    0f, new global::System.Span<float>(_gradients, {id}WeightsOffset, {id}WeightsCount), {id}Inputs);");
        w.Line($"//   ∂b[{layer.OutputSize}] = Σ over the batch of dz");
        w.Line($"global::Compiled.Kernels.LayerKernels.SumRows({dy}, batch, {id}Units, new global::System.Span<float>(_gradients, {id}BiasOffset, {id}Units));");
    }

    public override void EmitInferenceForward(CodeWriter w, LayerPlan layer, InferenceContext context)
    {
        string id = layer.Id;
        string buffer = context.NextBuffer();
        string output = Naming.Camel(id) + "Y";
        w.Line($"// {Describe(layer)}");
        w.Line($"global::System.Span<float> {output} = {buffer}.Slice(0, rows * {id}Units);");
        w.Line($"{id}Epilogue {Naming.Camel(id)}Epilogue = new {id}Epilogue(_parameters);");
        EmitGemm(w, layer, "x", output, Naming.Camel(id) + "Epilogue", "rows");
        if (layer.Spec.Activation == ActivationKind.Softmax) w.Line($"global::Compiled.Kernels.ActivationMath.Softmax({output}, {output}, rows, {id}Units);");
        w.Line($"x = {output};");
        w.Line();
    }
}
