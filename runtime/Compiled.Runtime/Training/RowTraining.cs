using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Compiled.Kernels;

namespace Compiled;

/// <summary>
/// Implemented by generated networks whose layers are all per sample in the training step (Dense, Dropout, Activation,
/// Flatten): the part of <c>ComputeGradients</c> that treats each sample on its own. Called by <see cref="RowTraining"/>;
/// user code calls the network's <c>TrainStep</c> or <c>ComputeGradients</c> instead.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IRowTraining
{
    /// <summary>
    /// Samples [<paramref name="start"/>, <paramref name="start"/> + <paramref name="rows"/>) of the batch (the whole
    /// batch's <paramref name="inputs"/> and <paramref name="targets"/>, <paramref name="batch"/> samples): the training
    /// forward pass, the loss's gradient and the backward pass down to every layer's ∂input, into the batch's activation
    /// and gradient buffers (not the parameter gradients, which sum over the batch). Writes the loss summed over each
    /// block of <see cref="RowTraining.LossBlock"/> samples, counted from <paramref name="start"/> (a multiple of it),
    /// to <paramref name="losses"/>.
    /// </summary>
    void TrainRows(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch, int start, int rows, Span<double> losses);
}

/// <summary>
/// How a generated network's training step runs its per-sample layers: the batch is cut into one chunk per thread, on
/// boundaries that are multiples of <see cref="LossBlock"/> samples, and each thread takes its chunk through every layer
/// forward and back (with single-threaded products) in one job of the SGEMM workers; the products that sum over the
/// batch (the parameter gradients) follow on the whole batch.
/// </summary>
/// <remarks>
/// <para>
/// The result is the same bits whatever the thread count. Each chunk has at least <see cref="LossBlock"/> samples, and the
/// products and element-wise kernels compute a sample's values by the same arithmetic in any batch of that many or more
/// (the guarantee <see cref="ChunkedInference"/> rests on); dropout masks are a function of the layer's draw and the
/// element's index in the batch; the loss is summed in blocks of <see cref="LossBlock"/> samples, and the blocks in
/// order, whichever thread computed them.
/// </para>
/// <para>
/// Why one job for all the per-sample layers rather than each product split by columns: at batch 32 a 784-256-10 step has
/// about 12 µs of small per-sample work (dropout masks, the output layer's products, the loss, element-wise backward
/// passes) that a column split leaves on one thread, and a wait per product. The job needs the workers awake (they spin
/// for a while after each product and update): after an idle spell the first step runs its chunks on the caller.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class RowTraining
{
    /// <summary>Samples per block of the loss's sum, and the granularity of the chunks: more than the few-row kernels take.</summary>
    public const int LossBlock = 8;

    /// <summary>
    /// Fewest multiply-adds (samples × the network's per-sample count) for which a batch is shared among threads: about
    /// 8 µs of one core's work, several times the cost of handing it over.
    /// </summary>
    public const long MinParallelMultiplyAdds = 1 << 20;

    [ThreadStatic] private static double[]? t_losses;

    /// <summary>Batches whose samples were shared among threads so far (for tests).</summary>
    internal static long SharedRuns;

    /// <summary>
    /// Runs <paramref name="network"/>'s <see cref="IRowTraining.TrainRows"/> over the whole batch, shared among
    /// <see cref="Sgemm.MaxThreads"/> threads when it is large enough and the workers are awake, and returns the loss
    /// summed over the batch (blocks in order). The caller (generated code) has checked the lengths.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is not positive.</exception>
    public static double Run<TNetwork>(TNetwork network, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch, long multiplyAddsPerSample)
        where TNetwork : class, IRowTraining
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        int blocks = (batch + LossBlock - 1) / LossBlock;
        double[]? losses = t_losses;
        if (losses is null || losses.Length < blocks) t_losses = losses = new double[Math.Max(blocks, 64)];

        int chunks = Chunks(batch, multiplyAddsPerSample);
        bool shared = false;
        if (chunks > 1)
        {
            fixed (float* px = inputs, pt = targets)
            fixed (double* pl = losses)
            {
                var job = new Job
                {
                    Network = GCHandle.Alloc(network), Inputs = px, InputLength = inputs.Length, Targets = pt,
                    TargetLength = targets.Length, Losses = pl, Batch = batch, Chunks = chunks,
                };
                try
                {
                    shared = SgemmParallel.TryRunParts(chunks, &Part<TNetwork>, &job);
                }
                finally
                {
                    job.Network.Free();
                }
            }
        }
        if (shared) System.Threading.Interlocked.Increment(ref SharedRuns);
        else network.TrainRows(inputs, targets, batch, 0, batch, losses.AsSpan(0, blocks));

        double total = 0;
        for (int b = 0; b < blocks; b++) total += losses[b];
        return total;
    }

    /// <summary>
    /// How many chunks a batch is cut into on the calling thread: one per thread (<see cref="Sgemm.MaxThreads"/>) when the
    /// batch has at least two blocks and enough work, its SGEMM path not forced by a test (the workers would not follow it);
    /// otherwise one.
    /// </summary>
    internal static int Chunks(int batch, long multiplyAddsPerSample)
    {
        if (Sgemm.CurrentPath != Sgemm.Path) return 1;
        if ((long)batch * Math.Max(1, multiplyAddsPerSample) < MinParallelMultiplyAdds) return 1;
        // One chunk per thread and at most one per whole block (a short last block joins the last chunk): one thread or
        // fewer than two blocks' worth of samples give a single chunk.
        return Math.Max(1, Math.Min(Sgemm.MaxThreads, batch / LossBlock));
    }

    /// <summary>Chunk <paramref name="chunk"/> of <paramref name="chunks"/>: whole blocks, the short last block with the last chunk.</summary>
    internal static (int Start, int Rows) Range(int chunk, int chunks, int batch)
    {
        int whole = batch / LossBlock;
        int first = (int)((long)chunk * whole / chunks), end = (int)((long)(chunk + 1) * whole / chunks);
        int start = first * LossBlock;
        return (start, (chunk == chunks - 1 ? batch : end * LossBlock) - start);
    }

    private struct Job
    {
        public GCHandle Network;
        public float* Inputs, Targets;
        public double* Losses;
        public int InputLength, TargetLength, Batch, Chunks;
    }

    /// <summary>One chunk, on the calling thread or a worker; the pool is taken, so its products stay on that thread.</summary>
    private static void Part<TNetwork>(void* arguments, int chunk)
        where TNetwork : class, IRowTraining
    {
        ref Job job = ref Unsafe.AsRef<Job>(arguments);
        (int start, int rows) = Range(chunk, job.Chunks, job.Batch);
        int firstBlock = start / LossBlock, blocks = (rows + LossBlock - 1) / LossBlock;
        Unsafe.As<TNetwork>(job.Network.Target!).TrainRows(
            new ReadOnlySpan<float>(job.Inputs, job.InputLength), new ReadOnlySpan<float>(job.Targets, job.TargetLength),
            job.Batch, start, rows, new Span<double>(job.Losses + firstBlock, blocks));
    }
}
