using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace Compiled.Tests.Interop;

/// <summary>Builds and takes apart safetensors bytes in the tests, from the format's definition alone.</summary>
internal static class SafetensorsFiles
{
    /// <summary>8-byte little-endian length, the header (padded with spaces to a multiple of 8 when asked), then the data.</summary>
    public static byte[] Build(string header, byte[] data, bool pad = true)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        int length = pad ? (json.Length + 7) / 8 * 8 : json.Length;
        var bytes = new byte[8 + length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)length);
        bytes.AsSpan(8, length).Fill((byte)' ');
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + length);
        return bytes;
    }

    /// <summary>The header text (padding trimmed) and the data of a file.</summary>
    public static (string Header, byte[] Data) Split(byte[] file)
    {
        int length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        return (Encoding.UTF8.GetString(file, 8, length).TrimEnd(' '), file[(8 + length)..]);
    }

    /// <summary>The network exported to bytes.</summary>
    public static byte[] Export(INetwork network)
    {
        using var stream = new MemoryStream();
        Safetensors.Write(stream, network);
        return stream.ToArray();
    }

    /// <summary>Every tensor of a file by name: dtype, shape and raw bytes (the test's own reading of the format).</summary>
    public static Dictionary<string, (string DType, string Shape, byte[] Bytes)> Tensors(byte[] file)
    {
        var (header, data) = Split(file);
        var tensors = new Dictionary<string, (string, string, byte[])>();
        using var json = JsonDocument.Parse(header);
        foreach (var entry in json.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__") continue;
            int begin = entry.Value.GetProperty("data_offsets")[0].GetInt32(), end = entry.Value.GetProperty("data_offsets")[1].GetInt32();
            tensors.Add(entry.Name, (entry.Value.GetProperty("dtype").GetString()!, entry.Value.GetProperty("shape").GetRawText(), data[begin..end]));
        }
        return tensors;
    }

    /// <summary>Floats as little-endian bytes.</summary>
    public static byte[] Floats(params float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }
}

/// <summary>A stream that cannot seek (a pipe, a socket): its length is unknown to the reader.</summary>
internal sealed class UnseekableStream(byte[] bytes) : Stream
{
    private readonly MemoryStream _inner = new(bytes);

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
