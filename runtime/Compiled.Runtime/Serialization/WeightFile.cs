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
///     20     4  parameter count N
///     24    4N  parameters, IEEE-754 binary32
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
        ReadOnlySpan<float> parameters = network.Parameters;
        Span<byte> header = stackalloc byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], Version);
        BinaryPrimitives.WriteUInt64LittleEndian(header[12..], Signature(network.Architecture));
        BinaryPrimitives.WriteInt32LittleEndian(header[20..], parameters.Length);
        uint crc = Crc32.Update(Crc32.Initial, header);
        stream.Write(header);

        Span<byte> chunk = stackalloc byte[4096];
        for (int i = 0; i < parameters.Length;)
        {
            int n = Math.Min(chunk.Length / 4, parameters.Length - i);
            for (int j = 0; j < n; j++) BinaryPrimitives.WriteSingleLittleEndian(chunk[(4 * j)..], parameters[i + j]);
            crc = Crc32.Update(crc, chunk[..(4 * n)]);
            stream.Write(chunk[..(4 * n)]);
            i += n;
        }
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(tail, Crc32.Final(crc));
        stream.Write(tail);
    }

    /// <summary>
    /// Writes the parameters to <paramref name="path"/> atomically: to a temporary file beside it first,
    /// then renamed over the target, so a crash never leaves a half-written weight file.
    /// </summary>
    public static void Save(string path, INetwork network)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string temp = full + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Write(stream, network);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Reads parameters written by <see cref="Write"/> into the network, after checking everything.</summary>
    public static void Read(Stream stream, INetwork network, string source = "stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(network);
        Span<byte> header = stackalloc byte[HeaderSize];
        ReadExactly(stream, header, source, "header");
        if (!header[..8].SequenceEqual(Magic))
            throw new InvalidDataException($"{source} is not a Compiled weight file (wrong magic bytes).");
        int version = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        if (version != Version)
            throw new InvalidDataException($"{source} has weight format version {version}; this library reads version {Version}.");
        ulong signature = BinaryPrimitives.ReadUInt64LittleEndian(header[12..]);
        int count = BinaryPrimitives.ReadInt32LittleEndian(header[20..]);
        if (count != network.ParameterCount)
            throw new InvalidDataException($"{source} holds {count} parameters but the network has {network.ParameterCount}: it was saved from a different network.");
        if (signature != Signature(network.Architecture))
            throw new InvalidDataException($"{source} was saved from a network with a different architecture than '{network.Architecture}'.");

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
        staging.CopyTo(network.Parameters);
    }

    /// <summary>Loads parameters from <paramref name="path"/> (see <see cref="Read"/>).</summary>
    public static void Load(string path, INetwork network)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Read(stream, network, $"Weight file '{path}'");
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string source, string part)
    {
        int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < buffer.Length)
            throw new InvalidDataException($"{source} is truncated: it ends inside the {part}.");
    }
}
