using System;

namespace Compiled.Kernels;

/// <summary>
/// Counting correct predictions, for accuracy. A NaN output is never a correct prediction: a diverged
/// network must not score by accident (an all-NaN row would otherwise "predict" class 0, and a NaN logit
/// would compare as "not above the threshold", i.e. predict 0). Malformed labels and targets throw, as the
/// loss kernels do on the same data, rather than being silently counted as wrong.
/// </summary>
public static class MetricKernels
{
    /// <summary>
    /// Rows whose largest output (first one on ties) is at the label's index. A row with any NaN output
    /// counts as wrong. Only the first rows · classes outputs and the first <paramref name="rows"/> labels are read.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> is negative or <paramref name="classes"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="outputs"/> holds fewer than rows · classes values or <paramref name="labels"/> fewer than
    /// <paramref name="rows"/>; or a label is NaN, negative, not an integer, or at least <paramref name="classes"/>
    /// (the message names the row).
    /// </exception>
    public static int CountArgmaxCorrect(ReadOnlySpan<float> outputs, ReadOnlySpan<float> labels, int rows, int classes)
    {
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, $"{nameof(classes)} must be at least 1; it is {classes}.");
        KernelChecks.AtLeast(outputs.Length, rows, classes, nameof(outputs), nameof(rows), nameof(classes));
        if (labels.Length < rows)
            throw new ArgumentException($"{nameof(labels)} holds {labels.Length} values, but {nameof(rows)} = {rows} needs one label per row.", nameof(labels));
        int correct = 0;
        for (int r = 0; r < rows; r++)
        {
            int label = Label(labels[r], classes, r);
            // r · classes < rows · classes ≤ outputs.Length: no wrap once the checks above have passed.
            var o = outputs.Slice(r * classes, classes);
            int best = 0;
            bool nan = float.IsNaN(o[0]);
            for (int j = 1; j < classes; j++)
            {
                float v = o[j];
                nan |= float.IsNaN(v);
                if (v > o[best]) best = j;
            }
            if (!nan && best == label) correct++;
        }
        return correct;
    }

    /// <summary>Σ |outputs[i] − targets[i]|, in double (a regression's mean absolute error, once divided).</summary>
    /// <exception cref="ArgumentException"><paramref name="targets"/> differs in length from <paramref name="outputs"/>.</exception>
    public static double SumAbsoluteError(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets)
    {
        KernelChecks.SameLength(targets.Length, outputs.Length, nameof(targets), nameof(outputs));
        double sum = 0;
        for (int i = 0; i < outputs.Length; i++) sum += Math.Abs((double)outputs[i] - targets[i]);
        return sum;
    }

    /// <summary>
    /// Outputs whose thresholded value (probability above 0.5, i.e. logit above 0) equals the 0/1 target
    /// (a target counts as 1 when it is at least 0.5). A NaN output counts as wrong.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="targets"/> differs in length from <paramref name="outputs"/>, or a target is not in [0, 1]
    /// (NaN included; the message names its index), as binary cross-entropy requires.
    /// </exception>
    public static int CountThresholdCorrect(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, bool outputsAreProbabilities)
    {
        KernelChecks.SameLength(targets.Length, outputs.Length, nameof(targets), nameof(outputs));
        float threshold = outputsAreProbabilities ? 0.5f : 0f;
        int correct = 0;
        for (int i = 0; i < outputs.Length; i++)
        {
            float t = targets[i];
            if (!(t >= 0f && t <= 1f))
                throw new ArgumentException($"Target {i} is {t}; accuracy of a binary output needs targets in [0, 1].", nameof(targets));
            float o = outputs[i];
            // NaN fails both comparisons, so test it explicitly: "not above the threshold" would match target 0.
            if (!float.IsNaN(o) && (o > threshold) == (t >= 0.5f)) correct++;
        }
        return correct;
    }

    /// <summary>Reads the label of row <paramref name="row"/>, refusing anything but an integer in [0, classes).</summary>
    private static int Label(float value, int classes, int row)
    {
        int label = (int)value; // NaN and out-of-range values convert to something != value, or outside [0, classes)
        if (label != value || label < 0 || label >= classes)
            throw new ArgumentException(
                $"Label of row {row} is {value}; accuracy needs integer class labels from 0 to {classes - 1}.", "labels");
        return label;
    }
}
