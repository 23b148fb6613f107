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
        if (options.Validation is { Count: 0 })
            throw new ArgumentException("FitOptions.Validation is empty: give it at least one sample, or leave it null.", nameof(options.Validation));

        if (options.Augmentation is { } augmentation && augmentation.ImageSize != network.InputSize)
            throw new ArgumentException(
                $"FitOptions.Augmentation works on {augmentation.Channels}×{augmentation.Height}×{augmentation.Width} images ({augmentation.ImageSize} values) but the network takes {network.InputSize}.",
                nameof(options));

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

        float initialRate = optimizer.LearningRate;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
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
                else
                {
                    if (++sinceBest >= options.Patience)
                    {
                        history.StoppedEarly = epoch < options.Epochs;
                        break;
                    }
                }
            }
        }
        int last = history.Epochs[^1].Epoch;
        history.BestEpoch = best is null ? last : bestEpoch;
        if (best is not null && bestEpoch != last) Restore(network, best);
        return history;
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
