using Compiled;

namespace FashionMnistSample;

/// <summary>
/// The CNN of the main job (--model cnn): two 3×3 convolution blocks with 2×2 max pooling, then a dense
/// classifier: 28×28 → 32×28×28 → 32×14×14 → 64×14×14 → 64×7×7 → 128 → 10, the filter counts of the published
/// two-convolution baselines (the comparison harness's CNN, bench/CnnBench, has 16 and 32: 0.920 here).
/// </summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 42)]
[Input(1, 28, 28)]
[Conv2D(32, 3, Activation.ReLU, Padding = Padding.Same)]
[MaxPool(2)]
[Conv2D(64, 3, Activation.ReLU, Padding = Padding.Same)]
[MaxPool(2)]
[Flatten]
[Dense(128, Activation.ReLU)]
[Dropout(0.3)]
[Dense(10)]
public partial class FashionCnn;

/// <summary>The CNN fallback for the embedded UCI digits (8×8 images): 8×8 → 16×8×8 → 16×4×4 → 64 → 10.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 42)]
[Input(1, 8, 8)]
[Conv2D(16, 3, Activation.ReLU, Padding = Padding.Same)]
[MaxPool(2)]
[Flatten]
[Dense(64, Activation.ReLU)]
[Dense(10)]
public partial class DigitsCnn;

/// <summary>
/// The CNN with batch normalization (--model cnn-bn): two convolution blocks of 32 and 64 filters, each
/// convolution → BatchNorm → ReLU → 2×2 max pooling, then 128 units with BatchNorm, dropout and 10 logits.
/// The convolutions drop their bias: BatchNorm's β shifts each channel already.
/// </summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 42)]
[Input(1, 28, 28)]
[Conv2D(32, 3, Padding = Padding.Same, Bias = false)]
[BatchNorm]
[Activation(Activation.ReLU)]
[MaxPool(2)]
[Conv2D(64, 3, Padding = Padding.Same, Bias = false)]
[BatchNorm]
[Activation(Activation.ReLU)]
[MaxPool(2)]
[Flatten]
[Dense(128)]
[BatchNorm]
[Activation(Activation.ReLU)]
[Dropout(0.4)]
[Dense(10)]
public partial class FashionCnnBn;
