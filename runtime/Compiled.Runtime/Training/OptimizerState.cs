using System;
using System.Buffers.Binary;
using System.IO;
using System.Runtime.InteropServices;

namespace Compiled;

/// <summary>The kind codes of optimizer state files.</summary>
internal enum OptimizerKind
{
    /// <summary>Not saveable (a custom optimizer).</summary>
    None = 0,
    Sgd = 1,
    Adam = 2,
    AdamW = 3,
    AdaGrad = 4,
    RmsProp = 5,
}

/// <summary>
/// The optimizer state format (version 1), little-endian:
/// <code>
/// offset   size  field
///      0      8  magic "CMPLOPT1" (ASCII)
///      8      4  format version (1)
///     12      4  kind: 1 Sgd, 2 Adam, 3 AdamW, 4 AdaGrad, 5 RmsProp
///     16      4  setting count S
///     20      4  buffer count B
///     24      4  parameter count N (0 while the buffers are not allocated: before the first step)
///     28      8  step count
///     36      4  learning rate
///     40     4S  the settings (docs/optimizers.md lists them per kind), binary32
///  40+4S   4·B·N  the buffers one after the other, binary32
///  40+4S+4BN  4  CRC-32 (IEEE 802.3) of every byte before it
/// </code>
/// </summary>
internal static class OptimizerState
{
    private static ReadOnlySpan<byte> Magic => "CMPLOPT1"u8;
    private const int Version = 1;
    private const int HeaderSize = 40;

    /// <summary>What a state file holds, read and checked.</summary>
    internal readonly record struct Saved(float LearningRate, long StepCount, int ParameterCount, float[]?[] Buffers);

    public static void Write(Stream stream, OptimizerKind kind, float learningRate, float[] settings, long stepCount, float[]?[] buffers)
    {
        int n = 0;
        foreach (var buffer in buffers) n = buffer?.Length ?? n;
        Span<byte> header = stackalloc byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], (int)kind);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], settings.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header[20..], buffers.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header[24..], n);
        BinaryPrimitives.WriteInt64LittleEndian(header[28..], stepCount);
        BinaryPrimitives.WriteSingleLittleEndian(header[36..], learningRate);
        uint crc = Crc32.Update(Crc32.Initial, header);
        stream.Write(header);

        Span<byte> chunk = stackalloc byte[4];
        crc = WriteValues(stream, settings, chunk, crc);
        if (n > 0)
            foreach (var buffer in buffers)
                crc = WriteValues(stream, buffer, chunk, crc);
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(tail, Crc32.Final(crc));
        stream.Write(tail);
    }

    /// <summary>Writes <paramref name="values"/> as little-endian binary32 and returns the CRC updated with their bytes.</summary>
    private static uint WriteValues(Stream stream, ReadOnlySpan<float> values, Span<byte> chunk, uint crc)
    {
        if (BitConverter.IsLittleEndian)
        {
            var bytes = MemoryMarshal.AsBytes(values);
            stream.Write(bytes);
            return Crc32.Update(crc, bytes);
        }
        foreach (float value in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(chunk, value);
            stream.Write(chunk[..4]);
            crc = Crc32.Update(crc, chunk[..4]);
        }
        return crc;
    }

    /// <summary>
    /// Reads and checks a state file for an optimizer of <paramref name="kind"/> with <paramref name="settings"/>
    /// and <paramref name="bufferCount"/> buffers. Nothing is returned unless every check passes.
    /// </summary>
    public static Saved Read(Stream stream, string source, OptimizerKind kind, float[] settings, int bufferCount)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        ReadExactly(stream, header, source, "header");
        if (!header[..8].SequenceEqual(Magic))
            throw new InvalidDataException($"{source} is not Compiled optimizer state (wrong magic bytes); save it with Optimizer.SaveState.");
        int version = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        if (version != Version)
            throw new InvalidDataException($"{source} has optimizer state version {version}; this library reads version {Version}.");
        var savedKind = (OptimizerKind)BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        if (savedKind != kind)
            throw new InvalidDataException($"{source} holds the state of {Name(savedKind)}, not of {Name(kind)}: load it into the kind of optimizer that saved it.");
        int settingCount = BinaryPrimitives.ReadInt32LittleEndian(header[16..]);
        int savedBuffers = BinaryPrimitives.ReadInt32LittleEndian(header[20..]);
        int n = BinaryPrimitives.ReadInt32LittleEndian(header[24..]);
        if (settingCount != settings.Length)
            throw new InvalidDataException($"{source} holds {settingCount} settings where {Name(kind)} has {settings.Length}: it is damaged or from another version.");
        if (savedBuffers != bufferCount)
            throw new InvalidDataException($"{source} holds {savedBuffers} state buffers where this {Name(kind)} keeps {bufferCount}: it was saved with other options (momentum, centered, …); create the optimizer with the options it was saved with.");
        if (n < 0)
            throw new InvalidDataException($"{source} holds a negative parameter count ({n}): it is damaged.");
        long payload = 4L * settingCount + 4L * savedBuffers * n;
        // A seekable stream too short for what the header announces is refused before anything is allocated.
        if (stream.CanSeek && stream.Length - stream.Position < payload + 4)
            throw new InvalidDataException($"{source} is truncated: it ends inside the {(stream.Length - stream.Position < payload ? "settings and buffers" : "checksum")}.");

        uint crc = Crc32.Update(Crc32.Initial, header);
        var savedSettings = new float[settingCount];
        crc = ReadValues(stream, savedSettings, source, "settings", crc);
        var buffers = new float[]?[savedBuffers];
        for (int b = 0; b < savedBuffers && n > 0; b++)
            crc = ReadValues(stream, buffers[b] = new float[n], source, "buffers", crc);
        Span<byte> tail = stackalloc byte[4];
        ReadExactly(stream, tail, source, "checksum");
        if (BinaryPrimitives.ReadUInt32LittleEndian(tail) != Crc32.Final(crc))
            throw new InvalidDataException($"{source} is corrupt: its checksum does not match its contents.");

        // Checked after the checksum, so damage reads as damage and not as other settings.
        for (int i = 0; i < settings.Length; i++)
            if (BitConverter.SingleToInt32Bits(savedSettings[i]) != BitConverter.SingleToInt32Bits(settings[i]))
                throw new InvalidDataException($"{source} was saved by {Name(kind)} with setting {i + 1} ({SettingName(kind, i)}) = {savedSettings[i]}, but this one has {settings[i]}: create the optimizer with the settings it was saved with.");
        return new Saved(BinaryPrimitives.ReadSingleLittleEndian(header[36..]), BinaryPrimitives.ReadInt64LittleEndian(header[28..]), n, buffers);
    }

    private static uint ReadValues(Stream stream, float[] values, string source, string part, uint crc)
    {
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        ReadExactly(stream, bytes, source, part);
        crc = Crc32.Update(crc, bytes);
        if (!BitConverter.IsLittleEndian)
            for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
        return crc;
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string source, string part)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{source} is truncated: it ends inside the {part}.", e);
        }
    }

    private static string Name(OptimizerKind kind) => kind switch
    {
        OptimizerKind.Sgd => "Sgd",
        OptimizerKind.Adam => "Adam",
        OptimizerKind.AdamW => "AdamW",
        OptimizerKind.AdaGrad => "AdaGrad",
        OptimizerKind.RmsProp => "RmsProp",
        _ => $"an unknown optimizer (kind {(int)kind})",
    };

    /// <summary>The name of setting <paramref name="index"/> of <paramref name="kind"/> (the order of docs/optimizers.md).</summary>
    internal static string SettingName(OptimizerKind kind, int index)
    {
        string[] names = kind switch
        {
            OptimizerKind.Sgd => ["momentum", "nesterov", "weightDecay", "form"],
            OptimizerKind.Adam or OptimizerKind.AdamW => ["beta1", "beta2", "epsilon", "weightDecay"],
            OptimizerKind.AdaGrad => ["epsilon", "initialAccumulator", "learningRateDecay", "weightDecay"],
            OptimizerKind.RmsProp => ["alpha", "epsilon", "momentum", "centered", "weightDecay"],
            _ => [],
        };
        return index < names.Length ? names[index] : $"#{index + 1}";
    }
}
