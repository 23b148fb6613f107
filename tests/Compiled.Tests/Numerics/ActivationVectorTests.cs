using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests.Numerics;

/// <summary>
/// Every activation of <see cref="ActivationMath"/>, forward and backward, in its Vector256 form (the body of
/// every generated loop) and its float form (the tails), each against a double-precision definition
/// written here from the textbook formula, at values near 0, moderate, large positive and large negative,
/// in every lane. Without hardware acceleration (DOTNET_EnableHWIntrinsic=0) Vector256 runs in software
/// and the same tests apply.
/// </summary>
public sealed class ActivationVectorTests
{
    // Near 0 (both zeros), moderate, and large: where exp under- and overflows in float (±88, ±100),
    // far beyond (±1e4) and at the end of the float range (±3e38).
    private static readonly float[] Points =
    [
        0f, -0f, 1e-7f, -1e-7f, 1e-3f, -1e-3f, 0.5f, -0.5f, 2f, -2f,
        20f, -20f, 88f, -88f, 100f, -100f, 1e4f, -1e4f, 3e38f, -3e38f,
    ];

    // Upstream gradients for the backward forms: unit, negative, and small.
    private static readonly float[] Upstream = [1f, -2.5f, 3e-3f];

    // Tolerance: |got − exact| ≤ max(4 ulp · |exact|, 1e-6 · scale), scale = |dy| for backward (1 forward).
    // 4 ulp (2⁻²¹ ≈ 4.8e-7 relative) covers float rounding of the few operations around one exp or log
    // (Vector256.Exp/Log and MathF.Exp/Log are within 1 ulp; 1 + e^−z, the division and the products add
    // up to 3 more). It is what matters for large outputs (softplus(100) = 100, swish(1e4) = 1e4).
    // The 1e-6 absolute floor is for outputs near 0 where a float formula loses relative accuracy without
    // being wrong: the vector tanh is 2·sigmoid(2z) − 1, which cancels near 0 (tanh(1e-7) comes out as
    // about 1.2e-7); ELU's e^z − 1 cancels likewise; softplus(−20) = ln(1 + 2e-9) is 0 in float; and the
    // backward forms that read y (sigmoid, tanh, ELU) see y rounded to float, which moves y(1 − y) or
    // 1 − y² by up to about 1.2e-7. None of these exceeds 2.5e-7, so 1e-6 still catches a wrong constant.
    private const double RelativeTolerance = 4.0 / (1 << 23);
    private const double AbsoluteTolerance = 1e-6;

    private delegate Vector256<float> VectorBackward(Vector256<float> z, Vector256<float> y, Vector256<float> dy);

    /// <summary>One activation: double definition and derivative, and the library's four forms.</summary>
    private sealed record Function(
        Func<double, double> Exact, Func<double, double> ExactDerivative,
        Func<Vector256<float>, Vector256<float>> Vector, Func<float, float> Scalar,
        VectorBackward VectorBack, Func<float, float, float, float> ScalarBack);

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    private static Function Make(string name)
    {
        const float leaky = 0.2f, elu = 0.7f;
        return name switch
        {
            "Sigmoid" => new(Sigmoid, z => Sigmoid(z) * (1 - Sigmoid(z)),
                ActivationMath.Sigmoid, ActivationMath.Sigmoid,
                (z, y, dy) => ActivationMath.SigmoidBackward(y, dy), (z, y, dy) => ActivationMath.SigmoidBackward(y, dy)),
            "Tanh" => new(Math.Tanh, z => 1 - Math.Tanh(z) * Math.Tanh(z),
                ActivationMath.Tanh, ActivationMath.Tanh,
                (z, y, dy) => ActivationMath.TanhBackward(y, dy), (z, y, dy) => ActivationMath.TanhBackward(y, dy)),
            "ReLU" => new(z => z > 0 ? z : 0, z => z > 0 ? 1 : 0,
                ActivationMath.ReLU, ActivationMath.ReLU,
                (z, y, dy) => ActivationMath.ReLUBackward(z, dy), (z, y, dy) => ActivationMath.ReLUBackward(z, dy)),
            "LeakyReLU" => new(z => z > 0 ? z : (double)leaky * z, z => z > 0 ? 1 : (double)leaky,
                z => ActivationMath.LeakyReLU(z, leaky), z => ActivationMath.LeakyReLU(z, leaky),
                (z, y, dy) => ActivationMath.LeakyReLUBackward(z, dy, leaky), (z, y, dy) => ActivationMath.LeakyReLUBackward(z, dy, leaky)),
            "ELU" => new(z => z > 0 ? z : (double)elu * double.ExpM1(z), z => z > 0 ? 1 : (double)elu * Math.Exp(z),
                z => ActivationMath.ELU(z, elu), z => ActivationMath.ELU(z, elu),
                (z, y, dy) => ActivationMath.ELUBackward(z, y, dy, elu), (z, y, dy) => ActivationMath.ELUBackward(z, y, dy, elu)),
            // ln(1 + e^z), written so that it neither overflows (z = 3e38) nor loses e^z next to 1 (z = −20).
            "Softplus" => new(z => z > 0 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z)), Sigmoid,
                ActivationMath.Softplus, ActivationMath.Softplus,
                (z, y, dy) => ActivationMath.SoftplusBackward(z, dy), (z, y, dy) => ActivationMath.SoftplusBackward(z, dy)),
            // z·sigmoid(z); sigmoid(−3e38) is 0 in double too, so the product is −0, as it should be.
            "Swish" => new(z => z * Sigmoid(z), z => Sigmoid(z) + z * Sigmoid(z) * (1 - Sigmoid(z)),
                ActivationMath.Swish, ActivationMath.Swish,
                (z, y, dy) => ActivationMath.SwishBackward(z, dy), (z, y, dy) => ActivationMath.SwishBackward(z, dy)),
            _ => throw new ArgumentException(name),
        };
    }

    public static TheoryData<string> Functions() => new(["Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "Softplus", "Swish"]);

    private static bool Close(double got, double exact, double scale) =>
        !double.IsNaN(got) && (got == exact || Math.Abs(got - exact) <= Math.Max(RelativeTolerance * Math.Abs(exact), AbsoluteTolerance * scale));

    /// <summary>The points rotated by <paramref name="shift"/>, in vectors of 8 (padded with the first points).</summary>
    private static IEnumerable<float[]> Lanes(int shift)
    {
        var rotated = Points.Skip(shift).Concat(Points.Take(shift)).ToArray();
        for (int start = 0; start < rotated.Length; start += 8)
            yield return Enumerable.Range(0, 8).Select(l => rotated[(start + l) % rotated.Length]).ToArray();
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void Vector_and_scalar_forward_match_the_double_definition(string name)
    {
        var f = Make(name);
        var failures = new List<string>();
        for (int shift = 0; shift < 8; shift++) // every point in every lane
            foreach (var lanes in Lanes(shift))
            {
                var y = f.Vector(Vector256.Create(lanes));
                for (int l = 0; l < 8; l++)
                {
                    double exact = f.Exact(lanes[l]);
                    if (!Close(y[l], exact, 1)) failures.Add($"vector {name}({lanes[l]:R}) lane {l} = {y[l]:R}, exact {exact:R}");
                }
            }
        foreach (float z in Points)
        {
            double exact = f.Exact(z);
            float s = f.Scalar(z);
            if (!Close(s, exact, 1)) failures.Add($"scalar {name}({z:R}) = {s:R}, exact {exact:R}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Distinct()));
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void A_NaN_input_gives_NaN_in_every_lane_and_in_the_scalar_tail(string name)
    {
        // A diverging network must stay visibly diverged: the vector body (Vector256.Max keeps NaN) and the scalar
        // tail of the same loop must agree, whatever lane the NaN falls in.
        var f = Make(name);
        Assert.True(float.IsNaN(f.Scalar(float.NaN)), $"scalar {name}(NaN) = {f.Scalar(float.NaN)}");
        for (int lane = 0; lane < 8; lane++)
        {
            var z = Vector256.Create(0.5f).WithElement(lane, float.NaN);
            Assert.True(float.IsNaN(f.Vector(z)[lane]), $"vector {name}(NaN) in lane {lane} = {f.Vector(z)[lane]}");
        }
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void Vector_and_scalar_backward_match_the_double_derivative(string name)
    {
        // dz = dy·f′(z), given z, y = f(z) rounded to float (what the forward pass stored) and dy.
        var f = Make(name);
        var failures = new List<string>();
        foreach (float dy in Upstream)
        {
            for (int shift = 0; shift < 8; shift++)
                foreach (var lanes in Lanes(shift))
                {
                    var z = Vector256.Create(lanes);
                    var y = Vector256.Create(lanes.Select(v => (float)f.Exact(v)).ToArray());
                    var dz = f.VectorBack(z, y, Vector256.Create(dy));
                    for (int l = 0; l < 8; l++)
                    {
                        double exact = dy * f.ExactDerivative(lanes[l]);
                        if (!Close(dz[l], exact, Math.Abs(dy))) failures.Add($"vector {name}′({lanes[l]:R})·{dy} lane {l} = {dz[l]:R}, exact {exact:R}");
                    }
                }
            foreach (float z in Points)
            {
                double exact = dy * f.ExactDerivative(z);
                float s = f.ScalarBack(z, (float)f.Exact(z), dy);
                if (!Close(s, exact, Math.Abs(dy))) failures.Add($"scalar {name}′({z:R})·{dy} = {s:R}, exact {exact:R}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Distinct()));
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void Backward_of_the_vector_forward_is_finite_at_every_point(string name)
    {
        // The backward forms fed with the vector forward's own y (as the generated loops do) stay finite
        // everywhere, including at the ends of the float range.
        var f = Make(name);
        foreach (var lanes in Lanes(0))
        {
            var z = Vector256.Create(lanes);
            var y = f.Vector(z);
            var dz = f.VectorBack(z, y, Vector256<float>.One);
            for (int l = 0; l < 8; l++)
            {
                Assert.True(float.IsFinite(y[l]), $"{name}({lanes[l]:R}) = {y[l]}");
                Assert.True(float.IsFinite(dz[l]), $"{name}′({lanes[l]:R}) = {dz[l]}");
            }
        }
    }

    private static float[] Both(Func<Vector256<float>, Vector256<float>> vector, Func<float, float> scalar, float z) =>
        [vector(Vector256.Create(z))[0], vector(Vector256.Create(z))[7], scalar(z)];

    [Fact]
    public void Saturation_gives_the_limits_not_NaN()
    {
        const float elu = 0.7f;
        foreach (float s in Both(ActivationMath.Sigmoid, ActivationMath.Sigmoid, -100f)) Assert.True(s >= 0 && s < 1e-30f, $"sigmoid(−100) = {s}");
        foreach (float s in Both(ActivationMath.Sigmoid, ActivationMath.Sigmoid, -3e38f)) Assert.Equal(0f, s);
        foreach (float s in Both(ActivationMath.Sigmoid, ActivationMath.Sigmoid, 100f)) Assert.Equal(1f, s);
        foreach (float s in Both(ActivationMath.Sigmoid, ActivationMath.Sigmoid, 3e38f)) Assert.Equal(1f, s);
        foreach (float s in Both(ActivationMath.Softplus, ActivationMath.Softplus, 100f)) Assert.True(Math.Abs(s - 100f) <= 1e-5f, $"softplus(100) = {s}");
        foreach (float s in Both(ActivationMath.Softplus, ActivationMath.Softplus, 3e38f)) Assert.Equal(3e38f, s);
        foreach (float s in Both(ActivationMath.Softplus, ActivationMath.Softplus, -100f)) Assert.True(s >= 0 && s < 1e-30f, $"softplus(−100) = {s}");
        foreach (float s in Both(ActivationMath.Tanh, ActivationMath.Tanh, 20f)) Assert.Equal(1f, s);
        foreach (float s in Both(ActivationMath.Tanh, ActivationMath.Tanh, -20f)) Assert.Equal(-1f, s);
        foreach (float s in Both(ActivationMath.Tanh, ActivationMath.Tanh, 3e38f)) Assert.Equal(1f, s);
        foreach (float s in Both(ActivationMath.Tanh, ActivationMath.Tanh, -3e38f)) Assert.Equal(-1f, s);
        foreach (float s in Both(z => ActivationMath.ELU(z, elu), z => ActivationMath.ELU(z, elu), -1e4f)) Assert.Equal(-elu, s);
        foreach (float s in Both(z => ActivationMath.ELU(z, elu), z => ActivationMath.ELU(z, elu), -3e38f)) Assert.Equal(-elu, s);
        foreach (float s in Both(ActivationMath.Swish, ActivationMath.Swish, -100f)) Assert.True(s <= 0 && s > -1e-30f, $"swish(−100) = {s}");
        foreach (float s in Both(ActivationMath.Swish, ActivationMath.Swish, -3e38f)) Assert.Equal(0f, s);
        foreach (float s in Both(ActivationMath.Swish, ActivationMath.Swish, 1e4f)) Assert.Equal(1e4f, s);
        // The saturated derivatives are 0 (not NaN from ∞·0).
        foreach (float s in Both(z => ActivationMath.SwishBackward(z, Vector256<float>.One), z => ActivationMath.SwishBackward(z, 1f), -3e38f)) Assert.Equal(0f, s);
        foreach (float s in Both(z => ActivationMath.SwishBackward(z, Vector256<float>.One), z => ActivationMath.SwishBackward(z, 1f), 3e38f)) Assert.Equal(1f, s);
        foreach (float s in Both(z => ActivationMath.SoftplusBackward(z, Vector256<float>.One), z => ActivationMath.SoftplusBackward(z, 1f), -3e38f)) Assert.Equal(0f, s);
        foreach (float s in Both(z => ActivationMath.ELUBackward(z, ActivationMath.ELU(z, elu), Vector256<float>.One, elu), z => ActivationMath.ELUBackward(z, ActivationMath.ELU(z, elu), 1f, elu), -1e4f))
            Assert.True(Math.Abs(s) <= 1e-7f, $"ELU′(−1e4) = {s}");
    }

    /// <summary>Regression: Vector256.Exp(z) is 1 + 1 ulp for z in about (−1.5e-8, 0], which made the vector ELU positive there.</summary>
    [Fact]
    public void ELU_of_a_non_positive_input_is_not_positive()
    {
        // The generated backward of ELU (like ReLU's and leaky ReLU's) reads the sign of y where z was not
        // kept (ActivationCode.Backward: "y has the sign of z"), so ELU(z) must be ≤ 0 for z ≤ 0 in both
        // forms, and ELU(±0) = 0 exactly.
        float[] zs = [0f, -0f, -1e-30f, -1e-9f, -1e-8f, -1.4e-8f, -3e-8f, -1e-7f, -1e-3f];
        foreach (float alpha in new[] { 0.7f, 1f })
            foreach (float z in zs)
            {
                float vector = ActivationMath.ELU(Vector256.Create(z), alpha)[3], scalar = ActivationMath.ELU(z, alpha);
                Assert.True(vector <= 0f, $"vector ELU({z:R}, α = {alpha}) = {vector:R}, positive");
                Assert.True(scalar <= 0f, $"scalar ELU({z:R}, α = {alpha}) = {scalar:R}, positive");
                if (z == 0f) Assert.True(vector == 0f && scalar == 0f, $"ELU({z:R}) = {vector:R} (vector), {scalar:R} (scalar)");
            }
    }

    [Fact]
    public void Softmax_and_its_backward_match_the_double_definition_at_large_magnitudes()
    {
        // Rows of 17 with the points above mixed in (±3e38 left out: z − max would overflow in double
        // as well); softmax must subtract the row maximum to give finite, exact probabilities.
        const int columns = 17;
        var values = Points.Where(p => Math.Abs(p) < 1e38f).ToArray();
        var rows = new List<float[]>();
        for (int r = 0; r < values.Length; r++)
            rows.Add(Enumerable.Range(0, columns).Select(j => j % 3 == 0 ? values[(r + j) % values.Length] : (j - 8) * 0.37f).ToArray());
        var z = rows.SelectMany(r => r).ToArray();
        var y = new float[z.Length];
        ActivationMath.Softmax(z, y, rows.Count, columns);
        var dy = Enumerable.Range(0, z.Length).Select(i => (float)Math.Sin(i)).ToArray();
        var dz = new float[z.Length];
        ActivationMath.SoftmaxBackward(y, dy, dz, rows.Count, columns);
        for (int r = 0; r < rows.Count; r++)
        {
            double max = rows[r].Max(v => (double)v);
            var e = rows[r].Select(v => Math.Exp(v - max)).ToArray();
            double sum = e.Sum();
            var p = e.Select(v => v / sum).ToArray();
            double dot = Enumerable.Range(0, columns).Sum(j => dy[r * columns + j] * p[j]);
            for (int j = 0; j < columns; j++)
            {
                Assert.True(Close(y[r * columns + j], p[j], 1), $"softmax row {r} [{j}] = {y[r * columns + j]:R}, exact {p[j]:R}");
                double exact = p[j] * (dy[r * columns + j] - dot);
                Assert.True(Close(dz[r * columns + j], exact, 1), $"softmax′ row {r} [{j}] = {dz[r * columns + j]:R}, exact {exact:R}");
            }
        }
    }
}
