using System;
using System.IO;
using Compiled;
using Xunit;
using static Compiled.Tests.Data.IdxTests;

namespace Compiled.Tests.Data;

/// <summary>
/// Sizes in IDX headers are checked before they size an allocation (reliability issue, item 7): a lying
/// header is reported as InvalidDataException naming the file, at a memory cost bounded by the file.
/// </summary>
public class IdxHeaderTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FiveHundredMillionImages_InASmallFile_AreTruncatedWithoutAllocatingThem(bool gzip)
    {
        using var dir = new TempDirectory();
        // 500M 1×1 images would be 2 GB of floats; the file holds 3 pixels.
        string path = dir.Write("images", IdxBytes(0x08, [500_000_000, 1, 1], [1, 2, 3]), gzip);

        var e = Measured.Rejects(() => Idx.ReadImages(path, out _, out _, out _),
            "truncated: the header announces 500000000 data bytes, but the file ends after 3 (at offset 19)", Measured.FixedBytes);
        Assert.StartsWith(path, e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FiveHundredMillionMnistImages_AreTooManyForOneArray(bool gzip)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("images", IdxBytes(0x08, [500_000_000, 28, 28], [1, 2, 3]), gzip);

        var e = Measured.Rejects(() => Idx.ReadImages(path, out _, out _, out _),
            "at offset 4: 500000000 images of 28×28 pixels are too many to load into one array", Measured.FixedBytes);
        Assert.StartsWith(path, e.Message);
    }

    [Theory]
    [InlineData(65536, 65536, 1)] // 2^32 pixels: wraps to 0 in 32 bits (an empty array with a huge count)
    [InlineData(65536, 32768, 1)] // 2^31: wraps to a negative size in 32 bits
    [InlineData(1, 65536, 65536)] // one image whose pixel count wraps to 0
    [InlineData(int.MaxValue, int.MaxValue, int.MaxValue)] // ~2^93: overflows even 64 bits if multiplied naively
    public void DimensionProductsThatWrap_AreRejected(int count, int rows, int columns)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("images", IdxBytes(0x08, [count, rows, columns], [7]));

        var e = Measured.Rejects(() => Idx.ReadImages(path, out _, out _, out _), "too many to load into one array", Measured.FixedBytes);
        Assert.StartsWith(path, e.Message);
    }

    [Theory]
    [InlineData(1000, 0, 28)]
    [InlineData(1000, 28, 0)]
    [InlineData(int.MaxValue, 0, 0)]
    public void ImagesWithoutPixels_AreRejected(int count, int rows, int columns)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("images", IdxBytes(0x08, [count, rows, columns], []));

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path, out _, out _, out _));
        Assert.StartsWith(path, e.Message);
        Assert.Contains($"at offset 8: images of {rows}×{columns} pixels have no pixels", e.Message);
    }

    [Theory]
    [InlineData(false, int.MaxValue, "at offset 4: 2147483647 labels are too many to load into one array")]
    [InlineData(true, int.MaxValue, "at offset 4: 2147483647 labels are too many to load into one array")]
    [InlineData(false, 2_000_000_000, "truncated: the header announces 2000000000 data bytes, but the file ends after 2 (at offset 10)")]
    [InlineData(true, 2_000_000_000, "truncated: the header announces 2000000000 data bytes, but the file ends after 2 (at offset 10)")]
    public void HugeLabelCount_IsRejectedWithoutAllocatingIt(bool gzip, int count, string expected)
    {
        using var dir = new TempDirectory();
        // 2^31 − 1 labels would be 8 GB of ints; the file holds 2.
        string path = dir.Write("labels", IdxBytes(0x08, [count], [4, 2]), gzip);

        var e = Measured.Rejects(() => Idx.ReadLabels(path), expected, Measured.FixedBytes);
        Assert.StartsWith(path, e.Message);
    }

    [Fact]
    public void GzipDataLongerThanTheFirstArray_StillLoads_AndCostsMemoryInProportion()
    {
        // 300 000 labels: beyond the 65 536 elements first allocated for gzip data, so the array grows.
        byte[] data = new byte[300_000];
        for (int i = 0; i < data.Length; i++) data[i] = (byte)(i % 10);
        using var dir = new TempDirectory();
        string path = dir.Write("labels", IdxBytes(0x08, [data.Length], data), gzip: true);

        (int[]? labels, Exception? error, long allocated) = Measured.Run(() => Idx.ReadLabels(path));

        Assert.Null(error);
        Assert.Equal(data.Length, labels!.Length);
        Assert.Equal(299_999 % 10, labels[^1]);
        // Doubling from 64 Ki ints to the 300 000 announced: 64+128+256 Ki + 300 000 ints, under 4 × 4 bytes per label.
        Assert.True(allocated <= 16L * data.Length + Measured.FixedBytes, $"allocated {allocated}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MoreDataThanAnnounced_IsRejected(bool gzip)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("labels", IdxBytes(0x08, [2], [1, 2, 3]), gzip);

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("at offset 10: the header announces 2 data bytes, but the file has more", e.Message);
    }

    [Fact]
    public void ImplausibleDimension_NamesItsOffset()
    {
        using var dir = new TempDirectory();
        byte[] bytes = IdxBytes(0x08, [1, 1, 1], [0]);
        bytes[8] = 0x80; // rows ≥ 2^31
        string path = dir.Write("images", bytes);

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path, out _, out _, out _));
        Assert.Contains("at offset 8: dimension 1 has the implausible size 2147483649", e.Message);
    }

    [Fact]
    public void StreamOverload_ChecksTheHeaderAgainstASeekableStream()
    {
        using var stream = new MemoryStream(IdxBytes(0x08, [500_000_000, 1, 1], [1, 2, 3]));

        Measured.Rejects(() => Idx.ReadImages(stream, out _, out _, out _), "IDX stream: truncated", Measured.FixedBytes);
    }
}
