using System.Collections.Generic;
using Compiled;
using Compiled.Tests.Networks;

// Wide networks for the gradient checks and the double-precision reference: 19 inputs, hidden layers of
// 33 and 17 units, so that every Vector256 loop (8 lanes) runs its body and its scalar tail, and the
// SGEMM's blocked micro-kernels get a register tile plus one column: 33 = the AVX-512 kernel's NR (32)
// + 1, 17 = the AVX2 kernel's NR (16) + 1 (the scalar kernel, NR = 4, has tails everywhere); outputs
// narrower than NR take the direct kernels of SgemmSmall. The narrow networks (GradientCheckNetworks.cs,
// at most 6 units) never reach the vector body of a Dense epilogue: with the bias sign flipped there,
// all of them still pass and every wide one fails.
// Every activation is fused into a Dense layer at both widths (one network per activation, the losses
// rotating), every cross-entropy has a fused-output variant, and every activation but Identity appears
// as a standalone [Activation] layer at some width of 17 or more.

namespace Compiled.Tests.Numerics;

[Network(Loss = Loss.MeanSquaredError, Seed = 7)]
[Input(19)]
[Dense(33, Activation.Identity)]
[Dense(17, Activation.Identity)]
[Dense(9)]
public partial class WideMseIdentity;

[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 7)]
[Input(19)]
[Dense(33, Activation.Sigmoid)]
[Dense(17, Activation.Sigmoid)]
[Dense(5)]
public partial class WideSceSigmoid;

[Network(Loss = Loss.BinaryCrossEntropy, Seed = 7)]
[Input(19)]
[Dense(33, Activation.Tanh)]
[Dense(17, Activation.Tanh)]
[Dense(1)]
public partial class WideBceTanh;

[Network(Loss = Loss.MultiLabelBinaryCrossEntropy, Seed = 7)]
[Input(19)]
[Dense(33, Activation.ReLU)]
[Dense(17, Activation.ReLU)]
[Dense(17)]
public partial class WideMultiLabelReLU;

[Network(Loss = Loss.MeanSquaredError, Seed = 7)]
[Input(19)]
[Dense(33, Activation.LeakyReLU, Alpha = 0.2)]
[Dense(17, Activation.LeakyReLU, Alpha = 0.2)]
[Dense(9)]
public partial class WideMseLeakyReLU;

[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 7)]
[Input(19)]
[Dense(33, Activation.ELU, Alpha = 0.7)]
[Dense(17, Activation.ELU, Alpha = 0.7)]
[Dense(5)]
public partial class WideSceELU;

[Network(Loss = Loss.BinaryCrossEntropy, Seed = 7)]
[Input(19)]
[Dense(33, Activation.Softplus)]
[Dense(17, Activation.Softplus)]
[Dense(1)]
public partial class WideBceSoftplus;

[Network(Loss = Loss.MultiLabelBinaryCrossEntropy, Seed = 7)]
[Input(19)]
[Dense(33, Activation.Swish)]
[Dense(17, Activation.Swish)]
[Dense(17)]
public partial class WideMultiLabelSwish;

[Network(Loss = Loss.MeanSquaredError, Seed = 7)]
[Input(19)]
[Dense(33, Activation.Softmax)]
[Dense(17, Activation.Softmax)]
[Dense(9)]
public partial class WideMseSoftmax;

[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 11)]
[Input(19)]
[Dense(33, Activation.Tanh)]
[Dense(17, Activation.ReLU)]
[Dense(11, Activation.Softmax)]
public partial class WideSceSoftmaxOutput;

[Network(Loss = Loss.BinaryCrossEntropy, Seed = 11)]
[Input(19)]
[Dense(33, Activation.Swish)]
[Dense(17, Activation.ELU)]
[Dense(1, Activation.Sigmoid)]
public partial class WideBceSigmoidOutput;

[Network(Loss = Loss.MultiLabelBinaryCrossEntropy, Seed = 11)]
[Input(19)]
[Dense(33, Activation.Softplus)]
[Dense(17, Activation.LeakyReLU, Alpha = 0.1)]
[Dense(17, Activation.Sigmoid)]
public partial class WideMultiLabelSigmoidOutput;

[Network(Loss = Loss.MeanSquaredError, Seed = 11)]
[Input(19)]
[Dense(33, Activation.Sigmoid)]
[Dense(17)]
[Dense(9, Activation.Tanh)]
public partial class WideMseTanhOutput;

[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 13)]
[Input(19)]
[Activation(Activation.Tanh)]
[Dense(33)]
[Activation(Activation.Swish)]
[Dense(17)]
[Activation(Activation.LeakyReLU, Alpha = 0.1)]
[Dropout(0)]
[Dense(5)]
[Activation(Activation.Softmax)]
public partial class WideSceActivationLayers;

[Network(Loss = Loss.MeanSquaredError, Seed = 13)]
[Input(19)]
[Dense(33)]
[Activation(Activation.Softplus)]
[Dense(17)]
[Activation(Activation.ELU)]
[Dense(9)]
[Activation(Activation.Sigmoid)]
public partial class WideMseActivationLayers;

[Network(Loss = Loss.MultiLabelBinaryCrossEntropy, Seed = 13)]
[Input(19)]
[Dense(33)]
[Activation(Activation.ReLU)]
[Dense(17)]
[Activation(Activation.Softmax)]
[Dense(17)]
[Activation(Activation.Sigmoid)]
public partial class WideMultiLabelActivationLayers;

[Network(Loss = Loss.BinaryCrossEntropy, Seed = 13)]
[Input(19)]
[Activation(Activation.Sigmoid)]
[Dense(17)]
[Activation(Activation.ELU, Alpha = 0.7)]
[Dense(33)]
[Activation(Activation.Tanh)]
[Dense(1)]
[Activation(Activation.Sigmoid)]
public partial class WideBceActivationLayers;

/// <summary>Every wide network above, by class name.</summary>
internal static class WideGradientCases
{
    public static readonly IReadOnlyDictionary<string, GradientCase> All = new Dictionary<string, GradientCase>
    {
        ["WideMseIdentity"] = new(() => new WideMseIdentity(), Loss.MeanSquaredError),
        ["WideSceSigmoid"] = new(() => new WideSceSigmoid(), Loss.SoftmaxCrossEntropy),
        ["WideBceTanh"] = new(() => new WideBceTanh(), Loss.BinaryCrossEntropy),
        ["WideMultiLabelReLU"] = new(() => new WideMultiLabelReLU(), Loss.MultiLabelBinaryCrossEntropy),
        ["WideMseLeakyReLU"] = new(() => new WideMseLeakyReLU(), Loss.MeanSquaredError),
        ["WideSceELU"] = new(() => new WideSceELU(), Loss.SoftmaxCrossEntropy),
        ["WideBceSoftplus"] = new(() => new WideBceSoftplus(), Loss.BinaryCrossEntropy),
        ["WideMultiLabelSwish"] = new(() => new WideMultiLabelSwish(), Loss.MultiLabelBinaryCrossEntropy),
        ["WideMseSoftmax"] = new(() => new WideMseSoftmax(), Loss.MeanSquaredError),
        ["WideSceSoftmaxOutput"] = new(() => new WideSceSoftmaxOutput(), Loss.SoftmaxCrossEntropy),
        ["WideBceSigmoidOutput"] = new(() => new WideBceSigmoidOutput(), Loss.BinaryCrossEntropy),
        ["WideMultiLabelSigmoidOutput"] = new(() => new WideMultiLabelSigmoidOutput(), Loss.MultiLabelBinaryCrossEntropy),
        ["WideMseTanhOutput"] = new(() => new WideMseTanhOutput(), Loss.MeanSquaredError),
        ["WideSceActivationLayers"] = new(() => new WideSceActivationLayers(), Loss.SoftmaxCrossEntropy),
        ["WideMseActivationLayers"] = new(() => new WideMseActivationLayers(), Loss.MeanSquaredError),
        ["WideMultiLabelActivationLayers"] = new(() => new WideMultiLabelActivationLayers(), Loss.MultiLabelBinaryCrossEntropy),
        ["WideBceActivationLayers"] = new(() => new WideBceActivationLayers(), Loss.BinaryCrossEntropy),
    };
}
