using Compiled;

namespace Compiled.Tests.Images;

/// <summary>PReLU per channel alone over 4×5×5 images (the prelu_2d fixture); MSE lets a test inject any upstream gradient.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(4, 5, 5)]
[PReLU]
public partial class TorchPReLU2d;

/// <summary>One shared PReLU slope over 3×4×4 images (the prelu_2d_shared fixture).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(3, 4, 4)]
[PReLU(Shared = true)]
public partial class TorchPReLU2dShared;

/// <summary>PReLU per feature over 7 features (the prelu_1d fixture).</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(7)]
[PReLU]
public partial class TorchPReLU1d;

/// <summary>
/// PReLU in a CNN: per channel after a convolution (its own starting slope), shared after a Dense; the
/// convolution and the Dense take He initialization from the PReLU after them.
/// </summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 6)]
[Input(2, 6, 6)]
[Conv2D(3, 3, Padding = Padding.Same)]
[PReLU(InitialValue = 0.1)]
[MaxPool(2)]
[Dense(5)]
[PReLU(Shared = true, Name = "act")]
[Dense(3)]
public partial class ImgPReLU;

/// <summary>PReLU per feature as the first layer (no input gradient to give) and after a Dense.</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 2)]
[Input(4)]
[PReLU]
[Dense(6)]
[PReLU(InitialValue = -0.5)]
[Dense(2)]
public partial class VecPReLU;
