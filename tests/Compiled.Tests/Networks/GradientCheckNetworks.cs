using Compiled;

// Networks for the finite-difference gradient checks: every activation with every loss, on two
// hidden layers (5 → 6 → 4 → outputs). Written out by hand (one class per case) because a network
// is a compile-time declaration; GradientCheckTests lists them all.

namespace Compiled.Tests.Networks;

[Network(Loss = Loss.MeanSquaredError, Seed = 3)]
[Input(5)]
[Dense(6, Activation.Identity)]
[Dense(4, Activation.Identity)]
[Dense(3)]
public partial class GradMseIdentity;

[Network(Loss = Loss.MeanSquaredError, Seed = 3)]
[Input(5)]
[Dense(6, Activation.Sigmoid)]
[Dense(4, Activation.Sigmoid)]
[Dense(3)]
public partial class GradMseSigmoid;

[Network(Loss = Loss.MeanSquaredError, Seed = 3)]
[Input(5)]
[Dense(6, Activation.Tanh)]
[Dense(4, Activation.Tanh)]
[Dense(3)]
public partial class GradMseTanh;

[Network(Loss = Loss.MeanSquaredError, Seed = 3)]
[Input(5)]
[Dense(6, Activation.ReLU)]
[Dense(4, Activation.ReLU)]
[Dense(3)]
public partial class GradMseReLU;

[Network(Loss = Loss.MeanSquaredError, Seed = 3)]
[Input(5)]
[Dense(6, Activation.LeakyReLU, Alpha = 0.2)]
[Dense(4, Activation.LeakyReLU, Alpha = 0.2)]
[Dense(3)]
public partial class GradMseLeakyReLU;

[Network(Loss = Loss.MeanSquaredError, Seed = 3)]
[Input(5)]
[Dense(6, Activation.ELU, Alpha = 0.7)]
[Dense(4, Activation.ELU, Alpha = 0.7)]
[Dense(3)]
public partial class GradMseELU;

[Network(Loss = Loss.MeanSquaredError, Seed = 3)]
[Input(5)]
[Dense(6, Activation.Softplus)]
[Dense(4, Activation.Softplus)]
[Dense(3)]
public partial class GradMseSoftplus;

[Network(Loss = Loss.MeanSquaredError, Seed = 3)]
[Input(5)]
[Dense(6, Activation.Swish)]
[Dense(4, Activation.Swish)]
[Dense(3)]
public partial class GradMseSwish;

[Network(Loss = Loss.MeanSquaredError, Seed = 3)]
[Input(5)]
[Dense(6, Activation.Softmax)]
[Dense(4, Activation.Softmax)]
[Dense(3)]
public partial class GradMseSoftmax;

[Network(Loss = Loss.BinaryCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.Identity)]
[Dense(4, Activation.Identity)]
[Dense(1)]
public partial class GradBceIdentity;

[Network(Loss = Loss.BinaryCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.Sigmoid)]
[Dense(4, Activation.Sigmoid)]
[Dense(1)]
public partial class GradBceSigmoid;

[Network(Loss = Loss.BinaryCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.Tanh)]
[Dense(4, Activation.Tanh)]
[Dense(1)]
public partial class GradBceTanh;

[Network(Loss = Loss.BinaryCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.ReLU)]
[Dense(4, Activation.ReLU)]
[Dense(1)]
public partial class GradBceReLU;

[Network(Loss = Loss.BinaryCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.LeakyReLU, Alpha = 0.2)]
[Dense(4, Activation.LeakyReLU, Alpha = 0.2)]
[Dense(1)]
public partial class GradBceLeakyReLU;

[Network(Loss = Loss.BinaryCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.ELU, Alpha = 0.7)]
[Dense(4, Activation.ELU, Alpha = 0.7)]
[Dense(1)]
public partial class GradBceELU;

[Network(Loss = Loss.BinaryCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.Softplus)]
[Dense(4, Activation.Softplus)]
[Dense(1)]
public partial class GradBceSoftplus;

[Network(Loss = Loss.BinaryCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.Swish)]
[Dense(4, Activation.Swish)]
[Dense(1)]
public partial class GradBceSwish;

[Network(Loss = Loss.BinaryCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.Softmax)]
[Dense(4, Activation.Softmax)]
[Dense(1)]
public partial class GradBceSoftmax;

[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.Identity)]
[Dense(4, Activation.Identity)]
[Dense(3)]
public partial class GradSceIdentity;

[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.Sigmoid)]
[Dense(4, Activation.Sigmoid)]
[Dense(3)]
public partial class GradSceSigmoid;

[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.Tanh)]
[Dense(4, Activation.Tanh)]
[Dense(3)]
public partial class GradSceTanh;

[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.ReLU)]
[Dense(4, Activation.ReLU)]
[Dense(3)]
public partial class GradSceReLU;

[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.LeakyReLU, Alpha = 0.2)]
[Dense(4, Activation.LeakyReLU, Alpha = 0.2)]
[Dense(3)]
public partial class GradSceLeakyReLU;

[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.ELU, Alpha = 0.7)]
[Dense(4, Activation.ELU, Alpha = 0.7)]
[Dense(3)]
public partial class GradSceELU;

[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.Softplus)]
[Dense(4, Activation.Softplus)]
[Dense(3)]
public partial class GradSceSoftplus;

[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.Swish)]
[Dense(4, Activation.Swish)]
[Dense(3)]
public partial class GradSceSwish;

[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.Softmax)]
[Dense(4, Activation.Softmax)]
[Dense(3)]
public partial class GradSceSoftmax;

[Network(Loss = Loss.MultiLabelBinaryCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.Identity)]
[Dense(4, Activation.Identity)]
[Dense(3)]
public partial class GradMultiLabelIdentity;

[Network(Loss = Loss.MultiLabelBinaryCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.Sigmoid)]
[Dense(4, Activation.Sigmoid)]
[Dense(3)]
public partial class GradMultiLabelSigmoid;

[Network(Loss = Loss.MultiLabelBinaryCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.Tanh)]
[Dense(4, Activation.Tanh)]
[Dense(3)]
public partial class GradMultiLabelTanh;

[Network(Loss = Loss.MultiLabelBinaryCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.ReLU)]
[Dense(4, Activation.ReLU)]
[Dense(3)]
public partial class GradMultiLabelReLU;

[Network(Loss = Loss.MultiLabelBinaryCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.LeakyReLU, Alpha = 0.2)]
[Dense(4, Activation.LeakyReLU, Alpha = 0.2)]
[Dense(3)]
public partial class GradMultiLabelLeakyReLU;

[Network(Loss = Loss.MultiLabelBinaryCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.ELU, Alpha = 0.7)]
[Dense(4, Activation.ELU, Alpha = 0.7)]
[Dense(3)]
public partial class GradMultiLabelELU;

[Network(Loss = Loss.MultiLabelBinaryCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.Softplus)]
[Dense(4, Activation.Softplus)]
[Dense(3)]
public partial class GradMultiLabelSoftplus;

[Network(Loss = Loss.MultiLabelBinaryCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.Swish)]
[Dense(4, Activation.Swish)]
[Dense(3)]
public partial class GradMultiLabelSwish;

[Network(Loss = Loss.MultiLabelBinaryCrossEntropy, Seed = 3)]
[Input(5)]
[Dense(6, Activation.Softmax)]
[Dense(4, Activation.Softmax)]
[Dense(3)]
public partial class GradMultiLabelSoftmax;

[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 5)]
[Input(5)]
[Dense(6, Activation.Tanh)]
[Dense(4, Activation.ReLU)]
[Dense(3, Activation.Softmax)]
public partial class GradSceSoftmaxOutput;

[Network(Loss = Loss.BinaryCrossEntropy, Seed = 5)]
[Input(5)]
[Dense(6, Activation.Tanh)]
[Dense(4, Activation.ELU)]
[Dense(1, Activation.Sigmoid)]
public partial class GradBceSigmoidOutput;

[Network(Loss = Loss.MultiLabelBinaryCrossEntropy, Seed = 5)]
[Input(5)]
[Dense(6, Activation.Swish)]
[Dense(4, Activation.Softplus)]
[Dense(3, Activation.Sigmoid)]
public partial class GradMultiLabelSigmoidOutput;

[Network(Loss = Loss.MeanSquaredError, Seed = 5)]
[Input(5)]
[Dense(6, Activation.Tanh)]
[Dense(4, Activation.Tanh)]
[Dense(3, Activation.Sigmoid)]
public partial class GradMseSigmoidOutput;

[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 5)]
[Input(5)]
[Activation(Activation.Tanh)]
[Dense(6)]
[Activation(Activation.Swish)]
[Dense(4)]
[Activation(Activation.LeakyReLU, Alpha = 0.1)]
[Dropout(0)]
[Dense(3)]
[Activation(Activation.Softmax)]
public partial class GradSceActivationLayers;

[Network(Loss = Loss.MeanSquaredError, Seed = 5)]
[Input(5)]
[Dense(6)]
[Activation(Activation.Softplus)]
[Dense(4)]
[Activation(Activation.ELU)]
[Dense(3)]
[Activation(Activation.Softmax)]
public partial class GradMseActivationLayers;

[Network(Loss = Loss.BinaryCrossEntropy, Seed = 5)]
[Input(5)]
[Dense(6)]
[Activation(Activation.Sigmoid)]
[Dense(4, Activation.ReLU)]
[Dense(1)]
[Activation(Activation.Sigmoid)]
public partial class GradBceActivationLayers;
