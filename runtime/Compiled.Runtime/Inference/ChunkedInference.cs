using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Compiled.Kernels;

namespace Compiled;

/// <summary>
/// Implemented by generated networks: their inference pass over one chunk of a batch, with the calling thread's
/// scratch. Called by <see cref="ChunkedInference"/>; user code calls the network's <c>Predict</c> instead.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IChunkForward
{
    /// <summary>
    /// The outputs of <paramref name="rows"/> samples (<paramref name="inputs"/>: InputSize values each) into
    /// <paramref name="outputs"/> (OutputSize each), dropout off. Thread-safe.
    /// </summary>
    void ForwardChunk(ReadOnlySpan<float> inputs, int rows, Span<float> outputs);
}

/// <summary>
/// How a generated network's <c>Predict</c> runs a batch: in chunks of at most the network's InferenceChunk samples,
/// shared among <see cref="Sgemm.MaxThreads"/> threads by samples when the batch is large enough (each thread runs
/// whole chunks through every layer with single-threaded products, so nothing is packed or synchronized per layer).
/// </summary>
/// <remarks>
/// <para>
/// Each sample's outputs are the same bits whatever the thread count: a batch of <see cref="PackedNetwork.MinChunk"/>
/// samples or more is cut into chunks of at least that many (more than the few-row kernels take), and the products
/// and layers of a chunk compute every sample's outputs by the same arithmetic whichever rows share the chunk. A batch
/// of fewer samples is one chunk.
/// </para>
/// <para>
/// Why by samples and not by splitting each product among the threads: at batch 128 a 784-128-10 network's products
/// are too small to share well (a wake and a wait per layer; each thread packs only part of the weights), measured
/// 1.45× from a second core, where whole chunks per core are independent until the end.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class ChunkedInference
{
    /// <summary>
    /// Fewest multiply-adds (samples × the network's per-sample count) for which a batch is shared among threads: about
    /// 8 µs of one core's work, several times the cost of waking a worker and waiting for it.
    /// </summary>
    public const long MinParallelMultiplyAdds = 1 << 20;

    /// <summary>
    /// Whether <paramref name="count"/> samples of <paramref name="multiplyAddsPerSample"/> each are shared among threads
    /// on the calling thread (its <see cref="Sgemm.MaxThreads"/>, its SGEMM path not forced by a test).
    /// </summary>
    public static bool Splits(int count, long multiplyAddsPerSample) =>
        count >= 2 * PackedNetwork.MinChunk && Sgemm.MaxThreads > 1 && (long)count * Math.Max(1, multiplyAddsPerSample) >= MinParallelMultiplyAdds
        && Sgemm.CurrentPath == Sgemm.Path;

    /// <summary>
    /// Predicts <paramref name="count"/> samples (<paramref name="inputs"/>: <paramref name="inputSize"/> values each) into
    /// <paramref name="outputs"/> (<paramref name="outputSize"/> each) through <paramref name="network"/>'s
    /// <see cref="IChunkForward.ForwardChunk"/>, in chunks of at most <paramref name="maxChunk"/> samples. The caller
    /// (generated code) has checked the lengths. With <paramref name="bySamples"/> false the chunks run one after another
    /// on the calling thread, whose products may still share their columns among threads (networks whose dense weights
    /// are too large to pack once per thread).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size or count is out of range, or the spans are shorter than they say.</exception>
    public static void Predict<TNetwork>(TNetwork network, ReadOnlySpan<float> inputs, int inputSize, Span<float> outputs,
        int outputSize, int count, int maxChunk, long multiplyAddsPerSample, bool bySamples = true)
        where TNetwork : class, IChunkForward
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxChunk);
        if (inputs.Length < (long)count * inputSize) throw new ArgumentOutOfRangeException(nameof(inputs), inputs.Length, $"{count} samples of {inputSize} need {(long)count * inputSize} values.");
        if (outputs.Length < (long)count * outputSize) throw new ArgumentOutOfRangeException(nameof(outputs), outputs.Length, $"{count} samples of {outputSize} need {(long)count * outputSize} values.");
        if (count == 0) return;

        int threads = bySamples && Splits(count, multiplyAddsPerSample) ? Sgemm.MaxThreads : 1;
        int chunks = PackedNetwork.Chunks(count, threads, maxChunk);
        if (threads > 1 && chunks > 1)
        {
            fixed (float* px = inputs, py = outputs)
            {
                var job = new Job
                {
                    Network = GCHandle.Alloc(network), Inputs = px, Outputs = py,
                    InputSize = inputSize, OutputSize = outputSize, Count = count, Chunks = chunks,
                };
                try
                {
                    ConvolutionWorkers.RunAll(chunks, threads, &Part<TNetwork>, &job);
                }
                finally
                {
                    job.Network.Free();
                }
            }
            return;
        }
        for (int chunk = 0; chunk < chunks; chunk++)
        {
            (int start, int rows) = Range(chunk, count, chunks);
            network.ForwardChunk(inputs.Slice(start * inputSize, rows * inputSize), rows, outputs.Slice(start * outputSize, rows * outputSize));
        }
    }

    /// <summary>Chunk <paramref name="chunk"/> of <paramref name="chunks"/>: samples [chunk · count / chunks, (chunk + 1) · count / chunks).</summary>
    internal static (int Start, int Rows) Range(int chunk, int count, int chunks)
    {
        int start = (int)((long)chunk * count / chunks), end = (int)((long)(chunk + 1) * count / chunks);
        return (start, end - start);
    }

    private struct Job
    {
        public GCHandle Network;
        public float* Inputs, Outputs;
        public int InputSize, OutputSize, Count, Chunks;
    }

    /// <summary>One chunk, on the calling thread (the caller's or a worker's), its products kept on that thread.</summary>
    private static void Part<TNetwork>(void* arguments, int index)
        where TNetwork : class, IChunkForward
    {
        ref Job job = ref Unsafe.AsRef<Job>(arguments);
        (int start, int rows) = Range(index, job.Count, job.Chunks);
        var inputs = new ReadOnlySpan<float>(job.Inputs + (long)start * job.InputSize, rows * job.InputSize);
        var outputs = new Span<float>(job.Outputs + (long)start * job.OutputSize, rows * job.OutputSize);
        using (Sgemm.UseThreads(1))
            Unsafe.As<TNetwork>(job.Network.Target!).ForwardChunk(inputs, rows, outputs);
    }
}
