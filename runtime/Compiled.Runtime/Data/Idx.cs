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
/// <remarks>
/// Headers are checked before anything is allocated: images must have at least one pixel, and the data
/// must fit in one array (at most <see cref="Array.MaxLength"/> elements). The file must then hold exactly
/// the announced data bytes, no fewer and no more; gzip files are also checked against their CRC-32 and
/// length trailer (concatenated multi-member gzip files are rejected). Every failure is an
/// <see cref="InvalidDataException"/> whose message starts with the file name (or "IDX stream") and gives
/// the byte offset in the decompressed content where it can.
/// </remarks>
public static class Idx
{
    private const byte UnsignedByte = 0x08;

    /// <summary>How errors name a stream that has no file name.</summary>
    private const string Source = "IDX stream";
    private const int ChunkSize = 1 << 16;

    /// <summary>Elements allocated up front when the data size cannot be checked before reading (gzip, pipes).</summary>
    private const int InitialCapacity = 1 << 16;

    /// <summary>Reads an IDX image file (magic 0x00000803): count × rows × columns unsigned bytes.</summary>
    /// <param name="path">The file, plain or gzip-compressed.</param>
    /// <param name="count">Number of images.</param>
    /// <param name="rows">Rows of each image.</param>
    /// <param name="columns">Columns of each image.</param>
    /// <returns>The pixels, image after image, row-major, scaled from 0..255 to [0, 1].</returns>
    /// <exception cref="InvalidDataException">
/// The file is not a valid unsigned-byte image file, its header announces a size it does not hold
/// (truncated, too long, too large for one array, zero-sized images), or its gzip data is corrupt.
/// </exception>
    public static float[] ReadImages(string path, out int count, out int rows, out int columns)
    {
        using Stream stream = DataStreams.OpenRead(path);
        return ReadImages(stream, path, out count, out rows, out columns);
    }

    /// <summary>Reads an IDX image file from a stream (plain or gzip-compressed); see <see cref="ReadImages(string, out int, out int, out int)"/>.</summary>
    public static float[] ReadImages(Stream stream, out int count, out int rows, out int columns)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using Stream content = DataStreams.Decompressed(stream, leaveOpen: true, Source);
        return ReadImages(content, Source, out count, out rows, out columns);
    }

    /// <summary>Reads an IDX label file (magic 0x00000801): one unsigned byte per item.</summary>
    /// <param name="path">The file, plain or gzip-compressed.</param>
    /// <returns>The labels, 0..255.</returns>
    /// <exception cref="InvalidDataException">
/// The file is not a valid unsigned-byte label file, its header announces a count it does not hold
/// (truncated or too long), or its gzip data is corrupt.
/// </exception>
    public static int[] ReadLabels(string path)
    {
        using Stream stream = DataStreams.OpenRead(path);
        return ReadLabels(stream, path);
    }

    /// <summary>Reads an IDX label file from a stream (plain or gzip-compressed); see <see cref="ReadLabels(string)"/>.</summary>
    public static int[] ReadLabels(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using Stream content = DataStreams.Decompressed(stream, leaveOpen: true, Source);
        return ReadLabels(content, Source);
    }

    private static float[] ReadImages(Stream content, string source, out int count, out int rows, out int columns)
    {
        int[] dims = ReadHeader(content, source, dimensionCount: 3, "an image file");
        (count, rows, columns) = (dims[0], dims[1], dims[2]);
        if (rows == 0 || columns == 0)
            throw Invalid(source, $"at offset 8: images of {rows}×{columns} pixels have no pixels.");
        // Each size is below 2^31, so these 64-bit products cannot overflow.
        long total = count * ((long)rows * columns);
        if (total > Array.MaxLength)
            throw Invalid(source, $"at offset 4: {count} images of {rows}×{columns} pixels are too many to load into one array " +
                $"(at most {Array.MaxLength} pixels).");

        return ReadElements<float>(content, source, (int)total, HeaderSize(3), static (chunk, target) =>
        {
            for (int i = 0; i < chunk.Length; i++) target[i] = chunk[i] / 255f;
        });
    }

    private static int[] ReadLabels(Stream content, string source)
    {
        int count = ReadHeader(content, source, dimensionCount: 1, "a label file")[0];
        if (count > Array.MaxLength)
            throw Invalid(source, $"at offset 4: {count} labels are too many to load into one array (at most {Array.MaxLength}).");
        return ReadElements<int>(content, source, count, HeaderSize(1), static (chunk, target) =>
        {
            for (int i = 0; i < chunk.Length; i++) target[i] = chunk[i];
        });
    }

    private static int HeaderSize(int dimensionCount) => 4 + 4 * dimensionCount;

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
                throw Invalid(source, $"at offset {4 + 4 * d}: dimension {d} has the implausible size {size}.");
            dims[d] = (int)size;
        }
        return dims;
    }

    /// <summary>
    /// Reads the <paramref name="count"/> data bytes that follow a header of <paramref name="headerSize"/>
    /// bytes, widening them chunk by chunk into a new array, then checks that the file ends there.
    /// </summary>
    /// <remarks>
    /// The count comes from the header, so it is not trusted with memory: when the bytes left are known
    /// (a plain file) a count beyond them is rejected before allocating; when they are not (gzip, a pipe)
    /// the array starts small and doubles as data arrives, so a lying header costs memory in proportion
    /// to the data actually there, not to the claim.
    /// </remarks>
    private static T[] ReadElements<T>(Stream content, string source, int count, int headerSize, Widen<T> widen)
    {
        long remaining = DataStreams.KnownRemaining(content);
        if (remaining >= 0 && remaining < count)
            throw Truncated(source, count, headerSize, remaining);

        var elements = new T[remaining >= 0 ? count : Math.Min(count, InitialCapacity)];
        var chunk = new byte[Math.Min(ChunkSize, count)];
        for (int offset = 0; offset < count;)
        {
            int want = Math.Min(chunk.Length, count - offset);
            int got = Read(content, source, chunk.AsSpan(0, want));
            if (got < want)
                throw Truncated(source, count, headerSize, offset + got);
            if (offset + want > elements.Length)
                Array.Resize(ref elements, (int)Math.Min(count, Math.Max(2L * elements.Length, offset + want)));
            widen(chunk.AsSpan(0, want), elements.AsSpan(offset, want));
            offset += want;
        }

        // A header announcing fewer elements than the file holds is as wrong as one announcing more; reading
        // to the end also lets a gzip stream check its trailer.
        Span<byte> probe = stackalloc byte[1];
        if (Read(content, source, probe) != 0)
            throw Invalid(source, $"at offset {headerSize + (long)count}: the header announces {count} data bytes, but the file has more.");
        return elements;
    }

    private delegate void Widen<T>(ReadOnlySpan<byte> chunk, Span<T> target);

    private static InvalidDataException Truncated(string source, int count, int headerSize, long available) =>
        Invalid(source, $"truncated: the header announces {count} data bytes, but the file ends after {available} " +
            $"(at offset {headerSize + available}).");

    private static void ReadExactly(Stream content, string source, Span<byte> buffer, string what)
    {
        int got = Read(content, source, buffer);
        if (got < buffer.Length)
            throw Invalid(source, $"truncated: the file ends after {got} of the {buffer.Length} bytes of {what}.");
    }

    /// <summary>Fills <paramref name="buffer"/> as far as the stream goes; returns how many bytes were read.</summary>
    private static int Read(Stream content, string source, Span<byte> buffer) =>
        // Gzip errors already name the source (see DataStreams).
        content.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);

    private static InvalidDataException Invalid(string source, string message, Exception? inner = null) =>
        new($"{source}: {message}", inner);
}
