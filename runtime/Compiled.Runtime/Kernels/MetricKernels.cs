using System;

namespace Compiled.Kernels;

/// <summary>Counting correct predictions, for accuracy.</summary>
public static class MetricKernels
{
    /// <summary>Rows whose largest output (first one on ties) is at the label's index.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> is negative or <paramref name="classes"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="outputs"/> holds fewer than rows · classes values or <paramref name="labels"/> fewer than <paramref name="rows"/>.
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
            var o = outputs.Slice(r * classes, classes);
            int best = 0;
            for (int j = 1; j < classes; j++) if (o[j] > o[best]) best = j;
            if (best == (int)labels[r]) correct++;
        }
        return correct;
    }

    /// <summary>
    /// Outputs whose thresholded value (probability above 0.5, i.e. logit above 0) equals the 0/1 target
    /// (a target counts as 1 when it is at least 0.5).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="targets"/> differs in length from <paramref name="outputs"/>.</exception>
    public static int CountThresholdCorrect(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, bool outputsAreProbabilities)
    {
        KernelChecks.SameLength(targets.Length, outputs.Length, nameof(targets), nameof(outputs));
        float threshold = outputsAreProbabilities ? 0.5f : 0f;
        int correct = 0;
        for (int i = 0; i < outputs.Length; i++)
            if ((outputs[i] > threshold) == (targets[i] >= 0.5f)) correct++;
        return correct;
    }
}
