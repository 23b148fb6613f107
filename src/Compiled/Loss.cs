namespace Compiled;

/// <summary>The training objective of a network, averaged over the samples of a batch.</summary>
public enum Loss
{
    /// <summary>Mean squared error over all outputs: L = mean((y − t)²). Targets are real values, one per output.</summary>
    MeanSquaredError = 1,
    /// <summary>
    /// Binary cross-entropy on one output unit, computed from logits (stable for any value):
    /// L = mean(max(z, 0) − z·t + ln(1 + e^−|z|)). Targets are 0 or 1. If the last layer applies
    /// <see cref="Activation.Sigmoid"/>, its output is taken as the probability instead.
    /// </summary>
    BinaryCrossEntropy,
    /// <summary>
    /// Softmax cross-entropy with integer class labels (0 … outputs − 1): L = −mean(log softmax(z)[label]).
    /// Needs at least two outputs. If the last layer applies <see cref="Activation.Softmax"/>, its output
    /// is taken as the probabilities instead.
    /// </summary>
    SoftmaxCrossEntropy,
    /// <summary>
    /// Independent binary cross-entropy from logits on every output (multi-label classification),
    /// averaged over outputs and samples. Targets are 0 or 1, one per output.
    /// </summary>
    MultiLabelBinaryCrossEntropy,
}
