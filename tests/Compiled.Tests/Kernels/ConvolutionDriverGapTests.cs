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
    [Fact]
    public void Parallel_parts_use_the_calling_threads_path_for_few_output_channels()
    {
        var g = new ConvGeometry(3, 14, 14, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 14, 14);
        AssertEveryPathMatchesReferenceAndOneThread(g, batch: 16, seed: 5);
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
        Assert.True(2.0 * batch * g.OutputSize * (g.InChannels / g.Groups) * g.KernelHeight * g.KernelWidth >= Convolution.MinParallelFlops);
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
