using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Compiled;

/// <summary>
/// Weights in the safetensors format, named and laid out as PyTorch's <c>state_dict</c> of the equivalent
/// <c>torch.nn</c> model (see <see cref="INetwork.Tensors"/> and docs/interop-pytorch.md):
/// <code>
/// offset  size  field
///      0     8  N, the header's length in bytes (unsigned, little-endian)
///      8     N  header: UTF-8 JSON {"__metadata__": {...}, "name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...}
///    8+N     …  the tensors' bytes, little-endian, each at data_offsets relative to 8+N
/// </code>
/// Only F32 tensors are read and written, plus BatchNorm's int64 scalar <c>num_batches_tracked</c>, which is
/// written as 0 and ignored on import. Every check of <see cref="Read"/> happens before the network changes.
/// </summary>
public static class Safetensors
{
    /// <summary>The largest header <see cref="Read"/> accepts (the python library's limit is 100 MB too).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Writes the network's tensors to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, INetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        Write(stream, network.Tensors, network.Parameters, network.State);
    }

    /// <summary>
    /// Writes tensors described by a table like <see cref="INetwork.Tensors"/>, their values taken from
    /// <paramref name="parameters"/> and <paramref name="state"/> at each tensor's offset: what a network with that
    /// table would write, for a tool that has the weights but not the network (the ONNX importer).
    /// </summary>
    /// <exception cref="ArgumentException">A tensor lies outside its buffer.</exception>
    public static void Write(Stream stream, IReadOnlyList<TensorInfo> tensors, ReadOnlySpan<float> parameters, ReadOnlySpan<float> state)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        foreach (var tensor in tensors)
            if (tensor.Store != TensorStore.BatchCounter
                && (long)tensor.Offset + tensor.Count > (tensor.Store == TensorStore.Parameters ? parameters : state).Length)
                throw new ArgumentException($"Tensor '{tensor.Name}' ({tensor.Count} values at {tensor.Offset}) lies outside its {tensor.Store} buffer.", nameof(tensors));
        var layout = SafetensorsLayout.Of(tensors);
        byte[] header = SafetensorsLayout.Header(layout);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);

        Span<byte> chunk = stackalloc byte[4096];
        foreach (var (tensor, _) in layout)
        {
            if (tensor.Store == TensorStore.BatchCounter)
            {
                chunk[..8].Clear(); // num_batches_tracked: Compiled does not count batches
                stream.Write(chunk[..8]);
                continue;
            }
            ReadOnlySpan<float> values = (tensor.Store == TensorStore.Parameters ? parameters : state).Slice(tensor.Offset, tensor.Count);
            for (int i = 0; i < values.Length;)
            {
                int n = Math.Min(chunk.Length / 4, values.Length - i);
                for (int j = 0; j < n; j++) BinaryPrimitives.WriteSingleLittleEndian(chunk[(4 * j)..], values[i + j]);
                stream.Write(chunk[..(4 * n)]);
                i += n;
            }
        }
    }

    /// <summary>
    /// Writes the network's tensors to <paramref name="path"/> atomically (a temporary file beside it, then a
    /// rename), like <see cref="WeightFile.Save"/>.
    /// </summary>
    /// <exception cref="IOException">The file could not be written; a previous file is untouched.</exception>
    public static void Save(string path, INetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        AtomicFile.Write(path, "safetensors", stream => Write(stream, network));
    }

    /// <summary>Writes tensors (see <see cref="Write(Stream, IReadOnlyList{TensorInfo}, ReadOnlySpan{float}, ReadOnlySpan{float})"/>) to <paramref name="path"/> atomically.</summary>
    /// <exception cref="IOException">The file could not be written; a previous file is untouched.</exception>
    public static void Save(string path, IReadOnlyList<TensorInfo> tensors, float[] parameters, float[] state)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(state);
        AtomicFile.Write(path, "safetensors", stream => Write(stream, tensors, parameters, state));
    }

    /// <summary>
    /// Reads a safetensors file's tensors into the network by name, after checking every name, dtype, shape
    /// and offset; reading stops at the end of the tensors' data.
    /// </summary>
    /// <exception cref="InvalidDataException">The data does not hold exactly this network's tensors, or is damaged; the message names the tensor and what was expected. The network is untouched.</exception>
    public static void Read(Stream stream, INetwork network, string source = "stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(network);
        ReadChecked(stream, network, source, toEnd: false);
    }

    /// <summary>Loads <paramref name="path"/> (see <see cref="Read"/>); the file must end where the tensors' data ends.</summary>
    /// <exception cref="InvalidDataException">The file is not a safetensors file of this network's tensors; the network is untouched.</exception>
    public static void Load(string path, INetwork network)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(network);
        string source = $"Safetensors file '{path}'";
        if (Directory.Exists(path))
            throw new InvalidDataException($"{source} is a directory, not a safetensors file.");
        // Buffered: the data is read in 4 KB chunks.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        ReadChecked(stream, network, source, toEnd: true);
    }

    private static void ReadChecked(Stream stream, INetwork network, string source, bool toEnd)
    {
        var tensors = network.Tensors;
        var (offsets, dataLength) = SafetensorsHeader.Read(stream, tensors, source);
        long available = stream.CanSeek ? stream.Length - stream.Position : long.MaxValue;
        if (toEnd && available > dataLength)
            throw new InvalidDataException($"{source} has {available - dataLength} bytes after the tensors' data: it is not exactly one safetensors file.");

        // Staging: copies of both buffers, filled tensor by tensor in the order of their data (the offsets
        // tile it, so this reads the stream front to back); the network changes only after the last byte.
        // Memory is the network's size, never a size the header claims.
        float[] parameters = network.Parameters.ToArray(), state = network.State.ToArray();
        Span<byte> chunk = stackalloc byte[4096];
        foreach (int t in Enumerable.Range(0, tensors.Count).OrderBy(t => offsets[t]))
        {
            var tensor = tensors[t];
            if (tensor.Store == TensorStore.BatchCounter)
            {
                ReadExactly(stream, chunk[..8], source, tensor); // accepted, not kept
                continue;
            }
            Span<float> target = (tensor.Store == TensorStore.Parameters ? parameters : state).AsSpan(tensor.Offset, tensor.Count);
            for (int i = 0; i < target.Length;)
            {
                int n = Math.Min(chunk.Length / 4, target.Length - i);
                ReadExactly(stream, chunk[..(4 * n)], source, tensor);
                for (int j = 0; j < n; j++) target[i + j] = BinaryPrimitives.ReadSingleLittleEndian(chunk[(4 * j)..]);
                i += n;
            }
        }
        parameters.CopyTo(network.Parameters);
        state.CopyTo(network.State);
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string source, TensorInfo tensor)
    {
        if (stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) < buffer.Length)
            throw new InvalidDataException($"{source} is truncated: it ends inside the data of tensor '{tensor.Name}'.");
    }
}
