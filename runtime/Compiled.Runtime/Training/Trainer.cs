using System;
using System.Diagnostics;

namespace Compiled;

/// <summary>The training loop shared by every generated network.</summary>
public static class Trainer
{
    /// <summary>
    /// Trains <paramref name="network"/> on <paramref name="train"/>: epochs of shuffled minibatches,
    /// optional validation after each epoch, a progress callback, and early stopping with patience.
    /// Throws <see cref="TrainingDivergedException"/> as soon as a step's loss or gradient is NaN or infinite,
    /// without applying that step's update (and restoring the best weights under early stopping).
    /// </summary>
    public static FitHistory Fit(INetwork network, Dataset train, FitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(train);
        options ??= new FitOptions();
        CheckShape(network, train, nameof(train));
        if (options.Validation is { } v) CheckShape(network, v, nameof(options.Validation));
        if (options.Epochs <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.Epochs, "FitOptions.Epochs must be positive.");
        if (options.BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "FitOptions.BatchSize must be positive.");
        if (options.Patience < 0) throw new ArgumentOutOfRangeException(nameof(options), options.Patience, "FitOptions.Patience must be 0 (off) or positive.");
        if (options.BatchProgressInterval <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchProgressInterval, "FitOptions.BatchProgressInterval must be positive (1: report every step).");
        if (options.Patience > 0 && options.Validation is null)
            throw new ArgumentException("Early stopping (FitOptions.Patience) needs FitOptions.Validation data to watch.", nameof(options));
        if (!Enum.IsDefined(options.Monitor))
            throw new ArgumentOutOfRangeException(nameof(options), options.Monitor, "FitOptions.Monitor is not an EarlyStoppingMonitor value.");
        if (train.Count == 0) throw new ArgumentException("The training set is empty.", nameof(train));
        if (options.Threads < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.Threads, "FitOptions.Threads must be 0 (Sgemm.MaxThreads) or positive.");
        if (options.CheckpointInterval <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.CheckpointInterval, "FitOptions.CheckpointInterval must be positive (1: every epoch).");
        if (options.Validation is { Count: 0 })
            throw new ArgumentException("FitOptions.Validation is empty: give it at least one sample, or leave it null.", nameof(options.Validation));

        if (options.Augmentation is { } augmentation && augmentation.ImageSize != network.InputSize)
            throw new ArgumentException(
                $"FitOptions.Augmentation works on {augmentation.Channels}×{augmentation.Height}×{augmentation.Width} images ({augmentation.ImageSize} values) but the network takes {network.InputSize}.",
                nameof(options));

        using var threads = Kernels.Sgemm.UseThreads(options.Threads); // this thread only; restored when Fit returns or throws
        // A fresh Adam per run when none is given: options may be reused, optimizer state must not be.
        var optimizer = options.Optimizer ?? new Adam();
        var loader = new MinibatchLoader(train, Math.Min(options.BatchSize, train.Count), options.Shuffle, options.Seed);
        var history = new FitHistory();
        // Augmented copies of the batches: one buffer for the run, and a random stream of its own.
        var augmentationRng = options.Augmentation is null ? null : new Rng(options.Seed ^ 0x3C6EF372FE94F82BL);
        float[] augmented = options.Augmentation is null ? Array.Empty<float>() : new float[loader.BatchSize * network.InputSize];
        float[]? best = null;
        double bestLoss = double.PositiveInfinity;
        int sinceBest = 0, bestEpoch = 0;

        if ((options.CheckpointPath is not null || options.ResumeFrom is not null) && !optimizer.CanSaveState)
            throw new ArgumentException($"Checkpoints keep the optimizer's state, and {optimizer.GetType().Name} cannot save it: use one of the library's optimizers (Sgd, AdaGrad, RmsProp, Adam, AdamW).", nameof(options));

        float initialRate = optimizer.LearningRate;
        int firstEpoch = 1;
        bool stop = false;
        if (options.ResumeFrom is { } resume)
        {
            var c = TrainingCheckpoint.Load(resume);
            CheckResumable(c, resume, network, train, options, loader, augmentationRng);
            // Everything that can refuse is checked first (the optimizer and the schedule check before they change).
            optimizer.LoadState(new System.IO.MemoryStream(c.Optimizer, writable: false), resume);
            options.Schedule?.LoadState(c.Schedule);
            Restore(network, c.Weights);
            if (c.DropoutRng is not null) network.TrainingRandom!.RestoreState(c.DropoutRng);
            if (c.ShuffleRng is not null) loader.ShuffleRng!.RestoreState(c.ShuffleRng);
            if (c.AugmentationRng is not null) augmentationRng!.RestoreState(c.AugmentationRng);
            c.Order.CopyTo(loader.Order);
            initialRate = c.InitialRate;
            (bestLoss, sinceBest, bestEpoch) = (c.BestScore, c.SinceBest, c.BestEpoch);
            best = options.Patience > 0 ? c.Best : null;
            foreach (var report in c.History) history.Add(report);
            firstEpoch = c.Epoch + 1;
            stop = c.Stopped;
            history.StoppedEarly = stop && c.Epoch < options.Epochs;
        }

        for (int epoch = firstEpoch; epoch <= options.Epochs && !stop; epoch++)
        {
            if (options.Schedule is { } schedule) optimizer.LearningRate = schedule.Rate(epoch, initialRate);
            float epochRate = optimizer.LearningRate;
            var clock = Stopwatch.StartNew();
            loader.StartEpoch();
            double lossSum = 0;
            int seen = 0, step = 0;
            while (loader.TryNext(out var batch))
            {
                step++;
                // TrainStep skips the update of a step whose loss or gradient is not finite, so the weights
                // are still those of the last good step; with early stopping, the best epoch's are better.
                ReadOnlySpan<float> features = batch.Features;
                if (options.Augmentation is { } augment)
                {
                    var copy = augmented.AsSpan(0, features.Length);
                    features.CopyTo(copy);
                    augment.Apply(copy, batch.Count, augmentationRng!);
                    features = copy;
                }
                float loss = network.TrainStep(features, batch.Targets, optimizer);
                if (!float.IsFinite(loss))
                {
                    if (best is not null) Restore(network, best);
                    throw new TrainingDivergedException(epoch, step, loss, best is null ? null : bestEpoch, history);
                }
                lossSum += (double)loss * batch.Count;
                seen += batch.Count;
                if (options.BatchProgress is { } batchProgress && (step % options.BatchProgressInterval == 0 || step == loader.BatchCount))
                    batchProgress(new BatchReport(epoch, options.Epochs, step, loader.BatchCount, seen, lossSum / seen, clock.Elapsed.TotalSeconds));
            }
            double seconds = clock.Elapsed.TotalSeconds;

            double trainEvaluationLoss = double.NaN, trainAccuracy = double.NaN;
            if (options.EvaluateTraining)
            {
                var result = network.Evaluate(train.Features, train.Targets);
                trainEvaluationLoss = result.Loss;
                trainAccuracy = result.Accuracy;
            }

            double valLoss = double.NaN, valAccuracy = double.NaN;
            if (options.Validation is { } validation)
            {
                var result = network.Evaluate(validation.Features, validation.Targets);
                valLoss = result.Loss;
                valAccuracy = result.Accuracy;
            }
            options.Schedule?.Observe(epoch, valLoss);
            var report = new EpochReport(epoch, options.Epochs, lossSum / seen, valLoss, valAccuracy, seconds)
            {
                LearningRate = epochRate,
                TrainAccuracy = trainAccuracy,
                TrainEvaluationLoss = trainEvaluationLoss,
            };
            history.Add(report);
            options.Progress?.Invoke(report);

            if (options.Patience > 0)
            {
                if (options.Monitor == EarlyStoppingMonitor.ValidationAccuracy && double.IsNaN(valAccuracy))
                    throw new InvalidOperationException("FitOptions.Monitor is ValidationAccuracy, but this network's loss has no accuracy (regression): watch ValidationLoss.");
                // Lower is better: the loss, or the accuracy negated.
                double score = options.Monitor == EarlyStoppingMonitor.ValidationAccuracy ? -valAccuracy : valLoss;
                if (score < bestLoss)
                {
                    bestLoss = score;
                    sinceBest = 0;
                    best ??= new float[network.ParameterCount + network.State.Length];
                    network.Parameters.CopyTo(best);
                    network.State.CopyTo(best.AsSpan(network.ParameterCount)); // BatchNorm's running statistics go with the weights
                    bestEpoch = epoch;
                }
                else if (++sinceBest >= options.Patience)
                {
                    history.StoppedEarly = epoch < options.Epochs;
                    stop = true;
                }
            }
            if (options.CheckpointPath is { } checkpointPath && (epoch % options.CheckpointInterval == 0 || epoch == options.Epochs || stop))
                Checkpoint(network, train, options, optimizer, loader, augmentationRng, history, epoch, stop, initialRate, bestLoss, sinceBest, bestEpoch, best)
                    .Save(checkpointPath);
        }
        int last = history.Epochs[^1].Epoch;
        history.BestEpoch = best is null ? last : bestEpoch;
        if (best is not null && bestEpoch != last) Restore(network, best);
        return history;
    }

    /// <summary>Everything a resumed run needs, after <paramref name="epoch"/>.</summary>
    private static TrainingCheckpoint Checkpoint(INetwork network, Dataset train, FitOptions options, Optimizer optimizer,
        MinibatchLoader loader, Rng? augmentationRng, FitHistory history, int epoch, bool stop, float initialRate,
        double bestScore, int sinceBest, int bestEpoch, float[]? best)
    {
        var weights = new float[network.ParameterCount + network.State.Length];
        network.Parameters.CopyTo(weights);
        network.State.CopyTo(weights.AsSpan(network.ParameterCount));
        var optimizerState = new System.IO.MemoryStream();
        optimizer.SaveState(optimizerState);
        return new TrainingCheckpoint
        {
            Signature = WeightFile.Signature(network.Architecture), ParameterCount = network.ParameterCount, StateLength = network.State.Length,
            Epoch = epoch, Stopped = stop, InitialRate = initialRate,
            BatchSize = loader.BatchSize, Shuffle = options.Shuffle, Seed = options.Seed, TrainCount = train.Count,
            Augmentation = augmentationRng is not null,
            Weights = weights, Optimizer = optimizerState.ToArray(),
            DropoutRng = State(network.TrainingRandom), ShuffleRng = State(loader.ShuffleRng), AugmentationRng = State(augmentationRng),
            Order = loader.Order.ToArray(),
            Schedule = options.Schedule?.SaveState() ?? Array.Empty<double>(),
            BestScore = bestScore, SinceBest = sinceBest, BestEpoch = bestEpoch, Best = (float[]?)best?.Clone(),
            History = new System.Collections.Generic.List<EpochReport>(history.Epochs),
        };

        static ulong[]? State(Rng? rng)
        {
            if (rng is null) return null;
            var state = new ulong[4];
            rng.CopyState(state);
            return state;
        }
    }

    /// <summary>Refuses a checkpoint of another network or of a run that would not continue the same way.</summary>
    private static void CheckResumable(TrainingCheckpoint c, string path, INetwork network, Dataset train, FitOptions options,
        MinibatchLoader loader, Rng? augmentationRng)
    {
        void Refuse(string what) => throw new ArgumentException($"The checkpoint '{path}' cannot resume this run: {what}.", nameof(options));
        if (c.Signature != WeightFile.Signature(network.Architecture) || c.ParameterCount != network.ParameterCount || c.StateLength != network.State.Length)
            Refuse($"it was written for another network architecture ({c.ParameterCount} parameters; this {network.GetType().Name} has {network.ParameterCount}, or their declarations differ)");
        if (c.TrainCount != train.Count) Refuse($"it trained on {c.TrainCount} samples, this run has {train.Count}");
        if (c.BatchSize != loader.BatchSize) Refuse($"its batch size was {c.BatchSize}, this run's is {loader.BatchSize}");
        if (c.Shuffle != options.Shuffle) Refuse($"it was written with Shuffle = {c.Shuffle}, this run has {options.Shuffle}");
        if (c.Seed != options.Seed) Refuse($"it was written with Seed = {c.Seed}, this run has {options.Seed}");
        if (c.Augmentation != (augmentationRng is not null)) Refuse(c.Augmentation ? "it was written with augmentation and this run has none" : "it was written without augmentation and this run has some");
        if ((c.DropoutRng is null) != (network.TrainingRandom is null)) Refuse("its dropout state does not match the network");
        if ((c.ShuffleRng is null) != (loader.ShuffleRng is null) || c.Order.Length != train.Count || !IsPermutation(c.Order))
            Refuse("its shuffled order does not fit the training data");
        if (options.Schedule is null && c.Schedule.Length > 0) Refuse("it holds a learning-rate schedule's state and this run has no schedule");
    }

    private static bool IsPermutation(int[] order)
    {
        var seen = new bool[order.Length];
        foreach (int i in order)
        {
            if ((uint)i >= (uint)order.Length || seen[i]) return false;
            seen[i] = true;
        }
        return true;
    }

    /// <summary>Puts back a snapshot of the parameters followed by the state.</summary>
    private static void Restore(INetwork network, float[] snapshot)
    {
        snapshot.AsSpan(0, network.ParameterCount).CopyTo(network.Parameters);
        snapshot.AsSpan(network.ParameterCount).CopyTo(network.State);
    }

    private static void CheckShape(INetwork network, Dataset data, string name)
    {
        if (data.FeatureCount != network.InputSize)
            throw new ArgumentException($"The data has {data.FeatureCount} features per sample but the network takes {network.InputSize}.", name);
        if (data.TargetCount != network.TargetSize)
            throw new ArgumentException(
                network.TargetSize == 1 && network.OutputSize > 1
                    ? $"The data has {data.TargetCount} targets per sample but the network takes one class label per sample: build it with Dataset.FromLabels."
                    : $"The data has {data.TargetCount} targets per sample but the network takes {network.TargetSize}.", name);
    }
}
