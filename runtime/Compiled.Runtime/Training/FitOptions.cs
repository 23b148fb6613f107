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

    /// <summary>
    /// Called during an epoch, after every <see cref="BatchProgressInterval"/>-th training step and after its last,
    /// with the epoch's progress so far (on the training thread; a <see cref="BatchReport"/> is a value, nothing is
    /// allocated). For a progress bar on long epochs.
    /// </summary>
    public Action<BatchReport>? BatchProgress { get; set; }

    /// <summary>Steps between two <see cref="BatchProgress"/> calls (default 1: every step). Must be positive.</summary>
    public int BatchProgressInterval { get; set; } = 1;

    /// <summary>
    /// Also evaluate the training set after every epoch (dropout off, as <c>Evaluate</c> does) and report its loss and
    /// accuracy (<see cref="EpochReport.TrainAccuracy"/>, <see cref="EpochReport.TrainEvaluationLoss"/>): the numbers
    /// to compare with the validation ones when judging overfitting. Costs one inference pass over the training
    /// set per epoch (about a third of an epoch's time); off by default.
    /// </summary>
    public bool EvaluateTraining { get; set; }

    /// <summary>
    /// A file Fit writes a training checkpoint to after every <see cref="CheckpointInterval"/>-th epoch and after
    /// the last, or null (the default): the weights and BatchNorm statistics, the optimizer's state, the schedule's,
    /// the epoch, every random generator's state (shuffling, augmentation, dropout), early stopping's best weights
    /// and the history so far. Written atomically (a temporary file, then a rename): an interrupted run leaves the
    /// previous checkpoint whole. Resume with <see cref="ResumeFrom"/>. Needs one of the library's optimizers.
    /// </summary>
    public string? CheckpointPath { get; set; }

    /// <summary>Epochs between two checkpoints (default 1: every epoch). Must be positive.</summary>
    public int CheckpointInterval { get; set; } = 1;

    /// <summary>
    /// A checkpoint written by a run with the same network declaration, training data size, batch size, shuffling,
    /// seed and optimizer kind, to continue from, or null (the default). Fit restores everything the checkpoint
    /// holds into the network and the optimizer, then trains the epochs after the checkpoint's up to
    /// <see cref="Epochs"/>: the result is the same, bit for bit, as a run that was never interrupted. The history
    /// Fit returns includes the checkpoint's epochs.
    /// </summary>
    public string? ResumeFrom { get; set; }

    /// <summary>
    /// The most threads a training step may use (products, convolutions and the optimizer's pass), for this run only;
    /// 0 (the default) keeps the process-wide <see cref="Kernels.Sgemm.MaxThreads"/>. Results do not depend on it: the
    /// same bits on any thread count. Other threads (a Predict elsewhere) are not affected.
    /// </summary>
    public int Threads { get; set; }
}

/// <summary>An epoch's progress so far, for <see cref="FitOptions.BatchProgress"/>.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="Batch">Training steps done in this epoch (1-based: the step just finished).</param>
/// <param name="Batches">Training steps in each epoch.</param>
/// <param name="Samples">Samples trained on in this epoch so far.</param>
/// <param name="Loss">Mean training loss of this epoch's steps so far (weighted by batch size; dropout active).</param>
/// <param name="Seconds">Wall-clock seconds since the epoch started.</param>
public readonly record struct BatchReport(int Epoch, int Epochs, int Batch, int Batches, int Samples, double Loss, double Seconds)
{
    /// <summary>Training speed so far in this epoch (samples per second; 0 before any time has passed).</summary>
    public double SamplesPerSecond => Seconds > 0 ? Samples / Seconds : 0;

    /// <summary>Seconds the rest of the epoch should take at the speed so far (0 at its last step).</summary>
    public double SecondsLeft => Batch >= Batches || Batch == 0 ? 0 : Seconds / Batch * (Batches - Batch);

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"epoch {Epoch}/{Epochs} batch {Batch}/{Batches}: loss {Loss:F4}, {SamplesPerSecond:F0} samples/s, {SecondsLeft:F1} s left");
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

    /// <summary>
    /// Accuracy on the whole training set after the epoch (dropout off), or NaN: not asked for
    /// (<see cref="FitOptions.EvaluateTraining"/>) or a regression.
    /// </summary>
    public double TrainAccuracy { get; init; } = double.NaN;

    /// <summary>
    /// Loss on the whole training set after the epoch (dropout off, the weights at the epoch's end), or NaN when not
    /// asked for (<see cref="FitOptions.EvaluateTraining"/>). <see cref="TrainLoss"/> is the mean over the epoch's steps instead.
    /// </summary>
    public double TrainEvaluationLoss { get; init; } = double.NaN;

    /// <inheritdoc />
    public override string ToString()
    {
        string text = $"epoch {Epoch}/{Epochs}: train loss {TrainLoss:F4}";
        if (!double.IsNaN(TrainAccuracy)) text += $", train accuracy {TrainAccuracy:P2}";
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
