using System;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Compiled.Kernels;

namespace Compiled;

/// <summary>
/// Batched fp32 inference of a dense network with its weights packed once: a copy of a trained network's Dense layers
/// whose weight matrices are stored in the SGEMM micro-kernel's panel layout, so that a batch's products read them as
/// they are instead of packing them on every call as the network's own <c>Predict</c> does (it cannot keep a packed
/// copy: its weights may change through <see cref="INetwork.Parameters"/> at any time). Bias and activation are applied
/// to each tile of a product as it is finished.
/// </summary>
/// <remarks>
/// <para>
/// Made by <see cref="Pack"/> from any network whose layers are Dense, Dropout (identity at inference), Flatten and
/// Activation; the copy does not follow later changes to the network's weights: pack again after training or loading.
/// It holds each weight three times (the packed panels; the rows, for batches of 2 to 4 samples and for layers narrower
/// than a register tile, which other kernels read as rows; and eight rows interleaved for one sample, read as one stream:
/// <see cref="Kernels.InterleavedGemv"/>), so <see cref="WeightBytes"/> is about three times the network's.
/// </para>
/// <para>
/// <see cref="Predict(ReadOnlySpan{float}, Span{float})"/> is thread-safe and allocates nothing after a thread's first
/// call. A batch is split into chunks of 8 to 128 samples, spread over <see cref="Sgemm.MaxThreads"/> threads; each
/// sample's outputs are the same bits whichever chunk or thread computes it. They equal the network's own
/// <c>Predict</c> up to rounding (the same products, summed in the same order within a K block of 256 inputs or
/// fewer, where the network's few-row and batch kernels may differ): docs/performance.md has the speed.
/// </para>
/// </remarks>
public sealed unsafe class PackedNetwork
{
    private readonly Layer[] _layers;
    private readonly int _maxWidth, _maxChunk;

    [ThreadStatic] private static float[]? t_a, t_b;

    private PackedNetwork(Layer[] layers, string path)
    {
        _layers = layers;
        Path = path;
        InputSize = layers[0].Inputs;
        OutputSize = layers[^1].Outputs;
        _maxWidth = layers.Max(l => Math.Max(l.Inputs, l.Outputs));
        _maxChunk = MaxChunkFor(_maxWidth);
    }

    /// <summary>Values per sample in.</summary>
    public int InputSize { get; }

    /// <summary>Values per sample out (as the network's Predict: the last layer's activation, logits for softmax cross-entropy).</summary>
    public int OutputSize { get; }

    /// <summary>
    /// The SGEMM path the weights were packed for (<see cref="Sgemm.Path"/> when packed). A thread whose products take
    /// another path (a test forcing one) computes with the unpacked rows instead: the same results as the network.
    /// </summary>
    public string Path { get; }

    /// <summary>Bytes held for weights and biases: the packed panels (zero-padded to the tile width), the rows and the biases.</summary>
    public long WeightBytes => _layers.Sum(l => l.Weights is null ? 0 : 4L * (l.PackedLength + l.Weights.Length + l.Bias!.Length));

    /// <summary>The layers, e.g. "784 → 128 (packed, ReLU), 128 → 10 (rows)": "rows" where the layer is too narrow to pack.</summary>
    public override string ToString() => string.Join(", ", _layers.Select(l =>
        l.Weights is null ? $"{l.Activation}"
            : $"{l.Inputs} → {l.Outputs} ({(l.Packed is null ? "rows" : "packed")}{(l.Activation == InferenceActivation.Identity ? "" : ", " + l.Activation)})"));

    /// <summary>A copy of <paramref name="network"/>'s weights, packed for this machine's SGEMM path (the network is not changed).</summary>
    /// <exception cref="NotSupportedException">A layer is not Dense, Dropout, Flatten or Activation, or has an activation this class lacks, or there is no Dense layer.</exception>
    /// <exception cref="ArgumentException">The network lists no layers.</exception>
    public static PackedNetwork Pack(INetwork network)
    {
        string path = Sgemm.CurrentPath;
        var layers = DenseStack.Read(network, nameof(PackedNetwork))
            .Select(l => new Layer(l.Inputs, l.Outputs, l.Weights, l.Bias, l.Activation, l.Alpha, path)).ToArray();
        if (!layers.Any(l => l.Weights is not null))
            throw new NotSupportedException($"{network.GetType().Name} has no Dense layer to pack.");
        return new PackedNetwork(layers, path);
    }

    /// <summary>
    /// Predicts the samples stored one after another in <paramref name="inputs"/> (InputSize values each) into
    /// <paramref name="outputs"/> (OutputSize each). Thread-safe; allocates nothing after the thread's first call.
    /// </summary>
    /// <exception cref="ArgumentException">A length is wrong.</exception>
    public void Predict(ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        int count = DenseStack.CheckBatch(inputs, InputSize, outputs.Length, OutputSize);
        // A thread forced onto another SGEMM path (tests) computes from the rows, on itself only: the workers are not forced.
        bool packed = Sgemm.CurrentPath == Path;
        int threads = packed ? Sgemm.MaxThreads : 1;
        int chunks = Chunks(count, threads, _maxChunk);
        fixed (float* px = inputs, py = outputs)
        {
            var job = new PredictJob { Inputs = px, Outputs = py, Count = count, Chunks = chunks, Packed = packed };
            if (chunks == 1)
            {
                // One chunk (a single sample, a small batch): on this thread, without the job's handle (batch-1 latency).
                PredictChunk(ref job, 0);
                return;
            }
            job.Network = GCHandle.Alloc(this);
            try
            {
                ConvolutionWorkers.RunAll(chunks, threads, &PredictPart, &job);
            }
            finally
            {
                job.Network.Free();
            }
        }
    }

    /// <summary>Predicts the samples into a new array (convenient; allocates).</summary>
    public float[] Predict(ReadOnlySpan<float> inputs)
    {
        var outputs = new float[DenseStack.Samples(inputs, InputSize) * OutputSize];
        Predict(inputs, outputs);
        return outputs;
    }

    /// <summary>Most samples in one pass through the layers (a batch of 128 in one product per layer).</summary>
    internal const int MaxChunk = 128;

    /// <summary>
    /// Samples per pass for layers up to <paramref name="maxWidth"/> wide: <see cref="MaxChunk"/>, fewer for layers
    /// so wide that a thread's two activation buffers (2 × chunk × width floats) would pass 32 MB, at least 1.
    /// </summary>
    internal static int MaxChunkFor(int maxWidth) => Math.Clamp((1 << 22) / Math.Max(1, maxWidth), 1, MaxChunk);

    /// <summary>Fewest samples in a chunk of a batch that has several: more than the few-row kernels take, so that every
    /// sample of such a batch goes through the packed product (and its bits do not depend on the chunking).</summary>
    internal const int MinChunk = 8;

    /// <summary>
    /// Chunks for <paramref name="count"/> samples: at least one per <paramref name="maxChunk"/> samples, one per thread
    /// when the batch allows, each of at least <see cref="MinChunk"/> samples unless the batch (or the chunk limit) is
    /// smaller; chunk i is samples [i · count / chunks, (i + 1) · count / chunks).
    /// </summary>
    internal static int Chunks(int count, int threads, int maxChunk = MaxChunk)
    {
        int chunks = (int)(((long)count + maxChunk - 1) / maxChunk);
        int spread = (int)Math.Min(((long)chunks + threads - 1) / threads * threads, int.MaxValue);
        return Math.Max(chunks, Math.Min(spread, count / MinChunk));
    }

    private struct PredictJob
    {
        public GCHandle Network;
        public float* Inputs, Outputs;
        public int Count, Chunks;
        public bool Packed;
    }

    private static void PredictPart(void* arguments, int chunk)
    {
        ref PredictJob job = ref Unsafe.AsRef<PredictJob>(arguments);
        ((PackedNetwork)job.Network.Target!).PredictChunk(ref job, chunk);
    }

    private void PredictChunk(ref PredictJob job, int chunk)
    {
        (int start, int rows) = ChunkedInference.Range(chunk, job.Count, job.Chunks);
        float[] a = Grown(ref t_a, _maxChunk * _maxWidth), b = Grown(ref t_b, _maxChunk * _maxWidth);
        ReadOnlySpan<float> x = new ReadOnlySpan<float>(job.Inputs + (long)start * InputSize, rows * InputSize);
        bool toA = true;
        foreach (Layer layer in _layers)
        {
            Span<float> y = (toA ? a : b).AsSpan(0, rows * layer.Outputs);
            if (layer.Weights is not null) layer.Forward(x, rows, y, job.Packed);
            else
            {
                x.CopyTo(y);
                for (int s = 0; s < rows; s++) DenseStack.Activate(layer.Activation, layer.Alpha, y.Slice(s * layer.Outputs, layer.Outputs));
            }
            x = y;
            toA = !toA;
        }
        x.CopyTo(new Span<float>(job.Outputs + (long)start * OutputSize, rows * OutputSize));
    }

    private static float[] Grown(ref float[]? buffer, int length) => buffer is not null && buffer.Length >= length ? buffer : buffer = new float[length];

    private sealed class Layer
    {
        public readonly int Inputs, Outputs;
        public readonly float[]? Weights, Bias;
        public readonly InferenceActivation Activation;
        public readonly float Alpha;

        /// <summary>The weights in the SGEMM kernel's panels, or null when not packed.</summary>
        public readonly Panels? Packed;

        /// <summary>The weights with eight rows interleaved, for one-sample products (null on the scalar path).</summary>
        public readonly InterleavedGemv? OneRow;

        public long PackedLength => (Packed?.Length ?? 0) + (OneRow?.Length ?? 0);

        public Layer(int inputs, int outputs, float[]? weights, float[]? bias, InferenceActivation activation, float alpha, string path)
        {
            (Inputs, Outputs, Weights, Bias, Activation, Alpha) = (inputs, outputs, weights, bias, activation, alpha);
            if (weights is not null)
                OneRow = InterleavedGemv.Create(path, weights, outputs, inputs);
            if (weights is not null)
                Packed = path switch
                {
                    "avx512" => Panels<Avx512Kernel>.Pack(weights, inputs, outputs),
                    "avx2" => Panels<Avx2Kernel>.Pack(weights, inputs, outputs),
                    "vector128" => Panels<Vector128Kernel>.Pack(weights, inputs, outputs),
                    _ => Panels<ScalarKernel>.Pack(weights, inputs, outputs),
                };
        }

        /// <summary>y = activation(x · Wᵀ + bias) for <paramref name="rows"/> samples; Softmax over each sample's row after the product.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Forward(ReadOnlySpan<float> x, int rows, Span<float> y, bool packedPath)
        {
            var epilogue = new BiasActivation(Bias!, Activation == InferenceActivation.Softmax ? InferenceActivation.Identity : Activation, Alpha);
            if (Packed is not null && packedPath && rows > SgemmSmall.MaxRows)
                Packed.Multiply(ref MemoryMarshal.GetReference(x), rows, ref MemoryMarshal.GetReference(y), ref epilogue);
            else if (OneRow is not null && packedPath && rows == 1)
            {
                OneRow.Multiply(x, y);
                epilogue.Apply(y.Slice(0, Outputs), 0, 0);
            }
            else
                Sgemm.Multiply(false, true, rows, Outputs, Inputs, 1f, x, Inputs, Weights, Inputs, 0f, y, Outputs, ref epilogue);
            if (Activation == InferenceActivation.Softmax)
                for (int s = 0; s < rows; s++) DenseStack.Activate(Activation, Alpha, y.Slice(s * Outputs, Outputs));
        }
    }

    /// <summary>A layer's weights packed once into one kernel's panels, and its products with them.</summary>
    private abstract class Panels
    {
        /// <summary>Floats of the panels (without the alignment slack).</summary>
        public abstract long Length { get; }

        /// <summary>y = x · Wᵀ for <paramref name="rows"/> samples, then the epilogue on each finished tile.</summary>
        public abstract void Multiply(ref float x, int rows, ref float y, ref BiasActivation epilogue);
    }

    private sealed class Panels<TKernel> : Panels where TKernel : struct, ISgemmMicroKernel
    {
        private readonly int _inputs, _outputs, _start;
        private readonly long _length;
        private readonly float[] _panels; // pinned; the panels start at _start, on a 64-byte boundary

        private Panels(float[] weights, int inputs, int outputs, long length)
        {
            (_inputs, _outputs, _length) = (inputs, outputs, length);
            _panels = GC.AllocateUninitializedArray<float>((int)length + 16, pinned: true);
            _start = SgemmBlocked.AlignedOffset(_panels);
            SgemmBlocked.PrepackB<TKernel>(true, outputs, inputs, ref MemoryMarshal.GetArrayDataReference(weights), inputs, ref Start);
        }

        /// <summary>
        /// The packed copy, or null for a layer narrower than the kernel's tile (SgemmNarrow or the dot products read
        /// its rows) or too large to hold twice.
        /// </summary>
        public static Panels? Pack(float[] weights, int inputs, int outputs)
        {
            if (outputs < TKernel.NR) return null;
            long length = SgemmBlocked.PrepackedLength<TKernel>(outputs, inputs);
            return length > Array.MaxLength - 16 ? null : new Panels<TKernel>(weights, inputs, outputs, length);
        }

        public override long Length => _length;

        private ref float Start => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_panels), _start);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Multiply(ref float x, int rows, ref float y, ref BiasActivation epilogue) =>
            SgemmBlocked.Multiply<TKernel, BiasActivation>(false, true, rows, _outputs, _inputs, 1f, ref x, _inputs, ref Start, _inputs,
                0f, ref y, _outputs, ref epilogue, prepackedB: true);
    }

    /// <summary>z + bias, then an element-wise activation, on each finished segment of a layer's product.</summary>
    private readonly struct BiasActivation : IGemmEpilogue
    {
        private readonly float[] _bias;
        private readonly InferenceActivation _activation;
        private readonly float _alpha;

        public BiasActivation(float[] bias, InferenceActivation activation, float alpha) => (_bias, _activation, _alpha) = (bias, activation, alpha);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Apply(Span<float> segment, int row, int column)
        {
            ReadOnlySpan<float> bias = _bias.AsSpan(column, segment.Length);
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
                for (; i + 8 <= segment.Length; i += 8)
                    (Vector256.Create(segment.Slice(i, 8)) + Vector256.Create(bias.Slice(i, 8))).CopyTo(segment.Slice(i, 8));
            for (; i < segment.Length; i++) segment[i] += bias[i];
            DenseStack.Activate(_activation, _alpha, segment);
        }
    }
}
