using System;
using Compiled.Tests.Networks;
using Xunit;

namespace Compiled.Tests.Runtime;

/// <summary>After warm-up, the hot paths allocate nothing at all.</summary>
public sealed class AllocationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(32)]
    [InlineData(128)]
    public void Train_step_allocates_zero_bytes_after_warm_up(int batch)
    {
        var net = new FashionMlp(seed: 1);
        var (x, t) = Batch(batch);
        var sgd = new Sgd(0.01f, momentum: 0.9f);
        var adam = new Adam();
        for (int i = 0; i < 3; i++)
        {
            net.TrainStep(x, t, sgd);
            net.TrainStep(x, t, adam);
        }

        Allocations.AssertSteadyStateIsAllocationFree(() =>
        {
            net.TrainStep(x, t, sgd);
            net.TrainStep(x, t, adam);
        });
    }

    [Fact]
    public void Predict_and_evaluate_allocate_zero_bytes_after_warm_up()
    {
        var net = new FashionMlp(seed: 1);
        var (x, t) = Batch(200);
        var output = new float[200 * FashionMlp.OutputSize];
        var one = new float[FashionMlp.OutputSize];
        net.Predict(x, output);
        net.Predict(x.AsSpan(0, FashionMlp.InputSize), one);
        net.Evaluate(x, t);
        net.PredictClass(x.AsSpan(0, FashionMlp.InputSize));

        Allocations.AssertSteadyStateIsAllocationFree(() =>
        {
            net.Predict(x.AsSpan(0, FashionMlp.InputSize), one);
            net.Predict(x, output);
            net.PredictClass(x.AsSpan(0, FashionMlp.InputSize));
            net.Evaluate(x, t);
        });
    }

    internal static (float[] X, float[] T) Batch(int batch)
    {
        var rng = new Rng(42);
        var x = new float[batch * FashionMlp.InputSize];
        var t = new float[batch];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextFloat();
        for (int i = 0; i < t.Length; i++) t[i] = rng.NextInt(10);
        return (x, t);
    }
}
