using System;
using System.Collections.Generic;
using System.Linq;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests.Kernels;

/// <summary>
/// Every public kernel validates its sizes against its spans, in <see cref="long"/>, before any unchecked
/// access: a size product that wraps in int (65537 × 65536 = 2³² + 65536) or a span one element too short
/// throws the documented exception type instead of reading out of bounds (which kills the process). Spans
/// of exactly the required length still work, checked against hand-computed results.
/// </summary>
public sealed class KernelBoundsTests
{
    // 65537 × 65536 wraps to 65536 in int: a naive "length < rows * columns" check passes a 65536-long span.
    private const int WrapRows = 65537, WrapColumns = 65536;

    private static readonly Dictionary<string, (Type Expected, Action Call)> Cases = BuildCases();

    private static Dictionary<string, (Type, Action)> BuildCases()
    {
        var cases = new Dictionary<string, (Type, Action)>();
        void Add<TException>(string name, Action call) where TException : Exception => cases.Add(name, (typeof(TException), call));
        float[] F(int length) => new float[length];
        float[] Labels(int length) => new float[length]; // all label 0: valid, so only the size check can fail

        // ---- LayerKernels.SumRows
        Add<ArgumentException>("SumRows: issue case 65537×65536 over 65536 values",
            () => LayerKernels.SumRows(new float[65536], 65537, 65536, new float[65536]));
        Add<ArgumentException>("SumRows: m one short", () => LayerKernels.SumRows(F(2 * 3 - 1), 2, 3, F(3)));
        Add<ArgumentException>("SumRows: sums one short", () => LayerKernels.SumRows(F(2 * 3), 2, 3, F(2)));
        Add<ArgumentOutOfRangeException>("SumRows: negative rows", () => LayerKernels.SumRows(F(6), -1, 3, F(3)));
        Add<ArgumentOutOfRangeException>("SumRows: negative columns", () => LayerKernels.SumRows(F(6), 2, -3, F(0)));

        // ---- LayerKernels.Multiply, DropoutForward (element-wise: lengths only)
        Add<ArgumentException>("Multiply: b one short", () => LayerKernels.Multiply(F(9), F(8), F(9)));
        Add<ArgumentException>("Multiply: result one short", () => LayerKernels.Multiply(F(9), F(9), F(8)));
        Add<ArgumentException>("DropoutForward: y one short", () => LayerKernels.DropoutForward(F(9), F(8), F(9), 0.5f, new Rng(1)));
        Add<ArgumentException>("DropoutForward: mask one short", () => LayerKernels.DropoutForward(F(9), F(9), F(8), 0.5f, new Rng(1)));
        Add<ArgumentOutOfRangeException>("DropoutForward: keep 0", () => LayerKernels.DropoutForward(F(9), F(9), F(9), 0f, new Rng(1)));
        Add<ArgumentOutOfRangeException>("DropoutForward: keep NaN", () => LayerKernels.DropoutForward(F(9), F(9), F(9), float.NaN, new Rng(1)));

        // ---- ActivationMath.Softmax / SoftmaxBackward
        Add<ArgumentException>("Softmax: 65537×65536 wraps",
            () => ActivationMath.Softmax(F(65536), F(65536), WrapRows, WrapColumns));
        Add<ArgumentException>("Softmax: z one short", () => ActivationMath.Softmax(F(5), F(6), 2, 3));
        Add<ArgumentException>("Softmax: y one short", () => ActivationMath.Softmax(F(6), F(5), 2, 3));
        Add<ArgumentOutOfRangeException>("Softmax: negative rows", () => ActivationMath.Softmax(F(6), F(6), -2, 3));
        Add<ArgumentException>("SoftmaxBackward: 65537×65536 wraps",
            () => ActivationMath.SoftmaxBackward(F(65536), F(65536), F(65536), WrapRows, WrapColumns));
        Add<ArgumentException>("SoftmaxBackward: y one short", () => ActivationMath.SoftmaxBackward(F(5), F(6), F(6), 2, 3));
        Add<ArgumentException>("SoftmaxBackward: dy one short", () => ActivationMath.SoftmaxBackward(F(6), F(5), F(6), 2, 3));
        Add<ArgumentException>("SoftmaxBackward: dz one short", () => ActivationMath.SoftmaxBackward(F(6), F(6), F(5), 2, 3));
        Add<ArgumentOutOfRangeException>("SoftmaxBackward: negative columns", () => ActivationMath.SoftmaxBackward(F(6), F(6), F(6), 2, -3));

        // ---- LossKernels
        Add<ArgumentException>("SoftmaxCrossEntropy: 65537×65536 wraps",
            () => LossKernels.SoftmaxCrossEntropy(F(65536), Labels(WrapRows), default, WrapRows, WrapColumns, 1f, false));
        Add<ArgumentException>("SoftmaxCrossEntropy: outputs one short",
            () => LossKernels.SoftmaxCrossEntropy(F(5), Labels(2), default, 2, 3, 1f, false));
        Add<ArgumentException>("SoftmaxCrossEntropy: labels one short",
            () => LossKernels.SoftmaxCrossEntropy(F(6), Labels(1), default, 2, 3, 1f, false));
        Add<ArgumentException>("SoftmaxCrossEntropy: gradient one short",
            () => LossKernels.SoftmaxCrossEntropy(F(6), Labels(2), F(5), 2, 3, 1f, false));
        Add<ArgumentOutOfRangeException>("SoftmaxCrossEntropy: negative classes",
            () => LossKernels.SoftmaxCrossEntropy(F(6), Labels(2), default, 2, -3, 1f, false));
        Add<ArgumentException>("MeanSquaredError: targets one short", () => LossKernels.MeanSquaredError(F(9), F(8), default, 1f));
        Add<ArgumentException>("MeanSquaredError: gradient one short", () => LossKernels.MeanSquaredError(F(9), F(9), F(8), 1f));
        Add<ArgumentException>("BinaryCrossEntropy: targets one short", () => LossKernels.BinaryCrossEntropy(F(9), F(8), default, 1f, false));
        Add<ArgumentException>("BinaryCrossEntropy: gradient one short", () => LossKernels.BinaryCrossEntropy(F(9), F(9), F(8), 1f, false));

        // ---- MetricKernels
        Add<ArgumentException>("CountArgmaxCorrect: 65537×65536 wraps",
            () => MetricKernels.CountArgmaxCorrect(F(65536), Labels(WrapRows), WrapRows, WrapColumns));
        Add<ArgumentException>("CountArgmaxCorrect: outputs one short", () => MetricKernels.CountArgmaxCorrect(F(5), Labels(2), 2, 3));
        Add<ArgumentException>("CountArgmaxCorrect: labels one short", () => MetricKernels.CountArgmaxCorrect(F(6), Labels(1), 2, 3));
        Add<ArgumentOutOfRangeException>("CountArgmaxCorrect: negative rows", () => MetricKernels.CountArgmaxCorrect(F(6), Labels(2), -2, 3));
        Add<ArgumentOutOfRangeException>("CountArgmaxCorrect: zero classes", () => MetricKernels.CountArgmaxCorrect(F(6), Labels(2), 2, 0));
        Add<ArgumentException>("CountThresholdCorrect: targets one short", () => MetricKernels.CountThresholdCorrect(F(9), F(8), false));

        // ---- Sgemm: each operand's extent (rows − 1)·ld + columns wrapping, and each operand one short, in all layouts.
        // A: m×k (k×m transposed), B: k×n (n×k transposed), C: m×n. Wrapping A: m = 65537, k = lda = 65536.
        Add<ArgumentException>("Sgemm: A 65537×65536 wraps",
            () => Sgemm.Multiply(false, false, WrapRows, 1, WrapColumns, 1f, F(65536), WrapColumns, F(WrapColumns), 1, 0f, F(WrapRows), 1));
        Add<ArgumentException>("Sgemm: Aᵀ 65537×65536 wraps",
            () => Sgemm.Multiply(true, false, WrapColumns, 1, WrapRows, 1f, F(65536), WrapColumns, F(WrapRows), 1, 0f, F(WrapColumns), 1));
        Add<ArgumentException>("Sgemm: B 65537×65536 wraps",
            () => Sgemm.Multiply(false, false, 1, WrapColumns, WrapRows, 1f, F(WrapRows), WrapRows, F(65536), WrapColumns, 0f, F(WrapColumns), WrapColumns));
        Add<ArgumentException>("Sgemm: Bᵀ 65537×65536 wraps",
            () => Sgemm.Multiply(false, true, 1, WrapRows, WrapColumns, 1f, F(WrapColumns), WrapColumns, F(65536), WrapColumns, 0f, F(WrapRows), WrapRows));
        Add<ArgumentException>("Sgemm: C 65537×65536 wraps",
            () => Sgemm.Multiply(false, false, WrapRows, WrapColumns, 1, 1f, F(WrapRows), 1, F(WrapColumns), WrapColumns, 0f, F(65536), WrapColumns));
        Add<ArgumentException>("Sgemm with epilogue: C 65537×65536 wraps", () =>
        {
            var epilogue = new NoEpilogue();
            Sgemm.Multiply(false, false, WrapRows, WrapColumns, 1, 1f, F(WrapRows), 1, F(WrapColumns), WrapColumns, 0f, F(65536), WrapColumns, ref epilogue);
        });
        Add<ArgumentException>("Sgemm reference: A 65537×65536 wraps",
            () => Sgemm.MultiplyReference(false, false, WrapRows, 1, WrapColumns, 1f, F(65536), WrapColumns, F(WrapColumns), 1, 0f, F(WrapRows), 1));
        foreach (bool transA in new[] { false, true })
        {
            foreach (bool transB in new[] { false, true })
            {
                // m = 3, n = 5, k = 4 with padded leading dimensions: minimal lengths (rows − 1)·ld + columns.
                int lda = (transA ? 3 : 4) + 2, ldb = (transB ? 4 : 5) + 1, ldc = 5 + 3;
                int aLength = (transA ? 3 : 2) * lda + (transA ? 3 : 4);
                int bLength = (transB ? 4 : 3) * ldb + (transB ? 4 : 5);
                int cLength = 2 * ldc + 5;
                string layout = $"{(transA ? "Aᵀ" : "A")}·{(transB ? "Bᵀ" : "B")}";
                Add<ArgumentException>($"Sgemm {layout}: a one short",
                    () => Sgemm.Multiply(transA, transB, 3, 5, 4, 1f, F(aLength - 1), lda, F(bLength), ldb, 0f, F(cLength), ldc));
                Add<ArgumentException>($"Sgemm {layout}: b one short",
                    () => Sgemm.Multiply(transA, transB, 3, 5, 4, 1f, F(aLength), lda, F(bLength - 1), ldb, 0f, F(cLength), ldc));
                Add<ArgumentException>($"Sgemm {layout}: c one short",
                    () => Sgemm.Multiply(transA, transB, 3, 5, 4, 1f, F(aLength), lda, F(bLength), ldb, 0f, F(cLength - 1), ldc));
            }
        }
        Add<ArgumentOutOfRangeException>("Sgemm: negative m",
            () => Sgemm.Multiply(false, false, -1, 1, 1, 1f, F(1), 1, F(1), 1, 0f, F(1), 1));
        Add<ArgumentOutOfRangeException>("Sgemm: negative k",
            () => Sgemm.Multiply(false, false, 1, 1, -1, 1f, F(1), 1, F(1), 1, 0f, F(1), 1));
        Add<ArgumentOutOfRangeException>("Sgemm: lda below row length",
            () => Sgemm.Multiply(false, false, 2, 2, 3, 1f, F(6), 2, F(6), 2, 0f, F(4), 2));
        return cases;
    }

    public static IEnumerable<object[]> CaseNames() => Cases.Keys.Select(name => new object[] { name });

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Bad_sizes_throw_the_documented_exception(string name)
    {
        var (expected, call) = Cases[name];
        // Assert.Throws checks the exact type: an ArgumentOutOfRangeException from a Slice deep inside a loop
        // (what a wrapped product used to produce after partial writes) does not pass for an ArgumentException.
        Exception? thrown = Record.Exception(call);
        Assert.NotNull(thrown);
        Assert.Equal(expected, thrown!.GetType());
        Assert.False(string.IsNullOrEmpty(((ArgumentException)thrown).ParamName), $"{name}: the exception names no parameter");
    }

    [Fact]
    public void Messages_name_the_sizes()
    {
        var e = Assert.Throws<ArgumentException>(() => LayerKernels.SumRows(new float[65536], 65537, 65536, new float[65536]));
        Assert.Equal("m", e.ParamName);
        Assert.Contains("65537 × 65536", e.Message);
        Assert.Contains("4295032832", e.Message); // the true product, not the wrapped 65536
        var s = Assert.Throws<ArgumentException>(() =>
            Sgemm.Multiply(false, false, WrapRows, 1, WrapColumns, 1f, new float[65536], WrapColumns, new float[WrapColumns], 1, 0f, new float[WrapRows], 1));
        Assert.Equal("a", s.ParamName);
        Assert.Contains("4295032832", s.Message); // 65536 · 65536 + 65536
    }
}
