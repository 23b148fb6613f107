using System;

namespace Compiled;

/// <summary>
/// One minibatch handed out by <see cref="MinibatchLoader.TryNext"/>: <see cref="Count"/> rows, gathered
/// row-major into the loader's buffers. Valid only until the next call to <c>TryNext</c>.
/// </summary>
public readonly ref struct Minibatch
{
    internal Minibatch(ReadOnlySpan<float> features, ReadOnlySpan<float> targets, int count)
    {
        Features = features;
        Targets = targets;
        Count = count;
    }

    /// <summary>The inputs of the batch's rows, row-major (<see cref="Count"/> × feature count).</summary>
    public ReadOnlySpan<float> Features { get; }

    /// <summary>The targets of the batch's rows, row-major (<see cref="Count"/> × target count).</summary>
    public ReadOnlySpan<float> Targets { get; }

    /// <summary>Number of rows in this batch; the last batch of an epoch may be smaller than the batch size.</summary>
    public int Count { get; }
}

/// <summary>
/// Cuts a <see cref="Dataset"/> into minibatches, epoch after epoch. Each epoch visits every row exactly
/// once (except the rows of a dropped incomplete last batch), in a fresh random order when shuffling; the
/// whole sequence of orders is determined by the seed. Rows are copied into buffers allocated once, so
/// iterating allocates nothing.
/// </summary>
/// <example>
/// <code>
/// var loader = new MinibatchLoader(train, batchSize: 64, seed: 1);
/// for (int epoch = 0; epoch &lt; epochs; epoch++)
/// {
///     loader.StartEpoch();
///     while (loader.TryNext(out Minibatch batch)) { /* train on batch */ }
/// }
/// </code>
/// </example>
public sealed class MinibatchLoader
{
    private readonly Dataset _data;
    private readonly bool _dropLast;
    private readonly Rng? _rng;
    private readonly int[] _order;
    private readonly float[] _features;
    private readonly float[] _targets;
    private int _next = -1; // index into _order of the next row; -1 until the first StartEpoch

    /// <summary>Creates a loader over <paramref name="data"/>; call <see cref="StartEpoch"/> before each epoch.</summary>
    /// <param name="data">The rows to serve (read, never modified).</param>
    /// <param name="batchSize">Rows per batch; positive.</param>
    /// <param name="shuffle">Whether each epoch visits the rows in a new random order; otherwise in dataset order.</param>
    /// <param name="seed">Seeds the shuffling.</param>
    /// <param name="dropLast">Whether to skip the final batch of an epoch when it has fewer than <paramref name="batchSize"/> rows.</param>
    /// <exception cref="ArgumentException"><paramref name="dropLast"/> is set and the dataset has fewer rows than one batch.</exception>
    public MinibatchLoader(Dataset data, int batchSize, bool shuffle = true, long seed = 0, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (dropLast && batchSize > data.Count)
            throw new ArgumentException(
                $"batchSize {batchSize} is larger than the dataset ({data.Count} rows): with dropLast there would be no batches.",
                nameof(batchSize));

        _data = data;
        BatchSize = batchSize;
        _dropLast = dropLast;
        _rng = shuffle ? new Rng(seed) : null;
        _order = new int[data.Count];
        for (int i = 0; i < _order.Length; i++) _order[i] = i;

        int bufferRows = Math.Min(batchSize, data.Count); // a "full batch" size need not allocate more
        _features = new float[bufferRows * data.FeatureCount];
        _targets = new float[bufferRows * data.TargetCount];
    }

    /// <summary>The shuffling generator (null without shuffling) and the current order: a checkpoint's loader state.</summary>
    internal Rng? ShuffleRng => _rng;

    /// <inheritdoc cref="ShuffleRng"/>
    internal Span<int> Order => _order;

    /// <summary>Rows per batch (the last batch of an epoch may have fewer, unless incomplete batches are dropped).</summary>
    public int BatchSize { get; }

    /// <summary>Number of batches in each epoch.</summary>
    public int BatchCount => _dropLast ? _data.Count / BatchSize : (_data.Count + BatchSize - 1) / BatchSize;

    /// <summary>
    /// Begins a new epoch: rewinds to the first batch and, when shuffling, draws a new order of the rows.
    /// </summary>
    public void StartEpoch()
    {
        // Shuffling the previous permutation again gives a uniformly random one all the same, and keeps
        // every epoch's order a function of the seed and the epoch number.
        _rng?.Shuffle(_order);
        _next = 0;
    }

    /// <summary>
    /// Gathers the next batch of the current epoch into the loader's buffers.
    /// </summary>
    /// <param name="batch">The batch; its spans are overwritten by the next call.</param>
    /// <returns><see langword="false"/> when the epoch has no batches left.</returns>
    /// <exception cref="InvalidOperationException"><see cref="StartEpoch"/> has not been called yet.</exception>
    public bool TryNext(out Minibatch batch)
    {
        if (_next < 0)
            throw new InvalidOperationException("Call StartEpoch before TryNext.");

        int count = Math.Min(BatchSize, _order.Length - _next);
        if (count <= 0 || (_dropLast && count < BatchSize))
        {
            batch = default;
            return false;
        }

        int featureCount = _data.FeatureCount, targetCount = _data.TargetCount;
        float[] features = _data.Features, targets = _data.Targets;
        for (int k = 0; k < count; k++)
        {
            int row = _order[_next + k];
            features.AsSpan(row * featureCount, featureCount).CopyTo(_features.AsSpan(k * featureCount));
            targets.AsSpan(row * targetCount, targetCount).CopyTo(_targets.AsSpan(k * targetCount));
        }
        _next += count;
        batch = new Minibatch(
            _features.AsSpan(0, count * featureCount), _targets.AsSpan(0, count * targetCount), count);
        return true;
    }
}
