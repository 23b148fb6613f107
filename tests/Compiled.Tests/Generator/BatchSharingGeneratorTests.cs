using System.Text.RegularExpressions;
using Xunit;

namespace Compiled.Tests.Generator;

/// <summary>
/// How the generated Predict shares a batch among threads: by samples (ChunkedInference's chunks, each thread's products
/// single-threaded) unless dense layers of more than 16 MB of weights do most of a sample's work, which keep the column
/// split of each product. The estimate of one sample's multiply-adds written into Predict is checked by hand. (That both
/// give the same bits on one and two threads is tested in Runtime.ChunkedInferenceTests.)
/// </summary>
public sealed class BatchSharingGeneratorTests
{
    [Theory]
    // 784·256 + 256·10 weights + 256 + 10 outputs; 813 KB of dense weights: by samples.
    [InlineData("[Input(784)]\n[Dense(256, Activation.ReLU)]\n[Dense(10)]", "true", 784 * 256 + 256 * 10 + 256 + 10)]
    // 2048·2048 + 2048·4 weights, 16.04 MB: by columns.
    [InlineData("[Input(2048)]\n[Dense(2048, Activation.ReLU)]\n[Dense(4)]", "false", 2048 * 2048 + 2048 * 4 + 2048 + 4)]
    // 2048·2047 weights, 15.99 MB: by samples.
    [InlineData("[Input(2048)]\n[Dense(2047, Activation.ReLU)]", "true", 2048 * 2047 + 2047)]
    // A convolution (8 filters of 3·3·3 at 32·32 positions: 221,184) before 17.8 MB of dense weights that do more of the
    // work (8,192 · 544 = 4,456,448): by columns.
    [InlineData("[Input(3, 32, 32)]\n[Conv2D(8, 3, Activation.ReLU, Pad = 1)]\n[Dense(544)]", "false", 216 * 1024 + 8 * 1024 + 8192 * 544 + 544)]
    // 64 filters of 3·3·3 at 64·64 positions (7,077,888) before 21 MB of dense weights doing less (262,144 · 20): by samples.
    [InlineData("[Input(3, 64, 64)]\n[Conv2D(64, 3, Activation.ReLU, Pad = 1)]\n[Dense(20)]", "true", 1728 * 4096 + 64 * 4096 + 262144 * 20 + 20)]
    public void Predict_shares_by_samples_unless_large_dense_weights_dominate(string layers, string bySamples, long multiplyAdds)
    {
        var run = GeneratorHarness.Run($$"""
            using Compiled;

            namespace Sharing;

            /// <summary>A test network.</summary>
            [Network(Loss = Loss.MeanSquaredError)]
            {{layers}}
            public partial class Net;
            """);
        Assert.True(run.GeneratorDiagnostics.IsEmpty, run.Describe());
        GeneratorSnapshotTests.AssertCompilesCleanly(run);
        var call = Regex.Match(run.SingleSource, @"ChunkedInference\.Predict\(this, inputs, InputSize, outputs, OutputSize, count, InferenceChunk, (\d+), bySamples: (true|false)\);");
        Assert.True(call.Success, "no ChunkedInference.Predict call");
        Assert.Equal(multiplyAdds.ToString(), call.Groups[1].Value);
        Assert.Equal(bySamples, call.Groups[2].Value);
        // By samples, a small batch asks whether to share; by columns, it never does.
        Assert.Equal(bySamples == "true", run.SingleSource.Contains($"ChunkedInference.Splits(count, {multiplyAdds})"));
    }
}
