using System;
using System.IO;
using Microsoft.ML.OnnxRuntime;
using Xunit;
using Xunit.Abstractions;

namespace Compiled.Tests.Interop;

/// <summary>The complete example of docs/interop-onnx.md: train here, export, serve with ONNX Runtime.</summary>
public sealed class OnnxExampleTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly string _directory = Directory.CreateTempSubdirectory("compiled-onnx-").FullName;

    public OnnxExampleTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Digits_cnn_trained_here_serves_in_onnx_runtime()
    {
        // --- docs/interop-onnx.md: the example begins ---
        // Train: the UCI digits (8×8 images as 64 features, NCHW with one channel), scaled to [0, 1].
        var data = TestData.Load("digits.csv.gz");
        var (train, test) = data.SplitStratified(0.25, seed: 3);
        var scaler = MinMaxScaler.Fit(train);
        scaler.Transform(train);
        scaler.Transform(test);
        var net = new DigitsOnnxCnn();
        net.Fit(train, new FitOptions { Epochs = 20, BatchSize = 32, Optimizer = new Adam(0.003f), Seed = 5 });

        // Export: the graph and the weights, written atomically.
        string path = Path.Combine(_directory, "digits.onnx");
        Onnx.Save(path, net);

        // Serve: "input" is [N, 1, 8, 8], "output" [N, 10], the probabilities Predict gives.
        using var session = new InferenceSession(path);
        using var input = OrtValue.CreateTensorValueFromMemory(test.Features, new long[] { test.Count, 1, 8, 8 });
        using var options = new RunOptions();
        using var outputs = session.Run(options, new[] { "input" }, new[] { input }, new[] { "output" });
        ReadOnlySpan<float> probabilities = outputs[0].GetTensorDataAsSpan<float>();
        // --- the example ends ---

        float[] expected = net.Predict(test.Features);
        double difference = OnnxFiles.MaxDifference(probabilities, expected);
        int[] labels = test.Labels();
        int agree = 0, correct = 0;
        for (int i = 0; i < test.Count; i++)
        {
            int best = ArgMax(probabilities.Slice(10 * i, 10));
            if (best == ArgMax(expected.AsSpan(10 * i, 10))) agree++;
            if (best == labels[i]) correct++;
        }
        double accuracy = (double)correct / test.Count;
        _output.WriteLine($"{test.Count} test images: largest difference {difference:E2}, ONNX Runtime accuracy {accuracy:F4}, Evaluate {net.Evaluate(test).Accuracy:F4}");
        Assert.True(difference <= 1e-5, $"ONNX Runtime differs from Predict by {difference:E2}");
        Assert.Equal(test.Count, agree);
        Assert.Equal(net.Evaluate(test).Accuracy, accuracy, 12);
        Assert.True(accuracy >= 0.85, $"accuracy {accuracy:F4}: the network did not learn, so the comparison says little");
    }

    /// <summary>docs/interop-onnx.md shows the code between this test's markers, line for line.</summary>
    [Fact]
    public void The_documented_example_is_this_tests_code()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Compiled.sln"))) root = Path.GetDirectoryName(root) ?? throw new FileNotFoundException("Compiled.sln above the test binaries");
        string test = File.ReadAllText(Path.Combine(root, "tests", "Compiled.Tests", "Interop", "OnnxExampleTests.cs"));
        string doc = File.ReadAllText(Path.Combine(root, "docs", "interop-onnx.md"));

        const string begins = "// --- docs/interop-onnx.md: the example begins ---\n", ends = "        // --- the example ends";
        int start = test.IndexOf(begins, StringComparison.Ordinal) + begins.Length;
        string[] code = test[start..test.IndexOf(ends, start, StringComparison.Ordinal)].TrimEnd().Split('\n');
        string documented = string.Join('\n', Array.ConvertAll(code, line => line.Length >= 8 ? line[8..] : line.Trim()));

        const string opening = "using Microsoft.ML.OnnxRuntime;\n\n";
        int from = doc.IndexOf(opening, StringComparison.Ordinal) + opening.Length;
        Assert.Equal(documented, doc[from..doc.IndexOf("```", from, StringComparison.Ordinal)].TrimEnd());
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int j = 1; j < values.Length; j++) if (values[j] > values[best]) best = j;
        return best;
    }
}
