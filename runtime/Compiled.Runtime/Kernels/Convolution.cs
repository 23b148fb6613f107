using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Compiled.Kernels;

/// <summary>
/// 2-D convolution (cross-correlation, as PyTorch's Conv2d) over NCHW batches, forward and backward. Inputs are
/// batch · <see cref="ConvGeometry.InputSize"/> values, outputs batch · <see cref="ConvGeometry.OutputSize"/>,
/// weights [OutChannels, InChannels / Groups, KernelHeight, KernelWidth].
/// </summary>
/// <remarks>
/// Each sample's channel group is lowered to its column matrix (see <see cref="Im2Col"/>) in a per-thread workspace
/// and multiplied by the packed <see cref="Sgemm"/>: forward Y_g = W_g · col, backward-input col = W_gᵀ · dY_g then
/// col2im, backward-weights dW_g += dY_g · colᵀ over the batch in sample order. A 1×1 kernel with stride 1, no
/// padding and an output the size of the input needs no lowering: the input planes are the column matrix. Depthwise
/// convolutions (one input channel per group, more than one group) skip both and run direct loops (see
/// <see cref="Depthwise"/>): im2col + a GEMM per channel spends its time in the calls, not the arithmetic.
/// <para>
/// A call over several samples runs on up to <see cref="Sgemm.MaxThreads"/> threads, the caller and
/// <see cref="ConvolutionWorkers"/>, each taking whole samples (forward, backward-input) or fixed chunks of samples
/// (backward-weights), with single-threaded SGEMMs inside (see <see cref="ConvolutionGemm"/>). A call on one thread
/// (one sample, a small call, MaxThreads 1, or the workers busy with another thread's call) may instead let
/// <see cref="Sgemm"/> split each product. Either way every output value is computed by one thread in a fixed order,
/// and the chunks of the weight gradient are fixed by the batch size alone and added in order: results are
/// bit-identical run to run and for any thread count. Concurrent calls on different threads are independent, and a
/// call allocates nothing once the workspaces of the threads it runs on have grown to the largest geometry used.
/// </para>
/// </remarks>
public static unsafe class Convolution
{
    /// <summary>This thread's column-matrix workspace, grown on demand.</summary>
    [ThreadStatic] private static float[]? t_columns;

    /// <summary>This thread's partial weight gradients of chunks 1, 2, … (see <see cref="WeightChunks"/>), grown on demand.</summary>
    [ThreadStatic] private static float[]? t_partials;

    /// <summary>This thread's product of a forward block (see <see cref="ForwardBlocks"/>), grown on demand.</summary>
    [ThreadStatic] private static float[]? t_product;

    /// <summary>
    /// Calls of fewer flops (2 · batch · OutputSize · taps) stay on the calling thread: waking a blocked worker
    /// takes tens of µs.
    /// </summary>
    internal const double MinParallelFlops = 5e5;

    /// <summary>Samples per weight-gradient chunk (at least; see <see cref="WeightChunks"/>).</summary>
    internal const int ChunkSamples = 4;

    /// <summary>The most weight-gradient chunks one call is cut into.</summary>
    internal const int MaxChunks = 16;

    /// <summary>The most floats of partial weight gradients a call keeps (16 MB): bounds the chunks of a large layer.</summary>
    internal const long PartialBudget = 1 << 22;

    /// <summary>
    /// y[b, oc, oh, ow] = bias[oc] + Σ_{c &lt; ICg, kh, kw} W[oc, c, kh, kw] · x[b, g · ICg + c, oh · SH − PadTop + kh · DH,
    /// ow · SW − PadLeft + kw · DW] with g = oc / (OutChannels / Groups), ICg = InChannels / Groups; x outside the input
    /// reads 0. <paramref name="bias"/> may be empty (no bias). Overwrites <paramref name="output"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="g"/> is uninitialized, or a span's length is not exactly what the geometry and batch need
    /// (<paramref name="bias"/>: empty or OutChannels).
    /// </exception>
    public static void Forward(in ConvGeometry g, int batch, ReadOnlySpan<float> input, ReadOnlySpan<float> weights,
        ReadOnlySpan<float> bias, Span<float> output) => ForwardCore(g, batch, input, weights, bias, output, relu: false);

    /// <summary>
    /// <see cref="Forward(in ConvGeometry, int, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>
    /// followed by ReLU, y = max(0, W ⊛ x + b) (a NaN stays NaN), applied as each output is stored (direct route) or
    /// while each sample's output is still in cache (GEMM route): one pass over the activations fewer than a separate
    /// ReLU. Same exceptions.
    /// </summary>
    public static void ForwardReLU(in ConvGeometry g, int batch, ReadOnlySpan<float> input, ReadOnlySpan<float> weights,
        ReadOnlySpan<float> bias, Span<float> output) => ForwardCore(g, batch, input, weights, bias, output, relu: true);

    /// <summary>
    /// <see cref="Forward(in ConvGeometry, int, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>,
    /// then max(0, ·) if <paramref name="relu"/>, then 2×2 max pooling with stride 2 (PyTorch's rule, as
    /// <see cref="Pooling.MaxForward"/>: the same bits as the three steps one after another): <paramref name="output"/>
    /// is [batch, OutChannels, OutHeight / 2, OutWidth / 2]. Generated inference code calls it for a Conv2D followed
    /// by MaxPool(2). On the Winograd route each 2×2 tile of outputs is pooled as it is transformed, and a 3×3 convolution
    /// of one input channel on AVX-512 pools each window as it computes it (<see cref="PooledSingleChannelConvolution"/>),
    /// so the convolution's output is never stored; elsewhere the convolution runs into a per-thread workspace, a few samples at a time.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// OutHeight or OutWidth is odd, or a span's length is not what the geometry and batch need (output: a quarter of
    /// the convolution's).
    /// </exception>
    public static void ForwardMaxPool2x2(in ConvGeometry g, int batch, ReadOnlySpan<float> input, ReadOnlySpan<float> weights,
        ReadOnlySpan<float> bias, bool relu, Span<float> output)
    {
        ConvGeometry.CheckConstructed(g, nameof(g));
        if (g.OutHeight % 2 != 0 || g.OutWidth % 2 != 0)
            throw new ArgumentException($"2×2 pooling with stride 2 needs an even output; this convolution's is {g.OutHeight}×{g.OutWidth}.", nameof(g));
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        long pooled = (long)batch * (g.OutputSize / 4);
        if (output.Length != pooled)
            throw new ArgumentException($"{nameof(output)} has {output.Length} values; {batch} pooled outputs of {g.OutChannels}×{g.OutHeight / 2}×{g.OutWidth / 2} need {pooled}.", nameof(output));
        DirectConvolution.Kind direct = DirectConvolution.Choose(g);
        if (WinogradConvolution.Applies(g, direct))
        {
            ForwardCore(g, batch, input, weights, bias, output, relu, pool: true);
            return;
        }
        if (PooledSingleChannelConvolution.Applies(g, direct))
        {
            // One input channel, 3×3: vectors over output channels, pooled before anything is stored.
            CheckInputAndWeights(g, batch, input.Length, weights.Length);
            CheckBias(g, bias.Length, nameof(bias));
            fixed (float* px = input, pw = weights, pb = bias, py = output)
                PooledSingleChannelConvolution.Forward(g, batch, px, pw, bias.IsEmpty ? null : pb, py, relu);
            return;
        }
        // Other routes: the convolution into this thread's workspace, PooledBlock samples at a time, then the pooling.
        var poolGeometry = new PoolGeometry(g.OutChannels, g.OutHeight, g.OutWidth, 2, 2, 2, 2, 0, 0, g.OutHeight / 2, g.OutWidth / 2);
        CheckInputAndWeights(g, batch, input.Length, weights.Length);
        CheckBias(g, bias.Length, nameof(bias));
        for (int first = 0; first < batch; first += PooledBlock)
        {
            int count = Math.Min(PooledBlock, batch - first);
            Span<float> y = Grown(ref t_unpooled, count * g.OutputSize);
            ForwardCore(g, count, input.Slice(first * g.InputSize, count * g.InputSize), weights, bias, y, relu, pool: false);
            Pooling.MaxForward(poolGeometry, count, y, output.Slice(first * poolGeometry.OutputSize, count * poolGeometry.OutputSize), Span<int>.Empty);
        }
    }

    /// <summary>Samples per convolution of <see cref="ForwardMaxPool2x2"/> off the Winograd route (bounds its workspace).</summary>
    private const int PooledBlock = 8;

    /// <summary>This thread's unpooled outputs of <see cref="ForwardMaxPool2x2"/> off the Winograd route.</summary>
    [ThreadStatic] private static float[]? t_unpooled;

    private static void ForwardCore(in ConvGeometry g, int batch, ReadOnlySpan<float> input, ReadOnlySpan<float> weights,
        ReadOnlySpan<float> bias, Span<float> output, bool relu, bool pool = false)
    {
        // A pooled output's length was checked by ForwardMaxPool2x2.
        if (pool) CheckInputAndWeights(g, batch, input.Length, weights.Length);
        else CheckCommon(g, batch, input.Length, nameof(input), weights.Length, nameof(weights), output.Length, nameof(output));
        CheckBias(g, bias.Length, nameof(bias));
        fixed (float* px = input, pw = weights, pb = bias, py = output)
        {
            DirectConvolution.Kind direct = DirectConvolution.Choose(g);
            int block = direct != DirectConvolution.Kind.None ? 1 : SamplesPerGemm(g, ForwardBlockColumns);
            int blocks = (int)(((long)batch + block - 1) / block);
            // One sample on the direct route: the parts are ranges of channel blocks instead (batch-1 latency).
            bool byChannels = direct != DirectConvolution.Kind.None && batch == 1 && Sgemm.MaxThreads > 1;
            int parts = byChannels ? Math.Min(DirectConvolution.ChannelBlocks(direct, g.OutChannels), Sgemm.MaxThreads) : Math.Min(blocks, ConvolutionWorkers.MaxParts);
            // 3×3 layers with enough input channels take Winograd's F(2×2, 3×3) instead of the direct kernel; its
            // transformed weights are made (or found in the cache) here, on the calling thread, for every part.
            float[]? winograd = WinogradConvolution.Applies(g, direct) ? WinogradConvolution.Transformed(g, pw) : null;
            fixed (float* pu = winograd)
            {
                var job = new Job(g, batch, px, pw, pb, bias.Length, py, parts)
                    { Block = block, Direct = direct, ReLU = relu, ByChannels = byChannels, Winograd = pu, Pool = pool };
                if (!TryRunParallel(&job, &ForwardPart))
                    for (int part = 0; part < job.Parts; part++) ForwardPart(ref job, part);
            }
        }
    }

    /// <summary>
    /// ∂L/∂x from ∂L/∂y: dx[b, c, h, w] = Σ of W[oc, c mod ICg, kh, kw] · dy[b, oc, oh, ow] over the outputs whose window
    /// reads x[b, c, h, w] at tap (kh, kw) (the transposed correlation). Overwrites <paramref name="inputGradient"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="g"/> is uninitialized, or a span's length is not exactly what the geometry and batch need.</exception>
    public static void BackwardInput(in ConvGeometry g, int batch, ReadOnlySpan<float> outputGradient, ReadOnlySpan<float> weights,
        Span<float> inputGradient)
    {
        CheckCommon(g, batch, inputGradient.Length, nameof(inputGradient), weights.Length, nameof(weights), outputGradient.Length, nameof(outputGradient));
        fixed (float* pdx = inputGradient, pw = weights, pdy = outputGradient)
        {
            DirectConvolution.Kind direct = DirectConvolution.ChooseBackwardInput(g);
            int block = direct != DirectConvolution.Kind.None ? 1 : SamplesPerGemm(g, BackwardInputBlockColumns);
            int blocks = (int)(((long)batch + block - 1) / block);
            bool byChannels = direct != DirectConvolution.Kind.None && batch == 1 && Sgemm.MaxThreads > 1;
            int parts = byChannels ? Math.Min(DirectConvolution.ChannelBlocks(direct, g.InChannels), Sgemm.MaxThreads) : Math.Min(blocks, ConvolutionWorkers.MaxParts);
            var job = new Job(g, batch, pdx, pw, null, 0, pdy, parts) { Block = block, Direct = direct, ByChannels = byChannels };
            if (!TryRunParallel(&job, &BackwardInputPart))
                for (int part = 0; part < job.Parts; part++) BackwardInputPart(ref job, part);
        }
    }

    /// <summary>
    /// ∂L/∂W[oc, c, kh, kw] = Σ_b Σ_{oh, ow} dy[b, oc, oh, ow] · x[b, g · ICg + c, oh · SH − PadTop + kh · DH, ow · SW − PadLeft + kw · DW]
    /// (layout [OC, IC / Groups, KH, KW]) and ∂L/∂bias[oc] = Σ_b Σ_{oh, ow} dy[b, oc, oh, ow]. Both overwrite.
    /// <paramref name="biasGradient"/> may be empty (no bias).
    /// </summary>
    /// <remarks>
    /// The samples are cut into chunks that depend only on the batch size and the weight count (see
    /// <see cref="WeightChunks"/>), never on the thread count; each chunk's gradient is summed in sample order and the
    /// chunks' gradients are then added in chunk order, so the result is the same bits on any number of threads.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is negative.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="g"/> is uninitialized, or a span's length is not exactly what the geometry and batch need
    /// (<paramref name="biasGradient"/>: empty or OutChannels).
    /// </exception>
    public static void BackwardWeights(in ConvGeometry g, int batch, ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient,
        Span<float> weightGradient, Span<float> biasGradient)
    {
        CheckCommon(g, batch, input.Length, nameof(input), weightGradient.Length, nameof(weightGradient), outputGradient.Length, nameof(outputGradient));
        CheckBias(g, biasGradient.Length, nameof(biasGradient));
        if (batch == 0) weightGradient.Clear();
        int chunks = WeightChunks(batch, g.WeightCount);
        Span<float> partials = Partials((long)Math.Max(chunks - 1, 0) * g.WeightCount);
        fixed (float* px = input, pdw = weightGradient, pdy = outputGradient, pp = partials)
        {
            var job = new Job(g, batch, px, pdw, pp, 0, pdy, chunks) { Direct = DirectConvolution.ChooseBackwardWeights(g) };
            if (!TryRunParallel(&job, &BackwardWeightsPart))
                for (int part = 0; part < job.Parts; part++) BackwardWeightsPart(ref job, part);
        }
        for (int chunk = 1; chunk < chunks; chunk++)
            Add(weightGradient, partials.Slice((chunk - 1) * g.WeightCount, g.WeightCount));

        if (biasGradient.IsEmpty) return;
        int outPlane = g.OutHeight * g.OutWidth;
        biasGradient.Clear();
        for (int b = 0; b < batch; b++)
            for (int oc = 0; oc < g.OutChannels; oc++)
                biasGradient[oc] += Sum(outputGradient.Slice(b * g.OutputSize + oc * outPlane, outPlane));
    }

    /// <summary>
    /// How many chunks BackwardWeights cuts <paramref name="batch"/> samples into: one per <see cref="ChunkSamples"/>
    /// samples, at most <see cref="MaxChunks"/>, and no more partial gradients than <see cref="PartialBudget"/> floats.
    /// Chunk c holds samples [c · batch / chunks, (c + 1) · batch / chunks). Depends on nothing else.
    /// </summary>
    internal static int WeightChunks(int batch, int weightCount)
    {
        if (batch == 0) return 0;
        long chunks = Math.Min((batch + ChunkSamples - 1) / ChunkSamples, MaxChunks);
        return (int)Math.Min(chunks, 1 + PartialBudget / weightCount);
    }

    /// <summary>The arguments of one call, on the caller's stack while its parts run (the spans are pinned by the caller).</summary>
    private struct Job
    {
        public readonly ConvGeometry G;
        public readonly Sizes S;
        public readonly int Batch, Parts, BiasLength;
        /// <summary>Forward: samples lowered side by side into one GEMM (1: one GEMM per sample and group).</summary>
        public int Block;
        /// <summary>The direct kernel the calling thread chose, or None for the GEMM route.</summary>
        public DirectConvolution.Kind Direct;
        /// <summary>Forward: apply ReLU to the outputs.</summary>
        public bool ReLU;
        /// <summary>Direct route, one sample: part p computes the p-th channel block of every sample, not samples.</summary>
        public bool ByChannels;
        /// <summary>Forward: Winograd's transformed weights when the layer takes that route (<see cref="WinogradConvolution"/>), else null.</summary>
        public float* Winograd;
        /// <summary>Forward on the Winograd route: 2×2 max pooling applied as the outputs are stored (y is pooled).</summary>
        public bool Pool;
        /// <summary>Forward: x, W, bias, y. BackwardInput: dx, W, –, dy. BackwardWeights: x, dW (chunk 0), partials, dy.</summary>
        public readonly float* Input, Weights, Extra, Output;
        public ConvolutionGemm.Route Route;

        public Job(in ConvGeometry g, int batch, float* input, float* weights, float* extra, int biasLength, float* output, int parts)
        {
            G = g;
            S = new Sizes(g);
            Batch = batch;
            Parts = parts;
            BiasLength = biasLength;
            Input = input;
            Weights = weights;
            Extra = extra;
            Output = output;
            Route = ConvolutionGemm.Route.Public;
            Block = 1;
        }

        /// <summary>The samples [first, end) of <paramref name="part"/>: an even cut of the batch into <see cref="Parts"/>.</summary>
        public readonly void Samples(int part, out int first, out int end)
        {
            first = (int)((long)part * Batch / Parts);
            end = (int)((long)(part + 1) * Batch / Parts);
        }

        /// <summary>
        /// What <paramref name="part"/> of a direct call computes: its run of samples, every channel block; or, with
        /// <see cref="ByChannels"/>, every sample and an even cut of the blocks of <paramref name="outputChannels"/>.
        /// </summary>
        public readonly void DirectPart(int part, int outputChannels, out int firstSample, out int samples, out int firstBlock, out int endBlock)
        {
            if (ByChannels)
            {
                int blocks = DirectConvolution.ChannelBlocks(Direct, outputChannels);
                (firstSample, samples) = (0, Batch);
                firstBlock = (int)((long)part * blocks / Parts);
                endBlock = (int)((long)(part + 1) * blocks / Parts);
                return;
            }
            Samples(part, out firstSample, out int endSample);
            samples = endSample - firstSample;
            (firstBlock, endBlock) = (0, int.MaxValue);
        }

        /// <summary>The blocks [first, end) of <see cref="Block"/> samples (the last one maybe short) that <paramref name="part"/> runs.</summary>
        public readonly void Blocks(int part, out int first, out int end)
        {
            int blocks = (int)(((long)Batch + Block - 1) / Block);
            first = (int)((long)part * blocks / Parts);
            end = (int)((long)(part + 1) * blocks / Parts);
        }

        public readonly ReadOnlySpan<float> InputSample(int b) => new(Input + (nint)b * G.InputSize, G.InputSize);
        public readonly Span<float> InputSampleMutable(int b) => new(Input + (nint)b * G.InputSize, G.InputSize);
        public readonly Span<float> OutputSample(int b) => new(Output + (nint)b * G.OutputSize, G.OutputSize);
        public readonly ReadOnlySpan<float> Weight => new(Weights, G.WeightCount);
    }

    /// <summary>
    /// Runs the job's parts on the workers too if the call is large enough and <see cref="Sgemm.MaxThreads"/> allows;
    /// false: nothing ran, the caller runs every part itself.
    /// </summary>
    private static bool TryRunParallel(Job* job, delegate*<ref Job, int, void> part)
    {
        int threads = Sgemm.MaxThreads;
        if (threads < 2 || job->Parts < 2) return false;
        Sizes s = job->S;
        if (2.0 * job->Batch * job->G.OutputSize * s.Taps < MinParallelFlops) return false;
        job->Route = ConvolutionGemm.SingleThreaded();
        bool ran = ConvolutionWorkers.TryRun(job->Parts, threads, (delegate*<void*, int, void>)part, job);
        job->Route = ConvolutionGemm.Route.Public;
        return ran;
    }

    /// <summary>
    /// Samples whose column matrices Forward (and BackwardInput) put side by side into one GEMM: as many as fit in
    /// <paramref name="columns"/> GEMM columns when a sample's output plane is smaller, else 1; always 1 for pointwise,
    /// depthwise and grouped convolutions. Depends on the geometry only, so the blocks of a batch do too.
    /// </summary>
    /// <remarks>
    /// Measured with ConvBench (batch 32, one thread, AVX-512, interleaved runs): forward 32→64 3×3 on 7×7 gains
    /// 13–23 % from 20 samples per GEMM, 16→32 on 14×14 2–7 % from 5; backward-input gains 20 % on 7×7 (5 samples)
    /// but loses 5 % on 14×14, hence the narrower target there. Backward-weights gained nothing (its per-sample
    /// products already accumulate into one small C) and keeps one GEMM per sample. 1→16 on 28×28 (784 columns, K = 9)
    /// is left alone: the extra copy of the product costs more than the wider GEMM saves.
    /// </remarks>
    internal static int SamplesPerGemm(in ConvGeometry g, int columns)
    {
        var s = new Sizes(g);
        if (s.Pointwise || s.Depthwise || g.Groups != 1) return 1;
        return Math.Max(1, columns / s.OutPlane);
    }

    /// <summary>The GEMM width Forward aims for when it lowers several samples into one product.</summary>
    internal const int ForwardBlockColumns = 1024;

    /// <summary>The GEMM width BackwardInput aims for (see <see cref="SamplesPerGemm"/>).</summary>
    internal const int BackwardInputBlockColumns = 256;

    private static void ForwardPart(ref Job j, int part)
    {
        if (j.Direct != DirectConvolution.Kind.None)
        {
            j.DirectPart(part, j.G.OutChannels, out int firstSample, out int samples, out int firstBlock, out int endBlock);
            if (j.Winograd != null)
            {
                // The direct kernel's channel blocks (8 or 4 channels) are whole blocks of Winograd's 4.
                int blockChannels = DirectConvolution.BlockChannels(j.Direct);
                WinogradConvolution.Forward(j.Direct, j.G, j.Input + (nint)firstSample * j.G.InputSize, samples, j.Winograd,
                    j.BiasLength == 0 ? null : j.Extra, j.Output + (nint)firstSample * (j.Pool ? j.G.OutputSize / 4 : j.G.OutputSize), j.ReLU, j.Pool,
                    (int)Math.Min((long)firstBlock * blockChannels, int.MaxValue), (int)Math.Min((long)endBlock * blockChannels, int.MaxValue));
                return;
            }
            DirectConvolution.Forward(j.Direct, j.G, j.Input + (nint)firstSample * j.G.InputSize, samples, j.Weights,
                j.BiasLength == 0 ? null : j.Extra, j.Output + (nint)firstSample * j.G.OutputSize, j.ReLU, firstBlock, endBlock);
            return;
        }
        if (j.Block > 1)
        {
            ForwardBlocks(ref j, part);
            return;
        }
        j.Samples(part, out int first, out int end);
        ref readonly Sizes s = ref j.S;
        ref readonly ConvGeometry g = ref j.G;
        var bias = new ReadOnlySpan<float>(j.Extra, j.BiasLength);
        Span<float> columns = s.Pointwise || s.Depthwise ? default : Workspace(s.Columns);
        for (int b = first; b < end; b++)
        {
            ReadOnlySpan<float> input = j.InputSample(b);
            Span<float> y = j.OutputSample(b);
            if (s.Depthwise)
            {
                y.Clear();
                if (!bias.IsEmpty) AddBias(y, bias, s.OutPlane);
                Depthwise.Forward(g, input, j.Weight, y);
                if (j.ReLU) ReLUInPlace(y);
                continue;
            }
            for (int group = 0; group < g.Groups; group++)
            {
                ReadOnlySpan<float> x = input.Slice(group * s.InGroup, s.InGroup);
                if (!s.Pointwise) Im2Col.Pack(g, x, columns);
                ConvolutionGemm.Multiply(j.Route, false, false, s.OutChannels, s.OutPlane, s.Taps,
                    j.Weight.Slice(group * s.WeightGroup, s.WeightGroup), s.Taps, s.Pointwise ? x : columns, s.OutPlane,
                    0f, y.Slice(group * s.OutGroup, s.OutGroup), s.OutPlane);
            }
            if (!bias.IsEmpty) AddBias(y, bias, s.OutPlane);
            if (j.ReLU) ReLUInPlace(y);
        }
    }

    /// <summary>
    /// Forward over the blocks of <paramref name="part"/>: each block's samples are lowered side by side into one
    /// [taps × count · OH·OW] column matrix, multiplied at once into a per-thread [OC × count · OH·OW] product, which is
    /// then copied (plus the bias) into the samples' planes.
    /// </summary>
    private static void ForwardBlocks(ref Job j, int part)
    {
        ref readonly Sizes s = ref j.S;
        ref readonly ConvGeometry g = ref j.G;
        j.Blocks(part, out int firstBlock, out int endBlock);
        var bias = new ReadOnlySpan<float>(j.Extra, j.BiasLength);
        int plane = s.OutPlane;
        Span<float> columns = Workspace(s.Taps * j.Block * plane);
        Span<float> product = Grown(ref t_product, s.OutChannels * j.Block * plane);
        for (int block = firstBlock; block < endBlock; block++)
        {
            int first = block * j.Block, count = Math.Min(j.Block, j.Batch - first), n = count * plane;
            for (int i = 0; i < count; i++) Im2Col.Pack(g, j.InputSample(first + i), columns.Slice(i * plane), n);
            ConvolutionGemm.Multiply(j.Route, false, false, s.OutChannels, n, s.Taps, j.Weight, s.Taps, columns, n, 0f, product, n);
            for (int i = 0; i < count; i++)
            {
                Span<float> y = j.OutputSample(first + i);
                for (int oc = 0; oc < s.OutChannels; oc++)
                {
                    Span<float> target = y.Slice(oc * plane, plane);
                    product.Slice(oc * n + i * plane, plane).CopyTo(target);
                    if (!bias.IsEmpty) AddBias(target, bias.Slice(oc, 1), plane);
                    if (j.ReLU) ReLUInPlace(target);
                }
            }
        }
    }

    private static void BackwardInputPart(ref Job j, int part)
    {
        if (j.Direct != DirectConvolution.Kind.None)
        {
            j.DirectPart(part, j.G.InChannels, out int firstSample, out int samples, out int firstBlock, out int endBlock);
            DirectConvolution.BackwardInput(j.Direct, j.G, j.Output + (nint)firstSample * j.G.OutputSize, samples, j.Weights,
                j.Input + (nint)firstSample * j.G.InputSize, firstBlock, endBlock);
            return;
        }
        if (j.Block > 1)
        {
            BackwardInputBlocks(ref j, part);
            return;
        }
        j.Samples(part, out int first, out int end);
        ref readonly Sizes s = ref j.S;
        ref readonly ConvGeometry g = ref j.G;
        Span<float> columns = s.Pointwise || s.Depthwise ? default : Workspace(s.Columns);
        for (int b = first; b < end; b++)
        {
            Span<float> inputGradient = j.InputSampleMutable(b);
            ReadOnlySpan<float> outputGradient = j.OutputSample(b);
            if (s.Depthwise)
            {
                inputGradient.Clear();
                Depthwise.BackwardInput(g, outputGradient, j.Weight, inputGradient);
                continue;
            }
            for (int group = 0; group < g.Groups; group++)
            {
                ReadOnlySpan<float> dy = outputGradient.Slice(group * s.OutGroup, s.OutGroup);
                Span<float> dx = inputGradient.Slice(group * s.InGroup, s.InGroup);
                ConvolutionGemm.Multiply(j.Route, true, false, s.Taps, s.OutPlane, s.OutChannels,
                    j.Weight.Slice(group * s.WeightGroup, s.WeightGroup), s.Taps, dy, s.OutPlane,
                    0f, s.Pointwise ? dx : columns, s.OutPlane);
                if (s.Pointwise) continue;
                dx.Clear();
                Im2Col.AddBack(g, columns, dx);
            }
        }
    }

    /// <summary>
    /// BackwardInput over the blocks of <paramref name="part"/>: each block's output gradients are gathered side by
    /// side into a per-thread [OC × count · OH·OW] matrix, multiplied at once into a [taps × count · OH·OW] column
    /// matrix, whose sample slices are then scattered back (col2im) into the samples' input gradients.
    /// </summary>
    private static void BackwardInputBlocks(ref Job j, int part)
    {
        ref readonly Sizes s = ref j.S;
        ref readonly ConvGeometry g = ref j.G;
        j.Blocks(part, out int firstBlock, out int endBlock);
        int plane = s.OutPlane;
        Span<float> columns = Workspace(s.Taps * j.Block * plane);
        Span<float> gathered = Grown(ref t_product, s.OutChannels * j.Block * plane);
        for (int block = firstBlock; block < endBlock; block++)
        {
            int first = block * j.Block, count = Math.Min(j.Block, j.Batch - first), n = count * plane;
            Gather(ref j, first, count, gathered);
            ConvolutionGemm.Multiply(j.Route, true, false, s.Taps, n, s.OutChannels, j.Weight, s.Taps, gathered, n, 0f, columns, n);
            for (int i = 0; i < count; i++)
            {
                Span<float> dx = j.InputSampleMutable(first + i);
                dx.Clear();
                Im2Col.AddBack(g, columns.Slice(i * plane), dx, n);
            }
        }
    }

    /// <summary>target[oc, i · OH·OW + p] = output sample first + i's [oc, p]: <paramref name="count"/> samples' planes side by side.</summary>
    private static void Gather(ref Job j, int first, int count, Span<float> target)
    {
        int plane = j.S.OutPlane, n = count * plane;
        for (int i = 0; i < count; i++)
        {
            Span<float> sample = j.OutputSample(first + i);
            for (int oc = 0; oc < j.S.OutChannels; oc++)
                sample.Slice(oc * plane, plane).CopyTo(target.Slice(oc * n + i * plane, plane));
        }
    }

    /// <summary>Chunk <paramref name="part"/>'s weight gradient, its samples summed in order: chunk 0 into dW, chunk c into partial c − 1.</summary>
    private static void BackwardWeightsPart(ref Job j, int part)
    {
        j.Samples(part, out int first, out int end);
        ref readonly Sizes s = ref j.S;
        ref readonly ConvGeometry g = ref j.G;
        int count = g.WeightCount;
        var target = new Span<float>(part == 0 ? j.Weights : j.Extra + (nint)(part - 1) * count, count);
        if (j.Direct != DirectConvolution.Kind.None)
        {
            DirectConvolution.BackwardWeights(j.Direct, g, j.Input + (nint)first * g.InputSize, end - first,
                j.Output + (nint)first * g.OutputSize, part == 0 ? j.Weights : j.Extra + (nint)(part - 1) * count);
            return;
        }
        if (s.Depthwise) target.Clear();
        Span<float> columns = s.Pointwise || s.Depthwise ? default : Workspace(s.Columns);
        for (int b = first; b < end; b++)
        {
            ReadOnlySpan<float> input = j.InputSample(b);
            ReadOnlySpan<float> outputGradient = j.OutputSample(b);
            if (s.Depthwise)
            {
                Depthwise.BackwardWeights(g, input, outputGradient, target);
                continue;
            }
            for (int group = 0; group < g.Groups; group++)
            {
                ReadOnlySpan<float> x = input.Slice(group * s.InGroup, s.InGroup);
                if (!s.Pointwise) Im2Col.Pack(g, x, columns);
                ConvolutionGemm.Multiply(j.Route, false, true, s.OutChannels, s.Taps, s.OutPlane,
                    outputGradient.Slice(group * s.OutGroup, s.OutGroup), s.OutPlane,
                    s.Pointwise ? x : columns, s.OutPlane, b == first ? 0f : 1f, target.Slice(group * s.WeightGroup, s.WeightGroup), s.Taps);
            }
        }
    }

    /// <summary>target += values, element by element (the same bits with or without vectors).</summary>
    private static void Add(Span<float> target, ReadOnlySpan<float> values)
    {
        ref float t = ref MemoryMarshal.GetReference(target);
        ref float v = ref MemoryMarshal.GetReference(values);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
            for (; i <= target.Length - Vector<float>.Count; i += Vector<float>.Count)
                (Vector.LoadUnsafe(ref t, (nuint)i) + Vector.LoadUnsafe(ref v, (nuint)i)).StoreUnsafe(ref t, (nuint)i);
        for (; i < target.Length; i++) Unsafe.Add(ref t, i) += Unsafe.Add(ref v, i);
    }

    /// <summary>Σ values, vectorized; the same order every call on a given instruction set.</summary>
    internal static float Sum(ReadOnlySpan<float> values)
    {
        ref float v = ref MemoryMarshal.GetReference(values);
        int i = 0;
        float sum = 0f;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            Vector<float> acc = Vector<float>.Zero;
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count) acc += Vector.LoadUnsafe(ref v, (nuint)i);
            sum = Vector.Sum(acc);
        }
        for (; i < values.Length; i++) sum += Unsafe.Add(ref v, i);
        return sum;
    }

    /// <summary>Adds bias[oc] to every value of output plane oc of one sample.</summary>
    private static void AddBias(Span<float> sample, ReadOnlySpan<float> bias, int plane)
    {
        for (int oc = 0; oc < bias.Length; oc++)
        {
            ref float p = ref MemoryMarshal.GetReference(sample.Slice(oc * plane, plane));
            float value = bias[oc];
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var vb = new Vector<float>(value);
                for (; i <= plane - Vector<float>.Count; i += Vector<float>.Count)
                    (Vector.LoadUnsafe(ref p, (nuint)i) + vb).StoreUnsafe(ref p, (nuint)i);
            }
            for (; i < plane; i++) Unsafe.Add(ref p, i) += value;
        }
    }

    /// <summary>y = max(0, y) in place, as the generated activation loops do it (256-bit vectors, then the scalar rule).</summary>
    private static void ReLUInPlace(Span<float> y)
    {
        ref float p = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
            for (; i <= y.Length - 8; i += 8)
                System.Runtime.Intrinsics.Vector256.StoreUnsafe(ActivationMath.ReLU(System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref p, (nuint)i)), ref p, (nuint)i);
        for (; i < y.Length; i++) Unsafe.Add(ref p, i) = ActivationMath.ReLU(Unsafe.Add(ref p, i));
    }

    /// <summary>This thread's workspace, at least <paramref name="length"/> long (allocates only to grow).</summary>
    private static Span<float> Workspace(int length) => Grown(ref t_columns, length);

    /// <summary>This thread's partial weight gradients, <paramref name="length"/> long (allocates only to grow).</summary>
    private static Span<float> Partials(long length) => Grown(ref t_partials, (int)length);

    /// <summary>The first <paramref name="length"/> values of a per-thread workspace, grown (the only allocation) when too short.</summary>
    internal static Span<float> Grown(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length) buffer = new float[length];
        return buffer.AsSpan(0, length);
    }

    private static void CheckCommon(in ConvGeometry g, int batch, int inputLength, string inputName,
        int weightLength, string weightName, int outputLength, string outputName)
    {
        ConvGeometry.CheckConstructed(g, nameof(g));
        KernelChecks.Exactly(inputLength, batch, g.InputSize, inputName, nameof(batch), "g.InputSize");
        KernelChecks.SameLength(weightLength, g.WeightCount, weightName, "g.WeightCount");
        KernelChecks.Exactly(outputLength, batch, g.OutputSize, outputName, nameof(batch), "g.OutputSize");
    }

    private static void CheckInputAndWeights(in ConvGeometry g, int batch, int inputLength, int weightLength)
    {
        KernelChecks.Exactly(inputLength, batch, g.InputSize, "input", nameof(batch), "g.InputSize");
        KernelChecks.SameLength(weightLength, g.WeightCount, "weights", "g.WeightCount");
    }

    private static void CheckBias(in ConvGeometry g, int length, string name)
    {
        if (length != 0 && length != g.OutChannels)
            throw new ArgumentException($"{name} holds {length} values; it must be empty (no bias) or hold g.OutChannels = {g.OutChannels}.", name);
    }

    /// <summary>Per-group sizes of the lowered products; all fit in int by the geometry's checks.</summary>
    internal readonly struct Sizes
    {
        public readonly int OutChannels, Taps, OutPlane, InGroup, OutGroup, WeightGroup, Columns;
        public readonly bool Pointwise, Depthwise;

        public Sizes(in ConvGeometry g)
        {
            int inChannels = g.InChannels / g.Groups;
            OutChannels = g.OutChannels / g.Groups;
            Taps = inChannels * g.KernelHeight * g.KernelWidth;
            OutPlane = g.OutHeight * g.OutWidth;
            InGroup = inChannels * g.InHeight * g.InWidth;
            OutGroup = OutChannels * OutPlane;
            WeightGroup = OutChannels * Taps;
            Columns = Taps * OutPlane;
            Pointwise = g.KernelHeight == 1 && g.KernelWidth == 1 && g.StrideHeight == 1 && g.StrideWidth == 1
                && g.PadTop == 0 && g.PadLeft == 0 && g.OutHeight == g.InHeight && g.OutWidth == g.InWidth;
            // One input channel per group, several groups: the direct loops (see Depthwise) beat one tiny GEMM per channel.
            Depthwise = inChannels == 1 && g.Groups > 1;
        }
    }
}
