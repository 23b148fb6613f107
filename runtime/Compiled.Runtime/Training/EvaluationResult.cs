namespace Compiled;

/// <summary>
/// The result of evaluating a network on a data set.
/// <see cref="Accuracy"/> is the fraction of correct predictions: argmax against the label for softmax
/// cross-entropy, output above 0.5 probability against the 0/1 target for binary and multi-label
/// cross-entropy (per output), and NaN for regression (mean squared error), where it has no meaning: there
/// <see cref="MeanAbsoluteError"/> is filled in instead.
/// </summary>
public readonly record struct EvaluationResult(double Loss, double Accuracy, int Count)
{
    /// <summary>
    /// Regression (mean squared error) networks: the mean absolute error over every output, in the targets'
    /// units; NaN for classifiers. (The loss is then the mean squared error, so √Loss is the RMSE.)
    /// </summary>
    public double MeanAbsoluteError { get; init; } = double.NaN;

    /// <inheritdoc />
    public override string ToString() =>
        !double.IsNaN(MeanAbsoluteError) ? $"loss (MSE) {Loss:G4}, RMSE {System.Math.Sqrt(Loss):G4}, MAE {MeanAbsoluteError:G4} on {Count} samples"
        : double.IsNaN(Accuracy) ? $"loss {Loss:F4} on {Count} samples"
        : $"loss {Loss:F4}, accuracy {Accuracy:P2} on {Count} samples";
}
