using System;

namespace Compiled;

/// <summary>
/// Thrown by <see cref="Trainer.Fit"/> when a training step's loss or gradient is NaN or infinite. The
/// failing step's update is never applied: the network keeps the weights of the last finite step, or,
/// with early stopping, the best epoch's weights (<see cref="RestoredEpoch"/>).
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for the given epoch and step, with the weights of the last finite step kept.</summary>
    public TrainingDivergedException(int epoch, int step, float loss)
        : this(epoch, step, loss, restoredEpoch: null, history: null)
    {
    }

    /// <summary>Creates the exception, saying which weights the network was left with.</summary>
    /// <param name="epoch">1-based epoch of the failing step.</param>
    /// <param name="step">1-based step within the epoch.</param>
    /// <param name="loss">The step's loss (NaN when only a gradient was not finite).</param>
    /// <param name="restoredEpoch">The epoch whose weights were restored (early stopping's best), or null when the weights are those of the last finite step.</param>
    /// <param name="history">The epochs completed before the failure.</param>
    public TrainingDivergedException(int epoch, int step, float loss, int? restoredEpoch, FitHistory? history)
        : base(Describe(epoch, step, loss, restoredEpoch))
    {
        Epoch = epoch;
        Step = step;
        Loss = loss;
        RestoredEpoch = restoredEpoch;
        History = history;
    }

    /// <summary>1-based epoch of the failing step.</summary>
    public int Epoch { get; }

    /// <summary>1-based step within the epoch.</summary>
    public int Step { get; }

    /// <summary>The failing step's loss: NaN or ±∞ (NaN also when the loss was finite but a gradient was not).</summary>
    public float Loss { get; }

    /// <summary>
    /// The epoch whose weights the network was given back (the best validation loss so far, with early
    /// stopping), or null: then it holds the weights after the last finite step, since the failing
    /// step's update was skipped.
    /// </summary>
    public int? RestoredEpoch { get; }

    /// <summary>The epochs completed before the failure (null when not recorded).</summary>
    public FitHistory? History { get; }

    private static string Describe(int epoch, int step, float loss, int? restoredEpoch)
    {
        string kept = restoredEpoch is { } best
            ? $"The network holds the weights of epoch {best}, the best validation loss before the failure."
            : step > 1 || epoch > 1
                ? "The failing update was not applied: the network holds the weights after the last finite step."
                : "The failing update was not applied: the network holds its initial weights.";
        return $"Training diverged: the loss or a gradient became {loss} at epoch {epoch}, step {step}. {kept} "
            + "Lower the learning rate, scale the inputs (StandardScaler), or check the data for NaN.";
    }
}
