using System;
using System.Collections.Generic;

namespace Compiled.Tests.Networks;

/// <summary>A gradient-check network: how to make it, and the loss it was declared with.</summary>
internal sealed record GradientCase(Func<INetwork> Create, Loss Loss)
{
    /// <summary>
    /// Random targets that fit the loss: class labels for softmax cross-entropy, 0/1 for the binary
    /// cross-entropies, values in [−1, 1] for mean squared error.
    /// </summary>
    public float[] Targets(INetwork net, Rng rng, int batch)
    {
        var targets = new float[batch * net.TargetSize];
        for (int i = 0; i < targets.Length; i++)
            targets[i] = Loss switch
            {
                Loss.SoftmaxCrossEntropy => rng.NextInt(net.OutputSize),
                Loss.MeanSquaredError => rng.NextUniform(-1f, 1f),
                _ => rng.NextInt(2),
            };
        return targets;
    }
}

/// <summary>Every gradient-check network (GradientCheckNetworks.cs), by class name.</summary>
internal static class GradientCheckCases
{
    public static readonly IReadOnlyDictionary<string, GradientCase> All = new Dictionary<string, GradientCase>
    {
        ["GradMseIdentity"] = new(() => new GradMseIdentity(), Loss.MeanSquaredError),
        ["GradMseSigmoid"] = new(() => new GradMseSigmoid(), Loss.MeanSquaredError),
        ["GradMseTanh"] = new(() => new GradMseTanh(), Loss.MeanSquaredError),
        ["GradMseReLU"] = new(() => new GradMseReLU(), Loss.MeanSquaredError),
        ["GradMseLeakyReLU"] = new(() => new GradMseLeakyReLU(), Loss.MeanSquaredError),
        ["GradMseELU"] = new(() => new GradMseELU(), Loss.MeanSquaredError),
        ["GradMseSoftplus"] = new(() => new GradMseSoftplus(), Loss.MeanSquaredError),
        ["GradMseSwish"] = new(() => new GradMseSwish(), Loss.MeanSquaredError),
        ["GradMseSoftmax"] = new(() => new GradMseSoftmax(), Loss.MeanSquaredError),
        ["GradBceIdentity"] = new(() => new GradBceIdentity(), Loss.BinaryCrossEntropy),
        ["GradBceSigmoid"] = new(() => new GradBceSigmoid(), Loss.BinaryCrossEntropy),
        ["GradBceTanh"] = new(() => new GradBceTanh(), Loss.BinaryCrossEntropy),
        ["GradBceReLU"] = new(() => new GradBceReLU(), Loss.BinaryCrossEntropy),
        ["GradBceLeakyReLU"] = new(() => new GradBceLeakyReLU(), Loss.BinaryCrossEntropy),
        ["GradBceELU"] = new(() => new GradBceELU(), Loss.BinaryCrossEntropy),
        ["GradBceSoftplus"] = new(() => new GradBceSoftplus(), Loss.BinaryCrossEntropy),
        ["GradBceSwish"] = new(() => new GradBceSwish(), Loss.BinaryCrossEntropy),
        ["GradBceSoftmax"] = new(() => new GradBceSoftmax(), Loss.BinaryCrossEntropy),
        ["GradSceIdentity"] = new(() => new GradSceIdentity(), Loss.SoftmaxCrossEntropy),
        ["GradSceSigmoid"] = new(() => new GradSceSigmoid(), Loss.SoftmaxCrossEntropy),
        ["GradSceTanh"] = new(() => new GradSceTanh(), Loss.SoftmaxCrossEntropy),
        ["GradSceReLU"] = new(() => new GradSceReLU(), Loss.SoftmaxCrossEntropy),
        ["GradSceLeakyReLU"] = new(() => new GradSceLeakyReLU(), Loss.SoftmaxCrossEntropy),
        ["GradSceELU"] = new(() => new GradSceELU(), Loss.SoftmaxCrossEntropy),
        ["GradSceSoftplus"] = new(() => new GradSceSoftplus(), Loss.SoftmaxCrossEntropy),
        ["GradSceSwish"] = new(() => new GradSceSwish(), Loss.SoftmaxCrossEntropy),
        ["GradSceSoftmax"] = new(() => new GradSceSoftmax(), Loss.SoftmaxCrossEntropy),
        ["GradMultiLabelIdentity"] = new(() => new GradMultiLabelIdentity(), Loss.MultiLabelBinaryCrossEntropy),
        ["GradMultiLabelSigmoid"] = new(() => new GradMultiLabelSigmoid(), Loss.MultiLabelBinaryCrossEntropy),
        ["GradMultiLabelTanh"] = new(() => new GradMultiLabelTanh(), Loss.MultiLabelBinaryCrossEntropy),
        ["GradMultiLabelReLU"] = new(() => new GradMultiLabelReLU(), Loss.MultiLabelBinaryCrossEntropy),
        ["GradMultiLabelLeakyReLU"] = new(() => new GradMultiLabelLeakyReLU(), Loss.MultiLabelBinaryCrossEntropy),
        ["GradMultiLabelELU"] = new(() => new GradMultiLabelELU(), Loss.MultiLabelBinaryCrossEntropy),
        ["GradMultiLabelSoftplus"] = new(() => new GradMultiLabelSoftplus(), Loss.MultiLabelBinaryCrossEntropy),
        ["GradMultiLabelSwish"] = new(() => new GradMultiLabelSwish(), Loss.MultiLabelBinaryCrossEntropy),
        ["GradMultiLabelSoftmax"] = new(() => new GradMultiLabelSoftmax(), Loss.MultiLabelBinaryCrossEntropy),
        ["GradSceSoftmaxOutput"] = new(() => new GradSceSoftmaxOutput(), Loss.SoftmaxCrossEntropy),
        ["GradBceSigmoidOutput"] = new(() => new GradBceSigmoidOutput(), Loss.BinaryCrossEntropy),
        ["GradMultiLabelSigmoidOutput"] = new(() => new GradMultiLabelSigmoidOutput(), Loss.MultiLabelBinaryCrossEntropy),
        ["GradMseSigmoidOutput"] = new(() => new GradMseSigmoidOutput(), Loss.MeanSquaredError),
        ["GradSceActivationLayers"] = new(() => new GradSceActivationLayers(), Loss.SoftmaxCrossEntropy),
        ["GradMseActivationLayers"] = new(() => new GradMseActivationLayers(), Loss.MeanSquaredError),
        ["GradBceActivationLayers"] = new(() => new GradBceActivationLayers(), Loss.BinaryCrossEntropy),
    };
}
