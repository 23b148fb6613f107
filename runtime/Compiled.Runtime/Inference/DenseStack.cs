using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics;
using Compiled.Kernels;

namespace Compiled;

/// <summary>
/// The activations an inference copy of a dense network applies after a layer's product (names as
/// <see cref="LayerInfo.Activation"/>; the byte values are part of <see cref="QuantizedNetwork"/>'s file format).
/// </summary>
internal enum InferenceActivation : byte { Identity, ReLU, LeakyReLU, ELU, Sigmoid, Tanh, Softplus, Swish, Softmax }

/// <summary>
/// One layer of a dense network as an inference copy reads it: a Dense layer (a copy of its weights,
/// [Outputs × Inputs] row-major, and of its bias) or an activation-only layer (<see cref="Weights"/> null).
/// </summary>
internal sealed record DenseStackLayer(string Name, int Inputs, int Outputs, float[]? Weights, float[]? Bias, InferenceActivation Activation, float Alpha);

/// <summary>
/// What <see cref="QuantizedNetwork"/> and <see cref="PackedNetwork"/> share: a dense network's layers read through
/// <see cref="INetwork"/>, and the activations they apply in float.
/// </summary>
internal static class DenseStack
{
    /// <summary>
    /// The Dense and Activation layers of <paramref name="network"/>, in order (Dropout and Flatten are identities at
    /// inference and left out), with copies of the weights; <paramref name="owner"/> names the caller in errors.
    /// </summary>
    /// <exception cref="NotSupportedException">A layer is of another kind, or has an activation not listed in <see cref="InferenceActivation"/>.</exception>
    /// <exception cref="ArgumentException">The network lists no layers, or a Dense layer has no weight tensor.</exception>
    public static List<DenseStackLayer> Read(INetwork network, string owner)
    {
        ArgumentNullException.ThrowIfNull(network);
        IReadOnlyList<LayerInfo> infos = network.Layers;
        if (infos.Count == 0)
            throw new ArgumentException($"{network.GetType().Name} lists no layers (INetwork.Layers): rebuild it with this version of the generator.", nameof(network));
        var tensors = network.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        ReadOnlySpan<float> parameters = network.Parameters;
        var layers = new List<DenseStackLayer>();
        foreach (LayerInfo info in infos)
        {
            switch (info.Kind)
            {
                case LayerKind.Dense:
                {
                    TensorInfo weight = tensors.TryGetValue(info.Name + ".weight", out var t) ? t
                        : throw new ArgumentException($"Layer '{info.Name}' has no tensor '{info.Name}.weight' in {network.GetType().Name}.Tensors.", nameof(network));
                    int outputs = weight.Shape[0], inputs = weight.Count / outputs;
                    float[] bias = tensors.TryGetValue(info.Name + ".bias", out var b) ? parameters.Slice(b.Offset, b.Count).ToArray() : new float[outputs];
                    layers.Add(new DenseStackLayer(info.Name, inputs, outputs, parameters.Slice(weight.Offset, weight.Count).ToArray(), bias,
                        ActivationOf(info, owner), info.Alpha));
                    break;
                }
                case LayerKind.Activation:
                {
                    int width = info.OutputShape.Aggregate(1, (a, d) => a * d);
                    layers.Add(new DenseStackLayer(info.Name, width, width, null, null, ActivationOf(info, owner), info.Alpha));
                    break;
                }
                case LayerKind.Dropout:
                case LayerKind.Flatten:
                    break; // identity at inference (Flatten: the same values, read as a vector)
                default:
                    throw new NotSupportedException($"Layer '{info.Name}' is {info.Kind}: {owner} supports dense networks (Dense, Dropout, Flatten and Activation layers).");
            }
        }
        return layers;
    }

    private static InferenceActivation ActivationOf(LayerInfo info, string owner) =>
        Enum.TryParse(info.Activation, out InferenceActivation a) && Enum.IsDefined(a) ? a
            : throw new NotSupportedException($"Layer '{info.Name}' has the activation {info.Activation}, which {owner} does not support.");

    /// <summary>Samples in <paramref name="inputs"/>, a positive multiple of <paramref name="inputSize"/> values.</summary>
    /// <exception cref="ArgumentException">It is not (parameter "inputs").</exception>
    public static int Samples(ReadOnlySpan<float> inputs, int inputSize) =>
        inputs.Length != 0 && inputs.Length % inputSize == 0 ? inputs.Length / inputSize
            : throw new ArgumentException($"inputs has {inputs.Length} values: expected a positive multiple of InputSize ({inputSize}).", nameof(inputs));

    /// <summary><see cref="Samples"/>, and checks that the outputs hold <paramref name="outputSize"/> values per sample.</summary>
    /// <exception cref="ArgumentException">A length is wrong (parameter "inputs" or "outputs").</exception>
    public static int CheckBatch(ReadOnlySpan<float> inputs, int inputSize, int outputsLength, int outputSize)
    {
        int count = Samples(inputs, inputSize);
        if (outputsLength != (long)count * outputSize)
            throw new ArgumentException($"outputs has {outputsLength} values: expected {(long)count * outputSize} ({outputSize} per sample for {count} samples).", "outputs");
        return count;
    }

    /// <summary>Applies <paramref name="activation"/> to <paramref name="y"/> in place (Softmax: over the whole span, one sample).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Activate(InferenceActivation activation, float alpha, Span<float> y)
    {
        switch (activation)
        {
            case InferenceActivation.Identity: return;
            case InferenceActivation.ReLU:
            {
                int i = 0;
                if (Vector256.IsHardwareAccelerated)
                    for (; i + 8 <= y.Length; i += 8) ActivationMath.ReLU(Vector256.Create(y.Slice(i, 8))).CopyTo(y.Slice(i, 8));
                for (; i < y.Length; i++) y[i] = ActivationMath.ReLU(y[i]);
                return;
            }
            case InferenceActivation.LeakyReLU: for (int i = 0; i < y.Length; i++) y[i] = ActivationMath.LeakyReLU(y[i], alpha); return;
            case InferenceActivation.ELU: for (int i = 0; i < y.Length; i++) y[i] = ActivationMath.ELU(y[i], alpha); return;
            case InferenceActivation.Sigmoid: for (int i = 0; i < y.Length; i++) y[i] = ActivationMath.Sigmoid(y[i]); return;
            case InferenceActivation.Tanh: for (int i = 0; i < y.Length; i++) y[i] = ActivationMath.Tanh(y[i]); return;
            case InferenceActivation.Softplus: for (int i = 0; i < y.Length; i++) y[i] = ActivationMath.Softplus(y[i]); return;
            case InferenceActivation.Swish: for (int i = 0; i < y.Length; i++) y[i] = ActivationMath.Swish(y[i]); return;
            case InferenceActivation.Softmax:
            {
                float max = float.NegativeInfinity;
                foreach (float v in y) max = MathF.Max(max, v);
                float sum = 0f;
                for (int i = 0; i < y.Length; i++) sum += y[i] = MathF.Exp(y[i] - max);
                for (int i = 0; i < y.Length; i++) y[i] /= sum;
                return;
            }
            default: throw new InvalidOperationException($"Unknown activation {activation}.");
        }
    }
}
