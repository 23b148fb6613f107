using System;
using System.IO;
using System.Linq;
using Xunit;

namespace Compiled.Tests.Serialization;

/// <summary>A network small enough to write its weight file out by hand: 3·2 + 2 + 2·1 + 1 = 11 parameters.</summary>
[Network(Loss = Loss.MeanSquaredError, Seed = 1)]
[Input(3)]
[Dense(2, Activation.Tanh)]
[Dense(1)]
public partial class TinyWeightsNet;

/// <summary>
/// The weight format checked against oracles that do not share code with the library: published CRC-32
/// and FNV-1a check values, and a file assembled byte by byte from docs/weight-format.md. Round trips
/// alone cannot catch a wrong CRC initial value or hash constant: writer and reader would agree.
/// </summary>
public sealed class WeightFileKnownAnswerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("compiled-known-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Reference_crc32_matches_the_published_check_values()
    {
        // The check values of CRC-32/ISO-HDLC, the CRC of zip, PNG and Ethernet.
        Assert.Equal(0xCBF43926u, ReferenceCrc32.Of("123456789"u8));
        Assert.Equal(0u, ReferenceCrc32.Of(ReadOnlySpan<byte>.Empty));
        Assert.Equal(0x414FA339u, ReferenceCrc32.Of("The quick brown fox jumps over the lazy dog"u8));
    }

    [Fact]
    public void Library_crc32_matches_the_published_check_values()
    {
        static uint Crc(ReadOnlySpan<byte> data) => Crc32.Final(Crc32.Update(Crc32.Initial, data));
        Assert.Equal(0xCBF43926u, Crc("123456789"u8));
        Assert.Equal(0u, Crc(ReadOnlySpan<byte>.Empty));
        Assert.Equal(0x414FA339u, Crc("The quick brown fox jumps over the lazy dog"u8));
        // Fed in pieces, as the writer does: the running register carries across calls.
        Assert.Equal(0xCBF43926u, Crc32.Final(Crc32.Update(Crc32.Update(Crc32.Initial, "1234"u8), "56789"u8)));
    }

    [Fact]
    public void Architecture_signature_is_fnv1a_64_of_the_utf8_text()
    {
        // Published FNV-1a 64 test vectors (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
        Assert.Equal(0xcbf29ce484222325UL, WeightFile.Signature(""));
        Assert.Equal(0xaf63dc4c8601ec8cUL, WeightFile.Signature("a"));
        Assert.Equal(0x85944171f73967e8UL, WeightFile.Signature("foobar"));
        // Non-ASCII text is hashed as its UTF-8 bytes E2 86 92, not as UTF-16 units (value from Python's own FNV-1a).
        Assert.Equal(0x56388e1b884934d1UL, WeightFile.Signature("→"));
    }

    /// <summary>Parameters with telling bit patterns: signs, −0, a subnormal.</summary>
    private static readonly float[] HandPicked = [1f, -2.5f, 0.5f, 0.25f, -0f, 3f, 100f, -1f, 0.125f, 2f, float.Epsilon];

    /// <summary>docs/weight-format.md, field by field, for <see cref="TinyWeightsNet"/> holding <see cref="HandPicked"/>.</summary>
    private static byte[] HandBuiltFile()
    {
        var file = new System.Collections.Generic.List<byte>();
        file.AddRange("CMPLWGT1"u8.ToArray());                 // magic
        file.AddRange([0x01, 0x00, 0x00, 0x00]);                 // version 1
        // FNV-1a 64 of "Input(3) → Dense(2,Tanh) → Dense(1,Identity)" in UTF-8, computed with Python.
        file.AddRange(LittleEndian(0xf8204c244d98dc41UL, 8));    // architecture signature
        file.AddRange([0x0B, 0x00, 0x00, 0x00]);                 // count 11
        file.AddRange([0x00, 0x00, 0x80, 0x3F]);                 // 1
        file.AddRange([0x00, 0x00, 0x20, 0xC0]);                 // −2.5
        file.AddRange([0x00, 0x00, 0x00, 0x3F]);                 // 0.5
        file.AddRange([0x00, 0x00, 0x80, 0x3E]);                 // 0.25
        file.AddRange([0x00, 0x00, 0x00, 0x80]);                 // −0
        file.AddRange([0x00, 0x00, 0x40, 0x40]);                 // 3
        file.AddRange([0x00, 0x00, 0xC8, 0x42]);                 // 100
        file.AddRange([0x00, 0x00, 0x80, 0xBF]);                 // −1
        file.AddRange([0x00, 0x00, 0x00, 0x3E]);                 // 0.125
        file.AddRange([0x00, 0x00, 0x00, 0x40]);                 // 2
        file.AddRange([0x01, 0x00, 0x00, 0x00]);                 // float.Epsilon, the smallest subnormal
        uint crc = ReferenceCrc32.Of(file.ToArray());
        Assert.Equal(0xa29b317cu, crc); // Python's zlib.crc32 of the same 68 bytes
        file.AddRange(LittleEndian(crc, 4));
        return file.ToArray();
    }

    private static byte[] LittleEndian(ulong value, int size) =>
        Enumerable.Range(0, size).Select(i => (byte)(value >> (8 * i))).ToArray();

    [Fact]
    public void Architecture_text_is_the_documented_one()
    {
        Assert.Equal("Input(3) → Dense(2,Tanh) → Dense(1,Identity)", TinyWeightsNet.ArchitectureText);
        Assert.Equal(11, TinyWeightsNet.ParameterCount);
    }

    [Fact]
    public void Save_writes_exactly_the_documented_bytes()
    {
        var net = new TinyWeightsNet();
        HandPicked.CopyTo(net.Parameters);
        string path = Path.Combine(_dir, "tiny.cmpl");
        net.Save(path);
        Assert.Equal(Convert.ToHexString(HandBuiltFile()), Convert.ToHexString(File.ReadAllBytes(path)));

        var stream = new MemoryStream();
        net.Save(stream);
        Assert.Equal(Convert.ToHexString(HandBuiltFile()), Convert.ToHexString(stream.ToArray()));
    }

    [Fact]
    public void Load_accepts_the_documented_bytes_bit_exactly()
    {
        string path = Path.Combine(_dir, "hand-built.cmpl");
        File.WriteAllBytes(path, HandBuiltFile());
        var net = new TinyWeightsNet();
        net.Load(path);
        Assert.Equal(HandPicked.Select(BitConverter.SingleToUInt32Bits), net.Parameters.ToArray().Select(BitConverter.SingleToUInt32Bits));
    }
}

/// <summary>
/// CRC-32 (reflected polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF) computed bit by bit
/// from its definition: an oracle independent of the library's table-driven code.
/// </summary>
internal static class ReferenceCrc32
{
    public static uint Of(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
        }
        return ~crc;
    }
}
