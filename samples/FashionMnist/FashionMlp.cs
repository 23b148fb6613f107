using Compiled;

namespace FashionMnistSample;

/// <summary>
/// The main job's model: 784 pixels → 256 ReLU units → dropout → 10 class logits. Everything else
/// (shapes, buffers, forward, backward, loss) is generated at build time from these attributes;
/// open obj/…/generated/Compiled.Generator/…/FashionMnistSample.FashionMlp.Network.g.cs to read it.
/// </summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 42)]
[Input(784)]
[Dense(256, Activation.ReLU)]
[Dropout(0.2)]
[Dense(10)]
public partial class FashionMlp;

/// <summary>The fallback model for the embedded UCI digits (8×8 images, 64 features).</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 42)]
[Input(64)]
[Dense(128, Activation.ReLU)]
[Dropout(0.1)]
[Dense(10)]
public partial class DigitsMlp;
