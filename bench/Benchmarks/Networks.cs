using Compiled;

namespace Compiled.Benchmarks;

/// <summary>The MLP of the ONNX Runtime comparison (issue 15): 784-128-10.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 1)]
[Input(784)]
[Dense(128, Activation.ReLU)]
[Dense(10)]
public partial class Mlp128;

/// <summary>The Fashion-MNIST sample's MLP: 784-256-10 with dropout.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 1)]
[Input(784)]
[Dense(256, Activation.ReLU)]
[Dropout(0.2)]
[Dense(10)]
public partial class Mlp256;

/// <summary>The CNN of the TorchSharp comparison (issue 11).</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 1)]
[Input(1, 28, 28)]
[Conv2D(16, 3, Activation.ReLU, Pad = 1)]
[MaxPool(2)]
[Conv2D(32, 3, Activation.ReLU, Pad = 1)]
[MaxPool(2)]
[Flatten]
[Dense(128, Activation.ReLU)]
[Dense(10)]
public partial class Cnn;
