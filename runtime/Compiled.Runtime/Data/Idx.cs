using System;
using System.Buffers.Binary;
using System.IO;

namespace Compiled;

/// <summary>
/// Reads IDX files, the format of MNIST and Fashion-MNIST: a 4-byte magic number (two zero bytes, an
/// element-type byte, a dimension-count byte), one big-endian 32-bit size per dimension, then the elements.
/// Only unsigned-byte elements (type 0x08) are supported. Files may be gzip-compressed; compression is
/// detected from the content, whatever the file is called.
/// </summary>
public static class Idx
{
    private const byte UnsignedByte = 0x08;
    private const int ChunkSize = 1 << 16;

    /// <summary>Reads an IDX image file (magic 0x00000803): count × rows × columns unsigned bytes.</summary>
    /// <param name="path">The file, plain or gzip-compressed.</param>
    /// <param name="count">Number of images.</param>
    /// <param name="rows">Rows of each image.</param>
    /// <param name="columns">Columns of each image.</param>
    /// <returns>The pixels, image after image, row-major, scaled from 0..255 to [0, 1].</returns>
    /// <exception cref="InvalidDataException">The file is not a valid unsigned-byte image file, or is truncated.</exception>
    public static float[] ReadImages(string path, out int count, out int rows, out int columns)
    {
        using Stream stream = DataStreams.OpenRead(path);
        return ReadImages(stream, path, out count, out rows, out columns);
    }

    /// <summary>Reads an IDX image file from a stream (plain or gzip-compressed); see <see cref="ReadImages(string, out int, out int, out int)"/>.</summary>
    public static float[] ReadImages(Stream stream, out int count, out int rows, out int columns)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using Stream content = DataStreams.Decompressed(stream, leaveOpen: true);
        return ReadImages(content, "IDX stream", out count, out rows, out columns);
    }

    /// <summary>Reads an IDX label file (magic 0x00000801): one unsigned byte per item.</summary>
    /// <param name="path">The file, plain or gzip-compressed.</param>
    /// <returns>The labels, 0..255.</returns>
    /// <exception cref="InvalidDataException">The file is not a valid unsigned-byte label file, or is truncated.</exception>
    public static int[] ReadLabels(string path)
    {
        using Stream stream = DataStreams.OpenRead(path);
        return ReadLabels(stream, path);
    }

    /// <summary>Reads an IDX label file from a stream (plain or gzip-compressed); see <see cref="ReadLabels(string)"/>.</summary>
    public static int[] ReadLabels(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using Stream content = DataStreams.Decompressed(stream, leaveOpen: true);
        return ReadLabels(content, "IDX stream");
    }

    private static float[] ReadImages(Stream content, string source, out int count, out int rows, out int columns)
    {
        int[] dims = ReadHeader(content, source, dimensionCount: 3, "an image file");
        (count, rows, columns) = (dims[0], dims[1], dims[2]);
        long total = (long)count * rows * columns;
        if (total > Array.MaxLength)
            throw Invalid(source, $"{count} images of {rows}×{columns} pixels are too many to load into one array.");

        var pixels = new float[total];
        ReadElements(content, source, pixels.Length, (chunk, offset) =>
        {
            Span<float> target = pixels.AsSpan(offset, chunk.Length);
            for (int i = 0; i < chunk.Length; i++) target[i] = chunk[i] / 255f;
        });
        return pixels;
    }

    private static int[] ReadLabels(Stream content, string source)
    {
        int count = ReadHeader(content, source, dimensionCount: 1, "a label file")[0];
        var labels = new int[count];
        ReadElements(content, source, count, (chunk, offset) =>
        {
            Span<int> target = labels.AsSpan(offset, chunk.Length);
            for (int i = 0; i < chunk.Length; i++) target[i] = chunk[i];
        });
        return labels;
    }

    /// <summary>Checks the magic number and reads the dimension sizes.</summary>
    private static int[] ReadHeader(Stream content, string source, int dimensionCount, string kind)
    {
        Span<byte> magic = stackalloc byte[4];
        ReadExactly(content, source, magic, "the 4-byte magic number");
        if (magic[0] != 0 || magic[1] != 0)
            throw Invalid(source, $"not an IDX file: it starts with 0x{magic[0]:X2} 0x{magic[1]:X2}, not two zero bytes.");
        if (magic[2] != UnsignedByte)
            throw Invalid(source, $"element type 0x{magic[2]:X2} is not supported; only unsigned bytes (0x08) are.");
        if (magic[3] != dimensionCount)
            throw Invalid(source,
                $"has {magic[3]} dimensions (magic 0x{BinaryPrimitives.ReadInt32BigEndian(magic):X8}); " +
                $"{kind} has {dimensionCount} (magic 0x{0x800 + dimensionCount:X8}).");

        Span<byte> sizes = stackalloc byte[4 * dimensionCount];
        ReadExactly(content, source, sizes, $"the {dimensionCount} dimension sizes");
        var dims = new int[dimensionCount];
        for (int d = 0; d < dimensionCount; d++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(sizes.Slice(4 * d, 4));
            if (size > int.MaxValue)
                throw Invalid(source, $"dimension {d} has the implausible size {size}.");
            dims[d] = (int)size;
        }
        return dims;
    }

    /// <summary>Reads <paramref name="count"/> bytes in large chunks, handing each to <paramref name="store"/> with its offset.</summary>
    private static void ReadElements(Stream content, string source, int count, ChunkAction store)
    {
        var chunk = new byte[Math.Min(ChunkSize, count)];
        for (int offset = 0; offset < count;)
        {
            int want = Math.Min(chunk.Length, count - offset);
            int got = Read(content, source, chunk.AsSpan(0, want));
            if (got < want)
                throw Invalid(source, $"truncated: the header announces {count} data bytes, but the file ends after {offset + got}.");
            store(chunk.AsSpan(0, want), offset);
            offset += want;
        }
    }

    private delegate void ChunkAction(ReadOnlySpan<byte> chunk, int offset);

    private static void ReadExactly(Stream content, string source, Span<byte> buffer, string what)
    {
        int got = Read(content, source, buffer);
        if (got < buffer.Length)
            throw Invalid(source, $"truncated: the file ends after {got} of the {buffer.Length} bytes of {what}.");
    }

    /// <summary>Fills <paramref name="buffer"/> as far as the stream goes; returns how many bytes were read.</summary>
    private static int Read(Stream content, string source, Span<byte> buffer)
    {
        try
        {
            return content.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            // GZipStream reports corrupt compressed data without saying which file it was reading.
            throw Invalid(source, $"corrupt gzip data: {e.Message}", e);
        }
    }

    private static InvalidDataException Invalid(string source, string message, Exception? inner = null) =>
        new($"{source}: {message}", inner);
}
