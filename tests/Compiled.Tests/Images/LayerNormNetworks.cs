using Compiled;

namespace Compiled.Tests.Images;

/// <summary>LayerNorm alone over 3×4×5 images (the layernorm_2d fixture); MSE lets a test inject any upstream gradient.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(3, 4, 5)]
[LayerNorm]
public partial class TorchLayerNorm2d;

/// <summary>LayerNorm alone over 9 features with ε = 1e-3 (the layernorm_1d fixture).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(9)]
[LayerNorm(Epsilon = 1e-3)]
public partial class TorchLayerNorm1d;

/// <summary>LayerNorm over a convolution's C×H×W output, then over a Dense's features.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 9)]
[Input(2, 6, 6)]
[Conv2D(3, 3)]
[LayerNorm]
[Activation(Activation.Tanh)]
[MaxPool(2)]
[Dense(6)]
[LayerNorm(Name = "norm")]
[Activation(Activation.Swish)]
[Dense(3)]
public partial class ImgLayerNorm;

/// <summary>LayerNorm as the first layer (no input gradient to give), on a vector.</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 4)]
[Input(5)]
[LayerNorm(Epsilon = 1e-2)]
[Dense(4, Activation.Tanh)]
[Dense(2)]
public partial class VecLayerNorm;
