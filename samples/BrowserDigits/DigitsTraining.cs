using System;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Compiled;

namespace BrowserDigits;

/// <summary>
/// The demo's data and training loop, written without Blazor so that the browser page and the native measurement
/// in tests/Compiled.BrowserTests run the same code: the UCI digits split 75/25 (stratified, seed 7), features
/// divided by 16, one epoch of shuffled minibatches at a time (the page yields to the browser between epochs), and
/// a batch-1 Predict latency.
/// </summary>
public sealed class DigitsTraining
{
    public const int Epochs = 40;
    public const int BatchSize = 32;
    public const float LearningRate = 0.003f;

    private readonly Adam _optimizer = new(LearningRate);
    private readonly Random _shuffle = new(1);
    private readonly int[] _order;
    private readonly float[] _batchX = new float[BatchSize * DigitsNet.InputSize];
    private readonly float[] _batchY = new float[BatchSize];

    public DigitsTraining(string digitsCsvGz)
    {
        var (train, test) = Csv.LoadUciClassification(digitsCsvGz).SplitStratified(0.25, seed: 7);
        Scale(train.Features);
        Scale(test.Features);
        Train = train;
        Test = test;
        _order = new int[train.Count];
        for (int i = 0; i < _order.Length; i++) _order[i] = i;
    }

    public DigitsNet Network { get; } = new();
    public Dataset Train { get; }
    public Dataset Test { get; }
    public int Epoch { get; private set; }

    /// <summary>UCI intensities 0..16 → 0..1 (the same for a drawn digit, so no fitted scaler is needed).</summary>
    public static void Scale(Span<float> intensities)
    {
        for (int i = 0; i < intensities.Length; i++) intensities[i] /= 16f;
    }

    /// <summary>One pass over the training set in a fresh random order; returns the mean training loss.</summary>
    public double TrainEpoch()
    {
        _shuffle.Shuffle(_order);
        double sum = 0;
        int samples = 0;
        for (int start = 0; start < _order.Length; start += BatchSize)
        {
            int n = Math.Min(BatchSize, _order.Length - start);
            for (int j = 0; j < n; j++)
            {
                int row = _order[start + j];
                Train.FeatureRow(row).CopyTo(_batchX.AsSpan(j * DigitsNet.InputSize, DigitsNet.InputSize));
                _batchY[j] = Train.Targets[row];
            }
            float loss = Network.TrainStep(_batchX.AsSpan(0, n * DigitsNet.InputSize), _batchY.AsSpan(0, n), _optimizer);
            sum += (double)loss * n;
            samples += n;
        }
        Epoch++;
        return sum / samples;
    }

    /// <summary>
    /// Softmax of the network's logits for one sample of 64 scaled intensities; returns the most likely class.
    /// </summary>
    public int Probabilities(ReadOnlySpan<float> sample, Span<float> probabilities)
    {
        Network.Predict(sample, probabilities);
        float max = float.NegativeInfinity;
        int best = 0;
        for (int c = 0; c < DigitsNet.OutputSize; c++)
            if (probabilities[c] > max) { max = probabilities[c]; best = c; }
        float total = 0;
        for (int c = 0; c < DigitsNet.OutputSize; c++) total += probabilities[c] = MathF.Exp(probabilities[c] - max);
        for (int c = 0; c < DigitsNet.OutputSize; c++) probabilities[c] /= total;
        return best;
    }

    /// <summary>
    /// One round of a batch-1 latency measurement: <paramref name="calls"/> Predict calls on one sample, timed
    /// together (a browser's clock is coarse, 0.1 ms in Chromium without cross-origin isolation, so single calls
    /// cannot be timed), in microseconds per call. The caller takes the median over rounds.
    /// </summary>
    public static double PredictRound(DigitsNet network, ReadOnlySpan<float> sample, Span<float> logits, int calls)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++) network.Predict(sample, logits);
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds / calls;
    }

    /// <summary>
    /// An experiment, not Compiled's code path: the network's batch-1 forward pass as two plain loops over its weights
    /// (<c>DigitsNet.Dense1Weights</c> etc., PyTorch's [units, inputs] layout), in scalar code or, when
    /// <paramref name="vector128"/>, in <see cref="Vector128{T}"/> dot products: a yardstick for the runtime's own
    /// Vector128 path, which the browser takes (docs/browser.md). Same logits as
    /// <see cref="DigitsNet.Predict(ReadOnlySpan{float}, Span{float})"/> up to rounding.
    /// </summary>
    public static void PredictByHand(DigitsNet network, ReadOnlySpan<float> sample, Span<float> logits, Span<float> hidden, bool vector128)
    {
        Dense(network.Dense1Weights, network.Dense1Bias, sample, hidden, relu: true, vector128);
        Dense(network.Dense2Weights, network.Dense2Bias, hidden, logits, relu: false, vector128);

        static void Dense(ReadOnlySpan<float> w, ReadOnlySpan<float> b, ReadOnlySpan<float> x, Span<float> y, bool relu, bool vector128)
        {
            int inputs = x.Length;
            for (int j = 0; j < y.Length; j++)
            {
                ReadOnlySpan<float> row = w.Slice(j * inputs, inputs);
                float sum;
                int i = 0;
                if (vector128)
                {
                    ref float rw = ref MemoryMarshal.GetReference(row), rx = ref MemoryMarshal.GetReference(x);
                    Vector128<float> acc = Vector128<float>.Zero;
                    for (; i <= inputs - 4; i += 4) acc += Vector128.LoadUnsafe(ref rw, (nuint)i) * Vector128.LoadUnsafe(ref rx, (nuint)i);
                    sum = Vector128.Sum(acc);
                }
                else sum = 0;
                for (; i < inputs; i++) sum += row[i] * x[i];
                sum += b[j];
                y[j] = relu ? MathF.Max(sum, 0) : sum;
            }
        }
    }

    /// <summary>A round like <see cref="PredictRound"/> of <see cref="PredictByHand"/>.</summary>
    public static double PredictByHandRound(DigitsNet network, ReadOnlySpan<float> sample, Span<float> logits, Span<float> hidden, bool vector128, int calls)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++) PredictByHand(network, sample, logits, hidden, vector128);
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds / calls;
    }

    public static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
