namespace Compiled;

/// <summary>
/// The result of evaluating a network on a data set.
/// <see cref="Accuracy"/> is the fraction of correct predictions: argmax against the label for softmax
/// cross-entropy, output above 0.5 probability against the 0/1 target for binary and multi-label
/// cross-entropy (per output), and NaN for regression (mean squared error), where it has no meaning.
/// </summary>
public readonly record struct EvaluationResult(double Loss, double Accuracy, int Count)
{
    /// <inheritdoc />
    public override string ToString() =>
        double.IsNaN(Accuracy) ? $"loss {Loss:F4} on {Count} samples" : $"loss {Loss:F4}, accuracy {Accuracy:P2} on {Count} samples";
}
