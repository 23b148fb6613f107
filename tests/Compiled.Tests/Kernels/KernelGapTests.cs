using System;
using System.Linq;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests.Kernels;

/// <summary>
/// Closes the gaps the mutation run of 2026-11-25 found in the small kernels (activations, layer kernels, losses,
/// metrics, PReLU, layer normalization, per-channel bias, the shared argument checks): loss forms reached only through
/// generated networks (pos_weight binary cross-entropy, label smoothing, class weights), the weight penalty,
/// spans whose length is not a multiple of the vector width (with the element after the span watched), sizes of 0,
/// and the exact argument errors. Every expected value comes from the function's definition, worked out in the test
/// in double (or by hand), never from what the kernel returned.
/// </summary>
public sealed class KernelGapTests
{
    private static float[] Sequence(int n, int seed)
    {
        var rng = new Rng(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = rng.NextUniform(-2f, 2f);
        return a;
    }

    // ---------------------------------------------------------------- ChannelBias

    [Theory]
    [InlineData(2, 3, 11)] // one vector and a tail of 3
    [InlineData(2, 3, 3)]  // shorter than a vector
    [InlineData(1, 2, 16)] // two vectors, no tail
    [InlineData(0, 2, 5)]  // an empty batch is allowed and does nothing
    public void Channel_bias_adds_one_value_per_channel_and_its_gradient_sums_the_planes(int batch, int channels, int plane)
    {
        var data = Sequence(batch * channels * plane, 1);
        var bias = Sequence(channels, 2);
        var expected = (float[])data.Clone();
        for (int b = 0; b < batch; b++)
            for (int c = 0; c < channels; c++)
                for (int p = 0; p < plane; p++) expected[(b * channels + c) * plane + p] += bias[c];
        ChannelBias.Add(batch, channels, plane, bias, data);
        Assert.Equal(expected, data);

        var dy = Sequence(batch * channels * plane, 3);
        var gradient = Enumerable.Repeat(99f, channels).ToArray(); // overwritten, not added to
        ChannelBias.Gradient(batch, channels, plane, dy, gradient);
        for (int c = 0; c < channels; c++)
        {
            double sum = 0;
            for (int b = 0; b < batch; b++)
                for (int p = 0; p < plane; p++) sum += dy[(b * channels + c) * plane + p];
            Assert.Equal((float)sum, gradient[c]);
        }
    }

    [Fact]
    public void Channel_bias_refuses_bad_sizes_by_name()
    {
        void Both(Type type, string param, string message, int batch, int channels, int plane, int bias, int data)
        {
            var a = Assert.Throws(type, () => ChannelBias.Add(batch, channels, plane, new float[bias], new float[data]));
            Assert.Equal(param, ((ArgumentException)a).ParamName);
            Assert.Contains(message, a.Message);
            var g = Assert.Throws(type, () => ChannelBias.Gradient(batch, channels, plane, new float[data], new float[bias]));
            Assert.Equal(param, ((ArgumentException)g).ParamName);
            Assert.Contains(message, g.Message);
        }
        Both(typeof(ArgumentOutOfRangeException), "batch", "The batch size must not be negative.", -1, 2, 3, 2, 0);
        Both(typeof(ArgumentOutOfRangeException), "channels", "There must be at least one channel.", 1, 0, 3, 0, 0);
        Both(typeof(ArgumentOutOfRangeException), "plane", "The plane must hold at least one value.", 1, 2, 0, 2, 0);
        Both(typeof(ArgumentException), "bias", "The bias has 3 values: expected one per channel (2).", 1, 2, 3, 3, 6);
        Both(typeof(ArgumentException), "data", "The data has 5 values: expected batch · channels · plane = 6.", 1, 2, 3, 2, 5);
    }

    // ---------------------------------------------------------------- KernelChecks through the public kernels

    [Fact]
    public void Zero_rows_or_zero_columns_are_empty_calls_not_errors()
    {
        var sums = new float[0];
        LayerKernels.SumRows(new float[0], 3, 0, sums);                     // columns 0
        var two = new[] { 5f, 5f };
        LayerKernels.SumRows(new float[0], 0, 2, two);                      // rows 0: sums cleared
        Assert.Equal(new[] { 0f, 0f }, two);
        ActivationMath.Softmax(new float[0], new float[0], 2, 0);
        ActivationMath.SoftmaxBackward(new float[0], new float[0], new float[0], 0, 3);
        Assert.Equal(0.0, LossKernels.SoftmaxCrossEntropy(new float[0], new float[0], new float[0], 0, 3, 1f, false));
        Assert.Equal(0.0, LossKernels.SoftmaxCrossEntropy(new float[0], new float[0], new float[0], 0, 3, 1f, false, labelSmoothing: 0.1f));
        ParametricRelu.Forward(0, 2, 3, new float[0], new[] { 0.5f }, new float[0]);
        ParametricRelu.Forward(2, 2, 0, new float[0], new[] { 0.5f, 0.25f }, new float[0]);  // plane 0: 2 × 0 values
        LayerNormalization.Forward(0, 4, new float[0], new float[4], new float[4], 1e-5f, new float[0]);
    }

    [Fact]
    public void Argument_errors_name_the_size_and_say_what_was_needed()
    {
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => ActivationMath.Softmax(new float[6], new float[6], -1, 3));
        Assert.Equal("rows", negative.ParamName);
        Assert.StartsWith("rows must be non-negative; it is -1.", negative.Message);

        var exactNegative = Assert.Throws<ArgumentOutOfRangeException>(() =>
            LossKernels.SoftmaxCrossEntropy(new float[6], new float[2], default, -2, 3, 1f, false));
        Assert.Equal("rows", exactNegative.ParamName);

        var plane = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ParametricRelu.Forward(1, 2, -1, new float[0], new[] { 0.5f }, new float[0]));
        Assert.Equal("plane", plane.ParamName);
        Assert.StartsWith("plane must be non-negative; it is -1.", plane.Message);

        var shortSpan = Assert.Throws<ArgumentException>(() => ActivationMath.Softmax(new float[5], new float[6], 2, 3));
        Assert.Equal("z", shortSpan.ParamName);
        Assert.StartsWith("z holds 5 values, but rows × columns = 2 × 3 needs 6.", shortSpan.Message);

        var exact = Assert.Throws<ArgumentException>(() =>
            LossKernels.SoftmaxCrossEntropy(new float[7], new float[2], default, 2, 3, 1f, false));
        Assert.Equal("outputs", exact.ParamName);
        Assert.StartsWith("outputs holds 7 values, but rows × classes = 2 × 3 needs exactly 6.", exact.Message);

        var mismatch = Assert.Throws<ArgumentException>(() => LayerKernels.Multiply(new float[4], new float[3], new float[4]));
        Assert.Equal("b", mismatch.ParamName);
        Assert.StartsWith("b holds 3 values; it must hold 4, as many as a.", mismatch.Message);
    }

    // ---------------------------------------------------------------- LayerKernels

    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(11)]
    [InlineData(19)]
    public void Multiply_writes_every_product_of_the_span_and_nothing_after_it(int n)
    {
        // Spans cut out of longer arrays whose next elements hold 2, 3 and a sentinel 7: a loop that runs one
        // element (or one vector) too far writes 6 (or more) over the sentinel.
        var a = Sequence(n + 16, 4);
        var b = Sequence(n + 16, 5);
        for (int i = n; i < n + 16; i++) { a[i] = 2f; b[i] = 3f; }
        var result = Enumerable.Repeat(7f, n + 16).ToArray();
        LayerKernels.Multiply(a.AsSpan(0, n), b.AsSpan(0, n), result.AsSpan(0, n));
        for (int i = 0; i < n; i++) Assert.Equal(a[i] * b[i], result[i]);
        for (int i = n; i < n + 16; i++) Assert.Equal(7f, result[i]);
    }

    [Fact]
    public void Weight_penalty_is_l1_times_the_absolute_sum_plus_l2_times_the_square_sum()
    {
        float[] w = { 0.5f, -2f, 0f, 3f };
        float[] gradient = { 1f, 1f, 1f, 1f };
        const float l1 = 0.25f, l2 = 0.125f;
        // Σ|w| = 5.5, Σw² = 0.25 + 4 + 0 + 9 = 13.25: 0.25·5.5 + 0.125·13.25 = 1.375 + 1.65625.
        double penalty = LayerKernels.AddWeightPenalty(w, gradient, l1, l2);
        Assert.Equal(3.03125, penalty, 12);
        // gradient += l1·sign(w) + 2·l2·w, with sign(0) = 0.
        Assert.Equal(new[] { 1f + 0.25f + 0.125f, 1f - 0.25f - 0.5f, 1f, 1f + 0.25f + 0.75f }, gradient);

        var e = Assert.Throws<ArgumentException>(() => LayerKernels.AddWeightPenalty(new float[3], new float[2], l1, l2));
        Assert.Equal("gradient", e.ParamName);
    }

    [Fact]
    public void Random_kernels_refuse_a_null_generator_and_dropout_explains_its_keep_range()
    {
        Assert.Equal("rng", Assert.Throws<ArgumentNullException>(() =>
            LayerKernels.DropoutForward(new float[3], new float[3], new float[3], 0.5f, null!)).ParamName);
        Assert.Equal("rng", Assert.Throws<ArgumentNullException>(() => LayerKernels.InitializeUniform(new float[3], 1f, null!)).ParamName);
        Assert.Equal("rng", Assert.Throws<ArgumentNullException>(() => LayerKernels.InitializeNormal(new float[3], 1f, null!)).ParamName);
        var keep = Assert.Throws<ArgumentOutOfRangeException>(() =>
            LayerKernels.DropoutForward(new float[3], new float[3], new float[3], 1.5f, new Rng(1)));
        Assert.Equal("keep", keep.ParamName);
        Assert.Contains("The keep probability must be in (0, 1].", keep.Message);
    }

    // ---------------------------------------------------------------- LossKernels: binary cross-entropy

    [Fact]
    public void Binary_cross_entropy_clamps_certain_probabilities_away_from_0_and_1()
    {
        // p = 1 with t = 0 and p = 0 with t = 1: each term is −ln(1e-12) = 27.631…, finite.
        var gradient = new float[2];
        double loss = LossKernels.BinaryCrossEntropy(new[] { 1f, 0f }, new[] { 0f, 1f }, gradient, 1f, outputsAreProbabilities: true);
        Assert.InRange(loss, 55.26, 55.27); // 2 · 27.631…, up to the rounding of 1 − (1 − 1e-12) in double
        Assert.Equal(new[] { 1f, -1f }, gradient);
        // The pos_weight form clamps alike: weight 1 for both, the same loss; weight 3 on the positive term triples it.
        Assert.InRange(LossKernels.BinaryCrossEntropy(new[] { 1f, 0f }, new[] { 0f, 1f }, default, 1f, true, new[] { 1f, 1f }), 55.26, 55.27);
        Assert.InRange(LossKernels.BinaryCrossEntropy(new[] { 1f, 0f }, new[] { 0f, 1f }, default, 1f, true, new[] { 1f, 3f }), 110.52, 110.53);
        var e = Assert.Throws<ArgumentException>(() => LossKernels.BinaryCrossEntropy(new[] { 0.5f }, new[] { 2f }, default, 1f, true));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("Binary cross-entropy needs targets in [0, 1]; target 0 is 2.", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Weighted_binary_cross_entropy_counts_the_positive_term_w_times(bool probabilities)
    {
        // Two samples of two outputs with pos_weight {3, 0.5}: value i uses weight i mod 2. Soft targets included.
        float[] z = { 0.8f, -1.2f, 2.5f, 0.3f };
        float[] t = { 1f, 0f, 0.25f, 1f };
        float[] w = { 3f, 0.5f };
        float[] outputs = probabilities ? z.Select(v => (float)(1 / (1 + Math.Exp(-v)))).ToArray() : z;
        const float scale = 0.125f;
        var gradient = new float[4];
        double loss = LossKernels.BinaryCrossEntropy(outputs, t, gradient, scale, probabilities, w);
        double expected = 0;
        for (int i = 0; i < 4; i++)
        {
            double p = probabilities ? outputs[i] : 1 / (1 + Math.Exp(-z[i]));
            double wi = w[i % 2];
            expected += -(wi * t[i] * Math.Log(p) + (1 - t[i]) * Math.Log(1 - p)); // PyTorch's pos_weight definition
            double dLogit = (1 + (wi - 1) * t[i]) * p - wi * t[i];
            Assert.Equal(dLogit * scale, gradient[i], 5);
        }
        Assert.Equal(expected, loss, 5);
        // Without a gradient span the loss is the same and nothing is written.
        Assert.Equal(loss, LossKernels.BinaryCrossEntropy(outputs, t, default, scale, probabilities, w));
    }

    [Fact]
    public void Weighted_binary_cross_entropy_refuses_weights_that_do_not_divide_the_outputs()
    {
        foreach (int count in new[] { 0, 3 })
        {
            var e = Assert.Throws<ArgumentException>(() =>
                LossKernels.BinaryCrossEntropy(new float[4], new float[4], default, 1f, false, new float[count]));
            Assert.Equal("positiveWeights", e.ParamName);
            Assert.Contains($"positiveWeights has {count} values, which does not divide the 4 outputs", e.Message);
        }
    }

    // ---------------------------------------------------------------- LossKernels: softmax cross-entropy

    private static readonly float[] Logits = { 1f, 2f, 0.5f, -1f, 0f, 3f };
    private static readonly float[] Labels = { 1f, 0f };

    private static double[] SoftmaxRow(float[] z, int r, int k)
    {
        double max = double.NegativeInfinity;
        for (int j = 0; j < k; j++) max = Math.Max(max, z[r * k + j]);
        var e = new double[k];
        double s = 0;
        for (int j = 0; j < k; j++) s += e[j] = Math.Exp(z[r * k + j] - max);
        for (int j = 0; j < k; j++) e[j] /= s;
        return e;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Class_weights_multiply_each_row_by_the_weight_of_its_label(bool probabilities)
    {
        float[] weights = { 0.5f, 4f, 2f };
        var outputs = probabilities
            ? Enumerable.Range(0, 2).SelectMany(r => SoftmaxRow(Logits, r, 3).Select(v => (float)v)).ToArray()
            : Logits;
        var gradient = new float[6];
        const float scale = 0.25f;
        double loss = LossKernels.SoftmaxCrossEntropy(outputs, Labels, gradient, 2, 3, scale, probabilities, classWeights: weights);
        double expected = 0;
        for (int r = 0; r < 2; r++)
        {
            var p = SoftmaxRow(Logits, r, 3);
            int label = (int)Labels[r];
            expected += -Math.Log(p[label]) * weights[label];
            for (int j = 0; j < 3; j++)
                Assert.Equal((p[j] - (j == label ? 1 : 0)) * scale * weights[label], gradient[r * 3 + j], 5);
        }
        Assert.Equal(expected, loss, 5);
        // The divisor of PyTorch's weighted mean: w[1] + w[0].
        Assert.Equal(4.5, LossKernels.LabelWeightTotal(Labels, weights, 2, 3));
        Assert.Equal(2.0, LossKernels.LabelWeightTotal(Labels, null, 2, 3));
    }

    [Fact]
    public void Class_weights_are_checked()
    {
        var count = Assert.Throws<ArgumentException>(() =>
            LossKernels.SoftmaxCrossEntropy(Logits, Labels, default, 2, 3, 1f, false, classWeights: new float[2]));
        Assert.Equal("classWeights", count.ParamName);
        Assert.Equal("classWeights", Assert.Throws<ArgumentException>(() => LossKernels.LabelWeightTotal(Labels, new float[4], 2, 3)).ParamName);
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => LossKernels.LabelWeightTotal(Labels, new float[3], 3, 3)).ParamName);
        Assert.Equal("targets", Assert.Throws<ArgumentException>(() => LossKernels.LabelWeightTotal(new[] { 3f }, new float[3], 1, 3)).ParamName);
        var both = Assert.Throws<NotSupportedException>(() =>
            LossKernels.SoftmaxCrossEntropy(Logits, Labels, default, 2, 3, 1f, false, labelSmoothing: 0.1f, classWeights: new float[3]));
        Assert.Contains("Class weights together with label smoothing are not supported", both.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Label_smoothing_targets_one_minus_epsilon_on_the_label_plus_epsilon_over_the_classes(bool probabilities)
    {
        const float eps = 0.3f, scale = 0.5f;
        var outputs = probabilities
            ? Enumerable.Range(0, 2).SelectMany(r => SoftmaxRow(Logits, r, 3).Select(v => (float)v)).ToArray()
            : Logits;
        var gradient = new float[6];
        double loss = LossKernels.SoftmaxCrossEntropy(outputs, Labels, gradient, 2, 3, scale, probabilities, labelSmoothing: eps);
        double expected = 0;
        for (int r = 0; r < 2; r++)
        {
            var p = SoftmaxRow(Logits, r, 3);
            for (int j = 0; j < 3; j++)
            {
                double q = (j == (int)Labels[r] ? 1 - eps : 0) + eps / 3.0;
                expected -= q * Math.Log(p[j]);
                Assert.Equal((p[j] - q) * scale, gradient[r * 3 + j], 5);
            }
        }
        Assert.Equal(expected, loss, 5);
        Assert.Equal(loss, LossKernels.SoftmaxCrossEntropy(outputs, Labels, default, 2, 3, scale, probabilities, labelSmoothing: eps));
    }

    [Fact]
    public void Label_smoothing_checks_its_sizes()
    {
        Assert.Equal("outputs", Assert.Throws<ArgumentException>(() =>
            LossKernels.SoftmaxCrossEntropy(new float[5], Labels, default, 2, 3, 1f, false, labelSmoothing: 0.1f)).ParamName);
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() =>
            LossKernels.SoftmaxCrossEntropy(Logits, new float[3], default, 2, 3, 1f, false, labelSmoothing: 0.1f)).ParamName);
        Assert.Equal("gradient", Assert.Throws<ArgumentException>(() =>
            LossKernels.SoftmaxCrossEntropy(Logits, Labels, new float[5], 2, 3, 1f, false, labelSmoothing: 0.1f)).ParamName);
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1f)]
    [InlineData(float.NaN)]
    public void Label_smoothing_outside_0_1_is_refused(float smoothing)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            LossKernels.SoftmaxCrossEntropy(Logits, Labels, default, 2, 3, 1f, false, labelSmoothing: smoothing));
        Assert.Equal("labelSmoothing", e.ParamName);
        Assert.Contains("Label smoothing must lie in [0, 1), such as 0.1.", e.Message);
    }

    [Theory]
    [InlineData(1.5f)]
    [InlineData(-1f)]
    [InlineData(3f)]
    public void A_class_label_must_be_an_integer_from_0_to_classes_minus_1(float label)
    {
        var e = Assert.Throws<ArgumentException>(() => LossKernels.SoftmaxCrossEntropy(Logits, new[] { 0f, label }, default, 2, 3, 1f, false));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("Label of sample 1 is ", e.Message);
        Assert.Contains("softmax cross-entropy needs integer class labels from 0 to 2.", e.Message);
        Assert.Equal(2, LossKernels.Label(2f, 3, 0));
    }

    // ---------------------------------------------------------------- MetricKernels

    [Fact]
    public void Argmax_ties_go_to_the_first_maximum_and_two_NaNs_still_make_a_row_wrong()
    {
        // One tie only (a tie at label 1 and one at label 0 would cancel out): the first of the two 3s is the argmax.
        Assert.Equal(0, MetricKernels.CountArgmaxCorrect(new[] { 3f, 3f, 1f }, new[] { 1f }, 1, 3));
        Assert.Equal(1, MetricKernels.CountArgmaxCorrect(new[] { 3f, 3f, 1f }, new[] { 0f }, 1, 3));
        // Exactly two NaNs in a row whose argmax would otherwise be the label.
        Assert.Equal(0, MetricKernels.CountArgmaxCorrect(new[] { 5f, float.NaN, float.NaN }, new[] { 0f }, 1, 3));
        Assert.Equal(0, MetricKernels.CountArgmaxCorrect(new[] { 5f, float.NaN, 1f, float.NaN }, new[] { 0f }, 1, 4));
    }

    [Fact]
    public void Argmax_errors_explain_the_sizes_and_the_label_range()
    {
        var classes = Assert.Throws<ArgumentOutOfRangeException>(() => MetricKernels.CountArgmaxCorrect(new float[3], new float[3], 3, 0));
        Assert.Contains("classes must be at least 1; it is 0.", classes.Message);
        var labels = Assert.Throws<ArgumentException>(() => MetricKernels.CountArgmaxCorrect(new float[6], new float[1], 2, 3));
        Assert.Equal("labels", labels.ParamName);
        Assert.Contains("labels holds 1 values, but rows = 2 needs one label per row.", labels.Message);
        var range = Assert.Throws<ArgumentException>(() => MetricKernels.CountArgmaxCorrect(new float[3], new[] { 3f }, 1, 3));
        Assert.Contains("accuracy needs integer class labels from 0 to 2.", range.Message);
    }

    [Fact]
    public void Sum_of_absolute_errors_by_hand()
    {
        // |1 − 3| + |−2 − 0.5| + |4 − 4| + |0.25 − (−1)| = 2 + 2.5 + 0 + 1.25.
        Assert.Equal(5.75, MetricKernels.SumAbsoluteError(new[] { 1f, -2f, 4f, 0.25f }, new[] { 3f, 0.5f, 4f, -1f }));
        var e = Assert.Throws<ArgumentException>(() => MetricKernels.SumAbsoluteError(new float[3], new float[2]));
        Assert.Equal("targets", e.ParamName);
    }

    // ---------------------------------------------------------------- ParametricRelu

    [Fact]
    public void PReLU_checks_its_sizes_in_both_directions()
    {
        float[] x = new float[12], slopes = { 0.1f, 0.2f };
        var e = Assert.Throws<ArgumentException>(() => ParametricRelu.Forward(2, 2, 3, new float[11], slopes, new float[11]));
        Assert.Equal("input", e.ParamName);
        Assert.Contains("channels · plane", e.Message);
        var s = Assert.Throws<ArgumentException>(() => ParametricRelu.Forward(2, 2, 3, x, new float[3], new float[12]));
        Assert.Equal("slopes", s.ParamName);
        Assert.Contains("PReLU takes 1 slope or one per channel (2), not 3.", s.Message);

        Assert.Equal("input", Assert.Throws<ArgumentException>(() =>
            ParametricRelu.Backward(2, 2, 3, new float[11], new float[11], slopes, new float[2], default)).ParamName);
        Assert.Equal("slopes", Assert.Throws<ArgumentException>(() =>
            ParametricRelu.Backward(2, 2, 3, x, new float[12], new float[3], new float[3], default)).ParamName);
        Assert.Equal("outputGradient", Assert.Throws<ArgumentException>(() =>
            ParametricRelu.Backward(2, 2, 3, x, new float[11], slopes, new float[2], default)).ParamName);
        // channels · plane beyond int is refused, not wrapped (65536 · 65537 wraps to 65536).
        Assert.Throws<OverflowException>(() => ParametricRelu.Forward(1, 65536, 65537, new float[65536], new float[1], new float[65536]));
    }

    // ---------------------------------------------------------------- LayerNormalization

    [Fact]
    public void Layer_norm_of_one_value_is_beta_and_its_sizes_are_checked_by_name()
    {
        // size 1: x − μ = 0, so y = β whatever x and γ.
        var y = new float[2];
        LayerNormalization.Forward(2, 1, new[] { 5f, -3f }, new[] { 2f }, new[] { 0.75f }, 1e-5f, y);
        Assert.Equal(new[] { 0.75f, 0.75f }, y);

        var size = Assert.Throws<ArgumentOutOfRangeException>(() =>
            LayerNormalization.Forward(1, 0, default, default, default, 1e-5f, default));
        Assert.Equal("size", size.ParamName);
        Assert.Contains("A layer normalization normalizes at least one value.", size.Message);

        float[] x = new float[6], g = new float[3];
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => LayerNormalization.Forward(2, 3, new float[5], g, g, 1e-5f, new float[5])).ParamName);
        Assert.Equal("gamma", Assert.Throws<ArgumentException>(() => LayerNormalization.Forward(2, 3, x, new float[2], g, 1e-5f, new float[6])).ParamName);
        Assert.Equal("beta", Assert.Throws<ArgumentException>(() => LayerNormalization.Forward(2, 3, x, g, new float[2], 1e-5f, new float[6])).ParamName);

        Assert.Equal("gamma", Assert.Throws<ArgumentException>(() =>
            LayerNormalization.Backward(2, 3, x, new float[6], new float[2], 1e-5f, new float[3], new float[3], default)).ParamName);
        Assert.Equal("outputGradient", Assert.Throws<ArgumentException>(() =>
            LayerNormalization.Backward(2, 3, x, new float[5], g, 1e-5f, new float[3], new float[3], default)).ParamName);
        Assert.Equal("gammaGradient", Assert.Throws<ArgumentException>(() =>
            LayerNormalization.Backward(2, 3, x, new float[6], g, 1e-5f, new float[2], new float[3], default)).ParamName);
        Assert.Equal("betaGradient", Assert.Throws<ArgumentException>(() =>
            LayerNormalization.Backward(2, 3, x, new float[6], g, 1e-5f, new float[3], new float[2], default)).ParamName);
        Assert.Equal("inputGradient", Assert.Throws<ArgumentException>(() =>
            LayerNormalization.Backward(2, 3, x, new float[6], g, 1e-5f, new float[3], new float[3], new float[5])).ParamName);
    }
}
