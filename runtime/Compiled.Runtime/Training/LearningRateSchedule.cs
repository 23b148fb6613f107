using System;
using System.IO;

namespace Compiled;

/// <summary>
/// The learning rate of each epoch, as a function of the epoch (from 1) and the rate the optimizer
/// started with; <see cref="FitOptions.Schedule"/> applies it before every epoch. Schedules with state
/// (<see cref="ReduceOnPlateauSchedule"/>) also see each epoch's validation loss. Use one instance per run.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The rate for <paramref name="epoch"/> (1 = the first), given the optimizer's initial rate.</summary>
    public abstract float Rate(int epoch, float initialRate);

    /// <summary>Called after each epoch with its validation loss (NaN without validation data). Default: ignored.</summary>
    public virtual void Observe(int epoch, double validationLoss) { }

    /// <summary>
    /// The state <see cref="Observe"/> builds up, as numbers a training checkpoint saves (none for the schedules that
    /// are a function of the epoch alone). A schedule written outside the library saves none: it must not keep state
    /// that a resumed run would need.
    /// </summary>
    internal virtual double[] SaveState() => Array.Empty<double>();

    /// <summary>Restores <see cref="SaveState"/>'s numbers.</summary>
    /// <exception cref="InvalidDataException">They are not what this schedule saves.</exception>
    internal virtual void LoadState(ReadOnlySpan<double> state)
    {
        if (state.Length != 0)
            throw new InvalidDataException($"The checkpoint holds {state.Length} numbers of schedule state; this {GetType().Name} keeps none.");
    }

    /// <summary>A constant rate: the optimizer's own.</summary>
    public static LearningRateSchedule Constant() => new FunctionSchedule((_, rate) => rate);

    /// <summary>Multiplies the rate by <paramref name="gamma"/> every <paramref name="stepSize"/> epochs (PyTorch's StepLR): η·γ^⌊(epoch − 1)/step⌋.</summary>
    public static LearningRateSchedule Step(int stepSize, float gamma)
    {
        if (stepSize <= 0) throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "The step size must be a positive number of epochs.");
        CheckFactor(gamma, nameof(gamma));
        return new FunctionSchedule((epoch, rate) => rate * MathF.Pow(gamma, (epoch - 1) / stepSize));
    }

    /// <summary>Multiplies the rate by <paramref name="gamma"/> every epoch (ExponentialLR): η·γ^(epoch − 1).</summary>
    public static LearningRateSchedule Exponential(float gamma)
    {
        CheckFactor(gamma, nameof(gamma));
        return new FunctionSchedule((epoch, rate) => rate * MathF.Pow(gamma, epoch - 1));
    }

    /// <summary>
    /// Cosine annealing over <paramref name="epochs"/> epochs (CosineAnnealingLR with T_max = epochs):
    /// η_min + (η − η_min)·(1 + cos(π·(epoch − 1)/epochs))/2; after the last epoch it stays at η_min.
    /// </summary>
    public static LearningRateSchedule Cosine(int epochs, float minimumRate = 0f)
    {
        if (epochs <= 0) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "The number of epochs must be positive.");
        if (!(minimumRate >= 0) || float.IsInfinity(minimumRate))
            throw new ArgumentOutOfRangeException(nameof(minimumRate), minimumRate, "The minimum rate must be 0 or a positive finite number.");
        return new FunctionSchedule((epoch, rate) =>
            epoch - 1 >= epochs
                ? Math.Max(minimumRate, float.Epsilon)
                : Math.Max(float.Epsilon, minimumRate + (rate - minimumRate) * (1 + MathF.Cos(MathF.PI * (epoch - 1) / epochs)) / 2));
    }

    /// <summary>
    /// Linear warm-up: η·epoch/<paramref name="warmupEpochs"/> for the first epochs, then <paramref name="then"/>
    /// (counted from the end of the warm-up: its epoch 1 is the first after it).
    /// </summary>
    public static LearningRateSchedule Warmup(int warmupEpochs, LearningRateSchedule? then = null)
    {
        if (warmupEpochs <= 0) throw new ArgumentOutOfRangeException(nameof(warmupEpochs), warmupEpochs, "The warm-up must last at least one epoch.");
        return new WarmupSchedule(warmupEpochs, then ?? Constant());
    }

    /// <summary>The warm-up, then another schedule, which also sees the validation losses after the warm-up and keeps its state in checkpoints.</summary>
    private sealed class WarmupSchedule : LearningRateSchedule
    {
        private readonly int _warmup;
        private readonly LearningRateSchedule _then;

        public WarmupSchedule(int warmup, LearningRateSchedule then) => (_warmup, _then) = (warmup, then);

        public override float Rate(int epoch, float initialRate) =>
            epoch <= _warmup ? initialRate * epoch / _warmup : _then.Rate(epoch - _warmup, initialRate);

        // Counted from the end of the warm-up, as Rate is: a ReduceOnPlateau after it watches the epochs after it.
        public override void Observe(int epoch, double validationLoss)
        {
            if (epoch > _warmup) _then.Observe(epoch - _warmup, validationLoss);
        }

        internal override double[] SaveState() => _then.SaveState();

        internal override void LoadState(ReadOnlySpan<double> state) => _then.LoadState(state);
    }

    private static void CheckFactor(float gamma, string name)
    {
        if (!(gamma > 0 && gamma <= 1)) throw new ArgumentOutOfRangeException(name, gamma, "The factor must lie in (0, 1], such as 0.5.");
    }

    private sealed class FunctionSchedule : LearningRateSchedule
    {
        private readonly Func<int, float, float> _rate;

        public FunctionSchedule(Func<int, float, float> rate) => _rate = rate;

        public override float Rate(int epoch, float initialRate) => _rate(epoch, initialRate);
    }
}

/// <summary>
/// Multiplies the rate by <see cref="Factor"/> when the validation loss has not improved (by more than a
/// relative 1e-4, PyTorch's default threshold) for <see cref="Patience"/> epochs (ReduceLROnPlateau),
/// never below <see cref="MinimumRate"/>. Needs validation data in Fit.
/// </summary>
public sealed class ReduceOnPlateauSchedule : LearningRateSchedule
{
    private double _best = double.PositiveInfinity;
    private int _bad;
    private float _scale = 1f;

    /// <summary>Reduces by <paramref name="factor"/> after <paramref name="patience"/> epochs without improvement.</summary>
    public ReduceOnPlateauSchedule(float factor = 0.1f, int patience = 10, float minimumRate = 0f)
    {
        if (!(factor > 0 && factor < 1)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "The factor must lie in (0, 1), such as 0.1.");
        if (patience < 0) throw new ArgumentOutOfRangeException(nameof(patience), patience, "Patience must be 0 or more epochs.");
        if (!(minimumRate >= 0) || float.IsInfinity(minimumRate)) throw new ArgumentOutOfRangeException(nameof(minimumRate), minimumRate, "The minimum rate must be 0 or a positive finite number.");
        Factor = factor;
        Patience = patience;
        MinimumRate = minimumRate;
    }

    /// <summary>The multiplier applied at each reduction.</summary>
    public float Factor { get; }

    /// <summary>Epochs without improvement tolerated before a reduction.</summary>
    public int Patience { get; }

    /// <summary>The floor of the rate.</summary>
    public float MinimumRate { get; }

    /// <inheritdoc />
    public override float Rate(int epoch, float initialRate) => Math.Max(Math.Max(MinimumRate, float.Epsilon), initialRate * _scale);

    internal override double[] SaveState() => new[] { _best, _bad, _scale };

    internal override void LoadState(ReadOnlySpan<double> state)
    {
        if (state.Length != 3 || state[1] < 0 || state[1] != Math.Floor(state[1]) || !(state[2] > 0 && state[2] <= 1))
            throw new InvalidDataException("The checkpoint's schedule state is not a ReduceOnPlateauSchedule's (best loss, epochs without improvement, scale).");
        (_best, _bad, _scale) = (state[0], (int)state[1], (float)state[2]);
    }

    /// <inheritdoc />
    public override void Observe(int epoch, double validationLoss)
    {
        if (double.IsNaN(validationLoss))
            throw new InvalidOperationException("ReduceOnPlateauSchedule watches the validation loss: give FitOptions.Validation data.");
        if (validationLoss < _best * (1 - 1e-4))
        {
            _best = validationLoss;
            _bad = 0;
        }
        else if (++_bad > Patience)
        {
            _scale *= Factor;
            _bad = 0;
        }
    }
}
