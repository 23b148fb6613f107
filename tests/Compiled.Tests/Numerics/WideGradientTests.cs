using System;
using System.Collections.Generic;
using System.Linq;
using Compiled.Tests.Networks;
using Xunit;

namespace Compiled.Tests.Numerics;

/// <summary>
/// The finite-difference gradient check (<see cref="GradientCheckTests"/>) on the wide networks of
/// <see cref="WideGradientCases"/> (19 → 33 → 17 → outputs), whose Vector256 loops and SGEMM column paths
/// run body and tail. Central differences over all ~1,500 parameters would take 3,000 forward passes per
/// network, so a fixed sample of 200 is perturbed: every bias, the first and last weight of each layer,
/// and the rest drawn at random (a fixed seed). The double reference below checks every parameter.
/// The losses here average over up to 17 outputs, so gradients (and the jump of a slope across a ReLU
/// kink) are an order smaller than in the narrow networks: a kink is assumed already when the one-sided
/// slopes differ by 3e-4 (smooth curvature moves them by ε·L″, well below that for these networks).
/// </summary>
public sealed class WideGradientCheckTests
{
    private const int Batch = 9;
    private const int Sampled = 200;

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var name in WideGradientCases.All.Keys.OrderBy(k => k, StringComparer.Ordinal)) data.Add(name);
        return data;
    }

    /// <summary>Every bias, the first and last weight of each dense layer, then random weights up to <see cref="Sampled"/>.</summary>
    internal static int[] SampleParameters(INetwork net, int count, ulong seed)
    {
        var chosen = new SortedSet<int>();
        foreach (var (weights, weightCount, bias, biasCount) in new DoubleReference(net.Architecture).DenseLayout)
        {
            chosen.Add(weights);
            chosen.Add(weights + weightCount - 1);
            for (int j = 0; j < biasCount; j++) chosen.Add(bias + j);
        }
        var rng = new Rng(seed);
        while (chosen.Count < Math.Min(count, net.ParameterCount)) chosen.Add(rng.NextInt(net.ParameterCount));
        return chosen.ToArray();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backward_matches_central_differences(string name)
    {
        string? failure = null;
        for (int attempt = 0; attempt < 6; attempt++)
        {
            failure = GradientCheckTests.Check(name, WideGradientCases.All[name], seed: 4321UL + (ulong)attempt, Batch,
                net => SampleParameters(net, Sampled, seed: 99), kinkSlope: 3e-4);
            if (failure is null) return;
            if (!failure.Contains("kink")) break;
        }
        Assert.Fail(failure);
    }
}

/// <summary>
/// The wide networks against the double-precision reference (<see cref="DoubleReference"/>) over batches
/// larger than one inference chunk (128 samples for layers this narrow): Predict and Evaluate on 150 samples
/// (chunks of 128 and 22), and ComputeGradients on 70, compared parameter by parameter with the reference's exact
/// double gradient (itself checked against central differences of the double loss on a sample).
/// </summary>
public sealed class WideReferenceGradientTests
{
    private const int Samples = 150;
    private const int TrainingBatch = 70;

    [Theory]
    [MemberData(nameof(WideGradientCheckTests.Cases), MemberType = typeof(WideGradientCheckTests))]
    public void Generated_float_code_matches_a_double_precision_reference(string name)
    {
        var @case = WideGradientCases.All[name];
        var net = @case.Create();
        var reference = new DoubleReference(net.Architecture);
        var rng = new Rng(78);
        var inputs = new float[Samples * net.InputSize];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = rng.NextUniform(-1.5f, 1.5f);
        var targets = @case.Targets(net, rng, Samples);
        var parameters = net.Parameters;
        for (int i = 0; i < parameters.Length; i++) parameters[i] += rng.NextUniform(-0.2f, 0.2f);
        var theta = parameters.ToArray().Select(v => (double)v).ToArray();

        // Predict, chunk by chunk: every output of every sample.
        var outputs = new float[Samples * net.OutputSize];
        net.Predict(inputs, outputs);
        for (int b = 0; b < Samples; b++)
        {
            var expected = reference.Forward(theta, inputs.AsSpan(b * net.InputSize, net.InputSize));
            for (int j = 0; j < expected.Length; j++)
                Assert.True(Math.Abs(outputs[b * net.OutputSize + j] - expected[j]) <= 1e-5 * Math.Max(1, Math.Abs(expected[j])),
                    $"{name}: output [{b},{j}] is {outputs[b * net.OutputSize + j]}, reference {expected[j]}");
        }

        // Evaluate's loss over all the chunks.
        double referenceLoss = reference.Loss(@case.Loss, theta, inputs, targets, Samples);
        double evaluated = net.Evaluate(inputs, targets).Loss;
        Assert.True(Math.Abs(evaluated - referenceLoss) <= 1e-5 * Math.Max(1, referenceLoss), $"{name}: Evaluate loss {evaluated}, reference {referenceLoss}");

        // A training batch of 70: loss and every parameter's gradient.
        var batchInputs = inputs[..(TrainingBatch * net.InputSize)];
        var batchTargets = targets[..(TrainingBatch * net.TargetSize)];
        float trainLoss = net.ComputeGradients(batchInputs, batchTargets);
        double batchLoss = reference.Loss(@case.Loss, theta, batchInputs, batchTargets, TrainingBatch);
        Assert.True(Math.Abs(trainLoss - batchLoss) <= 1e-5 * Math.Max(1, batchLoss), $"{name}: training loss {trainLoss}, reference {batchLoss}");

        var gradient = net.Gradients.ToArray();
        var exact = reference.Gradient(@case.Loss, theta, batchInputs, batchTargets, TrainingBatch);

        // The reference gradient against central differences of the double loss (ε = 1e-6), on a sample.
        foreach (int i in WideGradientCheckTests.SampleParameters(net, 0, seed: 5).Concat([1, theta.Length / 2, theta.Length - 2]))
        {
            const double eps = 1e-6;
            double saved = theta[i];
            theta[i] = saved + eps;
            double plus = reference.Loss(@case.Loss, theta, batchInputs, batchTargets, TrainingBatch);
            theta[i] = saved - eps;
            double minus = reference.Loss(@case.Loss, theta, batchInputs, batchTargets, TrainingBatch);
            theta[i] = saved;
            double fd = (plus - minus) / (2 * eps);
            Assert.True(Math.Abs(fd - exact[i]) <= 1e-6 + 1e-5 * Math.Abs(fd), $"{name}: reference gradient {exact[i]:G9} at {i}, central difference {fd:G9}");
        }

        double worst = 0;
        string where = "";
        for (int i = 0; i < theta.Length; i++)
        {
            double error = Math.Abs(gradient[i] - exact[i]) / (1e-4 + Math.Abs(exact[i]));
            if (error > worst) (worst, where) = (error, $"parameter {i}: generated {gradient[i]:G7}, reference {exact[i]:G7}");
        }
        Assert.True(worst < 5e-4, $"{name}: worst relative gradient error {worst:E2} at {where}");
    }
}
