using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Compiled.Kernels;

/// <summary>
/// The activation functions and their derivatives, in a scalar and a <see cref="Vector256{T}"/> form
/// with the same math. Generated code calls these from its fused loops: the vector form in the body,
/// the scalar form in the tail (and everywhere when SIMD is unavailable).
/// Derivatives take the pre-activation z, the activation y = f(z) and the upstream gradient dy,
/// and return dz = dy · f′(z), each from whichever of z and y is cheaper.
/// </summary>
public static class ActivationMath
{
    // ---- sigmoid: y = 1 / (1 + e^−z); f′ = y(1 − y)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float z) => 1f / (1f + MathF.Exp(-z));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> z) => Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-z));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SigmoidBackward(float y, float dy) => dy * y * (1f - y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> SigmoidBackward(Vector256<float> y, Vector256<float> dy) => dy * y * (Vector256<float>.One - y);

    // ---- tanh: y = tanh z = 2·sigmoid(2z) − 1; f′ = 1 − y²
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float z) => MathF.Tanh(z);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> z)
    {
        var two = Vector256.Create(2f);
        return two * Sigmoid(two * z) - Vector256<float>.One;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float TanhBackward(float y, float dy) => dy * (1f - y * y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> TanhBackward(Vector256<float> y, Vector256<float> dy) => dy * (Vector256<float>.One - y * y);

    // ---- ReLU: y = max(0, z); f′ = [z > 0]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ReLU(float z) => z > 0f || float.IsNaN(z) ? z : 0f; // NaN stays NaN, as in the vector version

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ReLU(Vector256<float> z) => Vector256.Max(z, Vector256<float>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ReLUBackward(float z, float dy) => z > 0f ? dy : 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ReLUBackward(Vector256<float> z, Vector256<float> dy) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(z, Vector256<float>.Zero), dy, Vector256<float>.Zero);

    // ---- leaky ReLU: y = z for z > 0, α·z otherwise; f′ = 1 or α
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LeakyReLU(float z, float alpha) => z > 0f ? z : alpha * z;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LeakyReLU(Vector256<float> z, float alpha) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(z, Vector256<float>.Zero), z, Vector256.Create(alpha) * z);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LeakyReLUBackward(float z, float dy, float alpha) => z > 0f ? dy : alpha * dy;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LeakyReLUBackward(Vector256<float> z, Vector256<float> dy, float alpha) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(z, Vector256<float>.Zero), dy, Vector256.Create(alpha) * dy);

    // ---- ELU: y = z for z > 0, α(e^z − 1) otherwise; f′ = 1 or y + α
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ELU(float z, float alpha) => z > 0f ? z : alpha * (MathF.Exp(z) - 1f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ELU(Vector256<float> z, float alpha) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(z, Vector256<float>.Zero), z,
            // Min(…, 0): Vector256.Exp(z) is 1 + 1 ulp for z in (−1.5e-8, 0], which would give a positive
            // y for z ≤ 0; y must share z's sign, since backward reads the kink from y when z is not kept.
            Vector256.Min(Vector256.Create(alpha) * (Vector256.Exp(Vector256.Min(z, Vector256<float>.Zero)) - Vector256<float>.One), Vector256<float>.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ELUBackward(float z, float y, float dy, float alpha) => z > 0f ? dy : dy * (y + alpha);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ELUBackward(Vector256<float> z, Vector256<float> y, Vector256<float> dy, float alpha) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(z, Vector256<float>.Zero), dy, dy * (y + Vector256.Create(alpha)));

    // ---- softplus: y = ln(1 + e^z) = max(z, 0) + ln(1 + e^−|z|); f′ = sigmoid(z)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Softplus(float z) => MathF.Max(z, 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(z)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Softplus(Vector256<float> z) =>
        Vector256.Max(z, Vector256<float>.Zero) + Vector256.Log(Vector256<float>.One + Vector256.Exp(-Vector256.Abs(z)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SoftplusBackward(float z, float dy) => dy * Sigmoid(z);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> SoftplusBackward(Vector256<float> z, Vector256<float> dy) => dy * Sigmoid(z);

    // ---- swish: y = z·sigmoid(z); f′ = s + z·s·(1 − s)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Swish(float z) => z * Sigmoid(z);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Swish(Vector256<float> z) => z * Sigmoid(z);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SwishBackward(float z, float dy)
    {
        float s = Sigmoid(z);
        return dy * (s + z * s * (1f - s));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> SwishBackward(Vector256<float> z, Vector256<float> dy)
    {
        var s = Sigmoid(z);
        return dy * (s + z * s * (Vector256<float>.One - s));
    }

    // ---- softmax over each row of `columns` values: y_i = e^{z_i − max} / Σ_j e^{z_j − max}
    /// <summary>
    /// Row-wise softmax from <paramref name="z"/> into <paramref name="y"/> (may be the same span); only the
    /// first rows · columns values of each span are used.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> or <paramref name="columns"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="z"/> or <paramref name="y"/> holds fewer than rows · columns values.</exception>
    public static void Softmax(ReadOnlySpan<float> z, Span<float> y, int rows, int columns)
    {
        // In long, before the loop: rows · columns may wrap in int, and a wrapped product would pass a naive check.
        KernelChecks.AtLeast(z.Length, rows, columns, nameof(z), nameof(rows), nameof(columns));
        KernelChecks.AtLeast(y.Length, rows, columns, nameof(y), nameof(rows), nameof(columns));
        for (int r = 0; r < rows; r++)
        {
            // r · columns < rows · columns ≤ z.Length, so it cannot wrap once the checks above have passed.
            var zr = z.Slice(r * columns, columns);
            var yr = y.Slice(r * columns, columns);
            float max = float.NegativeInfinity;
            for (int j = 0; j < columns; j++) max = MathF.Max(max, zr[j]);
            float sum = 0f;
            for (int j = 0; j < columns; j++) sum += yr[j] = MathF.Exp(zr[j] - max);
            float inv = 1f / sum;
            for (int j = 0; j < columns; j++) yr[j] *= inv;
        }
    }

    /// <summary>
    /// Row-wise softmax Jacobian product: dz_i = y_i · (dy_i − Σ_j dy_j·y_j). <paramref name="dz"/> may alias
    /// <paramref name="dy"/>. Only the first rows · columns values of each span are used.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> or <paramref name="columns"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="y"/>, <paramref name="dy"/> or <paramref name="dz"/> holds fewer than rows · columns values.</exception>
    public static void SoftmaxBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dz, int rows, int columns)
    {
        KernelChecks.AtLeast(y.Length, rows, columns, nameof(y), nameof(rows), nameof(columns));
        KernelChecks.AtLeast(dy.Length, rows, columns, nameof(dy), nameof(rows), nameof(columns));
        KernelChecks.AtLeast(dz.Length, rows, columns, nameof(dz), nameof(rows), nameof(columns));
        for (int r = 0; r < rows; r++)
        {
            var yr = y.Slice(r * columns, columns);
            var dyr = dy.Slice(r * columns, columns);
            var dzr = dz.Slice(r * columns, columns);
            float dot = 0f;
            for (int j = 0; j < columns; j++) dot += dyr[j] * yr[j];
            for (int j = 0; j < columns; j++) dzr[j] = yr[j] * (dyr[j] - dot);
        }
    }
}
