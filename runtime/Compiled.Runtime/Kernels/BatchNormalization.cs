using System;

namespace Compiled.Kernels;

/// <summary>
/// Batch normalization over [batch, channels, plane] values (plane = height·width for an image, 1 for a
/// vector): each channel c is normalized with statistics over its batch·plane values,
/// y = γ[c]·(x − μ[c])/√(σ²[c] + ε) + β[c], as PyTorch's BatchNorm1d/2d. Sums run in double, channel by
/// channel in a fixed order, so results are deterministic.
/// </summary>
/// <remarks>
/// <c>statistics</c> holds 3·channels floats per layer: the batch mean, the biased batch variance and
/// 1/√(variance + ε), written by <see cref="TrainingForward"/> and read by <see cref="Backward"/> and
/// <see cref="UpdateRunningStatistics"/>.
/// </remarks>
public static class BatchNormalization
{
    /// <summary>Floats of <c>statistics</c> per channel: mean, variance, inverse standard deviation.</summary>
    public const int StatisticsPerChannel = 3;

    /// <summary>
    /// Training forward: the batch's mean and (biased) variance per channel into <paramref name="statistics"/>,
    /// then y = γ·(x − mean)/√(variance + ε) + β. Overwrites <paramref name="output"/>.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A span has the wrong length, or the batch gives a channel fewer than 2 values (its variance
    /// would say nothing: train with batches of 2 or more).
    /// </exception>
    public static void TrainingForward(int batch, int channels, int plane, ReadOnlySpan<float> input, ReadOnlySpan<float> gamma,
        ReadOnlySpan<float> beta, float epsilon, Span<float> statistics, Span<float> output)
    {
        CheckShape(batch, channels, plane, input.Length, output.Length, gamma.Length, beta.Length);
        KernelChecks.SameLength(statistics.Length, StatisticsPerChannel * channels, nameof(statistics), "3 · channels");
        if ((long)batch * plane < 2)
            throw new ArgumentException(
                $"Batch normalization in training needs at least 2 values per channel, but a batch of {batch} gives {(long)batch * plane}: train with batches of 2 or more samples.",
                nameof(batch));
        long count = (long)batch * plane;
        for (int c = 0; c < channels; c++)
        {
            double sum = 0;
            for (int b = 0; b < batch; b++)
            {
                var values = input.Slice((b * channels + c) * plane, plane);
                for (int p = 0; p < values.Length; p++) sum += values[p];
            }
            double mean = sum / count;
            double squares = 0;
            for (int b = 0; b < batch; b++)
            {
                var values = input.Slice((b * channels + c) * plane, plane);
                for (int p = 0; p < values.Length; p++)
                {
                    double d = values[p] - mean;
                    squares += d * d;
                }
            }
            double variance = squares / count;
            double inverse = 1 / Math.Sqrt(variance + epsilon);
            statistics[c] = (float)mean;
            statistics[channels + c] = (float)variance;
            statistics[2 * channels + c] = (float)inverse;

            float scale = (float)(gamma[c] * inverse), shift = (float)(beta[c] - gamma[c] * inverse * mean);
            for (int b = 0; b < batch; b++)
                Affine(input.Slice((b * channels + c) * plane, plane), scale, shift, output.Slice((b * channels + c) * plane, plane));
        }
    }

    /// <summary>
    /// Backward of <see cref="TrainingForward"/>, with x̂ = (x − mean)·inv and N = batch·plane:
    /// ∂β = Σ dy, ∂γ = Σ dy·x̂ (both overwritten), and, unless <paramref name="inputGradient"/> is empty,
    /// dx = γ·inv·(dy − ∂β/N − x̂·∂γ/N) (overwritten).
    /// </summary>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public static void Backward(int batch, int channels, int plane, ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> statistics, Span<float> gammaGradient, Span<float> betaGradient, Span<float> inputGradient)
    {
        CheckShape(batch, channels, plane, input.Length, outputGradient.Length, gamma.Length, gamma.Length);
        KernelChecks.SameLength(statistics.Length, StatisticsPerChannel * channels, nameof(statistics), "3 · channels");
        KernelChecks.SameLength(gammaGradient.Length, channels, nameof(gammaGradient), nameof(channels));
        KernelChecks.SameLength(betaGradient.Length, channels, nameof(betaGradient), nameof(channels));
        if (!inputGradient.IsEmpty) KernelChecks.SameLength(inputGradient.Length, input.Length, nameof(inputGradient), nameof(input));
        long count = (long)batch * plane;
        for (int c = 0; c < channels; c++)
        {
            float mean = statistics[c], inverse = statistics[2 * channels + c];
            double sumDy = 0, sumDyXhat = 0;
            for (int b = 0; b < batch; b++)
            {
                int start = (b * channels + c) * plane;
                var x = input.Slice(start, plane);
                var dy = outputGradient.Slice(start, plane);
                for (int p = 0; p < plane; p++)
                {
                    sumDy += dy[p];
                    sumDyXhat += dy[p] * ((double)(x[p] - mean) * inverse);
                }
            }
            betaGradient[c] = (float)sumDy;
            gammaGradient[c] = (float)sumDyXhat;
            if (inputGradient.IsEmpty) continue;

            // dx = k·dy − k·(∂β/N) − k·(∂γ/N)·inv·(x − mean), k = γ·inv: an affine map of dy and x.
            double k = gamma[c] * (double)inverse;
            float a = (float)k, offset = (float)(-k * sumDy / count), slope = (float)(-k * sumDyXhat / count * inverse);
            for (int b = 0; b < batch; b++)
            {
                int start = (b * channels + c) * plane;
                var x = input.Slice(start, plane);
                var dy = outputGradient.Slice(start, plane);
                var dx = inputGradient.Slice(start, plane);
                for (int p = 0; p < plane; p++) dx[p] = a * dy[p] + offset + slope * (x[p] - mean);
            }
        }
    }

    /// <summary>
    /// runningMean = (1 − m)·runningMean + m·mean; runningVariance = (1 − m)·runningVariance + m·variance·N/(N − 1)
    /// (the unbiased batch variance, as PyTorch), with the batch statistics of the last <see cref="TrainingForward"/>
    /// over <paramref name="count"/> = batch·plane values per channel.
    /// </summary>
    /// <exception cref="ArgumentException">A span has the wrong length, or <paramref name="count"/> is below 2.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="momentum"/> is not in [0, 1].</exception>
    public static void UpdateRunningStatistics(long count, ReadOnlySpan<float> statistics, float momentum, Span<float> runningMean, Span<float> runningVariance)
    {
        int channels = runningMean.Length;
        KernelChecks.SameLength(runningVariance.Length, channels, nameof(runningVariance), nameof(runningMean));
        KernelChecks.SameLength(statistics.Length, StatisticsPerChannel * channels, nameof(statistics), "3 · channels");
        if (count < 2) throw new ArgumentException($"count is {count}: the unbiased variance needs at least 2 values per channel.", nameof(count));
        if (!(momentum >= 0 && momentum <= 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "The momentum must be in [0, 1].");
        double correction = (double)count / (count - 1);
        for (int c = 0; c < channels; c++)
        {
            runningMean[c] = (float)((1 - momentum) * (double)runningMean[c] + momentum * (double)statistics[c]);
            runningVariance[c] = (float)((1 - momentum) * (double)runningVariance[c] + momentum * statistics[channels + c] * correction);
        }
    }

    /// <summary>Inference: y = γ·(x − runningMean)/√(runningVariance + ε) + β. Overwrites <paramref name="output"/>.</summary>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public static void InferenceForward(int batch, int channels, int plane, ReadOnlySpan<float> input, ReadOnlySpan<float> gamma,
        ReadOnlySpan<float> beta, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVariance, float epsilon, Span<float> output)
    {
        CheckShape(batch, channels, plane, input.Length, output.Length, gamma.Length, beta.Length);
        KernelChecks.SameLength(runningMean.Length, channels, nameof(runningMean), nameof(channels));
        KernelChecks.SameLength(runningVariance.Length, channels, nameof(runningVariance), nameof(channels));
        for (int c = 0; c < channels; c++)
        {
            double inverse = 1 / Math.Sqrt((double)runningVariance[c] + epsilon);
            float scale = (float)(gamma[c] * inverse), shift = (float)(beta[c] - gamma[c] * inverse * runningMean[c]);
            for (int b = 0; b < batch; b++)
                Affine(input.Slice((b * channels + c) * plane, plane), scale, shift, output.Slice((b * channels + c) * plane, plane));
        }
    }

    /// <summary>y = scale·x + shift over one channel plane, vectorized.</summary>
    private static void Affine(ReadOnlySpan<float> x, float scale, float shift, Span<float> y)
    {
        int i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            var s = new System.Numerics.Vector<float>(scale);
            var t = new System.Numerics.Vector<float>(shift);
            for (; i <= x.Length - System.Numerics.Vector<float>.Count; i += System.Numerics.Vector<float>.Count)
                (new System.Numerics.Vector<float>(x.Slice(i)) * s + t).CopyTo(y.Slice(i));
        }
        for (; i < x.Length; i++) y[i] = scale * x[i] + shift;
    }

    private static void CheckShape(int batch, int channels, int plane, int inputLength, int outputLength, int gammaLength, int betaLength)
    {
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch size must not be negative.");
        if (channels <= 0) throw new ArgumentOutOfRangeException(nameof(channels), channels, "There must be at least one channel.");
        if (plane <= 0) throw new ArgumentOutOfRangeException(nameof(plane), plane, "The plane must hold at least one value.");
        long size = (long)batch * channels * plane;
        if (inputLength != size)
            throw new ArgumentException($"input has {inputLength} values: expected batch · channels · plane = {size}.", "input");
        if (outputLength != size)
            throw new ArgumentException($"output has {outputLength} values: expected batch · channels · plane = {size}.", "output");
        if (gammaLength != channels) throw new ArgumentException($"gamma has {gammaLength} values: expected one per channel ({channels}).", "gamma");
        if (betaLength != channels) throw new ArgumentException($"beta has {betaLength} values: expected one per channel ({channels}).", "beta");
    }
}
