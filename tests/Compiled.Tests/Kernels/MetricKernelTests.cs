using System;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests.Kernels;

/// <summary>
/// Accuracy counting: a NaN output is never a correct prediction, and malformed labels or targets throw an
/// <see cref="ArgumentException"/> naming the offending row. Expected counts are worked out by hand.
/// </summary>
public sealed class MetricKernelTests
{
    private const float NaN = float.NaN;

    [Fact]
    public void Argmax_counts_rows_with_any_NaN_output_as_wrong()
    {
        float[] outputs =
        {
            NaN, NaN, NaN,      // label 0: all NaN would "pick" index 0 → wrong
            0.1f, NaN, 0.9f,    // label 2: the NaN is skipped by >, argmax would be 2 → still wrong
            0.2f, 0.7f, 0.1f,   // label 1: argmax 1 → correct
            NaN, 5f, 1f,        // label 0: argmax would stay 0 behind the NaN → wrong
            3f, 3f, 1f,         // label 0: tie, first wins → correct
            3f, 3f, 1f,         // label 1: tie, first wins → wrong
        };
        float[] labels = { 0, 2, 1, 0, 0, 1 };
        Assert.Equal(2, MetricKernels.CountArgmaxCorrect(outputs, labels, 6, 3));
    }

    [Fact]
    public void Argmax_with_one_class_counts_every_finite_row()
    {
        Assert.Equal(2, MetricKernels.CountArgmaxCorrect(new[] { -1f, NaN, 4f }, new[] { 0f, 0f, 0f }, 3, 1));
    }

    [Fact]
    public void Argmax_reads_only_the_given_rows()
    {
        // Two rows given, a third present in the spans: only rows 0 and 1 count (both correct).
        float[] outputs = { 1f, 0f, 0f, 1f, 1f, 0f };
        Assert.Equal(2, MetricKernels.CountArgmaxCorrect(outputs, new[] { 0f, 1f, 1f }, 2, 2));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(-1f)]
    [InlineData(0.5f)]
    [InlineData(3f)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(3e9f)]
    public void Argmax_refuses_a_malformed_label_naming_its_row(float label)
    {
        float[] outputs = { 1f, 0f, 0f, 0f, 1f, 0f };
        var e = Assert.Throws<ArgumentException>(() => MetricKernels.CountArgmaxCorrect(outputs, new[] { 0f, label }, 2, 3));
        Assert.Equal("labels", e.ParamName);
        Assert.Contains("row 1", e.Message);
    }

    [Fact]
    public void Threshold_counts_NaN_outputs_as_wrong_from_logits()
    {
        // Logits vs targets: NaN/0 wrong (NaN > 0 is false, which would have matched target 0), NaN/1 wrong,
        // 2/1 correct, −1/0 correct, 0/0 correct (0 is not above 0), 0.1/0 wrong.
        float[] outputs = { NaN, NaN, 2f, -1f, 0f, 0.1f };
        float[] targets = { 0f, 1f, 1f, 0f, 0f, 0f };
        Assert.Equal(3, MetricKernels.CountThresholdCorrect(outputs, targets, outputsAreProbabilities: false));
    }

    [Fact]
    public void Threshold_counts_NaN_outputs_as_wrong_from_probabilities()
    {
        // NaN/0 wrong, 0.7/1 correct, 0.3/1 wrong, 0.5/0 correct (not above 0.5), 0.2/0.5 wrong (0.5 counts as 1).
        float[] outputs = { NaN, 0.7f, 0.3f, 0.5f, 0.2f };
        float[] targets = { 0f, 1f, 1f, 0f, 0.5f };
        Assert.Equal(2, MetricKernels.CountThresholdCorrect(outputs, targets, outputsAreProbabilities: true));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(-0.1f)]
    [InlineData(1.5f)]
    public void Threshold_refuses_a_target_outside_0_1_naming_its_index(float target)
    {
        var e = Assert.Throws<ArgumentException>(() =>
            MetricKernels.CountThresholdCorrect(new[] { 1f, 1f, 1f }, new[] { 1f, 0f, target }, false));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("Target 2", e.Message);
    }
}
