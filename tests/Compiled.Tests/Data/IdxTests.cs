using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using Compiled;
using Xunit;

namespace Compiled.Tests.Data;

public class IdxTests
{
    /// <summary>An IDX file: zero, zero, type byte, dimension count, big-endian sizes, then the data.</summary>
    internal static byte[] IdxBytes(byte type, int[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        bytes[2] = type;
        bytes[3] = (byte)dims.Length;
        for (int d = 0; d < dims.Length; d++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), dims[d]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    internal static byte[] Images(int count, int rows, int columns, Func<int, byte> pixel) =>
        IdxBytes(0x08, [count, rows, columns], Enumerable.Range(0, count * rows * columns).Select(pixel).ToArray());

    internal static byte[] Labels(params byte[] labels) => IdxBytes(0x08, [labels.Length], labels);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadImages_ScalesPixelsToUnitInterval(bool gzip)
    {
        using var dir = new TempDirectory();
        byte[] pixels = [0, 51, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        string path = dir.Write("images", IdxBytes(0x08, [2, 3, 2], pixels), gzip);

        float[] images = Idx.ReadImages(path, out int count, out int rows, out int columns);

        Assert.Equal((2, 3, 2), (count, rows, columns));
        Assert.Equal(pixels.Select(p => p / 255f), images);
        Assert.Equal(0.2f, images[1]);
        Assert.Equal(1f, images[2]);
    }

    [Fact]
    public void ReadImages_ReadsDataLargerThanOneChunk()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("images.gz", Images(300, 28, 28, i => (byte)(i % 251)), gzip: true);

        float[] images = Idx.ReadImages(path, out int count, out _, out _);

        Assert.Equal(300, count);
        Assert.Equal(300 * 784, images.Length);
        Assert.Equal(100_000 % 251 / 255f, images[100_000]);
    }

    [Fact]
    public void Compression_IsDetectedFromContent_NotFromTheName()
    {
        using var dir = new TempDirectory();
        string gzippedWithPlainName = dir.Write("labels.idx", Labels(3, 1, 4), gzip: true);
        string plainWithGzName = dir.Write("labels.idx.gz", Labels(1, 5), gzip: false);

        Assert.Equal([3, 1, 4], Idx.ReadLabels(gzippedWithPlainName));
        Assert.Equal([1, 5], Idx.ReadLabels(plainWithGzName));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void StreamOverloads_ReadPlainAndGzip(bool gzip)
    {
        byte[] labels = Labels(9, 0, 255);
        byte[] images = Images(1, 2, 2, i => (byte)(i * 85));
        if (gzip)
        {
            labels = TempDirectory.Gzip(labels);
            images = TempDirectory.Gzip(images);
        }

        using var labelStream = new MemoryStream(labels);
        using var imageStream = new MemoryStream(images);

        Assert.Equal([9, 0, 255], Idx.ReadLabels(labelStream));
        Assert.Equal([0f, 85 / 255f, 170 / 255f, 1f], Idx.ReadImages(imageStream, out _, out _, out _));
        Assert.True(labelStream.CanRead); // left open for the caller
    }

    [Fact]
    public void ReadImages_RejectsALabelFile()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("labels", Labels(1, 2));

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path, out _, out _, out _));
        Assert.Contains(path, e.Message);
        Assert.Contains("0x00000801", e.Message);
        Assert.Contains("0x00000803", e.Message);
    }

    [Fact]
    public void ReadLabels_RejectsOtherElementTypes()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("floats", IdxBytes(0x0D, [1], [0, 0, 0, 0]));

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));
        Assert.Contains("element type 0x0D", e.Message);
    }

    [Fact]
    public void ReadLabels_RejectsNonIdxFiles()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("text", "hello, world"u8.ToArray());

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));
        Assert.Contains("not an IDX file", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedData_IsReported(bool gzip)
    {
        using var dir = new TempDirectory();
        byte[] whole = Images(4, 2, 2, i => 1);
        string path = dir.Write("images", whole[..^5], gzip);

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path, out _, out _, out _));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated: the header announces 16 data bytes, but the file ends after 11", e.Message);
    }

    [Fact]
    public void TruncatedHeader_IsReported()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("images", Images(1, 1, 1, i => 0)[..10]);

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path, out _, out _, out _));
        Assert.Contains("truncated", e.Message);
        Assert.Contains("dimension sizes", e.Message);
    }

    [Fact]
    public void TruncatedGzip_IsReported()
    {
        using var dir = new TempDirectory();
        byte[] compressed = TempDirectory.Gzip(Images(50, 28, 28, i => (byte)(i * 7919 % 256)));
        string path = dir.Write("images", compressed[..(compressed.Length / 2)]);

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path, out _, out _, out _));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void CorruptGzip_IsReported()
    {
        using var dir = new TempDirectory();
        byte[] corrupt = TempDirectory.Gzip(Labels(1, 2, 3));
        for (int i = 10; i < corrupt.Length; i++) corrupt[i] = 0xFF; // keep the gzip header, ruin the deflate data
        string path = dir.Write("labels", corrupt);

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));
        Assert.Contains(path, e.Message);
    }
}
