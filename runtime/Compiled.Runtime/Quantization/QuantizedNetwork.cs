using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.Intrinsics;
using Compiled.Kernels;

namespace Compiled;

/// <summary>
/// Inference of a dense network with 8-bit integer weights: a copy of a trained network's Dense layers, each weight row
/// quantized symmetrically with its own scale (w ≈ scale_j · q, q ∈ [−127, 127], scale_j = max_k |w_jk| / 127), and each
/// layer's input quantized to unsigned bytes when it arrives (dynamic quantization: its own range per sample, 0 exact),
/// so that a layer's product is integer arithmetic over a quarter of the fp32 bytes (AVX-VNNI's 32 byte products per
/// instruction where the CPU has it). Biases and activations stay in float.
/// </summary>
/// <remarks>
/// <para>
/// Made by <see cref="Quantize"/> from any network whose layers are Dense, Dropout (identity at inference), Flatten and
/// Activation; the copy does not follow later changes to the network's weights. Saved and loaded with
/// <see cref="Save(string)"/> / <see cref="Load(string)"/> (its own small format, checked by a CRC-32), so an app can ship
/// only the quantized file. <see cref="Predict(ReadOnlySpan{float}, Span{float})"/> is thread-safe and allocates nothing after a thread's first call.
/// </para>
/// <para>
/// Results are the same bits on every machine (the products are exact integer sums; the float steps are the same
/// operations on every path). They differ from the fp32 network's by the rounding of the weights and inputs: for one
/// layer, |error_j| ≤ Σ_k (|w_jk| · Δx / 2 + |x_k| · Δw_j / 2 + Δx · Δw_j / 4) with Δx, Δw_j the input's and the row's
/// steps. docs/quantization.md has the measured accuracy and speed.
/// </para>
/// </remarks>
public sealed unsafe class QuantizedNetwork
{
    private const uint Magic = 0x5150_4D43; // "CMPQ" little-endian
    private const int FormatVersion = 1;

    private readonly Layer[] _layers;
    private readonly int _maxWidth, _maxPadded;

    [ThreadStatic] private static float[]? t_a, t_b;
    [ThreadStatic] private static byte[]? t_q;
    [ThreadStatic] private static int[]? t_acc;

    private QuantizedNetwork(Layer[] layers)
    {
        _layers = layers;
        InputSize = layers[0].Inputs;
        OutputSize = layers[^1].Outputs;
        _maxWidth = layers.Max(l => Math.Max(l.Inputs, l.Outputs));
        _maxPadded = layers.Max(l => Int8Gemv.Padded(l.Inputs));
    }

    /// <summary>Values per sample in.</summary>
    public int InputSize { get; }

    /// <summary>Values per sample out (as the network's Predict: the last layer's activation, logits for softmax cross-entropy).</summary>
    public int OutputSize { get; }

    /// <summary>Bytes of quantized weights (one per weight) and of float scales and biases.</summary>
    public long WeightBytes => _layers.Sum(l => l.Weights is null ? 0 : (long)l.Outputs * l.Inputs + 8L * l.Outputs);

    /// <summary>The layers, e.g. "784 → 128 (int8, ReLU), 128 → 10 (int8)".</summary>
    public override string ToString() => string.Join(", ", _layers.Select(l =>
        l.Weights is null ? $"{l.Activation}" : $"{l.Inputs} → {l.Outputs} (int8{(l.Activation == InferenceActivation.Identity ? "" : ", " + l.Activation)})"));

    /// <summary>
    /// A quantized copy of <paramref name="network"/>'s weights (the network is not changed).
    /// </summary>
    /// <exception cref="NotSupportedException">A layer is not Dense, Dropout, Flatten or Activation, or has an activation this class lacks.</exception>
    /// <exception cref="ArgumentException">The network lists no layers, or a weight is not finite, or a layer has more than 65,536 inputs.</exception>
    public static QuantizedNetwork Quantize(INetwork network)
    {
        var layers = new List<Layer>();
        foreach (DenseStackLayer l in DenseStack.Read(network, nameof(QuantizedNetwork)))
            layers.Add(l.Weights is null
                ? new Layer { Inputs = l.Inputs, Outputs = l.Outputs, Activation = l.Activation, Alpha = l.Alpha }
                : Layer.Dense(l.Name, l.Weights, l.Inputs, l.Outputs, l.Bias!, l.Activation, l.Alpha));
        if (!layers.Any(l => l.Weights is not null))
            throw new NotSupportedException($"{network.GetType().Name} has no Dense layer to quantize.");
        return new QuantizedNetwork(layers.ToArray());
    }

    /// <summary>
    /// Predicts the samples stored one after another in <paramref name="inputs"/> (InputSize values each) into
    /// <paramref name="outputs"/> (OutputSize each). Thread-safe; allocates nothing after the thread's first call.
    /// </summary>
    /// <exception cref="ArgumentException">A length is wrong, or an input or an intermediate value is NaN or infinite.</exception>
    public void Predict(ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        int count = DenseStack.CheckBatch(inputs, InputSize, outputs.Length, OutputSize);
        int chunks = (count + Chunk - 1) / Chunk;
        fixed (float* px = inputs, py = outputs)
        {
            if (chunks == 1)
            {
                // One chunk (a single sample, a small batch): on this thread, without the job's handle (batch-1 latency).
                PredictChunk(px, py, count, 0);
                return;
            }
            // Whole chunks on several threads: each sample's result is the same bits whoever computes it (its input is
            // quantized on its own, and the integer sums are exact).
            var job = new PredictJob { Network = System.Runtime.InteropServices.GCHandle.Alloc(this), Inputs = px, Outputs = py, Count = count };
            try
            {
                ConvolutionWorkers.RunAll(chunks, Sgemm.MaxThreads, &PredictPart, &job);
            }
            finally
            {
                job.Network.Free();
            }
        }
    }

    private struct PredictJob
    {
        public System.Runtime.InteropServices.GCHandle Network;
        public float* Inputs, Outputs;
        public int Count;
    }

    private static void PredictPart(void* arguments, int chunk)
    {
        ref PredictJob job = ref System.Runtime.CompilerServices.Unsafe.AsRef<PredictJob>(arguments);
        ((QuantizedNetwork)job.Network.Target!).PredictChunk(job.Inputs, job.Outputs, job.Count, chunk);
    }

    /// <summary>Samples [chunk · Chunk, …) of <paramref name="count"/> through every layer, in this thread's buffers.</summary>
    private void PredictChunk(float* inputs, float* outputs, int count, int chunk)
    {
        float[] a = Grown(ref t_a, Chunk * _maxWidth), b = Grown(ref t_b, Chunk * _maxWidth);
        byte[] q = Grown(ref t_q, Chunk * _maxPadded);
        int[] acc = Grown(ref t_acc, Chunk * _maxWidth);
        int start = chunk * Chunk, rows = Math.Min(Chunk, count - start);
        ReadOnlySpan<float> x = new ReadOnlySpan<float>(inputs + (long)start * InputSize, rows * InputSize);
        bool toA = true;
        foreach (Layer layer in _layers)
        {
            Span<float> y = (toA ? a : b).AsSpan(0, rows * layer.Outputs);
            if (layer.Weights is not null) layer.Forward(x, rows, y, q, acc);
            else x.CopyTo(y);
            for (int s = 0; s < rows; s++) DenseStack.Activate(layer.Activation, layer.Alpha, y.Slice(s * layer.Outputs, layer.Outputs));
            x = y;
            toA = !toA;
        }
        x.CopyTo(new Span<float>(outputs + (long)start * OutputSize, rows * OutputSize));
    }

    /// <summary>Samples per pass through the layers (their activations stay in L1/L2 between layers).</summary>
    private const int Chunk = 32;

    /// <summary>Predicts the samples into a new array (convenient; allocates).</summary>
    public float[] Predict(ReadOnlySpan<float> inputs)
    {
        var outputs = new float[DenseStack.Samples(inputs, InputSize) * OutputSize];
        Predict(inputs, outputs);
        return outputs;
    }

    private static T[] Grown<T>(ref T[]? buffer, int length) => buffer is not null && buffer.Length >= length ? buffer : buffer = new T[length];

    /// <summary>Writes the quantized network to <paramref name="path"/> (replaced atomically: a failed save leaves the old file).</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, "the quantized network", s => Save(s));
    }

    /// <summary>Writes the quantized network to <paramref name="stream"/>: a header, the layers, then a CRC-32 of all of it.</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var body = new MemoryStream();
        using (var w = new BinaryWriter(body, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(FormatVersion);
            w.Write(_layers.Length);
            foreach (Layer layer in _layers)
            {
                w.Write(layer.Weights is null ? (byte)0 : (byte)1);
                w.Write((byte)layer.Activation);
                w.Write(layer.Alpha);
                w.Write(layer.Inputs);
                w.Write(layer.Outputs);
                if (layer.Weights is null) continue;
                foreach (float s in layer.Scales!) w.Write(s);
                foreach (float v in layer.Bias!) w.Write(v);
                int padded = Int8Gemv.Padded(layer.Inputs);
                for (int j = 0; j < layer.Outputs; j++)
                    w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(layer.Weights.AsSpan(j * padded, layer.Inputs)));
            }
        }
        ReadOnlySpan<byte> bytes = body.GetBuffer().AsSpan(0, (int)body.Length);
        stream.Write(bytes);
        Span<byte> crc = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(crc, Crc32.Final(Crc32.Update(Crc32.Initial, bytes)));
        stream.Write(crc);
    }

    /// <summary>Reads a quantized network written by <see cref="Save(string)"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a quantized network, is damaged (CRC), truncated, or of a newer format.</exception>
    public static QuantizedNetwork Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = File.OpenRead(path);
        try
        {
            return Load(stream);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Reads a quantized network written by <see cref="Save(Stream)"/>; the stream is read to its end.</summary>
    /// <exception cref="InvalidDataException">The data is not a quantized network, is damaged (CRC), truncated, or of a newer format.</exception>
    public static QuantizedNetwork Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        byte[] all = copy.GetBuffer();
        int length = (int)copy.Length;
        if (length < 16)
            throw new InvalidDataException($"Not a quantized network: {length} bytes, shorter than the header.");
        if (System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(all) != Magic)
            throw new InvalidDataException("Not a quantized network (no CMPQ header): Load reads files written by QuantizedNetwork.Save.");
        uint stored = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(all.AsSpan(length - 4));
        uint actual = Crc32.Final(Crc32.Update(Crc32.Initial, all.AsSpan(0, length - 4)));
        if (stored != actual)
            throw new InvalidDataException($"The quantized network is damaged: its CRC-32 is {actual:X8}, the file says {stored:X8}.");
        using var r = new BinaryReader(new MemoryStream(all, 4, length - 8));
        try
        {
            int version = r.ReadInt32();
            if (version != FormatVersion)
                throw new InvalidDataException($"The quantized network has format version {version}; this library reads version {FormatVersion}.");
            int count = r.ReadInt32();
            if (count < 1 || count > 10_000) throw new InvalidDataException($"The quantized network says it has {count} layers.");
            var layers = new Layer[count];
            for (int i = 0; i < count; i++)
            {
                byte kind = r.ReadByte(), activation = r.ReadByte();
                float alpha = r.ReadSingle();
                int inputs = r.ReadInt32(), outputs = r.ReadInt32();
                if (kind > 1 || !Enum.IsDefined((InferenceActivation)activation) || inputs < 1 || outputs < 1 || inputs > Int8Gemv.MaxInputs
                    || (kind == 0 && inputs != outputs) || (i > 0 && layers[i - 1].Outputs != inputs))
                    throw new InvalidDataException($"Layer {i + 1} of the quantized network is malformed (kind {kind}, activation {activation}, {inputs} → {outputs}).");
                if (kind == 0)
                {
                    layers[i] = new Layer { Inputs = inputs, Outputs = outputs, Activation = (InferenceActivation)activation, Alpha = alpha };
                    continue;
                }
                // Checked before allocating: a header whose sizes exceed what follows is truncated, however large it claims.
                if ((long)outputs * (inputs + 8) > r.BaseStream.Length - r.BaseStream.Position) throw new EndOfStreamException();
                var scales = new float[outputs];
                var bias = new float[outputs];
                for (int j = 0; j < outputs; j++) scales[j] = r.ReadSingle();
                for (int j = 0; j < outputs; j++) bias[j] = r.ReadSingle();
                int padded = Int8Gemv.Padded(inputs);
                var weights = new sbyte[(long)outputs * padded];
                for (int j = 0; j < outputs; j++)
                {
                    byte[] row = r.ReadBytes(inputs);
                    if (row.Length != inputs) throw new EndOfStreamException();
                    System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(row).CopyTo(weights.AsSpan(j * padded, inputs));
                }
                layers[i] = Layer.FromQuantized(inputs, outputs, weights, scales, bias, (InferenceActivation)activation, alpha);
            }
            if (r.BaseStream.Position != r.BaseStream.Length)
                throw new InvalidDataException($"The quantized network has {r.BaseStream.Length - r.BaseStream.Position} bytes after its last layer.");
            if (!layers.Any(l => l.Weights is not null)) throw new InvalidDataException("The quantized network has no quantized layer.");
            return new QuantizedNetwork(layers);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("The quantized network is truncated.");
        }
    }

    private sealed class Layer
    {
        public int Inputs, Outputs;
        public InferenceActivation Activation;
        public float Alpha;
        /// <summary>[Outputs × Padded(Inputs)], each row zero-padded; null for an activation-only layer.</summary>
        public sbyte[]? Weights;
        public float[]? Scales, Bias;
        public int[]? RowSums;
        /// <summary>The weights with eight rows interleaved (Int8Gemv.Interleave), for one sample on the AVX-VNNI path.</summary>
        public sbyte[]? Interleaved;
        public int InterleavedStart;

        public static Layer Dense(string name, ReadOnlySpan<float> w, int inputs, int outputs, float[] bias, InferenceActivation activation, float alpha)
        {
            if (inputs > Int8Gemv.MaxInputs)
                throw new ArgumentException($"Layer '{name}' has {inputs} inputs: QuantizedNetwork's integer sums take at most {Int8Gemv.MaxInputs}.");
            int padded = Int8Gemv.Padded(inputs);
            var q = new sbyte[(long)outputs * padded];
            var scales = new float[outputs];
            for (int j = 0; j < outputs; j++)
            {
                ReadOnlySpan<float> row = w.Slice(j * inputs, inputs);
                float max = 0f;
                foreach (float v in row)
                {
                    if (!float.IsFinite(v)) throw new ArgumentException($"Layer '{name}' has a weight of {v} in row {j}: only finite weights can be quantized.");
                    max = MathF.Max(max, MathF.Abs(v));
                }
                float scale = max / 127f;
                scales[j] = scale;
                if (scale == 0f) continue; // an all-zero row stays zero
                for (int k = 0; k < inputs; k++)
                    q[(long)j * padded + k] = (sbyte)Math.Clamp((int)MathF.Round(row[k] / scale), -127, 127);
            }
            return FromQuantized(inputs, outputs, q, scales, bias, activation, alpha);
        }

        public static Layer FromQuantized(int inputs, int outputs, sbyte[] weights, float[] scales, float[] bias, InferenceActivation activation, float alpha)
        {
            int padded = Int8Gemv.Padded(inputs);
            var sums = new int[outputs];
            for (int j = 0; j < outputs; j++)
            {
                int s = 0;
                for (int k = 0; k < inputs; k++) s += weights[(long)j * padded + k];
                sums[j] = s;
            }
            sbyte[] interleaved = Int8Gemv.Interleave(weights, outputs, padded, out int start);
            return new Layer
            {
                Inputs = inputs, Outputs = outputs, Weights = weights, Scales = scales, Bias = bias, RowSums = sums,
                Interleaved = interleaved, InterleavedStart = start, Activation = activation, Alpha = alpha,
            };
        }

        /// <summary>y[s, j] = Δx_s · Δw_j · (Σ_k q_sk · w_jk − zeroPoint_s · Σ_k w_jk) + bias_j for each of the <paramref name="samples"/>.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public void Forward(ReadOnlySpan<float> x, int samples, Span<float> y, byte[] q, int[] acc)
        {
            int padded = Int8Gemv.Padded(Inputs);
            // The kernels write through pointers: a buffer too short would corrupt memory, not throw.
            if ((long)samples * padded > q.Length || (long)samples * Outputs > acc.Length || (long)samples * Outputs > y.Length)
                throw new InvalidOperationException($"QuantizedNetwork's buffers are too short for {samples} samples of layer {Inputs} → {Outputs}.");
            Span<float> scales = stackalloc float[samples];
            Span<int> zeroPoints = stackalloc int[samples];
            fixed (byte* pq = q)
            fixed (sbyte* pw = Weights)
            fixed (int* pacc = acc)
            {
                for (int s = 0; s < samples; s++)
                    (scales[s], zeroPoints[s]) = Int8Gemv.Quantize(x.Slice(s * Inputs, Inputs), pq + (long)s * padded, padded);
                if (samples == 1 && Int8Gemv.CurrentPath == "vnni")
                    fixed (sbyte* pi = Interleaved) Int8Gemv.MultiplyInterleaved(pq, pi + InterleavedStart, Outputs, padded, pacc);
                else
                    Int8Gemv.Multiply(pq, samples, pw, Outputs, padded, pacc);
                bool vector = Vector256.IsHardwareAccelerated && Sgemm.CurrentPath != "scalar";
                fixed (int* sums = RowSums)
                fixed (float* ws = Scales, pb = Bias, py = y)
                {
                    for (int s = 0; s < samples; s++)
                    {
                        // Σ (q − zeroPoint) · w = acc − zeroPoint · Σ w, exact in 32 bits (|q − zeroPoint| ≤ 255, |w| ≤ 127, at
                        // most 2¹⁶ inputs); then the same float steps in the vector and scalar loops: convert, ·(Δx · Δw), + bias.
                        float scale = scales[s];
                        int zeroPoint = zeroPoints[s];
                        int* row = pacc + (long)s * Outputs;
                        float* ys = py + (long)s * Outputs;
                        int j = 0;
                        if (vector)
                        {
                            Vector256<int> zp = Vector256.Create(zeroPoint);
                            Vector256<float> sx = Vector256.Create(scale);
                            for (; j + 8 <= Outputs; j += 8)
                            {
                                Vector256<float> z = Vector256.ConvertToSingle(Vector256.Load(row + j) - zp * Vector256.Load(sums + j));
                                Vector256.Store(z * (sx * Vector256.Load(ws + j)) + Vector256.Load(pb + j), ys + j);
                            }
                        }
                        for (; j < Outputs; j++)
                            ys[j] = (float)(row[j] - zeroPoint * sums[j]) * (scale * ws[j]) + pb[j];
                    }
                }
            }
        }
    }
}
