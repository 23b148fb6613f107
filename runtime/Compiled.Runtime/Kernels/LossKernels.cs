using System;

namespace Compiled.Kernels;

/// <summary>
/// Loss functions fused with their gradient. Each returns the loss summed over the given values (so
/// callers can accumulate over chunks and divide once) and, when <c>gradient</c> is not empty, writes
/// the gradient of (sum · <c>gradientScale</c>): generated code passes 1/(samples·outputs) or 1/samples
/// so that the gradient is the one of the mean loss.
/// </summary>
public static class LossKernels
{
    /// <summary>Σ (y − t)²; gradient 2(y − t)·scale with respect to y.</summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="targets"/>, or <paramref name="gradient"/> when not empty, differs in length from <paramref name="outputs"/>.
    /// </exception>
    public static double MeanSquaredError(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, Span<float> gradient, float gradientScale)
    {
        CheckLengths(outputs, targets, gradient);
        double sum = 0;
        bool grad = !gradient.IsEmpty;
        for (int i = 0; i < outputs.Length; i++)
        {
            float d = outputs[i] - targets[i];
            sum += (double)d * d;
            if (grad) gradient[i] = 2f * d * gradientScale;
        }
        return sum;
    }

    /// <summary>
    /// Σ binary cross-entropy with 0/1 (or soft, in [0, 1]) targets. From logits z:
    /// max(z, 0) − z·t + ln(1 + e^−|z|), stable for any z; from probabilities p: −t·ln p − (1 − t)·ln(1 − p),
    /// with p clamped away from 0 and 1. Either way the gradient is with respect to the logit: (p − t)·scale.
    /// </summary>
    /// <remarks>
    /// With <paramref name="positiveWeights"/> (PyTorch's BCEWithLogitsLoss pos_weight: one weight w per output, value i
    /// using w[i mod its length]) the positive term counts w times: −w·t·ln p − (1 − t)·ln(1 − p), from logits
    /// (1 − t)·z + (1 + (w − 1)·t)·(max(−z, 0) + ln(1 + e^−|z|)); the gradient is ((1 + (w − 1)·t)·p − w·t)·scale.
    /// The divisor of the mean stays the number of values, as PyTorch's.
    /// </remarks>
    /// <exception cref="ArgumentException">
    /// <paramref name="targets"/>, or <paramref name="gradient"/> when not empty, differs in length from
    /// <paramref name="outputs"/>; a target is not in [0, 1] (NaN included); or <paramref name="positiveWeights"/> is
    /// empty or its length does not divide the outputs'.
    /// </exception>
    public static double BinaryCrossEntropy(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, Span<float> gradient, float gradientScale, bool outputsAreProbabilities, float[]? positiveWeights = null)
    {
        CheckLengths(outputs, targets, gradient);
        if (positiveWeights is not null) return WeightedBinaryCrossEntropy(outputs, targets, gradient, gradientScale, outputsAreProbabilities, positiveWeights);
        double sum = 0;
        bool grad = !gradient.IsEmpty;
        for (int i = 0; i < outputs.Length; i++)
        {
            float t = CheckedTarget(targets, i);
            float o = outputs[i];
            float p;
            if (outputsAreProbabilities)
            {
                p = o;
                double pc = Math.Clamp((double)p, 1e-12, 1 - 1e-12);
                sum += -(t * Math.Log(pc) + (1 - t) * Math.Log(1 - pc));
            }
            else
            {
                sum += Math.Max(o, 0.0) - (double)o * t + Math.Log(1 + Math.Exp(-Math.Abs((double)o)));
                p = ActivationMath.Sigmoid(o);
            }
            if (grad) gradient[i] = (p - t) * gradientScale;
        }
        return sum;
    }

    /// <summary>
    /// Checks every binary target: each must lie in [0, 1]. Generated networks call it on the whole batch before the loss
    /// runs in chunks, so that a message numbers the target in the batch.
    /// </summary>
    /// <exception cref="ArgumentException">A target is outside [0, 1] or NaN; the message says which.</exception>
    public static void CheckBinaryTargets(ReadOnlySpan<float> targets)
    {
        for (int i = 0; i < targets.Length; i++) CheckedTarget(targets, i);
    }

    /// <summary>
    /// Checks the first <paramref name="rows"/> class labels: each must be an integer in [0, <paramref name="classes"/>).
    /// Generated networks call it on the whole batch before the loss runs in chunks, so that a message numbers the sample
    /// in the batch.
    /// </summary>
    /// <exception cref="ArgumentException">A label is not a class index, or there are fewer than <paramref name="rows"/>; the message says which.</exception>
    public static void CheckLabels(ReadOnlySpan<float> labels, int rows, int classes)
    {
        if (labels.Length < rows) throw new ArgumentException($"{labels.Length} labels for {rows} samples.", nameof(labels));
        for (int r = 0; r < rows; r++) Label(labels[r], classes, r);
    }

    private static float CheckedTarget(ReadOnlySpan<float> targets, int i)
    {
        float t = targets[i];
        if (!(t >= 0f && t <= 1f))
            throw new ArgumentException($"Binary cross-entropy needs targets in [0, 1]; target {i} is {t}.", nameof(targets));
        return t;
    }

    /// <summary>The pos_weight form of <see cref="BinaryCrossEntropy"/> (kept apart so that the unweighted loop stays as it was, bit for bit).</summary>
    private static double WeightedBinaryCrossEntropy(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, Span<float> gradient, float gradientScale, bool outputsAreProbabilities, float[] positiveWeights)
    {
        int count = positiveWeights.Length;
        if (count == 0 || outputs.Length % count != 0)
            throw new ArgumentException($"positiveWeights has {count} values, which does not divide the {outputs.Length} outputs: give one per output of a sample.", nameof(positiveWeights));
        double sum = 0;
        bool grad = !gradient.IsEmpty;
        for (int i = 0, k = 0; i < outputs.Length; i++, k = k + 1 == count ? 0 : k + 1)
        {
            float t = CheckedTarget(targets, i);
            float w = positiveWeights[k];
            float o = outputs[i];
            double scale = 1 + (w - 1.0) * t; // the weight of the ln p term's companion: 1 at t = 0, w at t = 1
            float p;
            if (outputsAreProbabilities)
            {
                p = o;
                double pc = Math.Clamp((double)p, 1e-12, 1 - 1e-12);
                sum += -((double)w * t * Math.Log(pc) + (1 - t) * Math.Log(1 - pc));
            }
            else
            {
                double softplusOfMinusZ = Math.Max(-(double)o, 0.0) + Math.Log(1 + Math.Exp(-Math.Abs((double)o))); // −ln σ(z)
                sum += (1 - t) * (double)o + scale * softplusOfMinusZ;
                p = ActivationMath.Sigmoid(o);
            }
            if (grad) gradient[i] = (float)((scale * p - (double)w * t) * gradientScale);
        }
        return sum;
    }

    /// <summary>
    /// Σ over rows of −ln softmax(z)[label] with integer labels stored as floats (one per row); the
    /// gradient with respect to the logits is (softmax(z) − onehot(label))·scale. When
    /// <paramref name="outputsAreProbabilities"/>, the rows already hold softmax(z).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> or <paramref name="classes"/> is negative.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="outputs"/>, or <paramref name="gradient"/> when not empty, does not hold exactly rows · classes
    /// values; <paramref name="labels"/> does not hold exactly <paramref name="rows"/>; or a label is not an integer
    /// in [0, classes) (see <see cref="Label"/>).
    /// </exception>
    /// <remarks>
    /// With <paramref name="labelSmoothing"/> ε &gt; 0 the target is q = (1 − ε)·onehot(label) + ε/classes
    /// (PyTorch's label_smoothing): L = −Σ q·ln p and the gradient (p − q)·scale.
    /// </remarks>
    /// <remarks>
    /// With <paramref name="classWeights"/> (one per class), row r's loss and gradient are multiplied by
    /// w[label_r] (PyTorch's weight); divide the sum by <see cref="LabelWeightTotal"/> for PyTorch's weighted mean.
    /// Class weights and label smoothing together are not supported.
    /// </remarks>
    public static double SoftmaxCrossEntropy(ReadOnlySpan<float> outputs, ReadOnlySpan<float> labels, Span<float> gradient, int rows, int classes, float gradientScale, bool outputsAreProbabilities, float labelSmoothing = 0f, float[]? classWeights = null)
    {
        if (!(labelSmoothing >= 0 && labelSmoothing < 1))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "Label smoothing must lie in [0, 1), such as 0.1.");
        if (classWeights is not null)
        {
            if (labelSmoothing > 0) throw new NotSupportedException("Class weights together with label smoothing are not supported: use one of them.");
            KernelChecks.SameLength(classWeights.Length, classes, nameof(classWeights), nameof(classes));
        }
        if (labelSmoothing > 0) return SmoothedSoftmaxCrossEntropy(outputs, labels, gradient, rows, classes, gradientScale, outputsAreProbabilities, labelSmoothing);
        // In long: rows · classes may wrap in int and then match a short span by accident.
        KernelChecks.Exactly(outputs.Length, rows, classes, nameof(outputs), nameof(rows), nameof(classes));
        KernelChecks.SameLength(labels.Length, rows, nameof(labels), nameof(rows));
        if (!gradient.IsEmpty) KernelChecks.SameLength(gradient.Length, outputs.Length, nameof(gradient), nameof(outputs));
        double sum = 0;
        bool grad = !gradient.IsEmpty;
        // e[j] = exp(z[j] − max) in double, one row at a time: one exponential per class. Math.Exp, not Vector256.Exp: with
        // the latter the same evaluation gave a loss differing in its last bits from run to run under load (CheckpointTests'
        // validation loss), most likely as the JIT swapped its code for tiered versions that round differently.
        Span<double> e = classes <= 64 ? stackalloc double[64] : ExpScratch(classes);
        e = e.Slice(0, classes);
        for (int r = 0; r < rows; r++)
        {
            int label = Label(labels[r], classes, r);
            var o = outputs.Slice(r * classes, classes);
            float weight = classWeights is null ? 1f : classWeights[label];
            float scale = gradientScale * weight;
            if (outputsAreProbabilities)
            {
                sum += -Math.Log(Math.Max(o[label], 1e-30)) * weight;
                if (grad)
                {
                    var g = gradient.Slice(r * classes, classes);
                    for (int j = 0; j < classes; j++) g[j] = (o[j] - (j == label ? 1f : 0f)) * scale;
                }
                continue;
            }
            float max = float.NegativeInfinity;
            for (int j = 0; j < classes; j++) max = MathF.Max(max, o[j]);
            double s = 0;
            for (int j = 0; j < classes; j++) s += e[j] = Math.Exp((double)o[j] - max);
            double logSum = Math.Log(s) + max;
            sum += (logSum - o[label]) * weight;
            if (grad)
            {
                // softmax(z)[j] = exp(z[j] − max) / Σ exp(z − max), in double before the rounding to float.
                var g = gradient.Slice(r * classes, classes);
                for (int j = 0; j < classes; j++)
                    g[j] = ((float)(e[j] / s) - (j == label ? 1f : 0f)) * scale;
            }
        }
        return sum;
    }

    [ThreadStatic] private static double[]? t_expScratch;

    /// <summary>A per-thread buffer of at least <paramref name="length"/> doubles, for rows of more than 64 classes.</summary>
    private static Span<double> ExpScratch(int length)
    {
        double[]? buffer = t_expScratch;
        if (buffer is null || buffer.Length < length) t_expScratch = buffer = new double[length];
        return buffer;
    }

    /// <summary>
    /// The divisor of a weighted mean: Σ over the rows of classWeights[label] (PyTorch's weighted cross-entropy
    /// mean), or <paramref name="rows"/> without weights.
    /// </summary>
    /// <exception cref="ArgumentException">A label is not a class index, or the weights do not number <paramref name="classes"/>.</exception>
    public static double LabelWeightTotal(ReadOnlySpan<float> labels, float[]? classWeights, int rows, int classes)
    {
        if (classWeights is null) return rows;
        KernelChecks.SameLength(classWeights.Length, classes, nameof(classWeights), nameof(classes));
        KernelChecks.SameLength(labels.Length, rows, nameof(labels), nameof(rows));
        double total = 0;
        for (int r = 0; r < rows; r++) total += classWeights[Label(labels[r], classes, r)];
        return total;
    }

    private static double SmoothedSoftmaxCrossEntropy(ReadOnlySpan<float> outputs, ReadOnlySpan<float> labels, Span<float> gradient, int rows, int classes, float gradientScale, bool outputsAreProbabilities, float smoothing)
    {
        KernelChecks.Exactly(outputs.Length, rows, classes, nameof(outputs), nameof(rows), nameof(classes));
        KernelChecks.SameLength(labels.Length, rows, nameof(labels), nameof(rows));
        if (!gradient.IsEmpty) KernelChecks.SameLength(gradient.Length, outputs.Length, nameof(gradient), nameof(outputs));
        double sum = 0, spread = smoothing / (double)classes, top = 1 - smoothing + spread;
        for (int r = 0; r < rows; r++)
        {
            int label = Label(labels[r], classes, r);
            var o = outputs.Slice(r * classes, classes);
            double logSum = 0;
            if (!outputsAreProbabilities)
            {
                float max = float.NegativeInfinity;
                for (int j = 0; j < classes; j++) max = MathF.Max(max, o[j]);
                double s = 0;
                for (int j = 0; j < classes; j++) s += Math.Exp(o[j] - max);
                logSum = Math.Log(s) + max;
            }
            for (int j = 0; j < classes; j++)
            {
                double q = j == label ? top : spread;
                double logP = outputsAreProbabilities ? Math.Log(Math.Max(o[j], 1e-30)) : o[j] - logSum;
                sum -= q * logP;
                if (!gradient.IsEmpty)
                {
                    double p = outputsAreProbabilities ? o[j] : Math.Exp(logP);
                    gradient[r * classes + j] = (float)((p - q) * gradientScale);
                }
            }
        }
        return sum;
    }

    /// <summary>Reads a class label stored as a float, refusing anything but an integer in [0, classes).</summary>
    /// <exception cref="ArgumentException">The value is NaN, negative, not an integer, or at least <paramref name="classes"/>.</exception>
    public static int Label(float value, int classes, int row)
    {
        int label = (int)value;
        if (label != value || label < 0 || label >= classes)
            throw new ArgumentException($"Label of sample {row} is {value}; softmax cross-entropy needs integer class labels from 0 to {classes - 1}.", "targets");
        return label;
    }

    private static void CheckLengths(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, Span<float> gradient)
    {
        KernelChecks.SameLength(targets.Length, outputs.Length, nameof(targets), nameof(outputs));
        if (!gradient.IsEmpty) KernelChecks.SameLength(gradient.Length, outputs.Length, nameof(gradient), nameof(outputs));
    }
}
