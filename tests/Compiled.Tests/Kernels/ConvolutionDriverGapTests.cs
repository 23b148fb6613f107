using System;
using System.Linq;
using System.Runtime.InteropServices;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests.Kernels;

/// <summary>
/// The convolution driver (<see cref="Convolution"/>, <see cref="ConvolutionGemm"/>) on shapes written against the
/// survivors of its mutation runs (docs/mutation.md): each pass against a loop nest in double, and the parallel result
/// bit-identical to one thread (the documented promise), on every SGEMM path. <see cref="Sgemm.MaxThreads"/> is
/// process-wide, hence the collection.
/// </summary>
[Collection("Sgemm threading")]
public sealed class ConvolutionDriverGapTests
{
    /// <summary>
    /// Four output channels: inside a worker's part the weight gradient's products (4 rows of dY times the columns'
    /// transpose) take the direct small-m kernels, whose sums are ordered differently on each path; a part that called
    /// another path's kernels than the calling thread's (e.g. scalar for Vector128) would change the bits.
    /// </summary>
    /// <remarks>
    /// Batch 16 also cuts the weight gradient into 4 chunks: partials 1 … 3 are added to chunk 0's in order, which the
    /// reference sees and the one-thread comparison does not (ConvolutionKernelTests' batches stop at 7, 2 chunks).
    /// </remarks>
    [Fact]
    public void Parallel_parts_use_the_calling_threads_path_for_few_output_channels()
    {
        var g = new ConvGeometry(3, 14, 14, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 14, 14);
        Assert.True(2.0 * 16 * g.OutputSize * 3 * 9 >= Convolution.MinParallelFlops);
        AssertEveryPathMatchesReferenceAndOneThread(g, batch: 16, seed: 5);
    }

    /// <summary>
    /// A call too small to share (below <see cref="Convolution.MinParallelFlops"/>) with several threads allowed and
    /// several parts: the calling thread must still run every part itself.
    /// </summary>
    [Fact]
    public void A_small_call_with_threads_allowed_is_computed_on_the_calling_thread()
    {
        var g = new ConvGeometry(2, 5, 5, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 5, 5);
        Assert.True(2.0 * 9 * g.OutputSize * 2 * 9 < Convolution.MinParallelFlops);
        AssertEveryPathMatchesReferenceAndOneThread(g, batch: 9, seed: 6);
    }

    /// <summary>
    /// The pooled forward pass checks its spans on every route, including the routes that pool as they convolve (Winograd,
    /// and one input channel 3×3 on AVX-512), which would otherwise read past a short input or weights array.
    /// </summary>
    [Fact]
    public void Pooled_forward_refuses_short_inputs_and_weights_on_every_route()
    {
        foreach (var g in new[]
        {
            new ConvGeometry(1, 28, 28, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 28, 28),   // one input channel, 3×3
            new ConvGeometry(16, 14, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 14, 14),  // Winograd (AVX paths), pooled as transformed
            new ConvGeometry(8, 16, 16, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 8, 8),      // the GEMM route, then pooled
        })
        {
            foreach (string path in Sgemm.AvailablePaths)
            {
                using var scope = Sgemm.ForcePath(path);
                float[] output = new float[2 * g.OutputSize / 4], bias = new float[g.OutChannels];
                var input = Assert.Throws<ArgumentException>(() =>
                    Convolution.ForwardMaxPool2x2(g, 2, new float[2 * g.InputSize - 1], new float[g.WeightCount], bias, true, output));
                Assert.Equal("input", input.ParamName);
                var weights = Assert.Throws<ArgumentException>(() =>
                    Convolution.ForwardMaxPool2x2(g, 2, new float[2 * g.InputSize], new float[g.WeightCount - 1], bias, true, output));
                Assert.Equal("weights", weights.ParamName);
                var shortBias = Assert.Throws<ArgumentException>(() =>
                    Convolution.ForwardMaxPool2x2(g, 2, new float[2 * g.InputSize], new float[g.WeightCount], new float[g.OutChannels - 1], true, output));
                Assert.Equal("bias", shortBias.ParamName);
            }
        }
    }

    /// <summary>The gradients of no samples are zeros: both are overwritten even though there is nothing to sum.</summary>
    [Fact]
    public void An_empty_batch_overwrites_both_gradients_with_zeros()
    {
        var g = new ConvGeometry(2, 5, 5, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 5, 5);
        float[] dw = Enumerable.Repeat(float.NaN, g.WeightCount).ToArray(), db = { float.NaN, 7f, -1f };
        Convolution.BackwardWeights(g, 0, ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, dw, db);
        Assert.All(dw, v => Assert.Equal(0f, v));
        Assert.All(db, v => Assert.Equal(0f, v));
        // Forward and the input gradient of no samples write nothing and accept empty spans.
        Convolution.Forward(g, 0, ReadOnlySpan<float>.Empty, new float[g.WeightCount], new float[3], Span<float>.Empty);
        Convolution.BackwardInput(g, 0, ReadOnlySpan<float>.Empty, new float[g.WeightCount], Span<float>.Empty);
    }

    /// <summary>
    /// Runs forward, input and weight gradients (with bias) on every path, on 1 and 2 threads: both must match the
    /// definition in double, and the two must be the same bits.
    /// </summary>
    internal static void AssertEveryPathMatchesReferenceAndOneThread(ConvGeometry g, int batch, ulong seed)
    {
        var rng = new Rng(seed);
        float[] x = ConvolutionGapTests.Random(rng, batch * g.InputSize), w = ConvolutionGapTests.Random(rng, g.WeightCount), bias = ConvolutionGapTests.Random(rng, g.OutChannels);
        float[] dy = ConvolutionGapTests.Random(rng, batch * g.OutputSize);
        var y = new double[batch * g.OutputSize];
        var dx = new double[batch * g.InputSize];
        var dw = new double[g.WeightCount];
        var db = new double[g.OutChannels];
        ConvolutionKernelTests.ForEachTap(g, batch, (xi, wi, yi) =>
        {
            y[yi] += (double)w[wi] * x[xi];
            dx[xi] += (double)w[wi] * dy[yi];
            dw[wi] += (double)dy[yi] * x[xi];
        });
        int plane = g.OutHeight * g.OutWidth;
        for (int i = 0; i < y.Length; i++)
        {
            y[i] += bias[i / plane % g.OutChannels];
            db[i / plane % g.OutChannels] += dy[i];
        }
        int saved = Sgemm.MaxThreads;
        try
        {
            foreach (string path in Sgemm.AvailablePaths)
            {
                using var scope = Sgemm.ForcePath(path);
                float[]? one = null;
                foreach (int threads in new[] { 1, 2 })
                {
                    Sgemm.MaxThreads = threads;
                    float[] ay = new float[y.Length], adx = new float[dx.Length], adw = new float[dw.Length], adb = new float[db.Length];
                    Convolution.Forward(g, batch, x, w, bias, ay);
                    Convolution.BackwardInput(g, batch, dy, w, adx);
                    Convolution.BackwardWeights(g, batch, x, dy, adw, adb);
                    string at = $"{path}, {threads} threads";
                    ConvolutionGapTests.Close(at + " y", y, ay);
                    ConvolutionGapTests.Close(at + " dx", dx, adx);
                    ConvolutionGapTests.Close(at + " dW", dw, adw);
                    ConvolutionGapTests.Close(at + " db", db, adb);
                    float[] all = ay.Concat(adx).Concat(adw).Concat(adb).ToArray();
                    if (one is null) one = all;
                    else Assert.True(MemoryMarshal.Cast<float, int>(one).SequenceEqual(MemoryMarshal.Cast<float, int>(all)), $"{at}: not the bits of one thread");
                }
            }
        }
        finally
        {
            Sgemm.MaxThreads = saved;
        }
    }
}
