using System;
using System.Runtime.InteropServices;
using Compiled.Kernels;
using Compiled.Tests.Quantization;
using Xunit;

namespace Compiled.Tests.Inference;

/// <summary>
/// A batch of more chunks than the worker pool takes in one job (65,535): the inference copies run it in waves, and
/// every sample must still be computed once, at its own place. Oracle: the same batch on one thread, chunk after chunk.
/// </summary>
[Collection("Sgemm threading")]
public sealed class LargeBatchTests
{
    [Fact]
    public void A_quantized_batch_of_more_than_65535_chunks_is_the_bytes_of_one_thread()
    {
        var q = QuantizedNetwork.Quantize(new QuantSoftmax()); // 4 → 3, chunks of 32 samples
        int count = 32 * 65_535 + 70;                          // 65,538 chunks: a second wave of three
        var x = new float[count * 4];
        var rng = new Rng(3);
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextUniform(-2f, 2f);
        float[] one, two;
        using (Sgemm.UseThreads(1)) one = q.Predict(x);
        using (Sgemm.UseThreads(2)) two = q.Predict(x);
        Assert.True(MemoryMarshal.Cast<float, int>(one.AsSpan()).SequenceEqual(MemoryMarshal.Cast<float, int>(two.AsSpan())));
        // The last samples (the second wave) against the same samples predicted alone.
        float[] last = q.Predict(x.AsSpan((count - 70) * 4));
        Assert.True(MemoryMarshal.Cast<float, int>(last.AsSpan()).SequenceEqual(MemoryMarshal.Cast<float, int>(two.AsSpan((count - 70) * 3))));
    }
}
