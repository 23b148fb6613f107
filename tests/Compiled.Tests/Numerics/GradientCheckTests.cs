using System;
using System.Linq;
using Compiled.Tests.Networks;
using Xunit;

namespace Compiled.Tests.Numerics;

/// <summary>
/// The generated backward pass against central finite differences of the generated forward pass:
/// ∂L/∂θᵢ ≈ (L(θ + εeᵢ) − L(θ − εeᵢ)) / 2ε for every parameter θᵢ, for every network in
/// <see cref="GradientCheckCases"/> (every activation with every loss, fused outputs, activation layers).
/// </summary>
public sealed class GradientCheckTests
{
    private const int Batch = 7;

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var name in GradientCheckCases.All.Keys.OrderBy(k => k, StringComparer.Ordinal)) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backward_matches_central_differences(string name)
    {
        Assert.Null(CheckAvoidingKinks(name, GradientCheckCases.All[name], seed: 1234UL, Batch));
    }

    /// <summary>
    /// <see cref="Check"/> of every parameter on the batch of <paramref name="seed"/>, and of seed + 1, … (six at the
    /// most) while too many parameters sit on a kink: finite differences say nothing there (a ReLU unit whose
    /// pre-activation is within ε of 0 for some sample). Null when one passes, else the last failure.
    /// </summary>
    internal static string? CheckAvoidingKinks(string name, GradientCase @case, ulong seed, int batch)
    {
        string? failure = null;
        for (int attempt = 0; attempt < 6; attempt++)
        {
            failure = Check(name, @case, seed + (ulong)attempt, batch, checkedParameters: null);
            if (failure is null || !failure.Contains("kink")) return failure;
        }
        return failure;
    }

    /// <summary>
    /// One check of <paramref name="case"/> on a random batch; null when it passes, else why not (a message
    /// containing "kink" when too many parameters sit on a kink for this batch). Only the parameters
    /// <paramref name="checkedParameters"/> returns for the network are perturbed (all when null).
    /// <paramref name="kinkSlope"/> is how far the one-sided slopes may differ before a kink is assumed:
    /// smaller for networks whose loss (a mean over many outputs) has small gradients and curvature.
    /// </summary>
    internal static string? Check(string name, GradientCase @case, ulong seed, int batch, Func<INetwork, int[]>? checkedParameters, double kinkSlope = 2e-3)
    {
        var net = @case.Create();
        var rng = new Rng(seed);
        var inputs = new float[batch * net.InputSize];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = rng.NextUniform(-1.5f, 1.5f);
        var targets = @case.Targets(net, rng, batch);

        // Move biases off zero so that every path (and the ReLU family's both sides) is exercised.
        var parameters = net.Parameters;
        for (int i = 0; i < parameters.Length; i++) parameters[i] += rng.NextUniform(-0.2f, 0.2f);

        float loss = net.ComputeGradients(inputs, targets);
        var analytic = net.Gradients.ToArray();
        if (!float.IsFinite(loss)) return $"{name}: loss {loss}";
        // The loss the training step reports is the one inference computes (no dropout in these nets).
        if (Math.Abs(net.Evaluate(inputs, targets).Loss - loss) > 1e-4 * Math.Max(1, Math.Abs(loss))) return $"{name}: training loss {loss} differs from inference loss";

        const float eps = 2e-3f;
        double center = net.Evaluate(inputs, targets).Loss;
        var numeric = new double[analytic.Length];
        var kink = new bool[analytic.Length];
        var all = checkedParameters?.Invoke(net) ?? Enumerable.Range(0, analytic.Length).ToArray();
        foreach (int i in all)
        {
            float saved = parameters[i];
            parameters[i] = saved + eps;
            double plus = net.Evaluate(inputs, targets).Loss;
            parameters[i] = saved - eps;
            double minus = net.Evaluate(inputs, targets).Loss;
            parameters[i] = saved;
            numeric[i] = (plus - minus) / (2 * eps);
            // A kink (ReLU at 0, ELU with α ≠ 1 at 0) inside [θ − ε, θ + ε] makes the one-sided slopes
            // disagree far beyond smooth curvature (which moves them by about ε·L″); such a parameter has
            // no central difference to compare with, so it is left out (and counted).
            double forward = (plus - center) / eps, backward = (center - minus) / eps;
            kink[i] = Math.Abs(forward - backward) > kinkSlope + 0.02 * Math.Abs(numeric[i]);
        }

        var smooth = all.Where(i => !kink[i]).ToArray();
        if (!(smooth.Length >= 0.9 * all.Length)) return $"{name}: {all.Length - smooth.Length} of {all.Length} parameters sit on a kink";
        double diff = Math.Sqrt(smooth.Sum(i => (numeric[i] - analytic[i]) * (numeric[i] - analytic[i])));
        double norm = Math.Max(Math.Sqrt(smooth.Sum(i => numeric[i] * numeric[i])), Math.Sqrt(smooth.Sum(i => (double)analytic[i] * analytic[i])));
        if (!(norm > 1e-4)) return $"{name}: gradient is (nearly) zero: {norm}";
        var worst = string.Join("; ", smooth.OrderByDescending(i => Math.Abs(numeric[i] - analytic[i])).Take(6).Select(i => $"#{i}: fd {numeric[i]:G5} vs {analytic[i]:G5}"));
        if (!(diff / norm < 2e-3)) return $"{name}: relative error {diff / norm:E2} (‖numeric − analytic‖ = {diff:E2}, ‖g‖ = {norm:E2}); worst: {worst}";
        int bad = smooth.Count(i => Math.Abs(numeric[i] - analytic[i]) > 1e-3 + 1e-2 * Math.Abs(numeric[i]));
        if (!(bad == 0)) return $"{name}: {bad} parameters disagree with finite differences";
        return null;
    }
}
