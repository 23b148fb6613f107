using Compiled;

namespace BrowserDigits;

/// <summary>
/// The demo's network: an 8×8 UCI digit (64 intensities 0..16, scaled to 0..1) → 32 ReLU units → 10 class logits,
/// softmax cross-entropy. The generator writes the rest of the class at build time, in the browser build as in a
/// native one (tests/Compiled.BrowserTests links this file to measure the same network natively).
/// </summary>
[Network(Loss = Loss.SoftmaxCrossEntropy, Seed = 42)]
[Input(64)]
[Dense(32, Activation.ReLU)]
[Dense(10)]
public partial class DigitsNet;
