using System;
using System.Buffers.Binary;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace Compiled;

/// <summary>
/// The weight file format (version 1), little-endian:
/// <code>
/// offset  size  field
///      0     8  magic "CMPLWGT1" (ASCII)
///      8     4  format version (1)
///     12     8  architecture signature: FNV-1a 64 of the network's Architecture string (UTF-8)
///     20     4  value count N = parameters + state
///     24    4N  the parameters, then the state (BatchNorm running statistics), IEEE-754 binary32
///  24+4N     4  CRC-32 (IEEE 802.3) of bytes 0 … 24+4N−1
/// </code>
/// A wrong magic, version, architecture or count, a truncated file or a checksum mismatch is an
/// <see cref="InvalidDataException"/> that says which; nothing is loaded in that case.
/// </summary>
public static class WeightFile
{
    private static ReadOnlySpan<byte> Magic => "CMPLWGT1"u8;
    private const int Version = 1;
    private const int HeaderSize = 24;

    /// <summary>The architecture signature stored in the file: FNV-1a 64 of the UTF-8 text.</summary>
    public static ulong Signature(string architecture)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(architecture))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return hash;
    }

    /// <summary>Writes the network's parameters to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, INetwork network)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(network);
        ReadOnlySpan<float> parameters = network.Parameters, state = network.State;
        Span<byte> header = stackalloc byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], Version);
        BinaryPrimitives.WriteUInt64LittleEndian(header[12..], Signature(network.Architecture));
        BinaryPrimitives.WriteInt32LittleEndian(header[20..], checked(parameters.Length + state.Length));
        uint crc = Crc32.Update(Crc32.Initial, header);
        stream.Write(header);

        Span<byte> chunk = stackalloc byte[4096];
        crc = WriteValues(stream, parameters, chunk, crc);
        crc = WriteValues(stream, state, chunk, crc);
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(tail, Crc32.Final(crc));
        stream.Write(tail);
    }

    /// <summary>Writes <paramref name="values"/> little-endian through <paramref name="chunk"/>; returns the updated CRC.</summary>
    private static uint WriteValues(Stream stream, ReadOnlySpan<float> values, Span<byte> chunk, uint crc)
    {
        for (int i = 0; i < values.Length;)
        {
            int n = Math.Min(chunk.Length / 4, values.Length - i);
            for (int j = 0; j < n; j++) BinaryPrimitives.WriteSingleLittleEndian(chunk[(4 * j)..], values[i + j]);
            crc = Crc32.Update(crc, chunk[..(4 * n)]);
            stream.Write(chunk[..(4 * n)]);
            i += n;
        }
        return crc;
    }

    /// <summary>
    /// Writes the parameters to <paramref name="path"/> atomically: to a uniquely named temporary file
    /// beside it first (see <see cref="TempFiles"/>), flushed to disk, then renamed over the target, so a
    /// crash never leaves a half-written weight file and concurrent saves to one path each write their own
    /// temporary file (the last rename wins; the result is always one complete file). Temporary files of
    /// the same target left by killed saves are deleted first.
    /// </summary>
    /// <exception cref="IOException">
    /// The file could not be written (disk full, no permission, not a directory, …); the message names
    /// the file, the inner exception says why. The previous file, if any, is untouched and no temporary
    /// file is left behind.
    /// </exception>
    public static void Save(string path, INetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        AtomicFile.Write(path, "weights", stream => Write(stream, network));
    }

    /// <summary>
    /// Reads parameters written by <see cref="Write"/> into the network, after checking everything. Reading
    /// stops after the checksum, so weights may be embedded in a longer stream.
    /// </summary>
    /// <exception cref="InvalidDataException">The data is not a weight file of this network, or is damaged; the network is untouched.</exception>
    public static void Read(Stream stream, INetwork network, string source = "stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(network);
        ReadChecked(stream, network, source, toEnd: false);
    }

    /// <summary>The checks of <see cref="Read(Stream, INetwork, string)"/>; with <paramref name="toEnd"/>, the stream must end at the checksum.</summary>
    private static void ReadChecked(Stream stream, INetwork network, string source, bool toEnd)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        ReadExactly(stream, header, source, "header");
        if (!header[..8].SequenceEqual(Magic))
            throw new InvalidDataException($"{source} is not a Compiled weight file (wrong magic bytes).");
        int version = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        if (version != Version)
            throw new InvalidDataException($"{source} has weight format version {version}; this library reads version {Version}.");
        ulong signature = BinaryPrimitives.ReadUInt64LittleEndian(header[12..]);
        int count = BinaryPrimitives.ReadInt32LittleEndian(header[20..]);
        // The count is checked against the network before anything is allocated: a damaged header that
        // announces 2^31 − 1 parameters costs nothing.
        int stateCount = network.State.Length;
        if (count != (long)network.ParameterCount + stateCount)
            throw new InvalidDataException(stateCount == 0
                ? $"{source} holds {count} parameters but the network has {network.ParameterCount}: it was saved from a different network."
                : $"{source} holds {count} values but the network has {network.ParameterCount} parameters and {stateCount} values of state: it was saved from a different network.");
        if (signature != Signature(network.Architecture))
            throw new InvalidDataException($"{source} was saved from a network with a different architecture than '{network.Architecture}'.");
        // A seekable stream too short for the parameters is refused before the staging buffer is allocated,
        // so a truncated file never costs more memory than its own size.
        if (stream.CanSeek && stream.Length - stream.Position < 4L * count + 4)
            throw new InvalidDataException($"{source} is truncated: it ends inside the {(stream.Length - stream.Position < 4L * count ? "parameters" : "checksum")}.");

        // Read into a staging buffer: the network is untouched unless the whole file checks out.
        var staging = new float[count];
        var bytes = MemoryMarshal.AsBytes(staging.AsSpan());
        ReadExactly(stream, bytes, source, "parameters");
        uint crc = Crc32.Update(Crc32.Update(Crc32.Initial, header), bytes);
        if (!BitConverter.IsLittleEndian)
            for (int i = 0; i < staging.Length; i++) staging[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
        Span<byte> tail = stackalloc byte[4];
        ReadExactly(stream, tail, source, "checksum");
        if (BinaryPrimitives.ReadUInt32LittleEndian(tail) != Crc32.Final(crc))
            throw new InvalidDataException($"{source} is corrupt: its checksum does not match its contents.");
        if (toEnd)
        {
            Span<byte> probe = stackalloc byte[1];
            if (stream.Read(probe) > 0)
            {
                string extra = stream.CanSeek ? $"{stream.Length - stream.Position + 1} trailing bytes" : "trailing bytes";
                throw new InvalidDataException($"{source} has {extra} after the checksum: it is not exactly one weight file.");
            }
        }
        staging.AsSpan(0, network.ParameterCount).CopyTo(network.Parameters);
        staging.AsSpan(network.ParameterCount).CopyTo(network.State);
    }

    /// <summary>
    /// Loads parameters from <paramref name="path"/> (see <see cref="Read"/>). The file must hold exactly one
    /// weight file: bytes after the checksum are refused, as is a directory.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a weight file of this network, is damaged or has trailing bytes; the network is untouched.</exception>
    public static void Load(string path, INetwork network)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(network);
        string source = $"Weight file '{path}'";
        // Opening a directory fails with an UnauthorizedAccessException that blames permissions: say what it is.
        if (Directory.Exists(path))
            throw new InvalidDataException($"{source} is a directory, not a weight file.");
        // No FileStream buffer: Read asks for the header, the parameters and the checksum in three reads.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        ReadChecked(stream, network, source, toEnd: true);
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string source, string part)
    {
        int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < buffer.Length)
            throw new InvalidDataException($"{source} is truncated: it ends inside the {part}.");
    }
}
