using System;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests.Kernels;

/// <summary>
/// The bounds checks accept spans of exactly the required length (no off-by-one in the validation), and
/// the kernels still compute the right thing there: every expected value is worked out by hand.
/// </summary>
public sealed class KernelExactFitTests
{
    [Fact]
    public void SumRows_at_exact_fit()
    {
        // [1 2 3; 4 5 6] → column sums (5, 7, 9).
        var sums = new float[3];
        LayerKernels.SumRows(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3, sums);
        Assert.Equal(new float[] { 5, 7, 9 }, sums);

        // 3 × 19 (vector body plus scalar tail) with m[r, j] = 10r + j: Σ_r = 30 + 3j.
        var m = new float[3 * 19];
        for (int r = 0; r < 3; r++) for (int j = 0; j < 19; j++) m[r * 19 + j] = 10 * r + j;
        var wide = new float[19];
        LayerKernels.SumRows(m, 3, 19, wide);
        for (int j = 0; j < 19; j++) Assert.Equal(30 + 3 * j, wide[j]);

        // Zero rows: sums are cleared.
        var cleared = new float[] { 7, 7 };
        LayerKernels.SumRows(ReadOnlySpan<float>.Empty, 0, 2, cleared);
        Assert.Equal(new float[] { 0, 0 }, cleared);
    }

    [Fact]
    public void Multiply_and_dropout_at_exact_fit()
    {
        var product = new float[9];
        LayerKernels.Multiply(new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, new float[] { 2, 2, 2, 2, 2, 2, 2, 2, -1 }, product);
        Assert.Equal(new float[] { 2, 4, 6, 8, 10, 12, 14, 16, -9 }, product);

        // keep = 1: every mask value is 1/1 = 1, so y = x.
        var x = new float[] { 1, -2, 3 };
        var y = new float[3];
        var mask = new float[3];
        LayerKernels.DropoutForward(x, y, mask, 1f, new Rng(5));
        Assert.Equal(x, y);
        Assert.Equal(new float[] { 1, 1, 1 }, mask);
    }

    [Fact]
    public void Softmax_and_backward_at_exact_fit()
    {
        // Row 0: (0, ln 3) → (1/4, 3/4). Row 1: (5, 5) → (1/2, 1/2).
        var y = new float[4];
        ActivationMath.Softmax(new[] { 0f, MathF.Log(3f), 5f, 5f }, y, 2, 2);
        Assert.Equal(0.25f, y[0], 6);
        Assert.Equal(0.75f, y[1], 6);
        Assert.Equal(0.5f, y[2], 6);
        Assert.Equal(0.5f, y[3], 6);

        // y = (1/4, 3/4), dy = (1, 0): dot = 1/4, dz = (1/4 · 3/4, 3/4 · (−1/4)) = (0.1875, −0.1875).
        var dz = new float[2];
        ActivationMath.SoftmaxBackward(new[] { 0.25f, 0.75f }, new[] { 1f, 0f }, dz, 1, 2);
        Assert.Equal(0.1875f, dz[0], 6);
        Assert.Equal(-0.1875f, dz[1], 6);
    }

    [Fact]
    public void Losses_at_exact_fit()
    {
        // Rows (0, 0) label 1 and (0, ln 3) label 1: L = ln 2 + ln(4/3) = ln(8/3) = 0.98082925;
        // gradient (softmax − onehot) = (0.5, −0.5), (0.25, −0.25).
        var grad = new float[4];
        double loss = LossKernels.SoftmaxCrossEntropy(new[] { 0f, 0f, 0f, MathF.Log(3f) }, new[] { 1f, 1f }, grad, 2, 2, 1f, false);
        Assert.Equal(0.98082925, loss, 6);
        Assert.Equal(0.5f, grad[0], 6);
        Assert.Equal(-0.5f, grad[1], 6);
        Assert.Equal(0.25f, grad[2], 6);
        Assert.Equal(-0.25f, grad[3], 6);

        // (1 − 0)² + (0 − 2)² = 5; gradient 2(y − t) = (2, −4).
        var g = new float[2];
        Assert.Equal(5, LossKernels.MeanSquaredError(new[] { 1f, 0f }, new[] { 0f, 2f }, g, 1f), 6);
        Assert.Equal(new[] { 2f, -4f }, g);

        // Logit 0, target 1: L = ln 2; gradient σ(0) − 1 = −0.5.
        var b = new float[1];
        Assert.Equal(Math.Log(2), LossKernels.BinaryCrossEntropy(new[] { 0f }, new[] { 1f }, b, 1f, false), 6);
        Assert.Equal(-0.5f, b[0], 6);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Sgemm_accepts_minimal_spans_with_padded_leading_dimensions(bool transA, bool transB)
    {
        // op(A) = [1 2; 3 4], op(B) = [5 6; 7 8] → C = [19 22; 43 50]. Every leading dimension is 3, and each
        // span holds exactly (rows − 1)·3 + 2 = 5 values: the padding after the last row is absent.
        const float X = float.NaN; // padding, must never be read
        float[] a = transA ? new[] { 1f, 3f, X, 2f, 4f } : new[] { 1f, 2f, X, 3f, 4f };
        float[] b = transB ? new[] { 5f, 7f, X, 6f, 8f } : new[] { 5f, 6f, X, 7f, 8f };
        var c = new float[5];
        c[2] = 12345f; // C's padding must not be written
        Sgemm.Multiply(transA, transB, 2, 2, 2, 1f, a, 3, b, 3, 0f, c, 3);
        Assert.Equal(new[] { 19f, 22f, 12345f, 43f, 50f }, c);

        var reference = new float[5];
        reference[2] = 12345f;
        Sgemm.MultiplyReference(transA, transB, 2, 2, 2, 1f, a, 3, b, 3, 0f, reference, 3);
        Assert.Equal(new[] { 19f, 22f, 12345f, 43f, 50f }, reference);
    }
}
