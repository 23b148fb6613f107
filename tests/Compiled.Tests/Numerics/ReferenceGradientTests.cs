using System;
using System.Linq;
using Compiled.Tests.Networks;
using Xunit;

namespace Compiled.Tests.Numerics;

/// <summary>
/// The generated float code against an independent double-precision implementation
/// (<see cref="DoubleReference"/>): outputs and loss agree to float rounding, and the generated
/// gradient agrees with central differences of the double loss (ε = 1e-6, so kinks are practically
/// never straddled and the difference quotient is exact to about 1e-9).
/// </summary>
public sealed class ReferenceGradientTests
{
    private const int Batch = 5;

    [Theory]
    [MemberData(nameof(GradientCheckTests.Cases), MemberType = typeof(GradientCheckTests))]
    public void Generated_float_code_matches_a_double_precision_reference(string name)
    {
        var @case = GradientCheckCases.All[name];
        var net = @case.Create();
        var reference = new DoubleReference(net.Architecture);
        var rng = new Rng(77);
        var inputs = new float[Batch * net.InputSize];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = rng.NextUniform(-1.5f, 1.5f);
        var targets = @case.Targets(net, rng, Batch);
        var parameters = net.Parameters;
        for (int i = 0; i < parameters.Length; i++) parameters[i] += rng.NextUniform(-0.2f, 0.2f);
        var theta = parameters.ToArray().Select(v => (double)v).ToArray();

        // Forward: every output of every sample.
        var outputs = new float[Batch * net.OutputSize];
        net.Predict(inputs, outputs);
        for (int b = 0; b < Batch; b++)
        {
            var expected = reference.Forward(theta, inputs.AsSpan(b * net.InputSize, net.InputSize));
            for (int j = 0; j < expected.Length; j++)
                Assert.True(Math.Abs(outputs[b * net.OutputSize + j] - expected[j]) <= 1e-5 * Math.Max(1, Math.Abs(expected[j])),
                    $"{name}: output [{b},{j}] is {outputs[b * net.OutputSize + j]}, reference {expected[j]}");
        }

        // Loss and gradient.
        float trainLoss = net.ComputeGradients(inputs, targets);
        double referenceLoss = reference.Loss(@case.Loss, theta, inputs, targets, Batch);
        Assert.True(Math.Abs(trainLoss - referenceLoss) <= 1e-5 * Math.Max(1, referenceLoss), $"{name}: loss {trainLoss}, reference {referenceLoss}");

        var gradient = net.Gradients.ToArray();
        const double eps = 1e-6;
        double worst = 0;
        string where = "";
        for (int i = 0; i < theta.Length; i++)
        {
            double saved = theta[i];
            theta[i] = saved + eps;
            double plus = reference.Loss(@case.Loss, theta, inputs, targets, Batch);
            theta[i] = saved - eps;
            double minus = reference.Loss(@case.Loss, theta, inputs, targets, Batch);
            theta[i] = saved;
            double expected = (plus - minus) / (2 * eps);
            double error = Math.Abs(gradient[i] - expected) / (1e-4 + Math.Abs(expected));
            if (error > worst) (worst, where) = (error, $"parameter {i}: generated {gradient[i]:G7}, reference {expected:G7}");
        }
        Assert.True(worst < 5e-4, $"{name}: worst relative gradient error {worst:E2} at {where}");
    }
}
