using System;

namespace Compiled;

/// <summary>Thrown when a training step produces a loss that is NaN or infinite.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for the given epoch and step.</summary>
    public TrainingDivergedException(int epoch, int step, float loss)
        : base($"Training diverged: the loss became {loss} at epoch {epoch}, step {step}. Lower the learning rate, scale the inputs (StandardScaler), or check the data for NaN.")
    {
        Epoch = epoch;
        Step = step;
    }

    /// <summary>1-based epoch of the failing step.</summary>
    public int Epoch { get; }

    /// <summary>1-based step within the epoch.</summary>
    public int Step { get; }
}
