using System;

namespace Compiled;

/// <summary>How <see cref="Trainer.Fit"/> trains a network.</summary>
public sealed class FitOptions
{
    /// <summary>Passes over the training data (default 10).</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>Samples per training step (default 32).</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>The optimizer (default: <see cref="Adam"/> with learning rate 0.001).</summary>
    public Optimizer? Optimizer { get; set; }

    /// <summary>Whether to reshuffle the training data every epoch (default true).</summary>
    public bool Shuffle { get; set; } = true;

    /// <summary>Seed of the shuffling order (and of the augmentation); the same seed gives the same run.</summary>
    public long Seed { get; set; }

    /// <summary>
    /// Random changes applied to a copy of every training minibatch before its step (never to validation
    /// data), or null. Its image shape must hold the network's InputSize values.
    /// </summary>
    public ImageAugmentation? Augmentation { get; set; }

    /// <summary>
    /// Sets the optimizer's learning rate before every epoch from the rate it had when Fit started
    /// (<see cref="LearningRateSchedule.Cosine"/>, <see cref="LearningRateSchedule.Step"/>, …), or null to
    /// leave it alone (a <see cref="Progress"/> callback may then change it). Use one instance per run.
    /// </summary>
    public LearningRateSchedule? Schedule { get; set; }

    /// <summary>Data evaluated after every epoch (loss and accuracy in the report), or null.</summary>
    public Dataset? Validation { get; set; }

    /// <summary>
    /// Stops when the watched validation metric (<see cref="Monitor"/>) has not improved for this many
    /// epochs and restores the best weights (0, the default, never stops early). Needs <see cref="Validation"/>.
    /// </summary>
    public int Patience { get; set; }

    /// <summary>
    /// What early stopping watches: the validation loss (default) or the validation accuracy. Loss and
    /// accuracy can disagree: a network that grows overconfident on a few samples raises the loss while
    /// still getting more samples right.
    /// </summary>
    public EarlyStoppingMonitor Monitor { get; set; }

    /// <summary>Called after every epoch with its report (on the training thread).</summary>
    public Action<EpochReport>? Progress { get; set; }
}

/// <summary>What happened in one epoch of <see cref="Trainer.Fit"/>.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="TrainLoss">Mean training loss over the epoch's steps (weighted by batch size; dropout active).</param>
/// <param name="ValidationLoss">Validation loss after the epoch, or NaN without validation data.</param>
/// <param name="ValidationAccuracy">Validation accuracy after the epoch, or NaN (no validation data, or regression).</param>
/// <param name="Seconds">Wall-clock seconds of the epoch's training steps (validation excluded).</param>
public readonly record struct EpochReport(int Epoch, int Epochs, double TrainLoss, double ValidationLoss, double ValidationAccuracy, double Seconds)
{
    /// <summary>The optimizer's learning rate during the epoch (NaN when unknown).</summary>
    public double LearningRate { get; init; } = double.NaN;

    /// <inheritdoc />
    public override string ToString()
    {
        string text = $"epoch {Epoch}/{Epochs}: train loss {TrainLoss:F4}";
        if (!double.IsNaN(ValidationLoss)) text += $", validation loss {ValidationLoss:F4}";
        if (!double.IsNaN(ValidationAccuracy)) text += $", validation accuracy {ValidationAccuracy:P2}";
        return text + $" ({Seconds:F2} s)";
    }
}

/// <summary>The validation metric early stopping watches (<see cref="FitOptions.Monitor"/>).</summary>
public enum EarlyStoppingMonitor
{
    /// <summary>Lower validation loss is better.</summary>
    ValidationLoss = 0,

    /// <summary>Higher validation accuracy is better (classification only).</summary>
    ValidationAccuracy,
}
