using System;
using System.Linq;
using Compiled.Tests.Fixtures;
using Xunit;

namespace Compiled.Tests.Images;

/// <summary>
/// Two small CNNs against PyTorch 1.13 (tests/fixtures/make_image_fixtures.py, computed in double): with
/// PyTorch's weights copied into <see cref="INetwork.Parameters"/> (the same layout, so import is a copy),
/// the generated Predict gives PyTorch's logits and ComputeGradients its loss and every parameter's gradient.
/// </summary>
public sealed class TorchNetworkTests
{
    public static TheoryData<string> Cases() => new() { "cnn_end_to_end", "cnn_end_to_end_avg" };

    private static INetwork Create(string fixture) => fixture == "cnn_end_to_end" ? new TorchCnnMax() : new TorchCnnAvg();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_and_gradients_match_PyTorch(string fixture)
    {
        var f = TorchFixture.Load(fixture);
        var net = Create(fixture);
        var parameters = f.Floats("parameters");
        Assert.Equal(parameters.Length, net.ParameterCount);
        parameters.CopyTo(net.Parameters);

        var x = f.Floats("x");
        var labels = f.Floats("labels");
        var logits = new float[labels.Length * net.OutputSize];
        net.Predict(x, logits);
        AssertClose(f.Doubles("logits"), logits, "logits");

        float loss = net.ComputeGradients(x, labels);
        Assert.True(Math.Abs(loss - f.Number("loss")) <= 1e-4 * Math.Abs(f.Number("loss")), $"loss {loss} vs PyTorch {f.Number("loss")}");
        AssertClose(f.Doubles("gradients"), net.Gradients.ToArray(), "gradients");
    }

    /// <summary>Each value within 1e-4 of PyTorch's, relative to its size (or to 1 % of the largest, for values near 0).</summary>
    /// <summary><see cref="AssertClose(double[], float[], string)"/>, then the largest absolute difference written to <paramref name="output"/>.</summary>
    internal static void AssertClose(double[] expected, float[] actual, string what, Xunit.Abstractions.ITestOutputHelper output)
    {
        AssertClose(expected, actual, what);
        output.WriteLine($"{what}: largest difference {expected.Select((e, i) => Math.Abs(e - actual[i])).Max():E2}");
    }

    internal static void AssertClose(double[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = 1e-4 * Math.Max(Math.Abs(expected[i]), 0.01 * scale);
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance,
                $"{what}[{i}]: {actual[i]:G9} vs PyTorch {expected[i]:G9} (tolerance {tolerance:G3})");
        }
    }
}
