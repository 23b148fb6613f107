using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Compiled.Kernels;

/// <summary>
/// 2-D convolution (cross-correlation, as PyTorch's Conv2d) over NCHW batches, forward and backward. Inputs are
/// batch · <see cref="ConvGeometry.InputSize"/> values, outputs batch · <see cref="ConvGeometry.OutputSize"/>,
/// weights [OutChannels, InChannels / Groups, KernelHeight, KernelWidth].
/// </summary>
/// <remarks>
/// Each sample's channel group is lowered to its column matrix (see <see cref="Im2Col"/>) in a per-thread workspace
/// and multiplied by the packed <see cref="Sgemm"/>: forward Y_g = W_g · col, backward-input col = W_gᵀ · dY_g then
/// col2im, backward-weights dW_g += dY_g · colᵀ over the batch in sample order. A 1×1 kernel with stride 1, no
/// padding and an output the size of the input needs no lowering: the input planes are the column matrix. Depthwise
/// convolutions (one input channel per group, more than one group) skip both and run direct loops (see
/// <see cref="Depthwise"/>): im2col + a GEMM per channel spends its time in the calls, not the arithmetic.
/// Everything runs in a fixed order on the calling thread (a large product may be split by <see cref="Sgemm"/>, which
/// is bit-identical to one thread), so results are the same run to run; concurrent calls on different threads are
/// independent, and a call allocates nothing once its thread's workspace has grown to the largest geometry used.
/// </remarks>
public static class Convolution
{
    /// <summary>This thread's column-matrix workspace, grown on demand.</summary>
    [ThreadStatic] private static float[]? t_columns;

    /// <summary>
    /// y[b, oc, oh, ow] = bias[oc] + Σ_{c &lt; ICg, kh, kw} W[oc, c, kh, kw] · x[b, g · ICg + c, oh · SH − PadTop + kh · DH,
    /// ow · SW − PadLeft + kw · DW] with g = oc / (OutChannels / Groups), ICg = InChannels / Groups; x outside the input
    /// reads 0. <paramref name="bias"/> may be empty (no bias). Overwrites <paramref name="output"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="g"/> is uninitialized, or a span's length is not exactly what the geometry and batch need
    /// (<paramref name="bias"/>: empty or OutChannels).
    /// </exception>
    public static void Forward(in ConvGeometry g, int batch, ReadOnlySpan<float> input, ReadOnlySpan<float> weights,
        ReadOnlySpan<float> bias, Span<float> output)
    {
        CheckCommon(g, batch, input.Length, nameof(input), weights.Length, nameof(weights), output.Length, nameof(output));
        CheckBias(g, bias.Length, nameof(bias));
        var s = new Sizes(g);
        if (s.Depthwise)
        {
            for (int b = 0; b < batch; b++)
            {
                Span<float> y = output.Slice(b * g.OutputSize, g.OutputSize);
                y.Clear();
                if (!bias.IsEmpty) AddBias(y, bias, s.OutPlane);
                Depthwise.Forward(g, input.Slice(b * g.InputSize, g.InputSize), weights, y);
            }
            return;
        }
        Span<float> columns = s.Pointwise ? default : Workspace(s.Columns);
        for (int b = 0; b < batch; b++)
        {
            for (int group = 0; group < g.Groups; group++)
            {
                ReadOnlySpan<float> x = input.Slice(b * g.InputSize + group * s.InGroup, s.InGroup);
                if (!s.Pointwise) Im2Col.Pack(g, x, columns);
                Sgemm.Multiply(false, false, s.OutChannels, s.OutPlane, s.Taps, 1f,
                    weights.Slice(group * s.WeightGroup, s.WeightGroup), s.Taps, s.Pointwise ? x : columns, s.OutPlane,
                    0f, output.Slice(b * g.OutputSize + group * s.OutGroup, s.OutGroup), s.OutPlane);
            }
            if (!bias.IsEmpty) AddBias(output.Slice(b * g.OutputSize, g.OutputSize), bias, s.OutPlane);
        }
    }

    /// <summary>
    /// ∂L/∂x from ∂L/∂y: dx[b, c, h, w] = Σ of W[oc, c mod ICg, kh, kw] · dy[b, oc, oh, ow] over the outputs whose window
    /// reads x[b, c, h, w] at tap (kh, kw) (the transposed correlation). Overwrites <paramref name="inputGradient"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="g"/> is uninitialized, or a span's length is not exactly what the geometry and batch need.</exception>
    public static void BackwardInput(in ConvGeometry g, int batch, ReadOnlySpan<float> outputGradient, ReadOnlySpan<float> weights,
        Span<float> inputGradient)
    {
        CheckCommon(g, batch, inputGradient.Length, nameof(inputGradient), weights.Length, nameof(weights), outputGradient.Length, nameof(outputGradient));
        var s = new Sizes(g);
        if (s.Depthwise)
        {
            inputGradient.Clear();
            for (int b = 0; b < batch; b++)
                Depthwise.BackwardInput(g, outputGradient.Slice(b * g.OutputSize, g.OutputSize), weights, inputGradient.Slice(b * g.InputSize, g.InputSize));
            return;
        }
        Span<float> columns = s.Pointwise ? default : Workspace(s.Columns);
        for (int b = 0; b < batch; b++)
        {
            for (int group = 0; group < g.Groups; group++)
            {
                ReadOnlySpan<float> dy = outputGradient.Slice(b * g.OutputSize + group * s.OutGroup, s.OutGroup);
                Span<float> dx = inputGradient.Slice(b * g.InputSize + group * s.InGroup, s.InGroup);
                Sgemm.Multiply(true, false, s.Taps, s.OutPlane, s.OutChannels, 1f,
                    weights.Slice(group * s.WeightGroup, s.WeightGroup), s.Taps, dy, s.OutPlane,
                    0f, s.Pointwise ? dx : columns, s.OutPlane);
                if (s.Pointwise) continue;
                dx.Clear();
                Im2Col.AddBack(g, columns, dx);
            }
        }
    }

    /// <summary>
    /// ∂L/∂W[oc, c, kh, kw] = Σ_b Σ_{oh, ow} dy[b, oc, oh, ow] · x[b, g · ICg + c, oh · SH − PadTop + kh · DH, ow · SW − PadLeft + kw · DW]
    /// (layout [OC, IC / Groups, KH, KW]) and ∂L/∂bias[oc] = Σ_b Σ_{oh, ow} dy[b, oc, oh, ow]. Both overwrite; samples are
    /// summed in order. <paramref name="biasGradient"/> may be empty (no bias).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="g"/> is uninitialized, or a span's length is not exactly what the geometry and batch need
    /// (<paramref name="biasGradient"/>: empty or OutChannels).
    /// </exception>
    public static void BackwardWeights(in ConvGeometry g, int batch, ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient,
        Span<float> weightGradient, Span<float> biasGradient)
    {
        CheckCommon(g, batch, input.Length, nameof(input), weightGradient.Length, nameof(weightGradient), outputGradient.Length, nameof(outputGradient));
        CheckBias(g, biasGradient.Length, nameof(biasGradient));
        var s = new Sizes(g);
        if (batch == 0 || s.Depthwise) weightGradient.Clear();
        Span<float> columns = s.Pointwise || s.Depthwise ? default : Workspace(s.Columns);
        for (int b = 0; b < batch; b++)
        {
            if (s.Depthwise)
            {
                Depthwise.BackwardWeights(g, input.Slice(b * g.InputSize, g.InputSize), outputGradient.Slice(b * g.OutputSize, g.OutputSize), weightGradient);
                continue;
            }
            for (int group = 0; group < g.Groups; group++)
            {
                ReadOnlySpan<float> x = input.Slice(b * g.InputSize + group * s.InGroup, s.InGroup);
                if (!s.Pointwise) Im2Col.Pack(g, x, columns);
                Sgemm.Multiply(false, true, s.OutChannels, s.Taps, s.OutPlane, 1f,
                    outputGradient.Slice(b * g.OutputSize + group * s.OutGroup, s.OutGroup), s.OutPlane,
                    s.Pointwise ? x : columns, s.OutPlane, b == 0 ? 0f : 1f, weightGradient.Slice(group * s.WeightGroup, s.WeightGroup), s.Taps);
            }
        }
        if (biasGradient.IsEmpty) return;
        biasGradient.Clear();
        for (int b = 0; b < batch; b++)
            for (int oc = 0; oc < g.OutChannels; oc++)
                biasGradient[oc] += Sum(outputGradient.Slice(b * g.OutputSize + oc * s.OutPlane, s.OutPlane));
    }

    /// <summary>Σ values, vectorized; the same order every call on a given instruction set.</summary>
    internal static float Sum(ReadOnlySpan<float> values)
    {
        ref float v = ref MemoryMarshal.GetReference(values);
        int i = 0;
        float sum = 0f;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            Vector<float> acc = Vector<float>.Zero;
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count) acc += Vector.LoadUnsafe(ref v, (nuint)i);
            sum = Vector.Sum(acc);
        }
        for (; i < values.Length; i++) sum += Unsafe.Add(ref v, i);
        return sum;
    }

    /// <summary>Adds bias[oc] to every value of output plane oc of one sample.</summary>
    private static void AddBias(Span<float> sample, ReadOnlySpan<float> bias, int plane)
    {
        for (int oc = 0; oc < bias.Length; oc++)
        {
            ref float p = ref MemoryMarshal.GetReference(sample.Slice(oc * plane, plane));
            float value = bias[oc];
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var vb = new Vector<float>(value);
                for (; i <= plane - Vector<float>.Count; i += Vector<float>.Count)
                    (Vector.LoadUnsafe(ref p, (nuint)i) + vb).StoreUnsafe(ref p, (nuint)i);
            }
            for (; i < plane; i++) Unsafe.Add(ref p, i) += value;
        }
    }

    /// <summary>This thread's workspace, at least <paramref name="length"/> long (allocates only to grow).</summary>
    private static Span<float> Workspace(int length)
    {
        float[]? buffer = t_columns;
        if (buffer is null || buffer.Length < length) t_columns = buffer = new float[length];
        return buffer.AsSpan(0, length);
    }

    private static void CheckCommon(in ConvGeometry g, int batch, int inputLength, string inputName,
        int weightLength, string weightName, int outputLength, string outputName)
    {
        ConvGeometry.CheckConstructed(g, nameof(g));
        KernelChecks.Exactly(inputLength, batch, g.InputSize, inputName, nameof(batch), "g.InputSize");
        KernelChecks.SameLength(weightLength, g.WeightCount, weightName, "g.WeightCount");
        KernelChecks.Exactly(outputLength, batch, g.OutputSize, outputName, nameof(batch), "g.OutputSize");
    }

    private static void CheckBias(in ConvGeometry g, int length, string name)
    {
        if (length != 0 && length != g.OutChannels)
            throw new ArgumentException($"{name} holds {length} values; it must be empty (no bias) or hold g.OutChannels = {g.OutChannels}.", name);
    }

    /// <summary>Per-group sizes of the lowered products; all fit in int by the geometry's checks.</summary>
    private readonly struct Sizes
    {
        public readonly int OutChannels, Taps, OutPlane, InGroup, OutGroup, WeightGroup, Columns;
        public readonly bool Pointwise, Depthwise;

        public Sizes(in ConvGeometry g)
        {
            int inChannels = g.InChannels / g.Groups;
            OutChannels = g.OutChannels / g.Groups;
            Taps = inChannels * g.KernelHeight * g.KernelWidth;
            OutPlane = g.OutHeight * g.OutWidth;
            InGroup = inChannels * g.InHeight * g.InWidth;
            OutGroup = OutChannels * OutPlane;
            WeightGroup = OutChannels * Taps;
            Columns = Taps * OutPlane;
            Pointwise = g.KernelHeight == 1 && g.KernelWidth == 1 && g.StrideHeight == 1 && g.StrideWidth == 1
                && g.PadTop == 0 && g.PadLeft == 0 && g.OutHeight == g.InHeight && g.OutWidth == g.InWidth;
            // One input channel per group, several groups: the direct loops (see Depthwise) beat one tiny GEMM per channel.
            Depthwise = inChannels == 1 && g.Groups > 1;
        }
    }
}
