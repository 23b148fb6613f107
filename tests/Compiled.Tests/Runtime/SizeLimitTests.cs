using System;
using Compiled.Tests.Networks;
using Xunit;

namespace Compiled.Tests.Runtime;

/// <summary>
/// Sizes that wrap an int in the generated code's arithmetic (samples × per-sample width) are refused
/// with an ArgumentException that says what to change, never a wrong-size buffer or an overflow deep inside.
/// </summary>
public sealed class SizeLimitTests
{
    [Fact]
    public void A_batch_whose_activations_exceed_an_array_is_refused()
    {
        var net = new WideActivationsNet();
        // 2000 × 1,100,001 floats = 2.2e9 > Array.MaxLength; as an int product it wraps negative.
        var error = Assert.Throws<ArgumentException>(() => net.ComputeGradients(new float[2000], new float[2000]));
        Assert.Contains("smaller batches", error.Message);
        Assert.Throws<ArgumentException>(() => net.TrainStep(new float[2000], new float[2000], new Sgd(0.1f)));
    }

    [Fact]
    public void Outputs_whose_count_wraps_to_zero_are_refused()
    {
        var net = new FanOutNet();
        var inputs = new float[1 << 20];
        // 2^20 × 4096 = 2^32, which an int product turns into 0: an empty span would have "matched".
        var error = Assert.Throws<ArgumentException>(() => net.Predict(inputs, Span<float>.Empty));
        Assert.Contains("4294967296", error.Message);
        Assert.Equal("outputs", error.ParamName);
        Assert.Contains("do not fit in one array", Assert.Throws<ArgumentException>(() => net.Predict(inputs)).Message);
        Assert.Throws<ArgumentException>(() => net.Evaluate(inputs, Array.Empty<float>()));
    }
}
