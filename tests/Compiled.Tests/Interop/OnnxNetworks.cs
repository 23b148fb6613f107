// Networks of the ONNX export tests (OnnxExportTests), besides the image and interop test networks they reuse:
// every activation, softmax over an image, a network ending in dropout or flatten, and the documentation's example.

namespace Compiled.Tests.Interop;

/// <summary>Every elementwise activation on a dense layer, α values that are not the defaults, dropout, then softmax.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 41)]
[Input(6)]
[Dense(9, Activation.Sigmoid)]
[Dense(9, Activation.Tanh)]
[Dense(9, Activation.ReLU)]
[Dense(9, Activation.LeakyReLU, Alpha = 0.3)]
[Dense(9, Activation.ELU, Alpha = 0.7)]
[Dense(9, Activation.Softplus)]
[Dropout(0.25)]
[Dense(9, Activation.Swish)]
[Dense(4, Activation.Softmax)]
public partial class OnnxMlpActivations;

/// <summary>Activation layers on vectors, with a sigmoid output for binary cross-entropy (Predict gives probabilities).</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Seed = 42)]
[Input(5)]
[Dense(7)]
[Activation(Activation.ELU, Alpha = 1.5)]
[Dense(7)]
[Activation(Activation.LeakyReLU, Alpha = 0.05)]
[Dense(1)]
[Activation(Activation.Sigmoid)]
public partial class OnnxActivationLayers;

/// <summary>
/// Softmax over an image (all of a sample's values: Flatten, Softmax, Reshape in ONNX), the output an image; the
/// convolution pads the rows and the columns differently.
/// </summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 43)]
[Input(2, 4, 5)]
[Conv2D(3, 2, Activation.Swish, PadHeight = 1, PadWidth = 0)]
[Activation(Activation.Softmax)]
public partial class OnnxImageSoftmax;

/// <summary>A network whose last layer makes no ONNX node: Flatten of an image after global pooling, then Dropout.</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 44)]
[Input(3, 5, 5)]
[Conv2D(4, 3, Activation.ReLU, Stride = 2, Padding = Padding.Same, Dilation = 1)]
[AvgPool(2, Stride = 1, Pad = 1)]
[Flatten]
[Dropout(0.5)]
public partial class OnnxEndsInDropout;

/// <summary>The CNN of docs/interop-onnx.md: 8×8 digits, convolution, BatchNorm, pooling, softmax probabilities.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 45)]
[Input(1, 8, 8)]
[Conv2D(8, 3, Padding = Padding.Same)]
[BatchNorm]
[Activation(Activation.ReLU)]
[MaxPool(2)]
[Conv2D(16, 3, Activation.ReLU, Padding = Padding.Same)]
[GlobalAveragePool]
[Dense(10, Activation.Softmax)]
public partial class DigitsOnnxCnn;
