using Compiled;

namespace Compiled.Tests.Networks;

/// <summary>UCI digits (8×8 images, 10 classes).</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 11)]
[Input(64)]
[Dense(64, Activation.ReLU)]
[Dropout(0.1)]
[Dense(10)]
public partial class DigitsNet;

/// <summary>UCI breast cancer (30 features, malignant = 0 / benign = 1) with binary cross-entropy from logits.</summary>
[Network(Loss = Loss.BinaryCrossEntropy, Seed = 11)]
[Input(30)]
[Dense(16, Activation.Tanh)]
[Dense(1)]
public partial class CancerNet;

/// <summary>A smooth 2-D regression target with mean squared error.</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 11)]
[Input(2)]
[Dense(32, Activation.Tanh)]
[Dense(32, Activation.Tanh)]
[Dense(1)]
public partial class RegressionNet;

/// <summary>The reference model, for allocation, concurrency and persistence tests.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
[Input(784)]
[Dense(256, Activation.ReLU)]
[Dropout(0.2)]
[Dense(10)]
public partial class FashionMlp;

/// <summary>Same shapes as <see cref="FashionMlp"/> but another activation: a weight file must not load across.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
[Input(784)]
[Dense(256, Activation.Tanh)]
[Dropout(0.2)]
[Dense(10)]
public partial class FashionMlpTanh;

/// <summary>Dropout statistics.</summary>
[Network(Loss = Loss.MeanSquaredError)]
[Input(1000)]
[Dropout(0.5)]
[Dense(1)]
public partial class DropoutProbe;

/// <summary>Three independent yes/no questions about a digit image (multi-label).</summary>
[Network(Loss = Loss.MultiLabelBinaryCrossEntropy, Seed = 11)]
[Input(64)]
[Dense(64, Activation.ReLU)]
[Dense(3, Activation.Sigmoid)]
public partial class DigitPropertiesNet;

/// <summary>One sample's activations take 1.1M floats: a batch of 2000 needs more than an array holds.</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 1)]
[Input(1)]
[Dense(1_100_000)]
[Dense(1)]
public partial class WideActivationsNet;

/// <summary>4096 outputs per input value: 2^20 samples need 2^32 outputs, which wraps an int to exactly 0.</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 1)]
[Input(1)]
[Dense(4096)]
public partial class FanOutNet;
